"""What a vote leaves behind, and for how long: each sentence of docs/privacy.md, proved.

- no raw address in any table, file or log line;
- the address key rotates daily, old keys are destroyed, and no key is ever in the database;
- purge-voters removes every identifier of polls closed POLL_RETENTION_DAYS ago, keeps every
  count, changes neither the results page nor the SVG, and may run again or during votes;
- exports (CSV, JSON) hold options and counts only.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import sqlite3
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, text
from werkzeug.serving import make_server

from poll_service.db import get_engine, transaction
from poll_spec import PARIS
from poll_service.logs import MaskGunicornAddress
from poll_service.address_keys import KEY_FILE, read_key_file
from poll_service.schema import metadata, polls, voters
from poll_service.store.retention import purge_voters
from poll_service.voter_cookie import COOKIE_NAME

ROOT = Path(__file__).resolve().parents[2]
TOKEN = {"Authorization": "Bearer jeton-admin-de-test-0123456789abcdef"}
DISTINCTIVE = "203.0.113.195"
# "closes: 2026-12-31" means the poll closes on 1 January 2027 at midnight, Paris time.
# Kept in UTC so that adding days is not shifted by the change to summer time.
CLOSED_AT = datetime(2026, 12, 31, 23, 0, tzinfo=timezone.utc)


def address_forms(address: str) -> list[bytes]:
    """Every way an address could be written down: text, packed, hex, integer, IPv6-mapped."""
    ip = ipaddress.ip_address(address)
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    forms = {address, str(int(ip)), ip.packed.hex(), str(mapped), mapped.exploded, "::ffff:cb00:71c3"}
    return [form.encode() for form in forms] + [ip.packed, mapped.packed]


def dump_database(app) -> bytes:
    """Every value of every table, as bytes."""
    chunks = []
    with app.app_context(), get_engine().connect() as conn, transaction(conn):
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    chunks.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(chunks)


def files_under(folder: Path) -> dict[Path, bytes]:
    """Every file of ``folder`` with its content, skipping one that vanishes meanwhile.

    A running PostgreSQL deletes temporary and statistics files at any moment: a file gone
    between the listing and the read held nothing that is still anywhere.
    """
    contents = {}
    for path in folder.rglob("*"):
        try:
            contents[path] = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue
    return contents


@pytest.fixture
def proxied(make_app):
    """The app behind one trusted proxy, as in production with nginx."""
    return make_app(POLL_TRUSTED_PROXIES=1)


def forwarded(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


# --- No raw address anywhere ------------------------------------------------------------


def test_a_voters_address_appears_in_no_table_file_or_log(proxied, vote, caplog, database_url, request, tmp_path):
    caplog.set_level(logging.DEBUG)
    client = proxied.test_client()
    assert vote(client, "don-en-ligne", "oui", headers=forwarded(DISTINCTIVE)).status_code == 201
    # Also the refusals and reads, which must not log or echo it either.
    assert vote(client, "don-en-ligne", "non", headers=forwarded(DISTINCTIVE)).status_code == 409
    assert vote(proxied.test_client(), "outils", "rien", headers=forwarded(DISTINCTIVE)).status_code == 422
    client.get("/polls/don-en-ligne/", headers=forwarded(DISTINCTIVE))
    client.get("/api/polls/don-en-ligne/results.svg", headers=forwarded(DISTINCTIVE))
    forms = address_forms(DISTINCTIVE)

    database = dump_database(proxied)
    assert database and not [form for form in forms if form in database]

    if database_url.startswith("sqlite"):
        folder = tmp_path / "instance"
    else:
        with proxied.app_context(), get_engine().connect() as conn:
            conn.execute(text("CHECKPOINT"))
            conn.commit()
        folder = request.getfixturevalue("postgres_server").data_dir
    files = files_under(folder)
    assert files
    for path, content in files.items():
        assert not [form for form in forms if form in content], path

    assert caplog.records  # the test did capture the service's logging
    logged = "\n".join(record.getMessage() for record in caplog.records).encode()
    assert not [form for form in forms if form in logged]


def test_the_development_server_logs_requests_without_the_client_address(proxied, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, proxied, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.port}"
        requests.get(f"{url}/api/polls/don-en-ligne", headers=forwarded(DISTINCTIVE), timeout=10)
        requests.post(
            f"{url}/api/polls/don-en-ligne/votes",
            json={"choices": ["oui"]},
            headers={**forwarded(DISTINCTIVE), "Origin": "http://localhost"},  # POLL_SITE_URL
            timeout=10,
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
    # Without werkzeug's terminal colours.
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", r.getMessage()) for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /api/polls/don-en-ligne HTTP/1.1" 200' in line for line in lines)
    assert any('"POST /api/polls/don-en-ligne/votes HTTP/1.1" 201' in line for line in lines)
    assert all(line.startswith("- - - [") for line in lines if "HTTP/1.1" in line), lines
    assert DISTINCTIVE not in "\n".join(lines) and "127.0.0.1 - -" not in "\n".join(lines)


def test_gunicorn_access_log_records_lose_their_address_atoms():
    atoms = {"h": DISTINCTIVE, "{x-forwarded-for}i": DISTINCTIVE, "{remote_addr}e": DISTINCTIVE, "s": "201"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(h)s %({x-forwarded-for}i)s %(s)s", (atoms,), None)
    assert MaskGunicornAddress().filter(record)
    assert record.getMessage() == "- - 201"


def test_exports_and_answers_carry_no_voter_identifier(app, vote):
    client = app.test_client()
    vote(client, "outils", "tableur")
    cookie = client.get_cookie(COOKIE_NAME).value
    with app.app_context(), get_engine().connect() as conn, transaction(conn):
        digests = list(conn.execute(select(voters.c.digest)).scalars())
    assert len(digests) == 2  # one for the cookie, one for the address
    outputs = [
        client.get("/api/admin/polls", headers=TOKEN).get_data(as_text=True),
        client.get("/api/admin/polls/outils/votes.csv", headers=TOKEN).get_data(as_text=True),
        client.get("/api/polls/outils").get_data(as_text=True),
        client.get("/polls/outils/").get_data(as_text=True),
        client.get("/api/polls/outils/results.svg").get_data(as_text=True),
        app.test_cli_runner().invoke(args=["export", "outils"]).output,
    ]
    for output in outputs:
        assert cookie not in output and cookie.split(".")[0] not in output
        assert not [digest for digest in digests if digest in output]
        assert not re.search(r"[0-9a-f]{64}", output)


# --- The daily key of the address hash ------------------------------------------------


def key_file(app) -> Path:
    return Path(app.config["POLL_KEY_DIR"]) / KEY_FILE


def key_days(app) -> list[str]:
    """The days whose address key exists (in the key file: never in the database)."""
    return sorted(day.isoformat() for day in read_key_file(key_file(app)))


def test_the_address_key_changes_every_day_and_expired_keys_are_destroyed(proxied, vote, clock):
    vote(proxied.test_client(), "outils", "forum", headers=forwarded("198.51.100.1"))
    assert key_days(proxied) == ["2026-11-20"]
    clock.advance(days=1)
    vote(proxied.test_client(), "outils", "forum", headers=forwarded("198.51.100.2"))
    assert key_days(proxied) == ["2026-11-20", "2026-11-21"]
    clock.advance(days=1)
    vote(proxied.test_client(), "outils", "forum", headers=forwarded("198.51.100.3"))
    assert key_days(proxied) == ["2026-11-21", "2026-11-22"]


def test_the_day_changes_at_midnight_in_paris(proxied, vote, clock):
    clock.now = datetime(2026, 11, 20, 23, 30, tzinfo=PARIS)  # 22:30 UTC
    vote(proxied.test_client(), "outils", "forum", headers=forwarded("198.51.100.1"))
    clock.now = datetime(2026, 11, 21, 0, 30, tzinfo=PARIS)  # 23:30 UTC, still the 20th in UTC
    vote(proxied.test_client(), "outils", "forum", headers=forwarded("198.51.100.2"))
    assert key_days(proxied) == ["2026-11-20", "2026-11-21"]


def test_an_address_is_recognised_until_the_day_after_its_vote(proxied, vote, clock):
    assert vote(proxied.test_client(), "outils", "forum", headers=forwarded("198.51.100.1")).status_code == 201
    clock.now = datetime(2026, 11, 21, 23, 59, tzinfo=PARIS)
    again = vote(proxied.test_client(), "outils", "tableur", headers=forwarded("198.51.100.1"))
    assert again.status_code == 409
    # Two days on, the key that hashed it is gone: only the voter cookie still recognises them.
    clock.now = datetime(2026, 11, 22, 0, 1, tzinfo=PARIS)
    assert vote(proxied.test_client(), "outils", "tableur", headers=forwarded("198.51.100.1")).status_code == 201


def test_purge_voters_destroys_expired_keys_even_without_votes(proxied, vote, clock):
    vote(proxied.test_client(), "outils", "forum", headers=forwarded("198.51.100.1"))
    first = key_of_day(proxied, "2026-11-20")
    clock.advance(days=3)
    result = proxied.test_cli_runner().invoke(args=["purge-voters"])
    assert result.exit_code == 0 and "1 clé(s) d'adresse expirée(s) détruite(s)." in result.output
    assert key_days(proxied) == ["2026-11-22", "2026-11-23"]
    assert first.hex().encode() not in key_file(proxied).read_bytes()


# --- Retention: purge-voters ------------------------------------------------------------


def voter_rows(app) -> dict[str, int]:
    with app.app_context(), get_engine().connect() as conn, transaction(conn):
        rows = conn.execute(select(voters.c.poll_id)).scalars()
        result: dict[str, int] = {}
        for poll_id in rows:
            result[poll_id] = result.get(poll_id, 0) + 1
        return result


def cast_votes(app, vote) -> None:
    for number, choice in enumerate(["oui", "oui", "parfois", "non"], start=1):
        client = app.test_client()
        assert vote(client, "don-en-ligne", choice, headers=forwarded(f"198.51.100.{number}")).status_code == 201
    assert vote(app.test_client(), "outils", "forum", headers=forwarded("198.51.100.9")).status_code == 201


def test_purge_voters_waits_for_the_retention_delay_after_closing(proxied, vote, clock):
    cast_votes(proxied, vote)
    clock.now = CLOSED_AT + timedelta(days=180) - timedelta(seconds=1)
    result = proxied.test_cli_runner().invoke(args=["purge-voters"])
    assert result.exit_code == 0 and "don-en-ligne" not in result.output
    assert voter_rows(proxied)["don-en-ligne"] == 8  # a cookie and an address per voter


def test_purge_voters_removes_identifiers_keeps_counts_and_is_idempotent(proxied, vote, clock):
    cast_votes(proxied, vote)
    clock.now = CLOSED_AT + timedelta(days=180)
    viewer = proxied.test_client()  # someone who never voted
    before = {
        "json": viewer.get("/api/polls/don-en-ligne", headers=forwarded("192.0.2.50")).get_json(),
        "page": viewer.get("/polls/don-en-ligne/", headers=forwarded("192.0.2.50")).data,
        "svg": viewer.get("/api/polls/don-en-ligne/results.svg", headers=forwarded("192.0.2.50")).data,
        "csv": viewer.get("/api/admin/polls/don-en-ligne/votes.csv", headers=TOKEN).data,
    }
    assert [o["votes"] for o in before["json"]["options"]] == [2, 1, 0, 1]

    first = proxied.test_cli_runner().invoke(args=["purge-voters"])
    assert first.exit_code == 0, first.output
    assert "don-en-ligne : 8 identifiant(s) de votant supprimé(s)." in first.output
    assert voter_rows(proxied) == {"outils": 2}  # an open poll keeps its voters

    after = {
        "json": viewer.get("/api/polls/don-en-ligne", headers=forwarded("192.0.2.50")).get_json(),
        "page": viewer.get("/polls/don-en-ligne/", headers=forwarded("192.0.2.50")).data,
        "svg": viewer.get("/api/polls/don-en-ligne/results.svg", headers=forwarded("192.0.2.50")).data,
        "csv": viewer.get("/api/admin/polls/don-en-ligne/votes.csv", headers=TOKEN).data,
    }
    assert after == before
    with proxied.app_context(), get_engine().connect() as conn, transaction(conn):
        purged_at = conn.execute(select(polls.c.voters_purged_at).where(polls.c.id == "don-en-ligne")).scalar_one()
    assert purged_at == clock.now

    second = proxied.test_cli_runner().invoke(args=["purge-voters"])
    assert second.exit_code == 0 and "Rien à supprimer" in second.output
    assert voter_rows(proxied) == {"outils": 2}


def test_purge_voters_counts_the_delay_from_an_admin_closing(proxied, vote, clock):
    cast_votes(proxied, vote)
    proxied.test_client().post("/api/admin/polls/outils/close", headers=TOKEN)
    clock.advance(days=30)
    proxied.test_cli_runner().invoke(args=["purge-voters"])
    assert "outils" in voter_rows(proxied)
    runner = proxied.test_cli_runner()
    proxied.config["POLL_RETENTION_DAYS"] = 30
    result = runner.invoke(args=["purge-voters"])
    assert "outils : 2 identifiant(s)" in result.output and "outils" not in voter_rows(proxied)


def test_a_retention_of_zero_days_purges_as_soon_as_a_poll_closes(make_app, vote, clock):
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_RETENTION_DAYS=0)
    cast_votes(app, vote)
    clock.now = CLOSED_AT
    app.test_cli_runner().invoke(args=["purge-voters"])
    assert "don-en-ligne" not in voter_rows(app)


def test_purge_voters_is_safe_while_votes_arrive(proxied, clock):
    clock.now = CLOSED_AT + timedelta(days=200)  # don-en-ligne is due; outils stays open
    errors: list[str] = []
    statuses: list[int] = []

    def voter(first: int) -> None:
        for number in range(first, first + 10):
            response = proxied.test_client().post(
                "/api/polls/outils/votes",
                json={"choices": ["agenda"]},
                headers={"Origin": "http://localhost", **forwarded(f"10.0.{first}.{number}")},
            )
            statuses.append(response.status_code)

    def purger() -> None:
        try:
            for _ in range(10):
                with proxied.app_context(), get_engine().connect() as conn, transaction(conn, write=True):
                    purge_voters(conn, clock(), 180)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=voter, args=(first,)) for first in (1, 20, 40)]
    threads.append(threading.Thread(target=purger))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and statuses == [201] * 30
    body = proxied.test_client().get("/api/polls/outils", headers=forwarded("10.9.9.9")).get_json()
    assert body["total_voters"] == 30 and voter_rows(proxied)["outils"] == 60



def secrets_on_disk(folder: Path, secrets: list[bytes]) -> dict[str, list[bytes]]:
    """Which of ``secrets`` each file of ``folder`` (the base, its -wal, its -shm) holds."""
    found = {}
    for path, content in files_under(folder).items():
        hits = [secret for secret in secrets if secret in content]
        if hits:
            found[path.name] = hits
    return found


def key_of_day(app, day: str) -> bytes:
    return read_key_file(key_file(app))[datetime.fromisoformat(day).date()]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_purged_digests_and_deleted_keys_leave_no_bytes_in_any_database_file(proxied, vote, clock, tmp_path):
    # The app's pooled connections stay open meanwhile, so the write-ahead log is not removed
    # by a last close: what it still holds is what a copy of the folder would hold.
    folder = tmp_path / "instance"
    cast_votes(proxied, vote)
    with proxied.app_context(), get_engine().connect() as conn, transaction(conn):
        digests = [d.encode() for d in conn.execute(select(voters.c.digest).where(voters.c.poll_id == "don-en-ligne")).scalars()]
    first_key = key_of_day(proxied, "2026-11-20")
    assert len(digests) == 8 and secrets_on_disk(folder, digests)  # the search finds them
    # The key that made the address digests was never written to the database's files.
    assert secrets_on_disk(folder, [first_key, first_key.hex().encode()]) == {}

    # After the retention delay, purge-voters removes the poll's digests and the expired key.
    clock.now = CLOSED_AT + timedelta(days=180)
    result = proxied.test_cli_runner().invoke(args=["purge-voters"])
    assert result.exit_code == 0 and "don-en-ligne : 8 identifiant(s)" in result.output, result.output
    assert "2026-11-20" not in key_days(proxied)
    assert secrets_on_disk(folder, digests) == {}
    assert first_key.hex().encode() not in key_file(proxied).read_bytes()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_purge_voters_leaves_no_purged_digest_in_postgresqls_table_files(proxied, vote, clock, request):
    cast_votes(proxied, vote)
    with proxied.app_context(), get_engine().connect() as conn, transaction(conn):
        digests = [d.encode() for d in conn.execute(select(voters.c.digest).where(voters.c.poll_id == "don-en-ligne")).scalars()]
    key = key_of_day(proxied, "2026-11-20")
    clock.now = CLOSED_AT + timedelta(days=180)
    result = proxied.test_cli_runner().invoke(args=["purge-voters"])
    assert result.exit_code == 0 and "don-en-ligne : 8 identifiant(s)" in result.output, result.output
    with proxied.app_context(), get_engine().connect() as conn:
        conn.execute(text("CHECKPOINT"))  # every page in shared memory written to its file
        conn.commit()
    # Every file of the cluster but its write-ahead log, which keeps what was written until
    # PostgreSQL recycles it (docs/privacy.md says so).
    data = request.getfixturevalue("postgres_server").data_dir
    found = {}
    for path, content in files_under(data).items():
        if "pg_wal" not in path.relative_to(data).parts:
            hits = [secret for secret in [*digests, key, key.hex().encode()] if secret in content]
            if hits:
                found[str(path.relative_to(data))] = hits
    assert found == {}


# --- The documentation says all of it ----------------------------------------------------


def test_the_privacy_documentation_describes_every_table_and_column():
    doc = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
    for table in metadata.sorted_tables:
        section = re.search(rf"^### `{table.name}`\n(.*?)(?=^##|\Z)", doc, re.MULTILINE | re.DOTALL)
        assert section, f"docs/privacy.md has no section for the table {table.name}"
        for column in table.columns:
            assert f"`{column.name}`" in section.group(1), f"{table.name}.{column.name} is not described"
    for promise in ("POLL_RETENTION_DAYS", "purge-voters", "consentement", COOKIE_NAME):
        assert promise in doc


# --- Copies of the database and of its backup, after votes from known addresses ----------

KNOWN = [(f"203.0.113.{number}", ("oui", "parfois", "bientot", "non")[number % 4]) for number in range(1, 13)]


def wal_commits(wal: bytes) -> list[bytes]:
    """Split a copy of SQLite's write-ahead log into its commits (the pages each one wrote)."""
    if len(wal) < 32:
        return []
    page_size = int.from_bytes(wal[8:12], "big")
    salts = wal[16:24]
    commits, pages, offset = [], [], 32
    while offset + 24 + page_size <= len(wal):
        header = wal[offset:offset + 24]
        if header[8:16] != salts:
            break  # frames of an earlier cycle of the log
        pages.append(wal[offset + 24:offset + 24 + page_size])
        if int.from_bytes(header[4:8], "big"):  # a commit frame: the database size after it
            commits.append(b"".join(pages))
            pages = []
        offset += 24 + page_size
    return commits


