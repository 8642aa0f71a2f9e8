"""Forget voter identifiers once their poll has been closed for POLL_RETENTION_DAYS.

Counts are never touched (docs/privacy.md). The address keys are not in the database: the
same daily command destroys the expired ones in their file (``address_keys.KeyRing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from ..db import forget_after_commit
from ..schema import polls, voters
from .state import closed_since


@dataclass(frozen=True)
class PurgeReport:
    """What purge-voters removed: identifiers per poll."""

    voters_by_poll: dict[str, int]


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
    # Every run, even with nothing to delete: this also empties SQLite's write-ahead log when
    # an earlier deletion could not (docs/privacy.md).
    forget_after_commit(conn)
    return PurgeReport(removed)
