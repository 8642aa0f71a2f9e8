"""What a poll is now: its definition, its counts, open or closed; read and admin changes.

A ``PollSnapshot`` is the same for every visitor; ``PollSnapshot.state`` works out what one
visitor sees at one moment (open or not, results shown or hidden).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Row

from poll_spec.slugs import is_poll_id

from ..errors import PollError
from ..schema import options, polls

# The poll's columns every read needs; the vote's update returns the same ones.
POLL_COLUMNS = (
    polls.c.id,
    polls.c.question,
    polls.c.max_choices,
    polls.c.opens,
    polls.c.closes,
    polls.c.results,
    polls.c.url,
    polls.c.admin_state,
    polls.c.admin_closed_at,
    polls.c.total_voters,
)
_POLL = select(polls).where(polls.c.id == bindparam("pid"))
# The whole public state of a poll in one query: its row repeated beside each option.
SNAPSHOT = (
    select(*POLL_COLUMNS, options.c.key, options.c.label, options.c.votes)
    .select_from(polls.outerjoin(options, options.c.poll_id == polls.c.id))
    .where(polls.c.id == bindparam("pid"))
    .order_by(options.c.position, options.c.key)
)


@dataclass(frozen=True)
class OptionResult:
    """One answer and its count; ``votes`` and ``percent`` are None while results are hidden."""

    key: str
    label: str
    votes: int | None
    percent: float | None


@dataclass(frozen=True)
class PollState:
    """Everything shown about a poll at one moment: the API, the page and the SVG use it."""

    id: str
    question: str
    options: tuple[OptionResult, ...]
    total_voters: int
    status: str  # "open", "not_open" or "closed"
    results_visible: bool
    has_voted: bool
    max_choices: int
    opens: datetime | None
    closes: datetime | None
    results: str
    url: str | None

    @property
    def open(self) -> bool:
        """True while votes are accepted."""
        return self.status == "open"

    @property
    def multiple(self) -> bool:
        """True when a voter may tick more than one answer (as ``poll_spec.Poll``)."""
        return self.max_choices > 1

    def to_json(self) -> dict[str, Any]:
        """Return the body of GET /api/polls/<id>."""
        return {
            "id": self.id,
            "question": self.question,
            "options": [
                {"key": o.key, "label": o.label, "votes": o.votes, "percent": o.percent} for o in self.options
            ],
            "total_voters": self.total_voters,
            "open": self.open,
            "results_visible": self.results_visible,
            "has_voted": self.has_voted,
            "status": self.status,
            "max_choices": self.max_choices,
            "opens": self.opens.isoformat() if self.opens else None,
            "closes": self.closes.isoformat() if self.closes else None,
            "results": self.results,
            "url": self.url,
        }


@dataclass(frozen=True)
class PollSnapshot:
    """A poll's definition and counts at one moment: the same for every visitor.

    What a visitor sees (open or not, results shown or hidden) is worked out from it at each
    request by ``state``, with the time and whether they voted, so a snapshot may be reused.
    """

    id: str
    question: str
    max_choices: int
    opens: datetime | None
    closes: datetime | None
    results: str
    url: str | None
    admin_state: str | None
    admin_closed_at: datetime | None
    total_voters: int
    options: tuple[tuple[str, str, int], ...]  # (key, label, votes), in display order
    # What callers derived from this snapshot (a serialised answer), by a key of their own.
    _derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: Any, make: Callable[[], Any]) -> Any:
        """Return ``make()``, computed once per ``key`` for this snapshot."""
        try:
            return self._derived[key]
        except KeyError:
            value = self._derived[key] = make()
            return value

    def option_keys(self) -> list[str]:
        """Return the option keys in display order."""
        return [key for key, _, _ in self.options]

    def state(self, now: datetime, voted: bool) -> PollState:
        """Return the poll as a visitor sees it at ``now``, having voted or not."""
        status = status_of(self, now)
        results = self.results
        visible = (
            results == "always"
            or (results == "after-vote" and (voted or status == "closed"))
            or (results == "after-close" and status == "closed")
        )
        total = self.total_voters
        if visible:
            shown = tuple(
                OptionResult(key, label, votes, round(100 * votes / total, 1) if total else 0.0)
                for key, label, votes in self.options
            )
        else:
            shown = tuple(OptionResult(key, label, None, None) for key, label, _ in self.options)
        return PollState(
            id=self.id,
            question=self.question,
            options=shown,
            total_voters=total,
            status=status,
            results_visible=visible,
            has_voted=voted,
            max_choices=self.max_choices,
            opens=self.opens,
            closes=self.closes,
            results=results,
            url=self.url,
        )


def snapshot_of(poll: Row, option_rows: Iterable[Row]) -> PollSnapshot:
    """Build a snapshot from a row holding POLL_COLUMNS and rows holding key, label, votes."""
    return PollSnapshot(
        id=poll.id,
        question=poll.question,
        max_choices=poll.max_choices,
        opens=poll.opens,
        closes=poll.closes,
        results=poll.results,
        url=poll.url,
        admin_state=poll.admin_state,
        admin_closed_at=poll.admin_closed_at,
        total_voters=poll.total_voters,
        options=tuple((row.key, row.label, row.votes) for row in option_rows),
    )


def status_of(poll: Row | PollSnapshot, now: datetime) -> str:
    """Return "open", "not_open" or "closed": the admin's decision first, then the dates."""
    if poll.admin_state in ("open", "closed"):
        return poll.admin_state
    if poll.opens is not None and now < poll.opens:
        return "not_open"
    if poll.closes is not None and now >= poll.closes:
        return "closed"
    return "open"


