"""The client address, hashed under a key that changes every Paris day; keys live in a file.

A voter's network (client_network.py: the full IPv4 address, the /64 of an IPv6 one) is hashed with HMAC-SHA256
under the day's key (Europe/Paris). The keys are never written to the database: they live in
one small file, ``address-keys`` in POLL_KEY_DIR (in production a runtime folder such as
/run/tisser-sondages, in memory, which no backup copies). The file holds today's key and
yesterday's (so that a vote at 00:01 meets one cast at 23:59); at the first use of a new day
the file is rewritten without the older key, which is thereby destroyed: from then on nobody,
us included, can find which address gave a digest of that day by trying all 2^32 IPv4
addresses.

A day's key is derived from the previous day's (an HMAC of it with POLL_SECRET_KEY and the
date), so the hosts that share a PostgreSQL database agree on every day's key once they hold
the same file, without any key passing through the database; a key does not reveal the ones
before it. The first key, with no previous day known, is random. Workers of one host rotate the
file under a lock; each process keeps the day's keys in memory until the day changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from poll_spec.dates import paris_day

KEY_FILE = "address-keys"
_LOCK_FILE = "address-keys.lock"


def address_digest(key: bytes, address: str) -> str:
    """Return the HMAC of a client's network (client_network.network_key) under one day's key."""
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def next_key(key: bytes, day: date, secret: str) -> bytes:
    """Derive ``day``'s key from the previous day's (one way: it does not reveal ``key``)."""
    return hmac.new(key, f"address-key:{day.isoformat()}:{secret}".encode(), hashlib.sha256).digest()


class KeyRing:
    """The day's address keys of this process, read from (and rotated in) the key file."""

    def __init__(self, folder: str | os.PathLike[str], secret: str):
        self.folder = Path(folder)
        self.secret = secret
        self._day: date | None = None
        self._keys: list[bytes] = []
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        """The key file."""
        return self.folder / KEY_FILE

    def keys(self, now: datetime) -> list[bytes]:
        """Return today's key, then yesterday's when known (Europe/Paris days)."""
        today = paris_day(now)
        with self._lock:
            if self._day != today:
                self._keys, _ = self._load(today)
                self._day = today
            return list(self._keys)

    def digests(self, address: str, now: datetime) -> tuple[str, ...]:
        """Return the address's digest under today's key, then under yesterday's."""
        # address_digest, inlined: hmac's one-shot C function (every vote hashes twice).
        data = address.encode()
        return tuple(hmac.digest(key, data, "sha256").hex() for key in self.keys(now))

    def destroy_expired(self, now: datetime) -> int:
        """Rewrite the key file without the keys older than yesterday; return how many went."""
        today = paris_day(now)
        with self._lock:
            self._keys, removed = self._load(today)
            self._day = today
        return removed

    def forget(self) -> None:
        """Drop the keys kept in memory (read the file again at the next use)."""
        with self._lock:
            self._day, self._keys = None, []

    def _load(self, today: date) -> tuple[list[bytes], int]:
        """Return today's and yesterday's keys, rotating the file first when needed; and how
        many stored keys the rotation destroyed."""
        days = (today, today - timedelta(days=1))
        with self._file_lock():
            stored = read_key_file(self.path)
            if today in stored and set(stored) <= set(days):
                return [stored[d] for d in days if d in stored], 0
            keys = _advance(stored, today, self.secret)
            write_key_file(self.path, keys)
            return [keys[d] for d in days if d in keys], len(set(stored) - set(keys))

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Hold the folder's lock: one worker of the host rotates the file at a time."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.folder / _LOCK_FILE, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _advance(stored: dict[date, bytes], today: date, secret: str) -> dict[date, bytes]:
    """Return today's and yesterday's keys, derived from the latest stored key up to today."""
    past = [day for day in stored if day <= today]
    if not past:
        return {today: secrets.token_bytes(32)}
    day = max(past)
    chain = {day: stored[day]}
    while day < today:
        chain[day + timedelta(days=1)] = next_key(chain[day], day + timedelta(days=1), secret)
        day += timedelta(days=1)
    return {d: key for d, key in chain.items() if d >= today - timedelta(days=1)}


def read_key_file(path: Path) -> dict[date, bytes]:
    """Read the key file: one "YYYY-MM-DD hexkey" line per day; absent or damaged: no keys."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeError):
        return {}
    keys: dict[date, bytes] = {}
    for line in text.splitlines():
        day, _, key = line.partition(" ")
        try:
            keys[date.fromisoformat(day)] = bytes.fromhex(key)
        except ValueError:
            continue
    return keys


def write_key_file(path: Path, keys: dict[date, bytes]) -> None:
    """Replace the key file atomically with ``keys``; the keys it held before are gone."""
    partial = path.with_name(path.name + ".new")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        for day in sorted(keys, reverse=True):
            handle.write(f"{day.isoformat()} {keys[day].hex()}\n")
    os.replace(partial, path)
