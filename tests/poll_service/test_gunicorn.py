"""Real servers: a crowd of parallel votes, a kill -9 in the middle of a stream, the access log.

Each test starts ``gunicorn 'poll_service:create_app()'`` on 127.0.0.1 (free port) against the
test database, SQLite or PostgreSQL, and kills it afterwards.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from poll_service import create_app
from poll_service.db import dispose, get_engine, transaction
from poll_spec import poll_from_manifest
from poll_service.schema import migrate, options, polls
from poll_service.store.sync import sync_polls

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-0123456789abcdef"
KEYS = ["a", "b", "c", "d"]
CROWD_POLL = {
    "id": "affluence",
    "question": "Un sondage très suivi ?",
    "options": [{"key": key, "label": key.upper()} for key in KEYS],
    "multiple": False,
    "opens": None,
    "closes": None,
    "results": "always",
    "source": "content/affluence.md",
    "url": "/affluence/",
}


def prepare(database_url: str) -> None:
    """Create the schema and the crowd's poll, as init-db and sync-polls would."""
    app = create_app({"POLL_DATABASE_URL": database_url, "POLL_SECRET_KEY": SECRET, "POLL_SITE_URL": "https://www.example.org"})
    try:
        with app.app_context():
            migrate(get_engine())
            with get_engine().connect() as conn, transaction(conn, write=True):
                sync_polls(conn, [poll_from_manifest(CROWD_POLL)])
    finally:
        dispose(app)


def stored_counts(database_url: str) -> tuple[int, dict[str, int]]:
    """Read the total and the per-option counts straight from the database."""
    app = create_app({"POLL_DATABASE_URL": database_url, "POLL_SECRET_KEY": SECRET, "POLL_SITE_URL": "https://www.example.org"})
    try:
        with app.app_context(), get_engine().connect() as conn, transaction(conn):
            total = conn.execute(select(polls.c.total_voters).where(polls.c.id == "affluence")).scalar_one()
            rows = conn.execute(select(options.c.key, options.c.votes).where(options.c.poll_id == "affluence"))
            return total, dict(rows.all())
    finally:
        dispose(app)


def address(number: int) -> str:
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


def post_vote(url: str, number: int, choice: str) -> tuple[int, str]:
    """Send one vote as voter ``number`` (its own forwarded address, no cookie)."""
    # http.client rather than requests: the client shares two cores with four workers,
    # and requests costs several times more CPU per call.
    connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=60)
    try:
        connection.request(
            "POST",
            "/api/polls/affluence/votes",
            body=json.dumps({"choices": [choice]}),
            headers={"Content-Type": "application/json", "Origin": url, "X-Forwarded-For": address(number)},
        )
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


# The documented production command (docs/deploy.md): threads, so that votes share commits.
THREADED = ("--worker-class", "gthread", "--threads", "8")


