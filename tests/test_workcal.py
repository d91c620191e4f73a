"""The working calendar: the national data, an agency's own file, and files that cannot be used."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from wfh_desktop.paths import Paths
from wfh_desktop.workcal import (
    AGENCY_FILE_NAME,
    CalendarError,
    WorkCalendar,
    WorkDay,
    load_for,
)


@pytest.fixture
def national() -> WorkCalendar:
    return WorkCalendar.load(language="en")


def write(tmp_path: Path, text: str, name: str = AGENCY_FILE_NAME) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def kinds(days: list[WorkDay]) -> list[str]:
    return [d.kind for d in days]


# ---- the national data -----------------------------------------------------------------------


def test_a_normal_week(national):
    week = national.days(date(2026, 11, 2), date(2026, 11, 8))  # Monday to Sunday
    assert kinds(week) == ["workday"] * 5 + ["weekend"] * 2
    assert [d.expected_minutes for d in week] == [450] * 5 + [0, 0]
    assert [d.break_minutes for d in week] == [60, 60, 60, 60, 90, 0, 0]
    assert {d.day_start for d in week} == {time(7, 30)}
    assert not any(d.ramadan or d.name for d in week)
    assert national.expected_minutes(date(2026, 11, 2), date(2026, 11, 8)) == 37 * 60 + 30
    assert national.covers(date(2026, 11, 2))


def test_idul_fitri_2026_national_holidays_and_cuti_bersama(national):
    days = national.days(date(2026, 3, 16), date(2026, 3, 27))
    assert kinds(days) == [
        "workday",  # Mon 16/03, still Ramadan
        "workday",
        "cuti_bersama",  # Wed 18/03 Nyepi
        "holiday",  # Thu 19/03 Nyepi
        "cuti_bersama",  # Fri 20/03 Idul Fitri, last day of Ramadan
        "holiday",  # Sat 21/03 Idul Fitri
        "holiday",  # Sun 22/03 Idul Fitri, second day
        "cuti_bersama",
        "cuti_bersama",
        "workday",  # Wed 25/03
        "workday",
        "workday",
    ]
    assert [d.expected_minutes for d in days] == [390, 390] + [0] * 7 + [450, 450, 450]
    assert days[5].name == "Eid al-Fitr 1447 AH"
    assert days[7].name == "Collective leave: Eid al-Fitr"
    assert national.expected_minutes(date(2026, 3, 23), date(2026, 3, 29)) == 3 * 450


def test_holiday_names_follow_the_chosen_language(national):
    indonesian = WorkCalendar.load(language="id")
    assert indonesian.day(date(2026, 3, 23)).name == "Cuti bersama Idul Fitri"
    assert indonesian.day(date(2026, 8, 17)).name == "Proklamasi Kemerdekaan Republik Indonesia"
    assert national.day(date(2026, 8, 17)).name == "Independence Day"
    # without a language the UI's language at the time of the call (English in these tests)
    assert WorkCalendar.load().day(date(2026, 8, 17)).name == "Independence Day"


def test_a_ramadan_week(national):
    week = national.days(date(2026, 2, 23), date(2026, 3, 1))
    assert all(d.ramadan for d in week)
    assert [d.expected_minutes for d in week] == [390] * 5 + [0, 0]
    assert [d.break_minutes for d in week[:5]] == [30, 30, 30, 30, 60]
    assert {d.day_start for d in week} == {time(8, 0)}
    assert national.expected_minutes(date(2026, 2, 23), date(2026, 3, 1)) == 32 * 60 + 30


def test_ramadan_begins_and_ends_on_the_days_the_government_set(national):
    assert national.ramadan_period(2026) == (date(2026, 2, 19), date(2026, 3, 20))
    before, first = national.day(date(2026, 2, 18)), national.day(date(2026, 2, 19))
    assert (before.ramadan, before.expected_minutes, before.day_start) == (False, 450, time(7, 30))
    assert (first.ramadan, first.expected_minutes, first.day_start) == (True, 390, time(8, 0))
    assert national.day(date(2026, 3, 20)).ramadan
    assert not national.day(date(2026, 3, 21)).ramadan
    assert national.day(date(2025, 3, 3)).expected_minutes == 390  # Ramadan 1446 H


def test_expected_minutes_of_a_month_counted_by_hand(national):
    # May 2026: 21 weekdays; 1/05 Labour Day (Fri), 14/05 Ascension (Thu), 15/05 cuti bersama,
    # 27/05 Idul Adha (Wed), 28/05 cuti bersama; Waisak 31/05 is a Sunday. 16 days of 450.
    assert national.expected_minutes(date(2026, 5, 1), date(2026, 5, 31)) == 16 * 450
    # March 2026: 22 weekdays. Ramadan until 20/03: 2-6, 9-13, 16-17 are 12 days of 390;
    # 18, 19, 20, 23, 24 are off; 25, 26, 27, 30, 31 are 5 days of 450.
    assert national.expected_minutes(date(2026, 3, 1), date(2026, 3, 31)) == 12 * 390 + 5 * 450


def test_a_range_that_ends_before_it_starts_is_empty(national):
    assert national.days(date(2026, 5, 2), date(2026, 5, 1)) == []
    assert national.expected_minutes(date(2026, 5, 2), date(2026, 5, 1)) == 0


def test_a_year_outside_the_data_keeps_the_working_week(national):
    week = national.days(date(2031, 6, 2), date(2031, 6, 8))  # Monday to Sunday
    assert not national.covers(date(2031, 6, 2)) and not national.covers(date(2024, 12, 31))
    assert national.year_status(2031) is None
    assert kinds(week) == ["workday"] * 5 + ["weekend"] * 2
    assert [d.expected_minutes for d in week] == [450] * 5 + [0, 0]
    assert national.day(date(2031, 8, 18)).kind == "workday"  # no holiday is known


def test_the_national_data_has_every_year_it_claims():
    national = WorkCalendar.load(language="id")
    assert [national.year_status(y) for y in (2025, 2026, 2027)] == [
        "final",
        "final",
        "provisional",
    ]
    counts: Counter[tuple[int, str]] = Counter()
    day = date(2025, 1, 1)
    while day.year <= 2027:
        wd = national.day(day)
        if wd.kind in ("holiday", "cuti_bersama"):
            counts[day.year, wd.kind] += 1
            assert wd.name
            # cuti bersama is leave from work: it is never set on a Saturday or a Sunday
            assert wd.kind == "holiday" or day.weekday() < 5, day
        day += timedelta(days=1)
    assert counts == {
        (2025, "holiday"): 17,  # Idul Fitri's two days are two entries
        (2025, "cuti_bersama"): 11,  # 10 in the SKB, 18/08 added in August 2025
        (2026, "holiday"): 17,
        (2026, "cuti_bersama"): 8,
        (2027, "holiday"): 18,  # Isra Mikraj twice (05/01 and 26/12)
        (2027, "cuti_bersama"): 8,
    }
    for year in (2025, 2026, 2027):
        period = national.ramadan_period(year)
        assert period is not None and period[0].year == year


# ---- an agency's own file --------------------------------------------------------------------

AGENCY = """\
# Pemerintah Provinsi Contoh
[working_week]
work_days = ["mon", "tue", "wed", "thu", "fri", "sat"]
minutes_per_day = 375
day_start = "07.00"

