"""A short per-process memory of each poll's public state, so that reads need no database.

A read (the JSON, the results page, the SVG) takes the poll's definition and counts from here
when they were read from the database less than POLL_READ_CACHE_SECONDS ago (1 s by default,
measured on the monotonic clock); otherwise it reads them with one query and keeps them.
Whatever changes a poll in this process publishes the change at once: a vote keeps the
state its own transaction ended with, an admin close or reopen and sync-polls forget the
poll. A change made by another process (another gunicorn worker or host, the sync-polls
command) shows after at most POLL_READ_CACHE_SECONDS. Votes never use this memory: each
one reads and checks the poll in its own write transaction.

Nothing here concerns visitors: a poll's question, options, dates and counts only.

Threads (the development server) may read and publish at once: each poll has a generation,
bumped by every change published here, and a state read from the database is kept only when
no change was published between the start of its read and its keeping, so a slow read can
never put back a state older than one this process already published.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry(Generic[T]):
    value: T
    read_at: float  # monotonic time before its database read (or its transaction) began


class PollCache(Generic[T]):
    """Keep a value per poll id for ``ttl`` seconds; a ``ttl`` of 0 keeps nothing."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[str, _Entry[T]] = {}
        self._generations: dict[str, int] = {}
        self._lock = threading.Lock()

    def get(self, poll_id: str) -> T | None:
        """Return the poll's value if it is fresh enough, else None."""
        entry = self._entries.get(poll_id)
        if entry is None or self.clock() - entry.read_at >= self.ttl:
            return None
        return entry.value

    def token(self, poll_id: str) -> tuple[int, float]:
        """Call before reading the database: pass the result to ``keep`` or ``publish``."""
        return self._generations.get(poll_id, 0), self.clock()

    def keep(self, poll_id: str, token: tuple[int, float], value: T) -> None:
        """Keep a value read from the database, unless a change was published since ``token``."""
        if self.ttl <= 0:
            return
        generation, read_at = token
        with self._lock:
            if self._generations.get(poll_id, 0) == generation:
                self._entries[poll_id] = _Entry(value, read_at)

    def publish(self, poll_id: str, token: tuple[int, float], value: T | None) -> None:
        """Record a change this process committed to the poll.

        ``value`` is the poll's state as the committing transaction left it (None: unknown,
        forget the poll). It is kept only when no other change was published since ``token``
        (taken before the transaction began); otherwise the poll is forgotten and the next
        read goes to the database.
        """
        generation, started = token
        with self._lock:
            current = self._generations.get(poll_id, 0)
            self._generations[poll_id] = current + 1
            if value is not None and current == generation and self.ttl > 0:
                # Aged from before the transaction began: on the safe side of the bound.
                self._entries[poll_id] = _Entry(value, started)
            else:
                self._entries.pop(poll_id, None)

    def forget_all(self) -> None:
        """Forget every poll (sync-polls changed definitions in this process)."""
        with self._lock:
            for poll_id in list(self._entries):
                self._generations[poll_id] = self._generations.get(poll_id, 0) + 1
            self._entries.clear()


def init_app(app: Any) -> None:
    """Give the app its cache of poll states."""
    app.extensions["poll_cache"] = PollCache(
        app.config["POLL_READ_CACHE_SECONDS"], app.config["POLL_MONOTONIC_CLOCK"]
    )