def test_two_thousand_parallel_votes_are_each_counted_exactly_once(database_url, gunicorn, request):
    prepare(database_url)
    server = gunicorn(database_url, workers=2, args=THREADED, POLL_TRUSTED_PROXIES="1")
    # 2,000 distinct voters, plus 20 voters who each send the same vote 10 times at once.
    jobs = [(n, KEYS[n % 4]) for n in range(2000)] + [(5000 + n // 10, "a") for n in range(200)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda job: (job, *post_vote(server.url, *job)), jobs))
    elapsed = time.monotonic() - started

    statuses = Counter(status for _, status, _ in answers)
    assert not [body for _, _, body in answers if "locked" in body.lower()]
    assert set(statuses) <= {201, 409}, statuses
    distinct = [status for (number, _), status, _ in answers if number < 2000]
    assert distinct == [201] * 2000
    repeated = Counter(number for (number, _), status, _ in answers if number >= 5000 and status == 201)
    assert repeated == {5000 + n: 1 for n in range(20)}  # exactly one of each ten got through

    expected = Counter(choice for (number, choice), status, _ in answers if status == 201)
    total, counts = stored_counts(database_url)
    assert total == statuses[201] == 2020
    assert counts == dict(expected)
    # Each 201 answers the poll as its batch's commit left it: a total of t was answered to at
    # most t votes (those committed by then), and the last commit shows them all.
    bodies = [json.loads(body) for _, status, body in answers if status == 201]
    assert all(sum(o["votes"] for o in body["options"]) == body["total_voters"] for body in bodies)
    answered = sorted(body["total_voters"] for body in bodies)
    assert all(seen <= shown for seen, shown in enumerate(answered, start=1)) and answered[-1] == 2020
    assert len(set(answered)) < len(answered)  # votes did share commits
    if database_url.startswith("postgresql"):
        # Duplicates were refused without a unique violation: the server's log holds none, and
        # no key with its digest.
        log = (request.getfixturevalue("postgres_server").data_dir.parent / "log").read_text(errors="replace")
        assert "duplicate key" not in log and "Key (poll_id, kind, digest)" not in log
    print(f"{len(jobs)} votes in {elapsed:.1f} s ({len(jobs) / elapsed:.0f}/s)")


def test_every_vote_answered_201_survives_a_kill_9_of_the_server(database_url, gunicorn):
    prepare(database_url)
    server = gunicorn(database_url, workers=2, args=THREADED, POLL_TRUSTED_PROXIES="1")
    numbers = itertools.count()
    stop = threading.Event()
    accepted: list[int] = []
    attempts: list[int] = []
    lock = threading.Lock()

    def stream() -> None:
        while not stop.is_set():
            number = next(numbers)
            with lock:
                attempts.append(number)
            try:
                status, _ = post_vote(server.url, number, KEYS[number % 4])
            except (OSError, http.client.HTTPException):
                continue  # the server died under this request: no answer, no promise
            if status == 201:
                with lock:
                    accepted.append(number)

    threads = [threading.Thread(target=stream) for _ in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(accepted) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # SIGKILL to the master and every worker, mid-stream
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    assert len(accepted) >= 300

    restarted = gunicorn(database_url, workers=2, args=THREADED, POLL_TRUSTED_PROXIES="1")
    total, counts = stored_counts(database_url)
    assert len(accepted) <= total <= len(attempts)
    assert sum(counts.values()) == total
    # Each of them is still known: voting again from the same address is refused, and the
    # refusal says they have voted. (A read without the voter cookie no longer asks the
    # database about the address: docs/privacy.md.)
    forgotten = []
    for number in accepted:
        status, body = post_vote(restarted.url, number, KEYS[number % 4])
        if status != 409 or json.loads(body)["poll"]["has_voted"] is not True:
            forgotten.append(number)
    assert forgotten == []
    assert stored_counts(database_url)[0] == total  # and those refusals counted nothing


def test_gunicorn_access_log_holds_no_client_address(database_url, gunicorn, tmp_path):
    prepare(database_url)
    log = tmp_path / "access.log"
    # A careless format that asks for the address twice: both are blanked by the service.
    careless = '%(h)s "%({x-forwarded-for}i)s" "%(r)s" %(s)s'
    server = gunicorn(
        database_url,
        workers=1,
        args=("--access-logfile", str(log), "--access-logformat", careless),
        POLL_TRUSTED_PROXIES="1",
    )
    status, _ = post_vote(server.url, 195, "a")
    assert status == 201
    server.stop()
    lines = log.read_text().splitlines()
    assert any('"POST /api/polls/affluence/votes HTTP/1.1" 201' in line for line in lines)
    assert not [line for line in lines if "10.0.0.195" in line or "127.0.0.1" in line]


def test_every_worker_reads_a_change_within_the_cache_lifetime(database_url, gunicorn, tmp_path):
    """Reads come from each worker's memory for up to POLL_READ_CACHE_SECONDS (1 s), never longer."""
    prepare(database_url)
    server = gunicorn(database_url, workers=3, POLL_TRUSTED_PROXIES="1")

    def read_all(count: int = 40) -> list[dict]:
        bodies = []
        for number in range(count):  # a new connection each: the workers take turns
            connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=30)
            try:
                connection.request("GET", "/api/polls/affluence", headers={"X-Forwarded-For": address(9000 + number)})
                bodies.append(json.loads(connection.getresponse().read()))
            finally:
                connection.close()
        return bodies

    assert {body["question"] for body in read_all()} == {CROWD_POLL["question"]}  # kept in memory
    manifest = tmp_path / "polls.json"
    manifest.write_text(json.dumps({"polls": [{**CROWD_POLL, "question": "Une question changée ?"}]}))
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("POLL_")},
                   "POLL_DATABASE_URL": database_url, "POLL_SECRET_KEY": SECRET, "POLL_SITE_URL": "https://www.example.org"}
    synced = subprocess.run([sys.executable, "-m", "flask", "--app", "poll_service", "sync-polls", str(manifest)],
                            env=environment, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert post_vote(server.url, 1, "b")[0] == 201  # and a vote, recorded by one worker
    time.sleep(1.05)
    bodies = read_all()
    assert {body["question"] for body in bodies} == {"Une question changée ?"}
    assert {body["total_voters"] for body in bodies} == {1}
