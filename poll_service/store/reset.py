"""Empty a preview's votes (``flask reset-votes``, ``make reset-votes``): counts and voters.

The polls stay (the preview shows them at once, without a new sync-polls); every count goes
back to zero, every voter identifier and every close or reopen made by the admin API is
forgotten. Only ever run on the preview's database: the command decides which (cli.py).
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from ..db import forget_after_commit
from ..schema import options, polls, voters


def reset_votes(conn: Connection) -> int:
    """Forget every vote; return how many voters had voted, all polls together."""
    counted = conn.execute(select(func.coalesce(func.sum(polls.c.total_voters), 0))).scalar_one()
    conn.execute(delete(voters))
    conn.execute(update(options).values(votes=0))
    conn.execute(update(polls).values(total_voters=0, admin_state=None, admin_closed_at=None,
                                      voters_purged_at=None))
    forget_after_commit(conn)  # deleted digests are also wiped from SQLite's write-ahead log
    return int(counted)