def closed_since(poll: Row, now: datetime) -> datetime | None:
    """Return when a closed poll closed (the start of the retention delay), else None."""
    if status_of(poll, now) != "closed":
        return None
    if poll.admin_state == "closed":
        return poll.admin_closed_at or now
    return poll.closes


def check_poll_id(poll_id: str) -> None:
    """Raise unknown_poll for anything that cannot be a poll's id (before any query)."""
    if not is_poll_id(poll_id):
        raise PollError("unknown_poll")


def get_poll(conn: Connection, poll_id: str) -> Row:
    """Return the poll's row, or raise unknown_poll."""
    check_poll_id(poll_id)
    row = conn.execute(_POLL, {"pid": poll_id}).first()
    if row is None:
        raise PollError("unknown_poll")
    return row


def load_snapshot(conn: Connection, poll_id: str) -> PollSnapshot:
    """Read a poll's definition and counts with one query, or raise unknown_poll."""
    check_poll_id(poll_id)
    rows = conn.execute(SNAPSHOT, {"pid": poll_id}).all()
    if not rows:
        raise PollError("unknown_poll")
    return snapshot_of(rows[0], (row for row in rows if row.key is not None))


def set_admin_state(conn: Connection, poll_id: str, state: str, now: datetime) -> None:
    """Close ("closed") or reopen ("open") a poll, whatever its dates say."""
    get_poll(conn, poll_id)
    conn.execute(
        update(polls)
        .where(polls.c.id == poll_id)
        .values(admin_state=state, admin_closed_at=now if state == "closed" else None)
    )


def list_polls(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Return every poll with its counts, for the admin (no voter identifier)."""
    result = []
    for poll in conn.execute(select(polls).order_by(polls.c.id)).all():
        result.append(
            {
                "id": poll.id,
                "question": poll.question,
                "status": status_of(poll, now),
                "admin_state": poll.admin_state,
                "opens": poll.opens.isoformat() if poll.opens else None,
                "closes": poll.closes.isoformat() if poll.closes else None,
                "results": poll.results,
                "max_choices": poll.max_choices,
                "url": poll.url,
                "total_voters": poll.total_voters,
                "voters_purged_at": poll.voters_purged_at.isoformat() if poll.voters_purged_at else None,
                "options": [
                    {"key": key, "label": label, "votes": votes} for key, label, votes in export_rows(conn, poll.id)
                ],
            }
        )
    return result


def export_rows(conn: Connection, poll_id: str) -> list[tuple[str, str, int]]:
    """Return (key, label, votes) for each option of a poll: counts only."""
    get_poll(conn, poll_id)
    rows = conn.execute(
        select(options.c.key, options.c.label, options.c.votes)
        .where(options.c.poll_id == poll_id)
        .order_by(options.c.position, options.c.key)
    )
    return [(row.key, row.label, row.votes) for row in rows]
