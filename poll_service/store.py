"""The queries: plain functions that take a connection and return plain data.

Callers own the transaction (``db.transaction``); ``record_vote`` must run in a write
transaction so that a voter's identifiers, the option counters and the total are all
recorded, or none. Counts live in ``options.votes`` and ``polls.total_voters`` rather than
being recomputed from ballots: the database never links a voter to an answer, and results
survive the purge of voter identifiers unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from . import voters as voter_ids
from .definition import SLUG_RE, Poll
from .errors import PollError
from .schema import options, polls, voters

DEDUP_COOKIE = ("cookie+ip", "cookie")
DEDUP_ADDRESS = ("cookie+ip", "ip")


# Built once: these run on every vote.
_POLL = select(polls).where(polls.c.id == bindparam("pid"))
_OPTIONS = (
    select(options.c.key, options.c.label, options.c.votes)
    .where(options.c.poll_id == bindparam("pid"))
    .order_by(options.c.position, options.c.key)
)
# "kind IN" adds nothing to the answer (HMAC digests do not collide across kinds) but lets
# the primary key (poll_id, kind, digest) find the rows directly in a poll of many voters.
_VOTED = (
    select(func.count())
    .select_from(voters)
    .where(
        voters.c.poll_id == bindparam("pid"),
        voters.c.kind.in_(["cookie", "address"]),
        voters.c.digest.in_(bindparam("digests", expanding=True)),
    )
)
_COUNT_CHOICES = (
    update(options)
    .where(options.c.poll_id == bindparam("pid"), options.c.key.in_(bindparam("keys", expanding=True)))
    .values(votes=options.c.votes + 1)
)
_COUNT_VOTER = update(polls).where(polls.c.id == bindparam("pid")).values(total_voters=polls.c.total_voters + 1)


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
        """True when a voter may tick more than one answer (as ``definition.Poll``)."""
        return self.max_choices > 1

    def to_json(self) -> dict[str, Any]:
        """Return the body of GET /api/polls/<id>."""
        return {
            "id": self.id,
            "question": self.question,
            "options": [asdict(option) for option in self.options],
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
class Identity:
    """The voter as the dedup rule sees them; ``address`` stays in memory only."""

    cookie_digest: str | None
    address: str | None
    dedup: str = "cookie+ip"


def status_of(poll: Row, now: datetime) -> str:
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


def get_poll(conn: Connection, poll_id: str) -> Row:
    """Return the poll's row, or raise unknown_poll."""
    if not isinstance(poll_id, str) or not SLUG_RE.match(poll_id) or len(poll_id) > 64:
        raise PollError("unknown_poll")
    row = conn.execute(_POLL, {"pid": poll_id}).first()
    if row is None:
        raise PollError("unknown_poll")
    return row


def has_voted(conn: Connection, poll_id: str, identity: Identity, now: datetime) -> bool:
    """Tell whether the dedup rule would refuse this voter a vote on this poll."""
    return _any_voted(conn, poll_id, _digests_to_check(identity, voter_ids.live_keys(conn, now)))


def _any_voted(conn: Connection, poll_id: str, digests: list[str]) -> bool:
    if not digests:
        return False
    return conn.execute(_VOTED, {"pid": poll_id, "digests": digests}).scalar_one() > 0


def _digests_to_check(identity: Identity, keys: list[bytes]) -> list[str]:
    digests = []
    if identity.dedup in DEDUP_COOKIE and identity.cookie_digest:
        digests.append(identity.cookie_digest)
    if identity.dedup in DEDUP_ADDRESS and identity.address:
        digests += [voter_ids.address_digest(key, identity.address) for key in keys]
    return digests


def tally(
    conn: Connection, poll_id: str, identity: Identity | None, now: datetime, voted: bool | None = None
) -> PollState:
    """Return the poll's state and counts as ``identity`` may see them.

    ``voted`` skips the has-voted query when the caller knows (it has just recorded the vote).
    """
    poll = get_poll(conn, poll_id)
    status = status_of(poll, now)
    if voted is None:
        voted = has_voted(conn, poll_id, identity, now) if identity else False
    visible = (
        poll.results == "always"
        or (poll.results == "after-vote" and (voted or status == "closed"))
        or (poll.results == "after-close" and status == "closed")
    )
    total = poll.total_voters
    results = tuple(
        OptionResult(
            key=row.key,
            label=row.label,
            votes=row.votes if visible else None,
            percent=(round(100 * row.votes / total, 1) if total else 0.0) if visible else None,
        )
        for row in conn.execute(_OPTIONS, {"pid": poll_id})
    )
    return PollState(
        id=poll.id,
        question=poll.question,
        options=results,
        total_voters=total,
        status=status,
        results_visible=visible,
        has_voted=voted,
        max_choices=poll.max_choices,
        opens=poll.opens,
        closes=poll.closes,
        results=poll.results,
        url=poll.url,
    )


def check_choices(choices: Iterable[str], keys: list[str], max_choices: int) -> list[str]:
    """Return the distinct choices in order, or raise invalid_choice / too_many_choices."""
    chosen = list(dict.fromkeys(choices))
    if not chosen:
        raise PollError("invalid_choice", "Choisissez au moins une réponse avant de voter.")
    if any(choice not in keys for choice in chosen):
        raise PollError("invalid_choice")
    if len(chosen) > max_choices:
        limit = "une seule réponse" if max_choices == 1 else f"{max_choices} réponses au plus"
        raise PollError("too_many_choices", f"Trop de réponses cochées : ce sondage accepte {limit}.")
    return chosen


