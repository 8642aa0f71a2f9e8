"""The client address, hashed under a key that changes every Paris day.

The address is hashed with HMAC-SHA256 under the day's key (Europe/Paris). The key lives in
``address_keys`` so every worker and host agrees on it, and it is deleted the day after its
own: from then on nobody, us included, can find which address gave a stored hash by trying
all 2^32 IPv4 addresses. The raw address lives only in memory, for the length of a request.
Each process also keeps today's and yesterday's keys in memory once today's exists
(``KeyCache``), and forgets them at its first vote of another day.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Connection

from poll_spec.dates import PARIS, paris_day

from .db import forget_after_commit
from .schema import address_keys as keys_table


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


_KEYS_OF_DAYS = select(keys_table.c.day, keys_table.c.secret).where(
    keys_table.c.day.in_(bindparam("days", expanding=True))
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
    found = {row.day: row.secret for row in conn.execute(_KEYS_OF_DAYS, {"days": days})}
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
        found = {row.day: row.secret for row in conn.execute(_KEYS_OF_DAYS, {"days": days})}
    return [bytes(found[day]) for day in days if day in found]


def delete_expired_keys(conn: Connection, now: datetime) -> int:
    """Delete every key older than yesterday; return how many were deleted."""
    oldest_live = (paris_day(now) - timedelta(days=1)).isoformat()
    count = conn.execute(delete(keys_table).where(keys_table.c.day < oldest_live)).rowcount
    if count:
        forget_after_commit(conn)
    return count


def _insert_ignore(conn: Connection, day: str, secret: bytes) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(keys_table).values(day=day, secret=secret).on_conflict_do_nothing())
