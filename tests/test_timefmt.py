"""Parsing what users type and formatting in the office zone (WIB, WITA, WIT)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import set_language
from wfh_desktop.timefmt import (
    ZONES,
    day_of,
    day_pieces,
    day_start_ms,
    epoch_ms,
    fmt_clock,
    fmt_elapsed,
    fmt_hours_minutes,
    fmt_minutes,
    fmt_number,
    iso_utc,
    parse_date,
    parse_instant,
    parse_month,
    parse_time,
)

TODAY = date(2026, 11, 2)
WIB = ZONES["WIB"]


@pytest.mark.parametrize("text", ["2026-11-02", "02/11/2026", "2/11/2026", " 2026-11-2 "])
def test_both_date_forms(text):
    assert parse_date(text, TODAY) == date(2026, 11, 2)


def test_relative_days():
    assert parse_date("hari ini", TODAY) == TODAY
    assert parse_date("kemarin", TODAY) == date(2026, 11, 1)
    assert parse_date("yesterday", TODAY) == date(2026, 11, 1)


@pytest.mark.parametrize("text", ["2026-02-30", "31/04/2026", "00/01/2026"])
def test_impossible_dates(text):
    with pytest.raises(UserError, match="does not exist"):
        parse_date(text, TODAY)


@pytest.mark.parametrize("text", ["11-02-2026", "2026/11/02", "besok", "", "2026-11-02T08"])
def test_unreadable_dates(text):
    with pytest.raises(UserError, match="Cannot read"):
        parse_date(text, TODAY)


@pytest.mark.parametrize(("text", "hms"), [("08.00", (8, 0, 0)), ("8:05", (8, 5, 0)),
                                          ("23.59.30", (23, 59, 30))])  # fmt: skip
def test_times(text, hms):
    assert parse_time(text) == hms


@pytest.mark.parametrize("text", ["24.00", "08.60", "8", "08-00"])
def test_bad_times(text):
    with pytest.raises(UserError):
        parse_time(text)


def test_instant_in_each_zone():
    wib = parse_instant("2026-11-02 08.00", WIB, TODAY)
    assert parse_instant("02/11/2026 09:00", ZONES["WITA"], TODAY) == wib
    assert parse_instant("10.00", ZONES["WIT"], TODAY) == wib
    assert fmt_clock(wib, ZONES["WITA"]).endswith("WITA")


def test_months():
    assert parse_month("2026-11", TODAY) == date(2026, 11, 1)
    assert parse_month("11/2026", TODAY) == date(2026, 11, 1)
    with pytest.raises(UserError):
        parse_month("13/2026", TODAY)


@given(st.integers(min_value=0, max_value=4_000_000_000_000), st.sampled_from(sorted(ZONES)))
def test_an_instant_lies_within_its_day(instant, zone_name):
    z = ZONES[zone_name]
    d = day_of(instant, z)
    assert day_start_ms(d, z) <= instant < day_start_ms(d, z) + 86_400_000


def test_formats_in_both_languages():
    set_language("id")
    assert fmt_number(1234.5, 1) == "1.234,5"
    assert fmt_elapsed(12 * 60_000 + 30_000) == "12.30"
    assert fmt_hours_minutes(125 * 60_000) == "2 j 05 mnt"
    set_language("en")
    assert fmt_number(1234.5, 1) == "1,234.5"
    assert fmt_elapsed(12 * 60_000 + 30_000) == "12:30"
    assert fmt_hours_minutes(125 * 60_000) == "2 h 05 min"
    assert fmt_minutes(42 * 60_000 + 30_000) == "43 min"  # half up, not to even
    assert fmt_minutes(29_999) == "0 min"


# ---- the wire form of an instant, there and back

_INSTANT = st.integers(min_value=0, max_value=253402300799999)  # 1970 to the end of 9999


@given(_INSTANT)
def test_an_instant_on_the_wire_reads_back_to_the_same_millisecond(instant: int) -> None:
    from wfh_desktop.sync.local import ms
    from wfh_server.merge import parse_instant as server_reads

    text = iso_utc(instant)
    assert ms(text) == instant  # the client's reading
    assert server_reads(text, "start_at") == instant  # the server's
    assert datetime.fromisoformat(text) == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
        milliseconds=instant
    )


def test_a_millisecond_a_float_loses_is_kept() -> None:
    from wfh_desktop.sync.local import ms

    # 2038-04-23T19:07:43.239Z: timestamp() * 1000 is 2155662463238.9998
    assert ms("2038-04-23T19:07:43.239Z") == 2155662463239
    assert ms("2026-12-07T01:00:00.001+07:00") == epoch_ms(
        datetime.fromisoformat("2026-12-06T18:00:00.001+00:00")
    )
    assert iso_utc(2155662463239) == "2038-04-23T19:07:43.239Z"


def test_day_pieces_cut_a_span_at_each_midnight_of_the_zone():
    def ms(text: str) -> int:
        return int(datetime.fromisoformat(text).timestamp() * 1000)

    start, end = ms("2026-11-02T23:30:00+07:00"), ms("2026-11-04T00:15:00+07:00")
    wib = ZONES["WIB"].offset_ms
    assert [(d.day, b - a) for d, a, b in day_pieces(start, end, wib)] == [
        (2, 30 * 60_000),
        (3, 24 * 3_600_000),
        (4, 15 * 60_000),
    ]
    wit = ZONES["WIT"].offset_ms  # 01.30 on the 3rd to 02.15 on the 4th, WIT
    assert [d.day for d, _, _ in day_pieces(start, end, wit)] == [3, 4]
    assert list(day_pieces(start, start, wib)) == []