def record_vote(conn: Connection, poll_id: str, choices: list[str], identity: Identity, now: datetime) -> None:
    """Record one voter's choices, or raise the reason for refusing them (nothing recorded)."""
    poll = get_poll(conn, poll_id)
    status = status_of(poll, now)
    if status == "not_open":
        raise PollError("poll_not_open")
    if status == "closed":
        raise PollError("poll_closed")
    keys = [row.key for row in conn.execute(_OPTIONS, {"pid": poll_id})]
    chosen = check_choices(choices, keys, poll.max_choices)

    new_rows = []
    address_keys: list[bytes] = []
    if identity.dedup in DEDUP_COOKIE and identity.cookie_digest:
        new_rows.append({"poll_id": poll_id, "kind": "cookie", "digest": identity.cookie_digest})
    if identity.dedup in DEDUP_ADDRESS and identity.address:
        address_keys = voter_ids.live_keys(conn, now, create=True)
        digest = voter_ids.address_digest(address_keys[0], identity.address)  # today's key
        new_rows.append({"poll_id": poll_id, "kind": "address", "digest": digest})
    if _any_voted(conn, poll_id, _digests_to_check(identity, address_keys)):
        raise PollError("already_voted")
    if new_rows:
        try:
            conn.execute(insert(voters), new_rows)
        except IntegrityError:
            # A concurrent vote by the same voter committed first (PostgreSQL).
            raise PollError("already_voted") from None
    conn.execute(_COUNT_CHOICES, {"pid": poll_id, "keys": chosen})
    conn.execute(_COUNT_VOTER, {"pid": poll_id})


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
    return [
        tuple(row)
        for row in conn.execute(
            select(options.c.key, options.c.label, options.c.votes)
            .where(options.c.poll_id == poll_id)
            .order_by(options.c.position, options.c.key)
        )
    ]


class SyncRefused(Exception):
    """sync-polls would lose votes; ``problems`` says where, in French."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def sync_polls(conn: Connection, definitions: list[Poll]) -> list[str]:
    """Create or update polls from their definitions; return one French line per poll.

    An option key that has votes may not disappear (that would be dropping or renaming
    it): the whole sync is refused with ``SyncRefused`` and the caller rolls back. An option
    without votes that disappeared is deleted. Polls missing from the definitions are kept.
    """
    report, problems = [], []
    for poll in definitions:
        row = conn.execute(select(polls).where(polls.c.id == poll.id)).first()
        values = {
            "question": poll.question,
            "max_choices": poll.max_choices,
            "opens": poll.opens,
            "closes": poll.closes,
            "results": poll.results,
            "url": poll.url,
            "source": poll.source,
        }
        if row is None:
            conn.execute(insert(polls).values(id=poll.id, total_voters=0, **values))
            conn.execute(
                insert(options),
                [
                    {"poll_id": poll.id, "key": o.key, "label": o.label, "position": i, "votes": 0}
                    for i, o in enumerate(poll.options)
                ],
            )
            report.append(f"{poll.id} : créé ({len(poll.options)} réponses).")
            continue
        current = {
            r.key: r
            for r in conn.execute(
                select(options.c.key, options.c.label, options.c.position, options.c.votes).where(
                    options.c.poll_id == poll.id
                )
            )
        }
        wanted = poll.option_keys()
        gone = [key for key in current if key not in wanted]
        voted = [key for key in gone if current[key].votes > 0]
        if voted:
            for key in voted:
                problems.append(
                    f"Sondage « {poll.id} » : la réponse « {key} » ({current[key].label}) a déjà "
                    f"{current[key].votes} vote(s) et a disparu de la définition. Une réponse qui a "
                    "des votes ne peut être ni supprimée ni renommée : remettez-la avec la même clé "
                    f"(« - {key}: … » ; son texte peut changer)."
                )
            continue
        changed = any(
            _comparable(row, name) != _comparable_value(value) for name, value in values.items()
        )
        if changed:
            conn.execute(update(polls).where(polls.c.id == poll.id).values(**values))
        if gone:
            conn.execute(delete(options).where(options.c.poll_id == poll.id, options.c.key.in_(gone)))
            changed = True
        for position, option in enumerate(poll.options):
            existing = current.get(option.key)
            if existing is None:
                conn.execute(
                    insert(options).values(
                        poll_id=poll.id, key=option.key, label=option.label, position=position, votes=0
                    )
                )
                changed = True
            elif (existing.label, existing.position) != (option.label, position):
                conn.execute(
                    update(options)
                    .where(options.c.poll_id == poll.id, options.c.key == option.key)
                    .values(label=option.label, position=position)
                )
                changed = True
        report.append(f"{poll.id} : {'mis à jour' if changed else 'inchangé'}.")
    if problems:
        raise SyncRefused(problems)
    known = {poll.id for poll in definitions}
    for (poll_id,) in conn.execute(select(polls.c.id).order_by(polls.c.id)):
        if poll_id not in known:
            report.append(f"{poll_id} : absent de la définition, conservé avec ses votes.")
    return report


def _comparable(row: Row, name: str) -> Any:
    return _comparable_value(getattr(row, name))


def _comparable_value(value: Any) -> Any:
    return value.timestamp() if isinstance(value, datetime) else value


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
    keys = voter_ids.delete_expired_keys(conn, now)
    return PurgeReport(removed, keys)
