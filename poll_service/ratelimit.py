"""Limit how many votes one address may send in a sliding window, in this process's memory.

In memory on purpose: nothing about visitors is written anywhere, and a restart forgets
everything. Each gunicorn worker counts on its own, so the effective limit is at most
POLL_RATE_LIMIT times the number of workers (docs/deploy.md says so). Addresses are
hashed with a random key made at start-up and never stored.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

# Beyond this many tracked addresses, forget the idle ones (bounded memory under a flood).
_MAX_TRACKED = 50_000


class RateLimiter:
    """Allow at most ``limit`` hits per ``window`` seconds per address; 0 means no limit."""

    def __init__(self, limit: int, window: int, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self._clock = clock
        self._key = secrets.token_bytes(16)
        self._hits: dict[bytes, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, address: str) -> bool:
        """Count one hit from ``address``; return False when it is over the limit."""
        if self.limit <= 0:
            return True
        name = hashlib.blake2b(address.encode(), key=self._key, digest_size=16).digest()
        now = self._clock()
        with self._lock:
            if len(self._hits) > _MAX_TRACKED:
                self._forget_idle(now)
            hits = self._hits.setdefault(name, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _forget_idle(self, now: float) -> None:
        for name in [n for n, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[name]
        if len(self._hits) > _MAX_TRACKED:  # a flood of distinct addresses: start afresh
            self._hits.clear()
