"""The schema and its migration path: an old database keeps every vote."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from poll_service import create_app
from poll_service.db import dispose, get_engine, transaction
from poll_spec import poll_from_manifest
from poll_service.schema import LATEST_VERSION, current_version, metadata, migrate, options
from poll_service.schema import polls as polls_table
from poll_service.store.sync import sync_polls
from poll_service.store.state import PollSnapshot
from poll_service.store.votes import Ballot, Identity
from poll_service.writer import get_writer

SECRET = "test-secret-key-0123456789abcdef"


def test_a_new_database_gets_every_table_and_column_of_the_metadata(app):
    with app.app_context():
        inspector = inspect(get_engine())
        for table in metadata.sorted_tables:
            assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys())


def test_a_database_at_the_previous_version_keeps_its_votes_after_init_db(database_url, polls, clock):
    app = create_app({"POLL_DATABASE_URL": database_url, "POLL_SECRET_KEY": SECRET, "POLL_SITE_URL": "https://www.example.org", "POLL_CLOCK": clock})
    try:
        with app.app_context():
            engine = get_engine()
            assert migrate(engine, target=LATEST_VERSION - 1) == list(range(1, LATEST_VERSION))
            with engine.connect() as conn, transaction(conn, write=True):
                # The previous schema has no voters_purged_at: write through the columns it has.
                conn.execute(
                    polls_table.insert().values(
                        id="ancien-sondage", question="Encore là ?", max_choices=1, results="always", total_voters=3
                    )
                )
                conn.execute(
                    options.insert(),
                    [
                        {"poll_id": "ancien-sondage", "key": "oui", "label": "Oui", "position": 0, "votes": 2},
                        {"poll_id": "ancien-sondage", "key": "non", "label": "Non", "position": 1, "votes": 1},
                    ],
                )
                # Version 2 kept the address keys in the database, and voters with a rowid.
                conn.execute(text("INSERT INTO voters (poll_id, kind, digest) VALUES ('ancien-sondage', 'cookie', :d)"),
                             {"d": "c" * 64})
                conn.execute(text("INSERT INTO address_keys (day, secret) VALUES ('2026-11-20', :s)"),
                             {"s": b"k" * 32})
            result = app.test_cli_runner().invoke(args=["init-db"])
            assert result.exit_code == 0, result.output
            assert f"étapes appliquées : {LATEST_VERSION}" in result.output
            with engine.connect() as conn, transaction(conn):
                assert current_version(conn) == LATEST_VERSION
                rows = conn.execute(select(options.c.key, options.c.votes).order_by(options.c.position)).all()
                total = conn.execute(select(polls_table.c.total_voters)).scalar_one()
                voters = conn.execute(text("SELECT digest FROM voters")).scalars().all()
            assert [tuple(r) for r in rows] == [("oui", 2), ("non", 1)] and total == 3
            assert voters == ["c" * 64]
            assert not inspect(engine).has_table("address_keys")  # the keys left with their table
            if engine.dialect.name == "sqlite":
                with engine.connect() as conn:
                    sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'voters'")).scalar_one()
                assert sql.rstrip().endswith("WITHOUT ROWID")
            # And the migrated database takes new votes.
            with engine.connect() as conn, transaction(conn, write=True):
                sync_polls(conn, [poll_from_manifest(polls[0])])
            ballot = Ballot("don-en-ligne", ("oui",), Identity("d" * 64, ("e" * 64,)))
            assert isinstance(get_writer(app).submit(ballot, clock()), PollSnapshot)
    finally:
        dispose(app)


def test_the_health_check_fails_on_a_database_that_needs_init_db(database_url, clock):
    app = create_app({"POLL_DATABASE_URL": database_url, "POLL_SECRET_KEY": SECRET, "POLL_SITE_URL": "https://www.example.org", "POLL_CLOCK": clock})
    try:
        client = app.test_client()
        response = client.get("/healthz")
        assert response.status_code == 503 and "init-db" in response.get_json()["message"]
        with app.app_context():
            migrate(get_engine(), target=1)
        assert client.get("/healthz").status_code == 503
    finally:
        dispose(app)


def test_a_request_on_a_database_without_tables_is_a_503_not_a_500(database_url, clock):
    app = create_app({"POLL_DATABASE_URL": database_url, "POLL_SECRET_KEY": SECRET, "POLL_SITE_URL": "https://www.example.org", "POLL_CLOCK": clock})
    try:
        response = app.test_client().get("/api/polls/don-en-ligne")
        assert response.status_code == 503 and response.get_json()["error"] == "unavailable"
    finally:
        dispose(app)
