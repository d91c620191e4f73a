"""A per-device rate limit: a token bucket of ``burst`` requests, refilled at ``per_hour``.

It lives in the memory of each server process: with N worker processes a device may make up to
N times the limit (the reverse proxy can hold a shared one); it keeps the newest devices only,
so its memory is bounded.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimit:
    def __init__(
        self,
        per_hour: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 200_000,
    ) -> None:
        self.rate = per_hour / 3600.0  # tokens a second
        self.burst = max(1, burst)
        self.clock, self.max_keys = clock, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> int | None:
        """Take one request; ``None`` when allowed, else the seconds to wait."""
        if self.rate <= 0:
            return None
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = None
            else:
                self._buckets[key] = (tokens, now)
                wait = max(1, math.ceil((1.0 - tokens) / self.rate))
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait
