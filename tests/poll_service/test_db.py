"""Database connections: a PostgreSQL connection is checked only after a rest, and replaced if dead."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from poll_service import db
from poll_service.db import get_engine


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_postgresql_connection_killed_while_idle_is_replaced_unnoticed(make_app, database_url, monkeypatch):
    app = make_app()
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    with app.app_context(), get_engine().connect() as conn:  # the pool's one connection
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        conn.rollback()
    killer = create_engine(database_url, poolclass=NullPool)
    try:
        with killer.connect() as conn:  # as a server restart would
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar_one()
    finally:
        killer.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # as if it had rested long enough
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/admin/polls", headers={"Authorization": "Bearer jeton-admin-de-test-0123456789abcdef"}).status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_busy_postgresql_connection_is_not_pinged(make_app):
    app = make_app()
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        engine = get_engine()
    pings = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(1) or original(connection)
    try:
        for _ in range(5):
            assert client.get("/healthz").status_code == 200
    finally:
        engine.dialect.do_ping = original
    assert pings == []  # reused within milliseconds: no round trip spent on a check
