"""Tell voters apart without knowing who they are: the voter cookie and the address hash.

- The cookie holds a random id, signed with POLL_SECRET_KEY (itsdangerous, shipped with
  Flask); the database keeps only an HMAC of that id.
- The client address is hashed with HMAC-SHA256 under a key that changes every day
  (Europe/Paris). The key lives in ``address_keys`` so every worker and host agrees on it,
  and it is deleted the day after its own: from then on nobody, us included, can find
  which address gave a stored hash by trying all 2^32 IPv4 addresses. The raw address
  lives only in memory, for the length of a request.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from itsdangerous import BadSignature, Signer
from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Connection

from .definition import PARIS
from .schema import address_keys

COOKIE_NAME = "votant"
# 13 months, the longest lifetime the CNIL accepts for a cookie; never extended on reuse.
COOKIE_MAX_AGE = 395 * 24 * 3600
_SALT = "poll-service.voter-cookie"


@dataclass(frozen=True)
class Voter:
    """What the service knows of the visitor during one request (nothing is kept raw)."""

    cookie_id: str | None  # from a validly signed cookie, else None
    address: str | None  # normalised client address, memory only


def new_cookie_id() -> str:
    """Return a fresh random voter id."""
    return secrets.token_urlsafe(18)


def sign_cookie(secret_key: str, cookie_id: str) -> str:
    """Return the cookie value carrying ``cookie_id``."""
    return Signer(secret_key, salt=_SALT).sign(cookie_id).decode()


def read_cookie(secret_key: str, value: str | None) -> str | None:
    """Return the voter id of a cookie value, or None when it is absent or forged."""
    if not value or len(value) > 200:
        return None
    try:
        return Signer(secret_key, salt=_SALT).unsign(value).decode()
    except (BadSignature, UnicodeError):
        return None


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


def live_keys(conn: Connection, now: datetime, create: bool = False) -> list[bytes]:
    """Return today's and yesterday's keys that exist, today's first.

    Yesterday's key still counts so that a vote at 00:01 meets one cast at 23:59. With
    ``create``, today's key is made on the day's first vote, and expired keys deleted.
    """
    today = paris_day(now)
    days = [today.isoformat(), (today - timedelta(days=1)).isoformat()]
    found = dict(conn.execute(_KEYS_OF_DAYS, {"days": days}).all())
    if create and days[0] not in found:
        _insert_ignore(conn, days[0], secrets.token_bytes(32))
        delete_expired_keys(conn, now)
        # Another worker may have won the race: read back whichever key was stored.
        found = dict(conn.execute(_KEYS_OF_DAYS, {"days": days}).all())
    return [bytes(found[day]) for day in days if day in found]


def delete_expired_keys(conn: Connection, now: datetime) -> int:
    """Delete every key older than yesterday; return how many were deleted."""
    oldest_live = (paris_day(now) - timedelta(days=1)).isoformat()
    return conn.execute(delete(address_keys).where(address_keys.c.day < oldest_live)).rowcount


def _insert_ignore(conn: Connection, day: str, secret: bytes) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(address_keys).values(day=day, secret=secret).on_conflict_do_nothing())
