"""This program's own clock, injected: it stands still while the computer sleeps and does not
move when the wall clock is set (what ``time.monotonic`` does)."""

from __future__ import annotations


class Monotonic:
    def __init__(self, ms: int = 5_000_000) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms
