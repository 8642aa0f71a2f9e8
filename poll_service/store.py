"""The queries: plain functions that take a connection and return plain data.

Callers own the transaction (``db.transaction``); ``record_vote`` must run in a write
transaction so that a voter's identifiers, the option counters and the total are all
recorded, or none. Counts live in ``options.votes`` and ``polls.total_voters`` rather than
being recomputed from ballots: the database never links a voter to an answer, and results
survive the purge of voter identifiers unchanged.

A vote is four statements: read the poll, its options and whether this voter is known (one
query); record the voter; count them in the total; count their choices. The last two return
the rows they wrote, so the state the vote answers needs no further query, and it is exact:
the total's update locks the poll's row until the commit (PostgreSQL; on SQLite, BEGIN
IMMEDIATE holds the whole database), so no other vote on the poll commits in between. On
PostgreSQL that lock is held for the last two statements only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, case, delete, insert, literal, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from . import voters as voter_ids
from .definition import SLUG_RE, Poll
from .errors import PollError
from .schema import options, polls, voters

DEDUP_COOKIE = ("cookie+ip", "cookie")
DEDUP_ADDRESS = ("cookie+ip", "ip")


# Built once: these run on every vote or read.
_POLL_COLUMNS = (
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
_SNAPSHOT = (
    select(*_POLL_COLUMNS, options.c.key, options.c.label, options.c.votes)
    .select_from(polls.outerjoin(options, options.c.poll_id == polls.c.id))
    .where(polls.c.id == bindparam("pid"))
    .order_by(options.c.position, options.c.key)
)
# The same, and whether the voter's cookie or address digests are recorded on the poll. A
# missing digest is NULL, which matches nothing. "kind = ..." lets the primary key (poll_id,
# kind, digest) find the rows directly in a poll of many voters.
_COOKIE_VOTED = (
    select(literal(1))
    .where(
        voters.c.poll_id == bindparam("pid"),
        voters.c.kind == "cookie",
        voters.c.digest == bindparam("cookie", type_=String),
    )
    .exists()
)
_ADDRESS_VOTED = (
    select(literal(1))
    .where(
        voters.c.poll_id == bindparam("pid"),
        voters.c.kind == "address",
        voters.c.digest.in_([bindparam("today", type_=String), bindparam("yesterday", type_=String)]),
    )
    .exists()
)
_SNAPSHOT_AND_VOTED = _SNAPSHOT.add_columns(
    _COOKIE_VOTED.label("cookie_voted"), _ADDRESS_VOTED.label("address_voted")
)
_INSERT_VOTER = insert(voters)
# Count the voter; this locks the poll's row (PostgreSQL) until the commit, and gives the
# poll as it is now (an admin may have closed it a moment ago).
_COUNT_VOTER = (
    update(polls)
    .where(polls.c.id == bindparam("pid"))
    .values(total_voters=polls.c.total_voters + 1)
    .returning(*_POLL_COLUMNS)
)
# Count the choices. Every option row of the poll is written (+0 for the others) so that all
# of them come back with their counts as this vote leaves them.
_OPTION_RESULT = (options.c.key, options.c.label, options.c.votes, options.c.position)
_COUNT_CHOICE = (
    update(options)
    .where(options.c.poll_id == bindparam("pid"))
    .values(votes=options.c.votes + case((options.c.key == bindparam("choice", type_=String), 1), else_=0))
    .returning(*_OPTION_RESULT)
)
_COUNT_CHOICES = (
    update(options)
    .where(options.c.poll_id == bindparam("pid"))
    .values(votes=options.c.votes + case((options.c.key.in_(bindparam("keys", expanding=True)), 1), else_=0))
    .returning(*_OPTION_RESULT)
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
        """True when a voter may tick more than one answer (as ``definition.Poll``)."""
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
class Identity:
    """The voter as the dedup rule sees them; ``address`` stays in memory only."""

    cookie_digest: str | None
    address: str | None
    dedup: str = "cookie+ip"


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


def _snapshot(poll: Row | tuple, option_rows: Iterable[tuple]) -> PollSnapshot:
    (poll_id, question, max_choices, opens, closes, results, url, admin_state, admin_closed_at,
     total_voters) = poll[:10]
    return PollSnapshot(
        id=poll_id,
        question=question,
        max_choices=max_choices,
        opens=opens,
        closes=closes,
        results=results,
        url=url,
        admin_state=admin_state,
        admin_closed_at=admin_closed_at,
        total_voters=total_voters,
        options=tuple((key, label, votes) for key, label, votes, *_ in option_rows),
    )


class AlreadyVoted(PollError):
    """already_voted, with the poll as this voter may now see it (results included).

    ``by_cookie`` says the voter cookie itself had voted (not only the address).
    """

    def __init__(self, poll: PollState, by_cookie: bool):
        super().__init__("already_voted")
        self.poll = poll
        self.by_cookie = by_cookie


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


def _check_id(poll_id: str) -> None:
    if not isinstance(poll_id, str) or not SLUG_RE.match(poll_id) or len(poll_id) > 64:
        raise PollError("unknown_poll")


def get_poll(conn: Connection, poll_id: str) -> Row:
    """Return the poll's row, or raise unknown_poll."""
    _check_id(poll_id)
    row = conn.execute(_POLL, {"pid": poll_id}).first()
    if row is None:
        raise PollError("unknown_poll")
    return row


