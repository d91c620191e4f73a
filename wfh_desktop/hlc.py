"""Hybrid logical clock stamps for outbox mutations (see SYNC.md, "Clocks: HLC and skew").

A stamp is ``<physical ms, 16 hex>-<counter, 4 hex>-<device id>``: it sorts as a string in the
same order as (physical, counter, device).
"""

from __future__ import annotations

from typing import NamedTuple


class Hlc(NamedTuple):
    physical_ms: int
    counter: int
    device: str

    def encode(self) -> str:
        return f"{self.physical_ms:016x}-{self.counter:04x}-{self.device}"

    @staticmethod
    def decode(text: str) -> Hlc:
        physical, counter, device = text.split("-", 2)
        return Hlc(int(physical, 16), int(counter, 16), device)


def tick(last: Hlc | None, now_ms: int, device: str) -> Hlc:
    """The stamp for a new local event after ``last``; never goes backwards, even if the wall
    clock does."""
    if last is None or now_ms > last.physical_ms:
        return Hlc(now_ms, 0, device)
    if last.counter >= 0xFFFF:  # keep the counter at 4 hex digits so stamps still sort
        return Hlc(last.physical_ms + 1, 0, device)
    return Hlc(last.physical_ms, last.counter + 1, device)


def receive(last: Hlc | None, remote: Hlc, now_ms: int, device: str) -> Hlc:
    """The local clock after seeing ``remote`` (a server's stamp): later than both, so a device
    whose wall clock is behind catches up causally after one sync."""
    known = last if last is not None and last > remote else remote
    known = Hlc(known.physical_ms, known.counter, device)
    return tick(known, now_ms, device)
