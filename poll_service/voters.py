"""Tell voters apart without knowing who they are: the voter cookie and the address hash.

- The cookie holds a random id, the time it was first set and the ids of the polls this
  browser voted on, signed with POLL_SECRET_KEY (itsdangerous, shipped with Flask); the
  database keeps only an HMAC of the random id. The poll list lets a read say "you have
  voted" without asking the database; it never holds an answer.
- The client address is hashed with HMAC-SHA256 under a key that changes every day
  (Europe/Paris). The key lives in ``address_keys`` so every worker and host agrees on it,
  and it is deleted the day after its own: from then on nobody, us included, can find
  which address gave a stored hash by trying all 2^32 IPv4 addresses. The raw address
  lives only in memory, for the length of a request. Each process also keeps today's and
  yesterday's keys in memory once today's exists (``KeyCache``), and forgets them at its
  first vote of another day.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from itsdangerous import BadSignature, Signer
from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Connection

from .definition import PARIS
from .schema import address_keys

COOKIE_NAME = "votant"
# 13 months, the longest lifetime the CNIL accepts for a cookie; never extended on reuse.
COOKIE_MAX_AGE = 395 * 24 * 3600
# The cookie remembers this many polls at most (the latest); 40 ids of 64 characters still
# fit well within the 4 KB a browser keeps per cookie.
MAX_COOKIE_POLLS = 40
MAX_COOKIE_CHARS = 4000
_SALT = "poll-service.voter-cookie.v2"
# The first format held the random id only; such cookies are still read (see VoterCookie).
_LEGACY_SALT = "poll-service.voter-cookie"


@dataclass(frozen=True)
class VoterCookie:
    """The content of a validly signed voter cookie.

    ``issued`` is when it was first set (Unix seconds): a rewritten cookie keeps the expiry
    it had. ``polls`` are the polls this browser voted on, oldest first. A cookie of the first
    format has ``issued`` None and no poll list: whether it voted is asked of the database.
    """

    voter_id: str
    issued: int | None
    polls: tuple[str, ...] = ()

    @property
    def legacy(self) -> bool:
        """True for a cookie of the first format (a random id and nothing else)."""
        return self.issued is None

    def expires_at(self) -> int | None:
        """Return when the browser drops this cookie (Unix seconds), if known."""
        return None if self.issued is None else self.issued + COOKIE_MAX_AGE

    def with_poll(self, poll_id: str) -> VoterCookie:
        """Return this cookie with ``poll_id`` added as its latest poll (at most MAX_COOKIE_POLLS)."""
        polls = tuple(p for p in self.polls if p != poll_id) + (poll_id,)
        return VoterCookie(self.voter_id, self.issued, polls[-MAX_COOKIE_POLLS:])


def new_cookie_id() -> str:
    """Return a fresh random voter id."""
    return secrets.token_urlsafe(18)


@lru_cache(maxsize=16)
def _signer(secret_key: str, salt: str) -> Signer:
    return Signer(secret_key, salt=salt)


def sign_cookie(secret_key: str, cookie: VoterCookie) -> str:
    """Return the cookie value carrying ``cookie`` (always in the current format)."""
    if cookie.issued is None:
        raise ValueError("a cookie is written with the time it was first set")
    # "." separates the fields: ids are URL-safe base64, times digits, poll ids slugs.
    payload = ".".join((cookie.voter_id, str(cookie.issued), *cookie.polls[-MAX_COOKIE_POLLS:]))
    return _signer(secret_key, _SALT).sign(payload).decode()


def read_cookie(secret_key: str, value: str | None) -> VoterCookie | None:
    """Return the content of a cookie value, or None when it is absent, forged or garbled."""
    if not value or len(value) > MAX_COOKIE_CHARS:
        return None
    try:
        payload = _signer(secret_key, _SALT).unsign(value).decode()
    except (BadSignature, UnicodeError):
        try:
            return VoterCookie(_signer(secret_key, _LEGACY_SALT).unsign(value).decode(), None)
        except (BadSignature, UnicodeError):
            return None
    voter_id, _, rest = payload.partition(".")
    issued, _, polls = rest.partition(".")
    if not voter_id or not issued.isdigit():
        return None
    return VoterCookie(voter_id, int(issued), tuple(polls.split(".")) if polls else ())


def cookie_digest(secret_key: str, cookie_id: str) -> str:
    """Return what the database stores for a voter id."""
    return hmac.new(secret_key.encode(), b"cookie:" + cookie_id.encode(), hashlib.sha256).hexdigest()


def normalise_address(address: str | None) -> str | None:
    """Return one spelling per address (so ::ffff:192.0.2.1 and 192.0.2.1 hash alike)."""
    if not address:
        return None
    text = address.strip()[:100]
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return text or None  # not an IP (a misconfigured proxy): still hashed, never kept
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def address_digest(key: bytes, address: str) -> str:
    """Return the HMAC of a full client address under one day's key."""
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def paris_day(now: datetime) -> date:
    """Return the Europe/Paris calendar day of an aware datetime."""
    return now.astimezone(PARIS).date()


