"""Group commit: a vote is answered after the commit that holds it, and votes share commits.

The app runs in this process; votes are sent from threads, each with its own test client.
The writer's test hooks (``before_commit``, ``after_commit``) hold or observe its commits.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from poll_service.db import get_engine, transaction
from poll_service.schema import polls
from poll_service.writer import get_writer

ORIGIN = {"Origin": "http://localhost"}


def total(app: Any, poll_id: str = "don-en-ligne") -> int:
    """The poll's total as another connection reads it (committed votes only)."""
    with app.app_context(), get_engine().connect() as conn, transaction(conn):
        return conn.execute(select(polls.c.total_voters).where(polls.c.id == poll_id)).scalar_one()


def send(app: Any, number: int, results: dict[int, Any], choice: str = "oui", address: str | None = None) -> threading.Thread:
    """Start a vote from voter ``number`` in a thread; its response lands in ``results``."""

    def post() -> None:
        results[number] = app.test_client().post(
            "/api/polls/don-en-ligne/votes",
            json={"choices": [choice]},
            headers={**ORIGIN, "X-Forwarded-For": address or f"198.51.100.{number}"},
        )

    thread = threading.Thread(target=post)
    thread.start()
    return thread


@pytest.fixture
def proxied(make_app):
    return make_app(POLL_TRUSTED_PROXIES=1)


def test_a_vote_is_not_answered_before_its_commit(proxied):
    writer = get_writer(proxied)
    reached, release = threading.Event(), threading.Event()

    def hold(_conn: Any) -> None:
        reached.set()
        assert release.wait(30)

    writer.before_commit = hold
    results: dict[int, Any] = {}
    thread = send(proxied, 1, results)
    try:
        assert reached.wait(30)  # the vote is recorded in the open transaction...
        thread.join(0.5)
        assert thread.is_alive() and results == {}  # ...and its request still waits for the commit
        assert total(proxied) == 0  # which is not there yet
    finally:
        release.set()
    thread.join(30)
    assert results[1].status_code == 201 and total(proxied) == 1


def test_votes_arriving_during_a_commit_share_the_next_one(proxied):
    writer = get_writer(proxied)
    reached, release = threading.Event(), threading.Event()

    def hold_first(_conn: Any) -> None:
        if not reached.is_set():
            reached.set()
            assert release.wait(30)

    writer.before_commit = hold_first
    results: dict[int, Any] = {}
    threads = [send(proxied, 1, results)]
    assert reached.wait(30)
    threads += [send(proxied, number, results) for number in range(2, 7)]
    while sum(1 for t in threads if t.is_alive()) < 6 or writer._queue.qsize() < 5:  # noqa: SLF001
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(30)
    assert [results[n].status_code for n in range(1, 7)] == [201] * 6
    assert writer.batch_sizes == [1, 5]
    # Every vote of a batch is answered with the poll as the whole batch left it.
    assert {results[n].get_json()["total_voters"] for n in range(2, 7)} == {6}


def test_a_lone_vote_waits_for_company_then_commits_with_it(make_app):
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_VOTE_BATCH_WAIT_MS=2000)
    writer = get_writer(app)
    results: dict[int, Any] = {}
    first = send(app, 1, results)
    while writer._queue.qsize():  # noqa: SLF001 - until the writer holds the lone vote
        threading.Event().wait(0.005)
    threading.Event().wait(0.1)
    second = send(app, 2, results, choice="non")
    first.join(30)
    second.join(30)
    assert results[1].status_code == results[2].status_code == 201
    assert writer.batch_sizes == [2]  # one commit, two voters, two answers


def test_a_lone_vote_with_no_company_commits_alone_after_the_wait(make_app):
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_VOTE_BATCH_WAIT_MS=50)
    results: dict[int, Any] = {}
    send(app, 1, results).join(30)
    assert results[1].status_code == 201 and get_writer(app).batch_sizes == [1]


def test_two_votes_of_one_voter_in_one_batch_count_once(proxied):
    writer = get_writer(proxied)
    reached, release = threading.Event(), threading.Event()

    def hold_first(_conn: Any) -> None:
        if not reached.is_set():
            reached.set()
            assert release.wait(30)

    writer.before_commit = hold_first
    results: dict[int, Any] = {}
    threads = [send(proxied, 1, results)]
    assert reached.wait(30)
    threads += [send(proxied, n, results, address="192.0.2.7", choice=c) for n, c in ((2, "oui"), (3, "non"))]
    while writer._queue.qsize() < 2:  # noqa: SLF001
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(30)
    assert sorted(results[n].status_code for n in (2, 3)) == [201, 409]
    assert writer.batch_sizes == [1, 2] and total(proxied) == 2


def test_a_failed_commit_answers_503_to_its_votes_and_records_none(proxied):
    writer = get_writer(proxied)

    def fail(_conn: Any) -> None:
        raise OSError("disk I/O error")  # as a driver would on a failing disk

    writer.before_commit = fail
    results: dict[int, Any] = {}
    send(proxied, 1, results).join(30)
    assert results[1].status_code == 503 and results[1].get_json()["error"] == "unavailable"
    assert total(proxied) == 0
    writer.before_commit = None
    send(proxied, 2, results).join(30)
    assert results[2].status_code == 201 and total(proxied) == 1