def load_snapshot(conn: Connection, poll_id: str) -> PollSnapshot:
    """Read a poll's definition and counts with one query, or raise unknown_poll."""
    _check_id(poll_id)
    rows = conn.execute(_SNAPSHOT, {"pid": poll_id}).all()
    if not rows:
        raise PollError("unknown_poll")
    return _snapshot(rows[0], (row[10:13] for row in rows if row[10] is not None))


def _load_with_voted(
    conn: Connection, poll_id: str, digests: dict[str, str | None]
) -> tuple[PollSnapshot, bool, bool]:
    """Read the poll like ``load_snapshot``, and whether the cookie, the address have voted."""
    _check_id(poll_id)
    rows = conn.execute(_SNAPSHOT_AND_VOTED, {"pid": poll_id, **digests}).all()
    if not rows:
        raise PollError("unknown_poll")
    snapshot = _snapshot(rows[0], (row[10:13] for row in rows if row[10] is not None))
    return snapshot, bool(rows[0][13]), bool(rows[0][14])


def has_voted(
    conn: Connection, poll_id: str, identity: Identity, now: datetime, key_cache: voter_ids.KeyCache | None = None
) -> bool:
    """Tell whether the dedup rule would refuse this voter a vote on this poll."""
    digests = _digests(identity, voter_ids.live_keys(conn, now, cache=key_cache))
    if not any(digests.values()):
        return False
    _, cookie_voted, address_voted = _load_with_voted(conn, poll_id, digests)
    return cookie_voted or address_voted


def _digests(identity: Identity, keys: list[bytes]) -> dict[str, str | None]:
    """Return the digests the dedup rule checks: the cookie's, the address under each day's key."""
    found: dict[str, str | None] = {"cookie": None, "today": None, "yesterday": None}
    if identity.dedup in DEDUP_COOKIE and identity.cookie_digest:
        found["cookie"] = identity.cookie_digest
    if identity.dedup in DEDUP_ADDRESS and identity.address:
        for name, key in zip(("today", "yesterday"), keys):
            found[name] = voter_ids.address_digest(key, identity.address)
    return found


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


