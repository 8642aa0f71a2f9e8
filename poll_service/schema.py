"""The database schema: one MetaData for the queries, and the explicit steps that build it.

A database is never dropped or recreated: ``migrate`` reads the version stored in
``schema_version`` and applies the missing steps in order, each in its own transaction, so
``flask --app poll_service init-db`` is safe to run on every deployment and keeps every vote.
A new database goes through the same steps as an old one, so the path is always exercised.
docs/privacy.md describes every column below; keep it in step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC, read back as aware UTC on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001, ANN201 (SQLAlchemy API)
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):  # noqa: ANN001, ANN201
        if isinstance(value, str):  # a value written by hand into SQLite
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc) if value is not None else None


metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

polls = Table(
    "polls",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("question", Text, nullable=False),
    Column("max_choices", Integer, nullable=False),
    Column("opens", UTCDateTime),
    Column("closes", UTCDateTime),
    Column("results", String(16), nullable=False),
    Column("url", Text),
    Column("source", Text),
    # Set by the admin API: "closed" or "open" override the dates until changed again.
    Column("admin_state", String(8)),
    Column("admin_closed_at", UTCDateTime),
    # Counted in the vote's transaction, so totals survive the purge of voter identifiers.
    Column("total_voters", Integer, nullable=False),
    # Version 2: when purge-voters last removed this poll's voter identifiers.
    Column("voters_purged_at", UTCDateTime),
)

options = Table(
    "options",
    metadata,
    Column("poll_id", String(64), nullable=False),
    Column("key", String(64), nullable=False),
    Column("label", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("votes", Integer, nullable=False),
    PrimaryKeyConstraint("poll_id", "key"),
    ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="CASCADE"),
)

# Who has voted on a poll, never what they chose: one row per identifier of a voter.
# The primary key is what refuses a second vote, even from another worker or host. On SQLite
# the table has no rowid (version 3): rows are kept in digest order, never in voting order.
voters = Table(
    "voters",
    metadata,
    Column("poll_id", String(64), nullable=False),
    Column("kind", String(8), nullable=False),  # "cookie" or "address"
    Column("digest", String(64), nullable=False),  # hex HMAC-SHA256, never the raw value
    PrimaryKeyConstraint("poll_id", "kind", "digest"),
    ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="CASCADE"),
    sqlite_with_rowid=False,
)
# The address keys are not in the database (version 3): see poll_service/address_keys.py.


def _step_1_create_tables(conn: Connection) -> None:
    """Version 1: the first released schema, written out as it was (never edit it)."""
    v1 = MetaData()
    Table("schema_version", v1, Column("version", Integer, nullable=False))
    Table(
        "polls",
        v1,
        Column("id", String(64), primary_key=True),
        Column("question", Text, nullable=False),
        Column("max_choices", Integer, nullable=False),
        Column("opens", UTCDateTime),
        Column("closes", UTCDateTime),
        Column("results", String(16), nullable=False),
        Column("url", Text),
        Column("source", Text),
        Column("admin_state", String(8)),
        Column("admin_closed_at", UTCDateTime),
        Column("total_voters", Integer, nullable=False),
    )
    Table(
        "options",
        v1,
        Column("poll_id", String(64), nullable=False),
        Column("key", String(64), nullable=False),
        Column("label", Text, nullable=False),
        Column("position", Integer, nullable=False),
        Column("votes", Integer, nullable=False),
        PrimaryKeyConstraint("poll_id", "key"),
        ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="CASCADE"),
    )
    Table(
        "voters",
        v1,
        Column("poll_id", String(64), nullable=False),
        Column("kind", String(8), nullable=False),
        Column("digest", String(64), nullable=False),
        PrimaryKeyConstraint("poll_id", "kind", "digest"),
        ForeignKeyConstraint(["poll_id"], ["polls.id"], ondelete="CASCADE"),
    )
    Table(
        "address_keys",
        v1,
        Column("day", String(10), primary_key=True),
        Column("secret", LargeBinary(32), nullable=False),
    )
    v1.create_all(conn)


def _step_2_add_purge_date(conn: Connection) -> None:
    """Version 2: remember when a poll's voter identifiers were purged."""
    column_type = UTCDateTime().compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE polls ADD COLUMN voters_purged_at {column_type}"))


def _step_3_keys_out_voters_unordered(conn: Connection) -> None:
    """Version 3: address keys leave the database; SQLite keeps voters without a rowid.

    The keys now live in a file outside the database (address_keys.py): the table that held
    them is dropped with them (today's address digests start afresh with a new key; cookies
    still count). SQLite's rowid numbered voters in the order they voted: the table is
    rebuilt WITHOUT ROWID, kept in the order of its key (the digests, random values).
    """
    conn.execute(text("DROP TABLE IF EXISTS address_keys"))
    if conn.dialect.name != "sqlite":
        return
    conn.execute(text(
        "CREATE TABLE voters_v3 (poll_id VARCHAR(64) NOT NULL, kind VARCHAR(8) NOT NULL, "
        "digest VARCHAR(64) NOT NULL, PRIMARY KEY (poll_id, kind, digest), "
        "FOREIGN KEY(poll_id) REFERENCES polls (id) ON DELETE CASCADE) WITHOUT ROWID"
    ))
    conn.execute(text("INSERT INTO voters_v3 SELECT poll_id, kind, digest FROM voters"))
    conn.execute(text("DROP TABLE voters"))
    conn.execute(text("ALTER TABLE voters_v3 RENAME TO voters"))


# Append new steps here; never edit a released one.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _step_1_create_tables,
    _step_2_add_purge_date,
    _step_3_keys_out_voters_unordered,
]
LATEST_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    """Return the schema version of the database (0 for an empty one)."""
    if not inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(select(schema_version.c.version)).scalar_one_or_none() or 0


def migrate(engine: Engine, target: int = LATEST_VERSION) -> list[int]:
    """Bring the database up to ``target``, one transaction per step; return the steps run."""
    applied = []
    with engine.connect() as conn:
        with conn.begin():
            version = current_version(conn)
    for number in range(version + 1, target + 1):
        with engine.begin() as conn:
            MIGRATIONS[number - 1](conn)
            if number == 1:
                conn.execute(schema_version.insert().values(version=1))
            else:
                conn.execute(schema_version.update().values(version=number))
        applied.append(number)
    if applied and engine.dialect.name == "sqlite":
        # What the steps dropped or rebuilt must not linger in the write-ahead log.
        from .db import empty_write_ahead_log  # noqa: PLC0415 (db imports Flask; schema need not)

        with engine.connect() as conn:
            empty_write_ahead_log(conn)
    return applied