[working_week.fri]
minutes_per_day = 300

[ramadan_week]
minutes_per_day = 330

[[ramadan]]  # as Muhammadiyah
first = 2026-02-18
last = 2026-03-19

[[holiday]]
date = 2026-11-12
kind = "holiday"
name_id = "Hari Jadi Provinsi Contoh"
name_en = "Anniversary of Contoh Province"

[[holiday]]
date = 2026-12-31
kind = "cuti_bersama"
name_id = "Cuti bersama akhir tahun"

[[remove]]  # we work on cuti bersama Natal
date = 2026-12-24
"""


def test_an_agency_file_changes_the_calendar_for_that_agency_only(tmp_path):
    cal = WorkCalendar.load(write(tmp_path, AGENCY), language="en")

    added = cal.day(date(2026, 11, 12))
    assert (added.kind, added.expected_minutes) == ("holiday", 0)
    assert added.name == "Anniversary of Contoh Province"
    only_indonesian = cal.day(date(2026, 12, 31))
    assert (only_indonesian.kind, only_indonesian.name) == (
        "cuti_bersama",
        "Cuti bersama akhir tahun",
    )

    christmas_eve = cal.day(date(2026, 12, 24))  # a Thursday
    assert (christmas_eve.kind, christmas_eve.expected_minutes) == ("workday", 375)
    assert cal.day(date(2026, 12, 25)).kind == "holiday"  # the national holiday stays

    week = cal.days(date(2026, 11, 2), date(2026, 11, 8))
    assert [d.expected_minutes for d in week] == [375, 375, 375, 375, 300, 375, 0]
    assert kinds(week)[5:] == ["workday", "weekend"]
    assert week[0].day_start == time(7, 0)
    assert week[0].break_minutes == 60  # not set by the agency: the national value
    assert week[4].break_minutes == 90  # the national Friday break

    # its own Ramadan, with the national Ramadan start and its own minutes
    assert cal.ramadan_period(2026) == (date(2026, 2, 18), date(2026, 3, 19))
    first = cal.day(date(2026, 2, 18))
    assert (first.ramadan, first.expected_minutes, first.day_start) == (True, 330, time(8, 0))
    assert not cal.day(date(2026, 3, 20)).ramadan
    assert cal.ramadan_period(2025) == (date(2025, 3, 1), date(2025, 3, 30))  # national

    national = WorkCalendar.load(language="en")
    assert national.day(date(2026, 12, 24)).kind == "cuti_bersama"
    assert national.day(date(2026, 11, 12)).expected_minutes == 450
    assert national.day(date(2026, 11, 7)).kind == "weekend"


def test_a_value_an_agency_sets_for_the_week_holds_on_friday_too(tmp_path):
    path = write(
        tmp_path, "[working_week]\nbreak_minutes = 45\n\n[ramadan_week.fri]\nbreak_minutes = 75\n"
    )
    cal = WorkCalendar.load(path)
    week = cal.days(date(2026, 11, 2), date(2026, 11, 6))
    assert [d.break_minutes for d in week] == [45] * 5
    assert [d.expected_minutes for d in week] == [450] * 5
    ramadan = cal.days(date(2026, 2, 23), date(2026, 2, 27))
    assert [d.break_minutes for d in ramadan] == [30, 30, 30, 30, 75]


def test_load_for_reads_the_agency_file_in_the_config_folder(tmp_path):
    paths = Paths(tmp_path / "data", tmp_path / "config", tmp_path / "logs")
    assert load_for(paths).day(date(2026, 12, 24)).kind == "cuti_bersama"
    paths.config_dir.mkdir()
    write(paths.config_dir, AGENCY)
    assert load_for(paths).day(date(2026, 12, 24)).kind == "workday"


def test_an_agency_can_cover_a_year_the_national_data_does_not(tmp_path):
    path = write(
        tmp_path,
        '[years.2028]\nstatus = "provisional"\n\n'
        '[[holiday]]\ndate = 2028-01-03\nkind = "holiday"\nname_en = "Agency day"\n',
    )
    cal = WorkCalendar.load(path)
    assert cal.covers(date(2028, 5, 1)) and cal.year_status(2028) == "provisional"
    assert cal.day(date(2028, 1, 3)).name == "Agency day"
    assert cal.covers(date(2026, 5, 1))


# ---- files that cannot be used ---------------------------------------------------------------

BAD_FILES = [
    # (file text, what the message must name)
    ("[working_week\nminutes_per_day = 450\n", ["not valid TOML", "line 1"]),
    ('[[holiday]]\ndate = "2026-02-30"\nkind = "holiday"\nname_id = "x"\n', ["holiday[1].date"]),
    ('[[holiday]]\ndate = 2026-11-12\nkind = "libur"\nname_id = "x"\n', ["holiday[1].kind"]),
    ("[working_week]\nminutes_per_day = 1441\n", ["working_week.minutes_per_day", "1441"]),
    ("[working_week.fri]\nbreak_minutes = -30\n", ["working_week.fri.break_minutes", "-30"]),
    ("[ramadan_week]\nminutes_per_day = 6.5\n", ["ramadan_week.minutes_per_day"]),
    ('[working_week]\nday_start = "7:75"\n', ["working_week.day_start", "7:75"]),
    ('[working_week]\nwork_days = ["mon", "jum"]\n', ["working_week.work_days"]),
    ("[working_week]\nminutes_per_dy = 420\n", ["working_week.minutes_per_dy"]),
    ("[[holidays]]\ndate = 2026-11-12\n", ["holidays"]),
    ('[[holiday]]\ndate = 2026-11-12\nname_id = "x"\n', ["holiday[1].kind"]),
    ("[[remove]]\ndate = 2026-11-12\n", ["remove[1].date", "2026-11-12"]),
    ("[[ramadan]]\nfirst = 2026-02-19\nlast = 2026-03-31\n", ["ramadan[1].last", "41 days"]),
    ('[years.2028]\nstatus = "draft"\n', ["years.2028.status"]),
    (
        '[[holiday]]\ndate = 2026-11-12\nkind = "holiday"\nname_id = "a"\n\n'
        '[[holiday]]\ndate = 2026-11-12\nkind = "holiday"\nname_id = "b"\n',
        ["holiday[2].date", "more than once"],
    ),
]


@pytest.mark.parametrize(("text", "named"), BAD_FILES)
def test_a_bad_agency_file_says_which_file_and_what_is_wrong(tmp_path, text, named):
    path = write(tmp_path, text)
    with pytest.raises(CalendarError) as caught:
        WorkCalendar.load(path)
    message = str(caught.value)
    assert str(path) in message
    for part in named:
        assert part in message
    # the national data is untouched
    assert WorkCalendar.load().day(date(2026, 3, 23)).kind == "cuti_bersama"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('# a comment\n\n[[holiday]]\ndate = 2026-11-12\nkind = "libur"\n', 5),
        (
            '[[holiday]]\ndate = 2026-11-12\nkind = "holiday"\nname_id = "a"\n\n'
            '[[holiday]]\ndate = "2026-02-30"\n',
            7,
        ),
        ('[working_week]\nday_start = "07:30"\n\n[working_week.fri]\nbreak_minutes = 2000\n', 5),
    ],
)
def test_the_message_gives_the_line(tmp_path, text, line):
    path = write(tmp_path, text)
    with pytest.raises(CalendarError, match=f", line {line}: "):
        WorkCalendar.load(path)


def test_a_file_that_cannot_be_read(tmp_path):
    with pytest.raises(CalendarError, match="cannot be read") as caught:
        WorkCalendar.load(tmp_path / "missing.toml")
    assert "missing.toml" in str(caught.value)
    path = tmp_path / AGENCY_FILE_NAME
    path.write_bytes(b'[[holiday]]\nname_id = "Hari Jadi \xff"\n')  # not UTF-8
    with pytest.raises(CalendarError, match="cannot be read"):
        WorkCalendar.load(path)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[[holiday]]\ndate = 2026-11-12T08:00:00\n", "2026-11-12T08:00:00"),
        ('[working_week]\nwork_days = ["mon", "jum", 5]\n', '["mon", "jum", 5]'),
        ("[working_week]\nminutes_per_day = true\n", "true"),
    ],
)
def test_a_wrong_value_is_shown_as_it_was_written(tmp_path, text, shown):
    with pytest.raises(CalendarError) as caught:
        WorkCalendar.load(write(tmp_path, text))
    assert str(caught.value).endswith(f"not {shown}.")
