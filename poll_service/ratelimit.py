"""Limit how many hits one network may send in a sliding window, in this process's bounded memory.

In memory on purpose: nothing about visitors is written anywhere. Each gunicorn worker counts
on its own and a restart forgets everything, so the limit that holds across workers and
restarts is nginx's ``limit_req`` in front (docs/deploy.md); this one is the second barrier.
Networks (client_network.py) are hashed with a random key made at start-up and never stored.

Memory is bounded: at most ``max_tracked`` networks are remembered. When a new one comes and
the memory is full, the least recently seen network is forgotten, one at a time, never all at
once. Networks seen once only wait in a first segment; a network seen a second time in its
window (every one that nears or reaches the limit) moves to a protected segment, which a flood
of networks seen once never empties: a blocked network stays blocked whatever the flood
(a segmented LRU). Networks whose hits have all left the window are dropped as they come up.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_MAX_TRACKED = 50_000


class RateLimiter:
    """Allow at most ``limit`` hits per ``window`` seconds per network; 0 means no limit."""

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = DEFAULT_MAX_TRACKED,
    ):
        self.limit = limit
        self.window = window
        self.max_tracked = max(2, max_tracked)
        self._clock = clock
        self._key = secrets.token_bytes(16)
        # name -> times of its allowed hits, oldest first; least recently seen first.
        self._once: OrderedDict[bytes, list[float]] = OrderedDict()
        self._protected: OrderedDict[bytes, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._once) + len(self._protected)

    def allow(self, network: str) -> bool:
        """Count one hit from ``network``; return False when it is over the limit."""
        if self.limit <= 0:
            return True
        name = hashlib.blake2b(network.encode(), key=self._key, digest_size=16).digest()
        now = self._clock()
        start = now - self.window
        with self._lock:
            self._drop_expired(start)
            hits = self._protected.get(name)
            if hits is not None:
                self._protected.move_to_end(name)
            else:
                hits = self._once.pop(name, None)
                if hits is None:
                    hits = []
                    self._make_room()
                    self._once[name] = hits
                else:
                    # Seen again within its window: a flood of newcomers will not evict it.
                    self._protected[name] = hits
                    if len(self._protected) > self.max_tracked // 2:
                        self._protected.popitem(last=False)
            while hits and hits[0] <= start:
                del hits[0]  # at most ``limit`` entries: cheap
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def exhausted(self, network: str) -> bool:
        """Tell, without counting a hit, whether ``network`` has used up its hits in the window."""
        if self.limit <= 0:
            return False
        name = hashlib.blake2b(network.encode(), key=self._key, digest_size=16).digest()
        start = self._clock() - self.window
        with self._lock:
            hits = self._protected.get(name) or self._once.get(name) or []
            return sum(1 for moment in hits if moment > start) >= self.limit

    def is_tracked(self, network: str) -> bool:
        """Tell whether ``network`` is remembered (for tests and diagnostics)."""
        name = hashlib.blake2b(network.encode(), key=self._key, digest_size=16).digest()
        with self._lock:
            return name in self._once or name in self._protected

    def _make_room(self) -> None:
        """Forget the least recently seen network seen once (or, failing that, protected)."""
        while len(self._once) + len(self._protected) >= self.max_tracked:
            (self._once if self._once else self._protected).popitem(last=False)

    def _drop_expired(self, start: float) -> None:
        """Forget the least recently seen networks whose every hit has left the window."""
        for segment in (self._once, self._protected):
            while segment:
                hits = next(iter(segment.values()))
                if hits and hits[-1] > start:
                    break
                segment.popitem(last=False)
