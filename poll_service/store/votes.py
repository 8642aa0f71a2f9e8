"""Record votes, a batch at a time, on the driver connection; and whether a visitor has voted.

``record_batch`` runs inside one write transaction that the caller commits (the group commit
of ``poll_service.writer``): it locks the polls of the batch, checks each ballot (open poll,
valid choices, voter not yet recorded), records the accepted voters' digests and adds the
batch's choices to the counters, then returns each ballot's outcome. Statements go straight
to the database driver (sqlite3, psycopg) with the same few SQL texts every time, so each is
compiled once per connection (sqlite3's statement cache, psycopg's prepared statements).

- **Exact dedup under concurrency, without unique-violation errors.** A voter's digests are
  inserted with ``ON CONFLICT DO NOTHING`` and the rows the insert really wrote come back
  (``RETURNING``): a ballot whose digests were not all written lost a race to another batch
  (another worker or host) and is refused as already voted, its other rows removed in the
  same transaction. PostgreSQL thus never logs a duplicate key (with the digest) at all.
- **No time order, no pair.** The rows of a batch are written sorted by digest (random
  values), and SQLite keeps ``voters`` WITHOUT ROWID, keyed by digest: nothing kept follows
  the order in which people voted. Counters move once per batch by the batch's sums, so a
  commit holding several votes does not pair one voter with one answer.
- **Locks in one order.** Poll rows are locked (PostgreSQL ``FOR UPDATE``; SQLite's
  ``BEGIN IMMEDIATE`` holds the whole database) in id order before anything is written, so
  batches on a poll follow each other and never deadlock, and an admin's close counts at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from ..errors import PollError
from ..schema import voters as voters_table
from .state import PollSnapshot, PollState, check_poll_id, status_of

DEDUP_COOKIE = ("cookie+ip", "cookie")
DEDUP_ADDRESS = ("cookie+ip", "ip")

_POLL_COLUMNS = (
    "p.id, p.question, p.max_choices, p.opens, p.closes, p.results, p.url, p.admin_state, "
    "p.admin_closed_at, p.total_voters"
)


@dataclass(frozen=True)
class Identity:
    """The voter as the dedup rule sees them: digests only, computed by ``visitor.identity``.

    ``cookie_digest`` is None when the rule ignores cookies; ``address_digests`` holds the
    address under today's key, then yesterday's, and is empty when the rule ignores addresses.
    """

    cookie_digest: str | None
    address_digests: tuple[str, ...] = ()
    # The cookie's id was drawn for this very vote (144 random bits): its digest cannot be
    # recorded yet, so the batch does not look it up (it is still inserted, and checked).
    new_cookie: bool = False

    def checked(self) -> list[tuple[str, str]]:
        """Return the (kind, digest) pairs that refuse a vote when already recorded."""
        found = [("cookie", self.cookie_digest)] if self.cookie_digest else []
        return found + [("address", digest) for digest in self.address_digests]

    def looked_up(self) -> list[tuple[str, str]]:
        """Return the pairs of ``checked`` that may already be in the database."""
        found = [("cookie", self.cookie_digest)] if self.cookie_digest and not self.new_cookie else []
        return found + [("address", digest) for digest in self.address_digests]

    def recorded(self) -> list[tuple[str, str]]:
        """Return the (kind, digest) pairs a vote records: the cookie's and today's address."""
        found = [("cookie", self.cookie_digest)] if self.cookie_digest else []
        return found + [("address", digest) for digest in self.address_digests[:1]]


@dataclass(frozen=True)
class Ballot:
    """One vote to record: the poll, the distinct choices in order, who votes."""

    poll_id: str
    choices: tuple[str, ...]
    identity: Identity


class AlreadyVoted(PollError):
    """already_voted, with the poll as this voter may now see it (results included).

    ``by_cookie`` says the voter cookie itself had voted (not only the address).
    """

    def __init__(self, poll: PollState, by_cookie: bool):
        super().__init__("already_voted")
        self.poll = poll
        self.by_cookie = by_cookie


Outcome = PollSnapshot | PollError


def has_voted(conn: Connection, poll_id: str, identity: Identity) -> bool:
    """Tell whether the dedup rule would refuse this voter a vote on this poll (a read)."""
    checked = identity.checked()
    if not checked:
        return False
    check_poll_id(poll_id)
    known = (
        select(voters_table.c.kind)
        .where(
            voters_table.c.poll_id == poll_id,
            or_(*(and_(voters_table.c.kind == kind, voters_table.c.digest == digest) for kind, digest in checked)),
        )
        .limit(1)
    )
    return conn.execute(known).first() is not None


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


def check_open(poll: PollSnapshot, now: datetime) -> None:
    """Raise poll_not_open or poll_closed unless the poll takes votes at ``now``."""
    status = status_of(poll, now)
    if status == "not_open":
        raise PollError("poll_not_open")
    if status == "closed":
        raise PollError("poll_closed")


class Statements:
    """The SQL of a batch for one driver: parameter style, locks, set-based dedup."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        p = "?" if dialect == "sqlite" else "%s"
        lock = "" if dialect == "sqlite" else " FOR UPDATE"
        # SQLite: the poll and its options in one statement (BEGIN IMMEDIATE already holds
        # the database). PostgreSQL: the poll's row is locked first, then its options are read
        # by a second statement, whose snapshot is taken once the lock is held; in one joined
        # statement they would be read as they were before a sync-polls it waited for.
        self.poll = f"SELECT {_POLL_COLUMNS} FROM polls AS p WHERE p.id = {p}{lock}"
        if dialect == "sqlite":
            self.poll = (f"SELECT {_POLL_COLUMNS}, o.key, o.label, o.votes FROM polls AS p "
                         "LEFT JOIN options AS o ON o.poll_id = p.id WHERE p.id = ? ORDER BY o.position, o.key")
        self.options = f"SELECT key, label, votes FROM options WHERE poll_id = {p} ORDER BY position, key"
        self.count_voters = f"UPDATE polls SET total_voters = total_voters + {p} WHERE id = {p}"
        self.count_choice = f"UPDATE options SET votes = votes + {p} WHERE poll_id = {p} AND key = {p}"
        self.forget = f"DELETE FROM voters WHERE poll_id = {p} AND kind = {p} AND digest = {p}"
        self.known = f"SELECT 1 FROM voters WHERE poll_id = {p} AND kind = {p} AND digest = {p}"