def copy_postgres(request, app, target: Path) -> list[Path]:
    """Copy the cluster's data files (write-ahead log included) and take the documented pg_dump."""
    server = request.getfixturevalue("postgres_server")
    with app.app_context(), get_engine().connect() as conn:
        conn.execute(text("CHECKPOINT"))
        conn.commit()
    copies = []
    for path, content in files_under(server.data_dir).items():
        copy = target / "data" / path.relative_to(server.data_dir)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(content)
        copies.append(copy)
    dump = target / "polls.dump"
    binary = next(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    url = app.config["POLL_DATABASE_URL"].replace("postgresql+psycopg", "postgresql")
    with dump.open("wb") as output:
        subprocess.run([str(binary), "--format=custom", url.split("?")[0]], stdout=output, check=True)
    return [*copies, dump]


def test_copies_of_the_database_files_and_backup_link_no_address_to_its_answer(
        make_app, vote, database_url, tmp_path, request, monkeypatch):
    """Votes from known addresses, then everything a thief could copy: nothing links them."""
    monkeypatch.setattr("poll_service.writer.GroupCommit.IDLE_SECONDS", 3600)  # keep the log to inspect it
    app = make_app(POLL_TRUSTED_PROXIES=1, POLL_VOTE_BATCH_WAIT_MS=2000)
    # Two by two, at the same moment, as people vote on a shared article.
    for first in range(0, len(KNOWN), 2):
        threads = [threading.Thread(target=vote, args=(app.test_client(), "don-en-ligne", choice),
                                    kwargs={"headers": forwarded(address)})
                   for address, choice in KNOWN[first:first + 2]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert app.test_client().get("/api/polls/don-en-ligne").get_json()["total_voters"] == len(KNOWN)

    keys = list(read_key_file(key_file(app)).values())
    digests = {address: [hmac.new(k, address.encode(), hashlib.sha256).hexdigest().encode() for k in keys]
               for address, _ in KNOWN}
    copies_dir = tmp_path / "copies"
    copies_dir.mkdir()
    if database_url.startswith("sqlite"):
        database = tmp_path / "instance" / "polls.sqlite3"
        copies = []
        for suffix in ("", "-wal", "-shm"):  # copied as they are, the service still running
            copy = copies_dir / f"polls.sqlite3{suffix}"
            copy.write_bytes(Path(f"{database}{suffix}").read_bytes())
            copies.append(copy)
        backup = copies_dir / "backup.sqlite3"  # docs/deploy.md: sqlite3 ".backup"
        with sqlite3.connect(database) as source, sqlite3.connect(backup) as target:
            source.backup(target)
        copies.append(backup)
    else:
        copies = copy_postgres(request, app, copies_dir)
    contents = {path: path.read_bytes() for path in copies}

    # The digests are there (with the key, anyone could link them)...
    assert any(d in content for ds in digests.values() for d in ds for content in contents.values())
    # ...but no key that makes them is in any copy, nor any address in any form.
    for path, content in contents.items():
        assert not [k for k in keys if k in content or k.hex().encode() in content], path
        for address, _ in KNOWN:
            assert not [form for form in address_forms(address) if form in content], path

    # Even with the key (someone reading the running server's memory), no commit pairs one
    # voter with one answer: each one that recorded voters recorded at least two.
    if database_url.startswith("sqlite"):
        commits = wal_commits(contents[copies_dir / "polls.sqlite3-wal"])
        seen: set[bytes] = set()
        added = []
        for pages in commits:
            new = {d for ds in digests.values() for d in ds if d in pages} - seen
            seen |= new
            if new:
                added.append(len(new))
        assert added and sum(added) == len(KNOWN) and min(added) >= 2, added
        # And the rows follow the digests' order, not the voting order (no rowid).
        with sqlite3.connect(copies_dir / "backup.sqlite3") as conn:
            stored = [row[0] for row in conn.execute("SELECT digest FROM voters WHERE kind = 'address'")]
        assert stored == sorted(stored)
    else:
        with app.app_context(), get_engine().connect() as conn:
            groups = conn.execute(text("SELECT count(*) FROM voters WHERE kind = 'address' GROUP BY xmin::text")).scalars().all()
        assert sum(groups) == len(KNOWN) and min(groups) >= 2, groups
