"""The database connection: one engine per process, one connection per request.

SQLite gets what a small site needs to take many votes at once without "database is locked":
WAL (readers never wait for the writer), a long busy timeout, foreign keys, full sync (a vote
answered 201 survives a power cut), secure delete (a purged identifier is overwritten), and
write transactions opened with BEGIN IMMEDIATE, so a transaction that reads then writes
queues for the lock instead of failing when it upgrades. Secure delete only clears the
database file: the write-ahead log still holds the pages as they were before a delete, so a
transaction that deleted voter digests or address keys is followed by a checkpoint that
empties the log (``transaction``).

PostgreSQL connections are checked with a ping only when they come back from a rest of
PING_AFTER_IDLE_S or more (a server restart, a firewall that drops idle connections): a
worker under load reuses its connection within milliseconds and would pay a round trip per
request for a check that cannot fail. A connection that dies in use still gives a 503 (never
a 500), and SQLAlchemy then replaces every connection of the pool.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import InvalidatePoolError

logger = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 30_000
PING_AFTER_IDLE_S = 10.0
# Server-side sessions are renewed hourly (their memory, settings changed on the server).
RECYCLE_S = 3600
_MAKING = threading.Lock()


def make_engine(url: str) -> Engine:
    """Create the engine for ``url``; for SQLite, create the database's folder too."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_recycle=RECYCLE_S)
        _ping_idle_connections(engine)
        return engine
    path = parsed.database or ""
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection on checkout when it rested PING_AFTER_IDLE_S or more."""
    dialect = engine.dialect

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["poll_idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("poll_idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool reconnects this one, and renews the others made before now.
            raise InvalidatePoolError(f"ping failed: {type(error).__name__}") from None

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is lazy).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        f"busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}",
        "journal_mode = WAL",
        "synchronous = FULL",
        "foreign_keys = ON",
        # Purged voter identifiers are overwritten on disk, not left in free pages.
        "secure_delete = ON",
        # Each time the write-ahead log starts over (after a complete automatic checkpoint), its
        # file is cut to what the new cycle wrote: pages of earlier cycles, deleted rows
        # included, do not linger at its end. The purge empties it outright (``transaction``).
        "journal_size_limit = 0",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_sqlite(conn: Connection) -> None:
    write = conn.get_execution_options().get("poll_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def transaction(conn: Connection, write: bool = False) -> Iterator[Connection]:
    """Run a block in one transaction, committed at the end, rolled back on any error.

    When the block deleted voter digests or address keys (``forget_after_commit``),
    SQLite's write-ahead log is emptied once the transaction has committed.
    """
    conn.execution_options(poll_write=write)
    try:
        with conn.begin():
            yield conn
    except BaseException:
        conn.info.pop(FORGET_AFTER_COMMIT, None)  # rolled back: nothing was deleted
        raise
    if conn.info.pop(FORGET_AFTER_COMMIT, False):
        empty_write_ahead_log(conn)


def empty_write_ahead_log(conn: Connection) -> bool:
    """Copy SQLite's write-ahead log into the database file and cut it to zero bytes.

    Only then are deleted rows gone from every file: the database's pages were overwritten
    (secure delete), the log's older copies of them are truncated away. It runs outside any
    transaction, and waits (up to the busy timeout) for other connections' reads to finish.
    Return whether the log was emptied; nothing to do on PostgreSQL (docs/privacy.md says
    what its own write-ahead log keeps, and for how long).
    """
    if conn.dialect.name != "sqlite":
        return True
    # The driver's own cursor: SQLAlchemy would open a transaction around the statement.
    cursor = conn.connection.driver_connection.cursor()
    try:
        busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    except conn.dialect.loaded_dbapi.Error as error:
        busy, reason = 1, type(error).__name__
    else:
        reason = "the database stayed busy"
    finally:
        cursor.close()
    if busy:
        # What was deleted is committed; the next purge-voters (daily) empties the log.
        logger.warning("Could not empty the SQLite write-ahead log after deleting voter identifiers: %s", reason)
    return not busy


# The connection's ``info`` flag that ``transaction`` reads once the transaction commits.
FORGET_AFTER_COMMIT = "poll_forget_after_commit"


def forget_after_commit(conn: Connection) -> None:
    """Say that this transaction deletes voter digests or address keys.

    Deleting a row is not enough to forget it: SQLite's write-ahead log keeps the pages as
    they were before the delete until they happen to be overwritten. Once the transaction
    commits, ``transaction`` checkpoints and empties the log.
    """
    conn.info[FORGET_AFTER_COMMIT] = True


def init_app(app: Flask) -> None:
    """Register the database with the app: the engine is made lazily, per process."""
    app.extensions["poll_db"] = {"url": app.config["POLL_DATABASE_URL"], "engine": None, "pid": None}
    app.teardown_appcontext(close_db)


def get_engine(app: Flask | None = None) -> Engine:
    """Return this process's engine, making a new one after a fork (gunicorn workers)."""
    state = (app or current_app).extensions["poll_db"]
    if state["pid"] != os.getpid():
        with _MAKING:  # threads of a new worker may all ask at once
            if state["pid"] != os.getpid():
                if state["engine"] is not None:
                    # Inherited sockets belong to the parent: forget them without closing them.
                    state["engine"].dispose(close=False)
                state["engine"] = make_engine(state["url"])
                state["pid"] = os.getpid()
    return state["engine"]


def get_db() -> Connection:
    """Return the request's connection, opened on first use."""
    if "poll_db" not in g:
        g.poll_db = get_engine().connect()
    return g.poll_db


def close_db(_error: BaseException | None = None) -> None:
    """Give the request's connection back to the pool."""
    conn = g.pop("poll_db", None)
    if conn is not None:
        conn.close()


def dispose(app: Flask) -> None:
    """Close every pooled connection of the app (tests, shutdown)."""
    state = app.extensions["poll_db"]
    if state["engine"] is not None and state["pid"] == os.getpid():
        state["engine"].dispose()
    state["engine"] = state["pid"] = None