_KEYS_OF_DAYS = select(address_keys.c.day, address_keys.c.secret).where(
    address_keys.c.day.in_(bindparam("days", expanding=True))
)
# Near midnight another host, its clock a little behind, may still create "yesterday's" key:
# its absence is only believed once the day is this old.
_SETTLED = timedelta(minutes=10)


class KeyCache:
    """Today's and yesterday's keys as this process last read them, once today's exists.

    A key never changes once stored and today's is never deleted, so after today's key has
    been read it is asked of the database again only when the Paris day changes.
    """

    def __init__(self) -> None:
        self._day: str | None = None
        self._keys: list[bytes] = []
        self._lock = threading.Lock()

    def get(self, day: str) -> list[bytes] | None:
        """Return the keys kept for ``day``; keys of another day are forgotten."""
        with self._lock:
            if self._day == day:
                return list(self._keys)
            self._day, self._keys = None, []
            return None

    def put(self, day: str, keys: list[bytes]) -> None:
        with self._lock:
            self._day, self._keys = day, list(keys)

    def clear(self) -> None:
        with self._lock:
            self._day, self._keys = None, []


def live_keys(conn: Connection, now: datetime, create: bool = False, cache: KeyCache | None = None) -> list[bytes]:
    """Return today's and yesterday's keys that exist, today's first.

    Yesterday's key still counts so that a vote at 00:01 meets one cast at 23:59. With
    ``create``, today's key is made on the day's first vote, and expired keys deleted. With
    ``cache``, the keys are taken from (and kept in) this process's memory once today's exists.
    """
    local = now.astimezone(PARIS)
    today = local.date()
    days = [today.isoformat(), (today - timedelta(days=1)).isoformat()]
    if cache is not None:
        cached = cache.get(days[0])
        if cached is not None:
            return cached
    found = dict(conn.execute(_KEYS_OF_DAYS, {"days": days}).all())
    if days[0] in found:
        keys = [bytes(found[day]) for day in days if day in found]
        # Only keys read as committed are kept: one this transaction makes may yet roll back.
        settled = days[1] in found or local - datetime.combine(today, datetime.min.time(), PARIS) >= _SETTLED
        if cache is not None and settled:
            cache.put(days[0], keys)
        return keys
    if create:
        _insert_ignore(conn, days[0], secrets.token_bytes(32))
        delete_expired_keys(conn, now)
        # Another worker may have won the race: read back whichever key was stored.
        found = dict(conn.execute(_KEYS_OF_DAYS, {"days": days}).all())
    return [bytes(found[day]) for day in days if day in found]


def delete_expired_keys(conn: Connection, now: datetime) -> int:
    """Delete every key older than yesterday; return how many were deleted."""
    oldest_live = (paris_day(now) - timedelta(days=1)).isoformat()
    count = conn.execute(delete(address_keys).where(address_keys.c.day < oldest_live)).rowcount
    if count:
        forget_after_commit(conn)
    return count


# The connection's ``info`` flag that ``db.transaction`` reads once the transaction commits.
FORGET_AFTER_COMMIT = "poll_forget_after_commit"


def forget_after_commit(conn: Connection) -> None:
    """Say that this transaction deletes voter digests or address keys.

    Deleting a row is not enough to forget it: SQLite's write-ahead log keeps the pages as
    they were before the delete until they happen to be overwritten. Once the transaction
    commits, ``db.transaction`` checkpoints and empties the log.
    """
    conn.info[FORGET_AFTER_COMMIT] = True


def _insert_ignore(conn: Connection, day: str, secret: bytes) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(address_keys).values(day=day, secret=secret).on_conflict_do_nothing())
