"""Clocks. Time is always read through an injected clock so tests can control it."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current instant as UTC epoch milliseconds."""

    def now_ms(self) -> int: ...


class SystemClock:
    """The computer's wall clock."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class FixedClock:
    """A clock that only moves when told to (tests, scripted runs)."""

    def __init__(self, now_ms: int) -> None:
        self._now = now_ms

    def now_ms(self) -> int:
        return self._now

    def set(self, now_ms: int) -> None:
        self._now = now_ms

    def advance(self, ms: int) -> None:
        """Move the clock by ``ms`` milliseconds; negative values jump it backwards."""
        self._now += ms
