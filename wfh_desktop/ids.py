"""UUIDv7 identifiers (RFC 9562), made locally.

Python 3.11 has no ``uuid.uuid7()``. The ids sort by creation time, which keeps SQLite's B-trees
tidy; the embedded time is never trusted for ordering anything a user sees.
"""

from __future__ import annotations

import os
import time

_last_ms = 0
_last_rand_a = 0


def uuid7(now_ms: int | None = None) -> str:
    """Return a new UUIDv7 as its canonical 36-character lower-case string.

    Within one process, ids made in the same millisecond stay ordered: the 12-bit ``rand_a``
    field is used as a counter (RFC 9562, method 1), seeded randomly each new millisecond.
    """
    global _last_ms, _last_rand_a
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")
    if ms <= _last_ms and _last_rand_a < 0xFFF:
        ms = _last_ms
        rand_a = _last_rand_a + 1
    else:
        if ms <= _last_ms:
            ms = _last_ms + 1
        rand_a = (rand >> 64) & 0x7FF  # leave headroom for the counter
    _last_ms, _last_rand_a = ms, rand_a
    rand_b = rand & ((1 << 62) - 1)
    value = ((ms & ((1 << 48) - 1)) << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid7_ms(value: str) -> int:
    """The millisecond timestamp embedded in a UUIDv7 string (for tests and diagnostics only)."""
    return int(value.replace("-", "")[:12], 16)
