"""Record a vote, or tell why not; and whether a visitor has voted.

A vote is four statements: read the poll, its options and whether this voter is known (one
query); record the voter; count them in the total; count their choices. The last two return
the rows they wrote, so the state the vote answers needs no further query, and it is exact:
the total's update locks the poll's row until the commit (PostgreSQL; on SQLite, BEGIN
IMMEDIATE holds the whole database), so no other vote on the poll commits in between.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, bindparam, case, insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .. import address_keys
from ..errors import PollError
from ..schema import options, polls, voters
from .state import POLL_COLUMNS, SNAPSHOT, PollSnapshot, PollState, check_poll_id, snapshot_of, status_of

DEDUP_COOKIE = ("cookie+ip", "cookie")
DEDUP_ADDRESS = ("cookie+ip", "ip")

# Whether the voter's cookie or address digests are recorded on the poll. A missing digest
# is NULL, which matches nothing. "kind = ..." lets the primary key (poll_id, kind, digest)
# find the rows directly in a poll of many voters.
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
_SNAPSHOT_AND_VOTED = SNAPSHOT.add_columns(
    _COOKIE_VOTED.label("cookie_voted"), _ADDRESS_VOTED.label("address_voted")
)
_INSERT_VOTER = insert(voters)
# Count the voter; this locks the poll's row (PostgreSQL) until the commit, and gives the
# poll as it is now (an admin may have closed it a moment ago).
_COUNT_VOTER = (
    update(polls)
    .where(polls.c.id == bindparam("pid"))
    .values(total_voters=polls.c.total_voters + 1)
    .returning(*POLL_COLUMNS)
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
class Identity:
    """The voter as the dedup rule sees them; ``address`` stays in memory only."""

    cookie_digest: str | None
    address: str | None
    dedup: str = "cookie+ip"


class AlreadyVoted(PollError):
    """already_voted, with the poll as this voter may now see it (results included).

    ``by_cookie`` says the voter cookie itself had voted (not only the address).
    """

    def __init__(self, poll: PollState, by_cookie: bool):
        super().__init__("already_voted")
        self.poll = poll
        self.by_cookie = by_cookie


def _load_with_voted(
    conn: Connection, poll_id: str, digests: dict[str, str | None]
) -> tuple[PollSnapshot, bool, bool]:
    """Read the poll like ``state.load_snapshot``, and whether the cookie, the address have voted."""
    check_poll_id(poll_id)
    rows = conn.execute(_SNAPSHOT_AND_VOTED, {"pid": poll_id, **digests}).all()
    if not rows:
        raise PollError("unknown_poll")
    snapshot = snapshot_of(rows[0], (row for row in rows if row.key is not None))
    return snapshot, bool(rows[0].cookie_voted), bool(rows[0].address_voted)


def has_voted(
    conn: Connection, poll_id: str, identity: Identity, now: datetime, key_cache: address_keys.KeyCache | None = None
) -> bool:
    """Tell whether the dedup rule would refuse this voter a vote on this poll."""
    digests = _digests(identity, address_keys.live_keys(conn, now, cache=key_cache))
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
            found[name] = address_keys.address_digest(key, identity.address)
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


def check_open(poll: object, now: datetime) -> None:
    """Raise unknown_poll, poll_not_open or poll_closed unless the poll takes votes at ``now``."""
    if poll is None:
        raise PollError("unknown_poll")
    status = status_of(poll, now)  # type: ignore[arg-type]
    if status == "not_open":
        raise PollError("poll_not_open")
    if status == "closed":
        raise PollError("poll_closed")


def record_vote(
    conn: Connection,
    poll_id: str,
    choices: list[str],
    identity: Identity,
    now: datetime,
    key_cache: address_keys.KeyCache | None = None,
) -> PollSnapshot:
    """Record one voter's choices and return the poll as the vote leaves it.

    Raise the reason for refusing them otherwise; the caller's transaction then rolls back
    and nothing is recorded.
    """
    check_poll_id(poll_id)
    wants_address = identity.dedup in DEDUP_ADDRESS and identity.address
    # Today's key first: the day's first vote makes it (and deletes expired keys).
    keys = address_keys.live_keys(conn, now, create=True, cache=key_cache) if wants_address else []
    digests = _digests(identity, keys)
    before, cookie_voted, address_voted = _load_with_voted(conn, poll_id, digests)
    check_open(before, now)
    chosen = check_choices(choices, before.option_keys(), before.max_choices)
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
    check_open(poll, now)  # the row as it is now, locked: closed meanwhile means refused
    if len(chosen) == 1:
        counted = conn.execute(_COUNT_CHOICE, {"pid": poll_id, "choice": chosen[0]}).all()
    else:
        counted = conn.execute(_COUNT_CHOICES, {"pid": poll_id, "keys": chosen}).all()
    if not set(chosen) <= {row.key for row in counted}:
        raise PollError("invalid_choice")  # an option removed by sync-polls meanwhile
    return snapshot_of(poll, sorted(counted, key=lambda row: (row.position, row.key)))