def record_vote(
    conn: Connection,
    poll_id: str,
    choices: list[str],
    identity: Identity,
    now: datetime,
    key_cache: voter_ids.KeyCache | None = None,
) -> PollSnapshot:
    """Record one voter's choices and return the poll as the vote leaves it.

    Raise the reason for refusing them otherwise; the caller's transaction then rolls back
    and nothing is recorded.
    """
    _check_id(poll_id)
    wants_address = identity.dedup in DEDUP_ADDRESS and identity.address
    # Today's key first: the day's first vote makes it (and deletes expired keys).
    keys = voter_ids.live_keys(conn, now, create=True, cache=key_cache) if wants_address else []
    digests = _digests(identity, keys)
    before, cookie_voted, address_voted = _load_with_voted(conn, poll_id, digests)
    _check_open(before, now)
    chosen = check_choices(choices, [key for key, _, _ in before.options], before.max_choices)
    if cookie_voted or address_voted:
        raise AlreadyVoted(before.state(now, True), by_cookie=cookie_voted)

    new_rows = [
        {"poll_id": poll_id, "kind": kind, "digest": digests[name]}
        for kind, name in (("cookie", "cookie"), ("address", "today"))
        if digests[name]
    ]
    if new_rows:
        try:
            conn.execute(_INSERT_VOTER, new_rows if len(new_rows) > 1 else new_rows[0])
        except IntegrityError:
            # The same voter's other vote committed between our check and our insert.
            raise AlreadyVoted(before.state(now, True), by_cookie=False) from None
    poll = conn.execute(_COUNT_VOTER, {"pid": poll_id}).first()
    _check_open(poll, now)  # the row as it is now, locked: closed meanwhile means refused
    if len(chosen) == 1:
        counted = conn.execute(_COUNT_CHOICE, {"pid": poll_id, "choice": chosen[0]}).all()
    else:
        counted = conn.execute(_COUNT_CHOICES, {"pid": poll_id, "keys": chosen}).all()
    if not set(chosen) <= {row.key for row in counted}:
        raise PollError("invalid_choice")  # an option removed by sync-polls meanwhile
    return _snapshot(poll, sorted(counted, key=lambda row: (row.position, row.key)))


def _check_open(poll: Row | PollSnapshot | None, now: datetime) -> None:
    if poll is None:
        raise PollError("unknown_poll")
    status = status_of(poll, now)
    if status == "not_open":
        raise PollError("poll_not_open")
    if status == "closed":
        raise PollError("poll_closed")


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
    Votes may arrive meanwhile: each poll's row is locked first, so they wait for the commit.
    """
    report, problems = [], []
    for poll in definitions:
        # Lock the poll's row (PostgreSQL) before reading its counts: a vote writes its voter
        # row (whose foreign key shares that lock) and counts itself on the poll's row before
        # counting its choices, so none commits between our read and our delete; it waits.
        row = conn.execute(select(polls).where(polls.c.id == poll.id).with_for_update()).first()
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
            problems.extend(_voted_option_gone(poll.id, key, current[key].label, current[key].votes) for key in voted)
            continue
        changed = any(
            _comparable(row, name) != _comparable_value(value) for name, value in values.items()
        )
        if changed:
            conn.execute(update(polls).where(polls.c.id == poll.id).values(**values))
        if gone:
            # Only options still without votes: should a vote have slipped in after all, it is
            # kept and the sync refused rather than the vote silently dropped.
            deleted = conn.execute(
                delete(options).where(options.c.poll_id == poll.id, options.c.key.in_(gone), options.c.votes == 0)
            ).rowcount
            if deleted != len(gone):
                kept = conn.execute(
                    select(options.c.key, options.c.label, options.c.votes).where(
                        options.c.poll_id == poll.id, options.c.key.in_(gone)
                    )
                ).all()
                raise SyncRefused([_voted_option_gone(poll.id, *option) for option in kept])
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


def _voted_option_gone(poll_id: str, key: str, label: str, votes: int) -> str:
    return (
        f"Sondage « {poll_id} » : la réponse « {key} » ({label}) a déjà {votes} vote(s) et a "
        "disparu de la définition. Une réponse qui a des votes ne peut être ni supprimée ni "
        f"renommée : remettez-la avec la même clé (« - {key}: … » ; son texte peut changer)."
    )


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
    # Every run, even with nothing to delete: this also empties SQLite's write-ahead log when
    # an earlier deletion could not (docs/privacy.md).
    voter_ids.forget_after_commit(conn)
    return PurgeReport(removed, keys)
