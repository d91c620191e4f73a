"""UUIDv7 ids (RFC 9562) and hybrid logical clock stamps."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wfh_desktop import hlc, ids
from wfh_desktop.ids import uuid7, uuid7_ms


@pytest.fixture(autouse=True)
def _restore_id_state():
    """These tests make ids far in the future; keep that from leaking into other tests."""
    saved = ids._last_ms, ids._last_rand_a
    yield
    ids._last_ms, ids._last_rand_a = saved


def test_uuid7_is_a_valid_version_7_uuid():
    value = uuid.UUID(uuid7())
    assert value.version == 7 and value.variant == uuid.RFC_4122


def test_uuid7_carries_its_millisecond_and_sorts_in_creation_order():
    made = [uuid7(2_500_000_000_000) for _ in range(5000)]
    assert made == sorted(made) and len(set(made)) == len(made)
    assert uuid7_ms(made[0]) == 2_500_000_000_000
    later = uuid7(2_500_000_000_001 + 10)
    assert later > made[-1]


def test_uuid7_stays_ordered_when_the_clock_steps_back():
    a = uuid7(2_900_000_000_000)
    b = uuid7(2_800_000_000_000)
    assert b > a


@given(st.lists(st.integers(min_value=0, max_value=2**47), min_size=1, max_size=50))
def test_hlc_never_goes_backwards(times):
    last = None
    stamps = []
    for t in times:
        last = hlc.tick(last, t, "dev")
        stamps.append(last.encode())
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert hlc.Hlc.decode(stamps[-1]) == last


def test_hlc_counter_overflow_moves_physical_time():
    last = hlc.Hlc(1000, 0xFFFF, "d")
    nxt = hlc.tick(last, 1000, "d")
    assert nxt == hlc.Hlc(1001, 0, "d") and nxt.encode() > last.encode()
