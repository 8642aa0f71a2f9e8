"""Forget voter identifiers once their poll has been closed for POLL_RETENTION_DAYS.

Counts are never touched; expired address keys go at the same time (docs/privacy.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from .. import address_keys
from ..db import forget_after_commit
from ..schema import polls, voters
from .state import closed_since


@dataclass(frozen=True)
class PurgeReport:
    """What purge-voters removed: identifiers per poll, and expired address keys."""

    voters_by_poll: dict[str, int]
    keys: int


def purge_voters(conn: Connection, now: datetime, retention_days: int) -> PurgeReport:
    """Delete voter identifiers of polls closed at least ``retention_days`` ago.

    Counts are untouched. Running it again removes nothing more. Open polls are never
    touched, so it is safe while votes arrive.
    """
    removed: dict[str, int] = {}
    for poll in conn.execute(select(polls).order_by(polls.c.id)).all():
        since = closed_since(poll, now)
        if since is None or now < since + timedelta(days=retention_days):
            continue
        count = conn.execute(delete(voters).where(voters.c.poll_id == poll.id)).rowcount
        if count:
            removed[poll.id] = count
            conn.execute(update(polls).where(polls.c.id == poll.id).values(voters_purged_at=now))
    keys = address_keys.delete_expired_keys(conn, now)
    # Every run, even with nothing to delete: this also empties SQLite's write-ahead log when
    # an earlier deletion could not (docs/privacy.md).
    forget_after_commit(conn)
    return PurgeReport(removed, keys)