_STATEMENTS: dict[str, Statements] = {}
# Parameters per statement at most (SQLite's limit is far above; statements stay short).
_CHUNK = 300


def _utc(value: Any) -> datetime | None:
    """Read a stored date (naive UTC; a string on SQLite) as an aware datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc)


def _snapshot(poll: Sequence[Any], options: Iterable[Sequence[Any]]) -> PollSnapshot:
    """Build a snapshot from a poll row (_POLL_COLUMNS) and its (key, label, votes) rows."""
    (id_, question, max_choices, opens, closes, results, url, admin_state, admin_closed_at,
     total_voters) = poll[:10]
    return PollSnapshot(
        id=id_,
        question=question,
        max_choices=max_choices,
        opens=_utc(opens),
        closes=_utc(closes),
        results=results,
        url=url,
        admin_state=admin_state,
        admin_closed_at=_utc(admin_closed_at),
        total_voters=total_voters,
        options=tuple((key, label, votes) for key, label, votes in options),
    )


def _read_poll(conn: Any, sql: Statements, poll_id: str) -> PollSnapshot | None:
    """SQLite: the poll and its options, one statement."""
    rows = conn.execute(sql.poll, (poll_id,)).fetchall()
    if not rows:
        return None
    return _snapshot(rows[0], (row[10:13] for row in rows if row[10] is not None))


_LOOKUP_PG = (
    "SELECT poll_id, kind, digest FROM voters WHERE (poll_id, kind, digest) IN "
    "(SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[]))"
)


def _read_postgresql(conn: Any, sql: Statements, poll_ids: list[str], pairs: set[tuple[str, str, str]],
                     ) -> tuple[dict[str, PollSnapshot | None], set[tuple[str, str, str]]]:
    """PostgreSQL: lock and read the batch's polls, their options and the digests already
    recorded, in one round trip (psycopg's pipeline: BEGIN and the statements go together).

    The server still runs them in order: each options read starts after its poll's lock is
    held, so it sees the poll as a sync-polls it waited for left it.
    """
    with conn.pipeline():
        reads = [(poll_id, conn.execute(sql.poll, (poll_id,), prepare=True),
                  conn.execute(sql.options, (poll_id,), prepare=True)) for poll_id in poll_ids]
        columns = [list(column) for column in zip(*sorted(pairs))]
        lookup = conn.execute(_LOOKUP_PG, columns, prepare=True) if pairs else None
    polls: dict[str, PollSnapshot | None] = {}
    for poll_id, poll, options in reads:
        rows = poll.fetchall()
        polls[poll_id] = _snapshot(rows[0], options.fetchall()) if rows else None
    return polls, {tuple(row) for row in lookup.fetchall()} if lookup else set()


def _recorded(conn: Any, sql: Statements, pairs: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Return which (poll_id, kind, digest) of ``pairs`` are already recorded."""
    if not pairs:
        return set()
    ordered = sorted(pairs)
    if sql.dialect == "sqlite":
        # One statement per poll and kind, the digests in an IN list: the primary key finds
        # each (a row-value IN list would scan the table), and the writer gives the GIL up
        # once per statement, not once per digest.
        groups: dict[tuple[str, str], list[str]] = {}
        for poll_id, kind, digest in ordered:
            groups.setdefault((poll_id, kind), []).append(digest)
        found = set()
        for (poll_id, kind), digests in groups.items():
            for start in range(0, len(digests), _CHUNK):
                part = digests[start:start + _CHUNK]
                cursor = conn.execute(
                    "SELECT digest FROM voters WHERE poll_id = ? AND kind = ? AND digest IN "
                    f"({', '.join('?' * len(part))})",
                    (poll_id, kind, *part),
                )
                found.update((poll_id, kind, row[0]) for row in cursor.fetchall())
        return found
    columns = [list(column) for column in zip(*ordered)]
    return {tuple(row) for row in conn.execute(_LOOKUP_PG, columns, prepare=True).fetchall()}


def _insert(conn: Any, sql: Statements, rows: list[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Insert voter rows sorted by digest; return the rows really written (no error on conflict)."""
    if not rows:
        return set()
    ordered = sorted(rows, key=lambda row: (row[2], row[0], row[1]))
    if sql.dialect == "sqlite":
        # The batch holds SQLite's write lock and checked these rows: none is there yet, and
        # one multi-row statement writes them all (a conflict would be a bug: the batch fails).
        before = conn.total_changes
        for start in range(0, len(ordered), _CHUNK // 3):
            part = ordered[start:start + _CHUNK // 3]
            conn.execute(
                "INSERT INTO voters (poll_id, kind, digest) VALUES "
                + ", ".join(["(?, ?, ?)"] * len(part)) + " ON CONFLICT DO NOTHING",
                [value for row in part for value in row],
            )
        if conn.total_changes - before != len(ordered):
            raise RuntimeError("voter rows changed under the batch's write lock")
        return set(ordered)
    columns = [list(column) for column in zip(*ordered)]
    cursor = conn.execute(
        "INSERT INTO voters (poll_id, kind, digest) "
        "SELECT p, k, d FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[]) AS t(p, k, d) ORDER BY d, p, k "
        "ON CONFLICT DO NOTHING RETURNING poll_id, kind, digest",
        columns,
        prepare=True,
    )
    return {tuple(row) for row in cursor.fetchall()}


def record_batch(conn: Any, dialect: str, ballots: Sequence[Ballot], now: datetime) -> list[Outcome]:
    """Record a batch of ballots in the caller's write transaction; return each one's outcome.

    An outcome is the poll as the batch leaves it (the vote is counted) or the ``PollError``
    that refuses it. The caller commits, then answers each ballot.
    """
    sql = _STATEMENTS.get(dialect) or _STATEMENTS.setdefault(dialect, Statements(dialect))
    poll_ids = sorted({ballot.poll_id for ballot in ballots if _valid_id(ballot.poll_id)})
    known: set[tuple[str, str, str]] | None = None
    if dialect == "sqlite":
        polls = {poll_id: _read_poll(conn, sql, poll_id) for poll_id in poll_ids}
    else:
        # Every ballot's digests are looked up with the polls (a refused ballot's too: a few
        # more digests, but no second round trip).
        pairs = {(b.poll_id, kind, digest) for b in ballots if b.poll_id in poll_ids
                 for kind, digest in b.identity.looked_up()}
        polls, known = _read_postgresql(conn, sql, poll_ids, pairs)  # locked, in id order

    outcomes: list[Outcome | None] = [None] * len(ballots)
    chosen: dict[int, list[str]] = {}
    for index, ballot in enumerate(ballots):
        poll = polls.get(ballot.poll_id)
        try:
            if poll is None:
                raise PollError("unknown_poll")
            check_open(poll, now)
            chosen[index] = check_choices(ballot.choices, poll.option_keys(), poll.max_choices)
        except PollError as refusal:
            outcomes[index] = refusal

    if known is None:
        looked_up = {(ballots[i].poll_id, kind, digest) for i in chosen for kind, digest in ballots[i].identity.looked_up()}
        known = _recorded(conn, sql, looked_up)
    # First come, first served inside the batch too: a ballot whose digest an earlier one of
    # the batch records is a second vote.
    claimed: set[tuple[str, str, str]] = set()
    refused_by: dict[int, bool] = {}
    to_write: list[tuple[str, str, str]] = []
    owner: dict[tuple[str, str, str], int] = {}
    for index in list(chosen):
        ballot = ballots[index]
        mine = [(ballot.poll_id, kind, digest) for kind, digest in ballot.identity.checked()]
        taken = [pair for pair in mine if pair in known or pair in claimed]
        if taken:
            refused_by[index] = any(kind == "cookie" for _, kind, _ in taken)
            del chosen[index]
            continue
        for pair in ((ballot.poll_id, kind, digest) for kind, digest in ballot.identity.recorded()):
            claimed.add(pair)
            owner[pair] = index
            to_write.append(pair)
        claimed.update(mine)

    written = _insert(conn, sql, to_write)
    lost = {owner[pair] for pair in to_write if pair not in written}
    if lost:
        # Another batch recorded one of these voters since our check (another worker or
        # host): their vote is refused, and what this batch wrote for them is taken back.
        for pair in to_write:
            if owner[pair] in lost and pair in written:
                conn.execute(sql.forget, pair)
        for index in lost:
            refused_by[index] = False
            del chosen[index]

    voters = Counter(ballots[index].poll_id for index in chosen)
    choices = Counter((ballots[index].poll_id, key) for index, keys in chosen.items() for key in keys)
    counts = [(count, poll_id, key) for (poll_id, key), count in sorted(choices.items())]
    if dialect == "sqlite":
        for poll_id in sorted(voters):
            conn.execute(sql.count_voters, (voters[poll_id], poll_id))
        if counts:
            conn.executemany(sql.count_choice, counts)
    elif voters:
        # One round trip for every counter of the batch (the polls' rows are locked already).
        ids = sorted(voters)
        conn.execute(
            "WITH counted AS (UPDATE polls SET total_voters = polls.total_voters + t.n "
            "FROM unnest(%s::varchar[], %s::int[]) AS t(id, n) WHERE polls.id = t.id) "
            "UPDATE options SET votes = options.votes + c.n "
            "FROM unnest(%s::varchar[], %s::varchar[], %s::int[]) AS c(p, k, n) "
            "WHERE options.poll_id = c.p AND options.key = c.k",
            (ids, [voters[poll_id] for poll_id in ids], [row[1] for row in counts],
             [row[2] for row in counts], [row[0] for row in counts]),
            prepare=True,
        )

    after = {poll_id: _counted(poll, voters[poll_id], choices) for poll_id, poll in polls.items() if poll}
    for index in chosen:
        outcomes[index] = after[ballots[index].poll_id]
    for index, by_cookie in refused_by.items():
        outcomes[index] = AlreadyVoted(after[ballots[index].poll_id].state(now, True), by_cookie)
    assert all(outcome is not None for outcome in outcomes)
    return outcomes  # type: ignore[return-value]


def _valid_id(poll_id: str) -> bool:
    try:
        check_poll_id(poll_id)
    except PollError:
        return False
    return True


def _counted(poll: PollSnapshot, voters: int, choices: Counter) -> PollSnapshot:
    """Return the poll with this batch's votes added."""
    options = tuple((key, label, votes + choices[(poll.id, key)]) for key, label, votes in poll.options)
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
        total_voters=poll.total_voters + voters,
        options=options,
    )
