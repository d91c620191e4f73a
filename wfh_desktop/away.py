"""A running timer across a suspend or a clock change (SYNC.md, "Clocks"): the wall clock and a
monotonic clock are compared on every tick of the app. The monotonic one does not count a
suspend or a hibernation and does not move when the wall clock is set, so a divergence means
the computer was away (or its clock was set forward), or its clock was set back. The user is
then asked what the gap was; nothing is assumed."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from wfh_desktop.clock import Clock

GAP_MS = 2 * 60_000  # a divergence smaller than this is a tick late, not a gap


if sys.platform == "win32":
    import ctypes

    def monotonic_ms() -> int:
        """Windows' ``time.monotonic`` counts on through sleep and hibernation; the unbiased
        interrupt time does not (100 ns units)."""
        ticks = ctypes.c_ulonglong()
        ctypes.windll.kernel32.QueryUnbiasedInterruptTime(ctypes.byref(ticks))
        return ticks.value // 10_000

else:

    def monotonic_ms() -> int:
        """Stands still in a suspend (Linux ``CLOCK_MONOTONIC``, macOS ``mach_absolute_time``)."""
        return time.monotonic_ns() // 1_000_000


@dataclass(frozen=True)
class Gap:
    """``away``: the wall clock ran ``shift_ms`` ahead of this program (a suspend, a hibernation,
    a clock set forward), from ``since_ms`` to ``until_ms`` on the wall clock. ``clock_back``:
    the wall clock was set back by ``-shift_ms``."""

    kind: str
    since_ms: int
    until_ms: int
    shift_ms: int


class ClockWatch:
    """Ticked while a timer runs; says when the wall clock and the monotonic one part."""

    def __init__(self, clock: Clock, monotonic: Callable[[], int] = monotonic_ms) -> None:
        self._clock, self._monotonic = clock, monotonic
        self._last: tuple[int, int] | None = None

    def reset(self) -> None:
        """Forget the last tick (the timer stopped, or the user has answered)."""
        self._last = None

    def tick(self) -> Gap | None:
        wall, mono = self._clock.now_ms(), self._monotonic()
        last, self._last = self._last, (wall, mono)
        if last is None:
            return None
        expected = last[0] + (mono - last[1])  # the wall clock, had it run as this program did
        shift = wall - expected
        if shift > GAP_MS:
            return Gap("away", expected, wall, shift)
        if shift < -GAP_MS:
            return Gap("clock_back", wall, wall, shift)
        return None
