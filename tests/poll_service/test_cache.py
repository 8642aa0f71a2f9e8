"""Reads without the database: the per-process cache of poll states and the voter cookie's poll list.

Two apps on one database stand for two gunicorn workers (each process has its own cache).
Their monotonic clock is a ``Ticker`` the tests move by hand, so the staleness bound
(POLL_READ_CACHE_SECONDS, 1 s) is checked exactly, without sleeping.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import event

from poll_service.db import get_engine, transaction
from poll_spec import poll_from_manifest
from poll_service.store.sync import sync_polls
from poll_service.voter_cookie import COOKIE_MAX_AGE, COOKIE_NAME, MAX_COOKIE_POLLS, VoterCookie, read_cookie, sign_cookie

SECRET = "test-secret-key-0123456789abcdef"
TOKEN = {"Authorization": "Bearer jeton-admin-de-test-0123456789abcdef"}


class Ticker:
    """A monotonic clock moved by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def worker(make_app, ticker):
    """Return a factory of apps ("workers") sharing the test database and the ticker."""

    def make(**overrides):
        return make_app(POLL_MONOTONIC_CLOCK=ticker, POLL_TRUSTED_PROXIES=1, **overrides)

    return make


@contextmanager
def statements(app):
    """Collect the SQL statements ``app`` sends while the block runs (BEGIN and COMMIT aside)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT"):
            seen.append(statement)

    with app.app_context():
        engine = get_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def forwarded(number: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"198.51.100.{number}"}


def read(client, poll_id: str = "don-en-ligne", **kwargs) -> dict:
    response = client.get(f"/api/polls/{poll_id}", **kwargs)
    assert response.status_code == 200, response.data
    return response.get_json()


def cookie_of(response) -> VoterCookie | None:
    header = response.headers.get("Set-Cookie")
    if header is None:
        return None
    morsel = SimpleCookie(header)[COOKIE_NAME]
    return read_cookie(SECRET, morsel.value)


# --- The poll state: read once, then from memory ---------------------------------------


def test_a_fresh_state_is_read_without_any_query(worker):
    app = worker()
    client = app.test_client()
    with statements(app) as first:
        body = read(client)
    assert len(first) == 1  # the poll and its options, in one query
    with statements(app) as later:
        for url in ("/api/polls/don-en-ligne", "/polls/don-en-ligne/", "/api/polls/don-en-ligne/results.svg"):
            assert client.get(url).status_code == 200
        assert read(client) == body
    assert later == []


def test_an_unknown_poll_is_never_kept(worker, polls):
    app = worker()
    for _ in range(2):
        assert app.test_client().get("/api/polls/inconnu").status_code == 404
    # Created in the database by another process (sync-polls, which cannot tell this worker),
    # with no time passing: the next read finds it, so no 404 was kept.
    polls[0]["id"] = "inconnu"
    with app.app_context(), get_engine().connect() as conn, transaction(conn, write=True):
        sync_polls(conn, [poll_from_manifest(polls[0])])
    response = app.test_client().get("/api/polls/inconnu")
    assert response.status_code == 200 and response.get_json()["id"] == "inconnu"


def test_a_vote_is_read_at_once_in_the_worker_that_recorded_it(worker, vote):
    app = worker()
    client = app.test_client()
    assert read(client)["total_voters"] == 0
    assert vote(client, "don-en-ligne", "oui", headers=forwarded(1)).status_code == 201
    with statements(app) as seen:
        body = read(client)
        other = read(app.test_client())  # another visitor of this worker
    assert seen == []  # the vote's own transaction gave the new state
    assert body["total_voters"] == other["total_voters"] == 1
    assert body["options"][0]["votes"] == other["options"][0]["votes"] == 1


def test_another_workers_vote_shows_within_the_cache_lifetime(worker, ticker, vote):
    reader, voter = worker(), worker()
    assert read(reader.test_client())["total_voters"] == 0
    ticker.now += 0.25
    assert vote(voter.test_client(), "don-en-ligne", "oui", headers=forwarded(1)).status_code == 201
    ticker.now += 0.5  # 0.75 s after the reader's read: it may still show the old count
    assert read(reader.test_client())["total_voters"] == 0
    ticker.now += 0.25  # 1 s: never older than that
    assert read(reader.test_client())["total_voters"] == 1


def test_a_vote_refused_changes_nothing_in_memory(worker, vote):
    app = worker()
    client = app.test_client()
    assert vote(client, "don-en-ligne", "oui", headers=forwarded(1)).status_code == 201
    assert vote(client, "don-en-ligne", "non", headers=forwarded(1)).status_code == 409
    assert vote(app.test_client(), "don-en-ligne", "peut-etre", headers=forwarded(2)).status_code == 422
    body = read(app.test_client())
    assert body["total_voters"] == 1 and [o["votes"] for o in body["options"]] == [1, 0, 0, 0]


def test_an_admin_close_and_reopen_show_at_once_in_their_worker(worker, ticker):
    admin, other = worker(), worker()
    for app in (admin, other):
        assert read(app.test_client())["open"] is True
    assert admin.test_client().post("/api/admin/polls/don-en-ligne/close", headers=TOKEN).status_code == 200
    assert read(admin.test_client())["open"] is False
    assert "fermé" in admin.test_client().get("/polls/don-en-ligne/").get_data(as_text=True)
    assert read(other.test_client())["open"] is True  # another worker: within the lifetime
    ticker.now += 1
    assert read(other.test_client())["open"] is False
    assert admin.test_client().post("/api/admin/polls/don-en-ligne/reopen", headers=TOKEN).status_code == 200
    assert read(admin.test_client())["open"] is True


def test_votes_never_trust_the_memory(worker, vote):
    admin, other = worker(), worker()
    assert read(other.test_client())["open"] is True
    admin.test_client().post("/api/admin/polls/don-en-ligne/close", headers=TOKEN)
    # The other worker still reads "open" for up to a second, but its votes check the database.
    assert read(other.test_client())["open"] is True
    refused = vote(other.test_client(), "don-en-ligne", "oui", headers=forwarded(1))
    assert refused.status_code == 409 and refused.get_json()["error"] == "poll_closed"


def test_sync_polls_changes_show_within_the_cache_lifetime(worker, ticker, polls, tmp_path):
    service, command = worker(), worker()  # the command runs in a process of its own
    assert read(service.test_client())["question"] == polls[0]["question"]
    polls[0]["question"] = "Faites-vous appel au don en ligne ?"
    manifest = tmp_path / "polls.json"
    manifest.write_text(json.dumps({"polls": polls}), encoding="utf-8")
    result = command.test_cli_runner().invoke(args=["sync-polls", str(manifest)])
    assert result.exit_code == 0, result.output
    assert read(command.test_client())["question"] == "Faites-vous appel au don en ligne ?"
    # The service's worker read the poll less than a second ago: it may still show the old text.
    assert read(service.test_client())["question"] == "Utilisez-vous le don en ligne pour votre association ?"
    ticker.now += 1
    assert read(service.test_client())["question"] == "Faites-vous appel au don en ligne ?"


def test_dates_are_applied_at_each_read_not_when_the_state_was_kept(worker, clock):
    from datetime import datetime

    from poll_spec import PARIS

    app = worker()
    clock.now = datetime(2026, 12, 31, 23, 59, 59, tzinfo=PARIS)
    assert read(app.test_client())["open"] is True
    clock.now = datetime(2027, 1, 1, 0, 0, tzinfo=PARIS)  # same cached state, a second later
    assert read(app.test_client())["open"] is False


def test_a_lifetime_of_zero_reads_the_database_every_time(worker):
    app = worker(POLL_READ_CACHE_SECONDS="0")
    client = app.test_client()
    read(client)
    with statements(app) as seen:
        read(client)
    assert len(seen) == 1


@pytest.mark.parametrize("value", ["2", "-1", "une seconde", "nan"])
def test_a_cache_lifetime_beyond_one_second_is_refused(value):
    from poll_service.settings import ConfigError, load

    with pytest.raises(ConfigError, match="POLL_READ_CACHE_SECONDS"):
        load({"POLL_SECRET_KEY": SECRET, "POLL_READ_CACHE_SECONDS": value})


# --- A vote's statements ------------------------------------------------------------------


def test_a_vote_goes_to_the_writer_and_sends_nothing_through_the_orm(worker, vote):
    app = worker()
    assert vote(app.test_client(), "don-en-ligne", "oui", headers=forwarded(1)).status_code == 201
    with statements(app) as seen:
        response = vote(app.test_client(), "don-en-ligne", "non", headers=forwarded(2))
    assert response.status_code == 201
    # The writer's driver connection recorded it (poll_service/writer.py); the answer is the
    # poll as that batch left it.
    assert seen == []
    assert response.get_json()["total_voters"] == 2
    assert [o["votes"] for o in response.get_json()["options"]] == [1, 0, 0, 1]


def test_an_address_is_still_refused_the_day_after_its_vote(worker, vote, clock):
    app = worker()
    assert vote(app.test_client(), "outils", "forum", headers=forwarded(1)).status_code == 201
    clock.advance(days=1)
    assert vote(app.test_client(), "outils", "forum", headers=forwarded(2)).status_code == 201
    # Yesterday's key still counts, from the key file (never from the database).
    assert vote(app.test_client(), "outils", "agenda", headers=forwarded(1)).status_code == 409


# --- The voter cookie's poll list ----------------------------------------------------------


def test_the_cookie_lists_the_polls_voted_on_and_reads_trust_it(worker, vote):
    app = worker()
    client = app.test_client()
    first = vote(client, "don-en-ligne", "oui", headers=forwarded(1))
    second = vote(client, "outils", "forum", headers=forwarded(1))
    cookie = read_cookie(SECRET, client.get_cookie(COOKIE_NAME).value)
    assert cookie.polls == ("don-en-ligne", "outils")
    assert cookie_of(first).voter_id == cookie_of(second).voter_id == cookie.voter_id
    for header in (first.headers["Set-Cookie"], second.headers["Set-Cookie"]):
        assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    read(app.test_client(), "bilan")  # the votes put the other two in memory
    with statements(app) as seen:
        assert read(client)["has_voted"] is True
        assert read(client, "outils")["results_visible"] is True
        assert read(client, "bilan")["has_voted"] is False
    assert seen == []
    assert read(app.test_client(), "outils")["has_voted"] is False  # another browser


def test_a_rewritten_cookie_keeps_its_first_expiry(worker, vote, clock):
    app = worker()
    client = app.test_client()
    first = vote(client, "don-en-ligne", "oui", headers=forwarded(1))
    clock.advance(days=30)
    second = vote(client, "outils", "forum", headers=forwarded(2))
    max_age = [int(re.search(r"Max-Age=(\d+)", r.headers["Set-Cookie"]).group(1)) for r in (first, second)]
    assert max_age == [COOKIE_MAX_AGE, COOKIE_MAX_AGE - 30 * 24 * 3600]
    assert cookie_of(second).issued == cookie_of(first).issued


def test_a_cookie_past_its_lifetime_counts_as_none(worker, clock):
    client = worker(POLL_DEDUP="cookie").test_client()
    issued = int(clock().timestamp())
    client.set_cookie(COOKIE_NAME, sign_cookie(SECRET, VoterCookie("x" * 24, issued, ("outils",))))
    assert read(client, "outils")["has_voted"] is True
    clock.advance(seconds=COOKIE_MAX_AGE)  # a browser would have dropped it by now
    assert read(client, "outils")["has_voted"] is False


def test_the_cookie_keeps_the_latest_polls_only(worker):
    cookie = VoterCookie("a" * 24, 1_780_000_000)
    for number in range(MAX_COOKIE_POLLS + 5):
        cookie = cookie.with_poll(f"sondage-{number}")
    value = sign_cookie(SECRET, cookie)
    assert len(value) < 4000
    assert read_cookie(SECRET, value).polls == tuple(f"sondage-{n}" for n in range(5, MAX_COOKIE_POLLS + 5))
    longest = VoterCookie("a" * 24, 1_780_000_000, tuple(f"{n:02d}" + "x" * 62 for n in range(MAX_COOKIE_POLLS)))
    assert len(f"{COOKIE_NAME}={sign_cookie(SECRET, longest)}") < 4000  # within a browser's 4 KB


def test_a_tampered_poll_list_is_no_cookie_at_all(worker, vote):
    app = worker()
    client = app.test_client()
    vote(client, "don-en-ligne", "oui", headers=forwarded(1))
    value = client.get_cookie(COOKIE_NAME).value
    payload, signature = value.rsplit(".", 1)
    client.set_cookie(COOKIE_NAME, f"{payload}.outils.{signature}")
    assert read(client, "outils")["has_voted"] is False
    assert read(client)["has_voted"] is False  # the whole cookie is ignored
    # And it does not help to vote again: the address still counts.
    assert vote(client, "don-en-ligne", "non", headers=forwarded(1)).status_code == 409


def test_a_new_browser_at_an_address_that_voted_learns_it_when_it_votes(worker, vote):
    app = worker()
    assert vote(app.test_client(), "outils", "forum", headers=forwarded(1)).status_code == 201
    neighbour = app.test_client()
    # Reads trust the browser's cookie only: this browser has not voted.
    before = read(neighbour, "outils", headers=forwarded(1))
    assert before["has_voted"] is False and before["results_visible"] is False
    refused = vote(neighbour, "outils", "agenda", headers=forwarded(1))
    body = refused.get_json()
    assert refused.status_code == 409 and body["error"] == "already_voted" and body["message"]
    # The refusal carries the results this voter may now see, after-vote poll included.
    assert body["poll"]["has_voted"] is True and body["poll"]["results_visible"] is True
    assert [o["votes"] for o in body["poll"]["options"]] == [0, 0, 1]
    assert body["poll"]["total_voters"] == 1  # the refused vote counted nothing
    # Its address voted, not this browser: no cookie is set, so it may vote elsewhere later.
    assert "Set-Cookie" not in refused.headers


def test_a_browser_whose_cookie_voted_but_lacks_the_poll_gets_it_back(worker, vote):
    app = worker(POLL_DEDUP="cookie")
    client = app.test_client()
    vote(client, "outils", "forum")
    cookie = read_cookie(SECRET, client.get_cookie(COOKIE_NAME).value)
    client.set_cookie(COOKIE_NAME, sign_cookie(SECRET, VoterCookie(cookie.voter_id, cookie.issued, ())))
    assert read(client, "outils")["has_voted"] is False  # the list is what reads trust
    refused = vote(client, "outils", "agenda")
    assert refused.status_code == 409 and cookie_of(refused).polls == ("outils",)
    assert read(client, "outils")["has_voted"] is True


def test_a_cookie_of_the_first_format_still_counts_and_reads_ask_the_database(worker, vote):
    from itsdangerous import Signer

    app = worker(POLL_DEDUP="cookie")
    legacy = Signer(SECRET, salt="poll-service.voter-cookie").sign("ancien-votant-0123456789").decode()
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, legacy)
    assert read(client, "outils")["has_voted"] is False
    response = vote(client, "outils", "forum")
    assert response.status_code == 201 and "Set-Cookie" not in response.headers  # kept as it is
    with statements(app) as seen:
        assert read(client, "outils")["has_voted"] is True
    assert seen  # its votes are known to the database only
    assert vote(client, "outils", "agenda").status_code == 409


def test_ip_mode_reads_ask_the_database_and_set_no_cookie(worker, vote):
    app = worker(POLL_DEDUP="ip")
    response = vote(app.test_client(), "outils", "forum", headers=forwarded(1))
    assert response.status_code == 201 and "Set-Cookie" not in response.headers
    assert read(app.test_client(), "outils", headers=forwarded(1))["has_voted"] is True
    assert read(app.test_client(), "outils", headers=forwarded(2))["has_voted"] is False


def test_the_cookie_holds_no_answer_and_no_address(worker, vote):
    app = worker()
    client = app.test_client()
    vote(client, "don-en-ligne", "bientot", headers=forwarded(77))
    value = client.get_cookie(COOKIE_NAME).value
    cookie = read_cookie(SECRET, value)
    # The random id, when it was first set, the poll: then the signature, nothing else.
    fields = value.split(".")
    assert fields[:3] == [cookie.voter_id, str(cookie.issued), "don-en-ligne"] and len(fields) == 4
    assert "bientot" not in value and "198.51.100" not in value
