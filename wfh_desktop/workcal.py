"""The working calendar: which days are working days, how many minutes each is expected to hold
and when the working day starts.

Everything about dates and hours is data: ``resources/calendars/national.toml`` (the working week
of Perpres 21/2023, the Ramadan week, national holidays and *cuti bersama* per year of the SKB
3 Menteri, the Ramadan dates), then an agency's own ``calendar.toml`` of the same shape, which can
add holidays, remove national ones, change the weekly profile and set its own Ramadan dates.

The national file is read once per process; an agency file is read at each :meth:`load`. A file
that cannot be used raises :class:`CalendarError` naming the file, the line where it can be found
and the setting; the national data is never changed by an agency file.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import language as current_language
from wfh_desktop.i18n import tr
from wfh_desktop.paths import Paths

AGENCY_FILE_NAME = "calendar.toml"
NATIONAL_FILE = Path(__file__).resolve().parent / "resources" / "calendars" / "national.toml"

KINDS = ("holiday", "cuti_bersama")  # what a file may list; a day is also "workday" or "weekend"
STATUSES = ("final", "provisional")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_MINUTES = 1440

_TOP_KEYS = ("working_week", "ramadan_week", "years", "ramadan", "holiday", "remove")
_DAY_KEYS = ("day_start", "minutes_per_day", "break_minutes")
_WEEK_KEYS = ("work_days", *_DAY_KEYS)
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")

Loc = tuple[str | int, ...]  # where a value sits in a file: ("holiday", 3, "date"), 1-based


class CalendarError(UserError):
    """A calendar file that cannot be used; nothing was loaded from it."""


class Holiday(NamedTuple):
    """A national holiday (libur nasional) or a day of cuti bersama, named in both languages."""

    day: date
    kind: str  # "holiday" or "cuti_bersama"
    name_id: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_id if language == "id" else self.name_en


class WorkDay(NamedTuple):
    """One day as the calendar sees it.

    ``kind`` is "workday", "weekend" (any day outside the profile's work days), "holiday" or
    "cuti_bersama"; a holiday on a weekend is reported as the holiday. ``expected_minutes`` and
    ``break_minutes`` are 0 unless it is a working day. ``day_start`` is the profile's start
    (Ramadan's during Ramadan), local office time.
    """

    day: date
    kind: str
    expected_minutes: int
    name: str | None
    ramadan: bool
    day_start: time
    break_minutes: int = 0


class _DayRule(NamedTuple):
    minutes: int
    start: time
    break_minutes: int


class _Week(NamedTuple):
    rules: tuple[_DayRule | None, ...]  # Monday first; None: not a working day
    day_start: time


class _Year(NamedTuple):
    status: str
    source: str | None


class _Data(NamedTuple):
    """One file's content, checked. Profiles are partial: only the keys the file sets; their
    per-weekday changes are under "days" as {weekday: {key: value}}."""

    working_week: dict[str, Any]
    ramadan_week: dict[str, Any]
    years: dict[int, _Year]
    ramadan: dict[int, tuple[date, date]]  # year of the first day -> (first, last)
    holidays: dict[date, Holiday]
    remove: frozenset[date]


class WorkCalendar:
    """Working days, expected minutes and day starts, from the national data and an agency's.

    ``language`` chooses the holiday names ("id" or "en"); None follows the UI language at each
    call.
    """

    def __init__(
        self,
        week: _Week,
        ramadan_week: _Week,
        holidays: dict[date, Holiday],
        ramadan: Iterable[tuple[date, date]],
        years: dict[int, _Year],
        language: str | None = None,
    ) -> None:
        self._week = week
        self._ramadan_week = ramadan_week
        self._holidays = holidays
        self._ramadan = sorted(ramadan)
        self._years = years
        self._language = language

    @classmethod
    def load(cls, agency_file: Path | None = None, *, language: str | None = None) -> WorkCalendar:
        """The national calendar, changed by ``agency_file`` if given (raises CalendarError if
        either cannot be used)."""
        national = _national()
        if agency_file is None:
            return _build(national, None, language)
        return _build(national, _parse(Path(agency_file), national), language)

    def day(self, d: date) -> WorkDay:
        ramadan = any(first <= d <= last for first, last in self._ramadan)
        week = self._ramadan_week if ramadan else self._week
        rule = week.rules[d.weekday()]
        start = rule.start if rule is not None else week.day_start
        holiday = self._holidays.get(d)
        if holiday is not None:
            name = holiday.name(self._language or current_language())
            return WorkDay(d, holiday.kind, 0, name, ramadan, start)
        if rule is None:
            return WorkDay(d, "weekend", 0, None, ramadan, start)
        return WorkDay(d, "workday", rule.minutes, None, ramadan, start, rule.break_minutes)

    def days(self, first: date, last: date) -> list[WorkDay]:
        """Every day from ``first`` to ``last``, both included (none if last is before first)."""
        return [self.day(first + timedelta(days=i)) for i in range((last - first).days + 1)]

    def expected_minutes(self, first: date, last: date) -> int:
        """The working minutes expected from ``first`` to ``last``, both included."""
        return sum(d.expected_minutes for d in self.days(first, last))

    def covers(self, d: date) -> bool:
        """Whether the holidays of ``d``'s year are known. Outside those years the weekly
        profile still applies, but no holiday is known."""
        return d.year in self._years

    def year_status(self, year: int) -> str | None:
        """The year's status: "final", "provisional" (some dates are estimates: check them), or
        None when the year's holidays are not known."""
        known = self._years.get(year)
        return known.status if known is not None else None

    def ramadan_period(self, year: int) -> tuple[date, date] | None:
        """The first and last day of Ramadan that begins in ``year``, if known."""
        return next(((f, last) for f, last in self._ramadan if f.year == year), None)


def load_for(paths: Paths, *, language: str | None = None) -> WorkCalendar:
    """The national calendar with the agency file in the user's config folder, if there is one."""
    agency = paths.config_dir / AGENCY_FILE_NAME
    return WorkCalendar.load(agency if agency.is_file() else None, language=language)


# ---- building --------------------------------------------------------------------------------


@cache
def _national() -> _Data:
    return _parse(NATIONAL_FILE, None)


def _build(national: _Data, agency: _Data | None, language: str | None) -> WorkCalendar:
    holidays = dict(national.holidays)
    ramadan = dict(national.ramadan)
    years = dict(national.years)
    week, ramadan_week = national.working_week, national.ramadan_week
    if agency is not None:
        for d in agency.remove:
            del holidays[d]
        holidays.update(agency.holidays)
        ramadan.update(agency.ramadan)
        years.update(agency.years)
        week = _merge(week, agency.working_week)
        ramadan_week = _merge(ramadan_week, agency.ramadan_week)
    return WorkCalendar(
        _week(week), _week(ramadan_week), holidays, ramadan.values(), years, language
    )


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` changed by ``over``. A value ``over`` sets for the week holds on every day: it
    replaces ``base``'s weekday values of that key too (the national Friday break), unless
    ``over`` has its own weekday value."""
    week = {k: v for k, v in over.items() if k != "days"}
    merged = {**base, **week}
    days: dict[int, dict[str, Any]] = {
        d: {k: v for k, v in values.items() if k not in week}
        for d, values in base.get("days", {}).items()
    }
    for d, values in over.get("days", {}).items():
        days.setdefault(d, {}).update(values)
    merged["days"] = days
    return merged


def _week(profile: dict[str, Any]) -> _Week:
    rules: list[_DayRule | None] = []
    for weekday in range(7):
        if weekday not in profile["work_days"]:
            rules.append(None)
            continue
        values = {**profile, **profile.get("days", {}).get(weekday, {})}
        rules.append(
            _DayRule(values["minutes_per_day"], values["day_start"], values["break_minutes"])
        )
    return _Week(tuple(rules), profile["day_start"])


# ---- reading a file --------------------------------------------------------------------------


class _File:
    """A calendar file's text, to say where a setting is."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def at(self, loc: Loc) -> dict[str, str]:
        """``where`` (the file and, when it can be found, the line) and ``field`` for a message."""
        line = self._line(loc)
        where = (
            tr("{path}, line {line}", path=str(self.path), line=line)
            if line is not None
            else str(self.path)
        )
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        return {"where": where, "field": field}

    def _line(self, loc: Loc) -> int | None:
        if len(loc) >= 2 and isinstance(loc[1], int):  # [[name]] number loc[1]
            header = _header_pattern((str(loc[0]),))
            starts = [i for i, text in enumerate(self.lines) if header.match(text)]
            if loc[1] > len(starts):
                return None
            return self._key_line(starts[loc[1] - 1], str(loc[2]) if len(loc) > 2 else None)
        parts = tuple(str(p) for p in loc)
        table, key = parts[:-1], parts[-1]
        if not table:
            found = self._key_line(-1, key, header_line=False)
            if found is not None:
                return found
        else:
            pattern = _header_pattern(table)
            for i, text in enumerate(self.lines):
                if pattern.match(text):
                    found = self._key_line(i, key, header_line=False)
                    if found is not None:
                        return found
        pattern = _header_pattern(parts)
        return next((i + 1 for i, text in enumerate(self.lines) if pattern.match(text)), None)

    def _key_line(self, start: int, key: str | None, header_line: bool = True) -> int | None:
        """The line of ``key`` in the table whose header is on line index ``start`` (-1: the
        top level), else that header's line (if ``header_line``)."""
        if key is not None:
            quoted = re.escape(key)
            pattern = re.compile(rf"^\s*(?:{quoted}|\"{quoted}\"|'{quoted}')\s*=")
            for i in range(start + 1, len(self.lines)):
                if self.lines[i].lstrip().startswith("["):
                    break
                if pattern.match(self.lines[i]):
                    return i + 1
        return start + 1 if header_line and start >= 0 else None


def _header_pattern(parts: tuple[str, ...]) -> re.Pattern[str]:
    names = (re.escape(p) for p in parts)
    inner = r"\s*\.\s*".join(rf"(?:{n}|\"{n}\"|'{n}')" for n in names)
    return re.compile(rf"^\s*\[\[?\s*{inner}\s*\]\]?\s*(?:#.*)?$")


class _Shown(str):
    """A value as it was written in the file, for ``{value!r}`` in a message."""

    def __repr__(self) -> str:
        return str(self)


def _shown(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return _Shown("true" if value else "false")
    if isinstance(value, date | time):
        return _Shown(value.isoformat())
    if isinstance(value, list):
        return _Shown("[" + ", ".join(_inner(v) for v in value) + "]")
    if isinstance(value, dict):
        return _Shown("{" + ", ".join(f"{k} = {_inner(v)}" for k, v in value.items()) + "}")
    return _Shown(str(value))


def _inner(value: Any) -> str:
    """A value inside a list or table, strings quoted as TOML quotes them."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(_shown(value))


def _parse(path: Path, base: _Data | None) -> _Data:
    """Read and check one calendar file. ``base`` is the national data an agency file changes
    (None when reading the national file itself)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CalendarError(
            "The calendar file {path} cannot be read: {error}", path=str(path), error=str(e)
        ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CalendarError(
            "The calendar file {path} is not valid TOML: {error}", path=str(path), error=str(e)
        ) from None
    f = _File(path, text)
    _known_keys(f, raw, _TOP_KEYS, ())
    national = base is None
    return _Data(
        working_week=_profile(f, raw.get("working_week", {}), ("working_week",), national),
        ramadan_week=_profile(f, raw.get("ramadan_week", {}), ("ramadan_week",), national),
        years=_years(f, raw.get("years", {})),
        ramadan=_ramadan(f, _tables(f, raw.get("ramadan", []), ("ramadan",))),
        holidays=_holidays(f, _tables(f, raw.get("holiday", []), ("holiday",))),
        remove=_removals(f, _tables(f, raw.get("remove", []), ("remove",)), base),
    )


def _known_keys(f: _File, table: dict[str, Any], allowed: Iterable[str], loc: Loc) -> None:
    known = set(allowed)
    for key in table:
        if key not in known:
            raise CalendarError(
                "{where}: {field} is not a setting of a calendar file.", **f.at((*loc, key))
            )


def _table(f: _File, value: Any, loc: Loc) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise CalendarError(
            "{where}: {field} is not in the expected form; see the example in the README.",
            **f.at(loc),
        )
    return value


def _tables(f: _File, value: Any, loc: Loc) -> list[tuple[Loc, dict[str, Any]]]:
    """An array of tables ([[name]]), each with its place."""
    if not isinstance(value, list):
        raise CalendarError(
            "{where}: {field} is not in the expected form; see the example in the README.",
            **f.at(loc),
        )
    return [((*loc, i), _table(f, item, (*loc, i))) for i, item in enumerate(value, 1)]


def _required(f: _File, table: dict[str, Any], key: str, loc: Loc) -> Any:
    if key not in table:
        raise CalendarError("{where}: {field} is missing.", **f.at((*loc, key)))
    return table[key]


def _date(f: _File, value: Any, loc: Loc) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError(
        "{where}: {field} must be a date such as 2026-03-23, not {value!r}.",
        **f.at(loc),
        value=_shown(value),
    )


def _minutes(f: _File, value: Any, loc: Loc) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MINUTES:
        return value
    raise CalendarError(
        "{where}: {field} must be a whole number of minutes from 0 to 1440, not {value!r}.",
        **f.at(loc),
        value=_shown(value),
    )


def _time(f: _File, value: Any, loc: Loc) -> time:
    if isinstance(value, time) and value.tzinfo is None:
        return value
    match = _TIME.match(value) if isinstance(value, str) else None
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise CalendarError(
        "{where}: {field} must be a time of day such as 07:30, not {value!r}.",
        **f.at(loc),
        value=_shown(value),
    )


def _weekdays(f: _File, value: Any, loc: Loc) -> frozenset[int]:
    days: set[int] = set()
    for item in value if isinstance(value, list) else [None]:
        name = item.strip().lower() if isinstance(item, str) else ""
        if name in WEEKDAYS:
            days.add(WEEKDAYS.index(name))
        elif name in _WEEKDAY_NAMES:
            days.add(_WEEKDAY_NAMES.index(name))
        else:
            raise CalendarError(
                '{where}: {field} must be a list of weekdays such as ["mon", "tue", "wed", '
                '"thu", "fri"], not {value!r}.',
                **f.at(loc),
                value=_shown(value),
            )
    return frozenset(days)


def _text(f: _File, value: Any, loc: Loc) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise CalendarError(
        "{where}: {field} must be text, not {value!r}.", **f.at(loc), value=_shown(value)
    )


def _day_values(f: _File, table: dict[str, Any], loc: Loc) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "day_start" in table:
        values["day_start"] = _time(f, table["day_start"], (*loc, "day_start"))
    for key in ("minutes_per_day", "break_minutes"):
        if key in table:
            values[key] = _minutes(f, table[key], (*loc, key))
    return values


def _profile(f: _File, value: Any, loc: Loc, complete: bool) -> dict[str, Any]:
    table = _table(f, value, loc)
    _known_keys(f, table, (*_WEEK_KEYS, *WEEKDAYS), loc)
    profile = _day_values(f, table, loc)
    if "work_days" in table:
        profile["work_days"] = _weekdays(f, table["work_days"], (*loc, "work_days"))
    if complete:
        for key in _WEEK_KEYS:
            _required(f, profile, key, loc)
    days: dict[int, dict[str, Any]] = {}
    for weekday, name in enumerate(WEEKDAYS):
        if name in table:
            day_table = _table(f, table[name], (*loc, name))
            _known_keys(f, day_table, _DAY_KEYS, (*loc, name))
            days[weekday] = _day_values(f, day_table, (*loc, name))
    profile["days"] = days
    return profile


def _years(f: _File, value: Any) -> dict[int, _Year]:
    years: dict[int, _Year] = {}
    for key, item in _table(f, value, ("years",)).items():
        loc: Loc = ("years", key)
        if not re.fullmatch(r"\d{4}", key):
            raise CalendarError(
                "{where}: {field} must be a year such as 2027, not {value!r}.",
                **f.at(loc),
                value=key,
            )
        table = _table(f, item, loc)
        _known_keys(f, table, ("status", "source"), loc)
        status = table.get("status", "final")
        if status not in STATUSES:
            raise CalendarError(
                '{where}: {field} must be "final" or "provisional", not {value!r}.',
                **f.at((*loc, "status")),
                value=_shown(status),
            )
        source = _text(f, table["source"], (*loc, "source")) if "source" in table else None
        years[int(key)] = _Year(status, source)
    return years


def _ramadan(f: _File, tables: list[tuple[Loc, dict[str, Any]]]) -> dict[int, tuple[date, date]]:
    periods: dict[int, tuple[date, date]] = {}
    for loc, table in tables:
        _known_keys(f, table, ("first", "last"), loc)
        first = _date(f, _required(f, table, "first", loc), (*loc, "first"))
        last = _date(f, _required(f, table, "last", loc), (*loc, "last"))
        days = (last - first).days + 1
        if not 29 <= days <= 30:
            raise CalendarError(
                "{where}: {field}: Ramadan lasts 29 or 30 days, but {first} to {last} is "
                "{days} days.",
                **f.at((*loc, "last")),
                first=first.isoformat(),
                last=last.isoformat(),
                days=days,
            )
        if first.year in periods:
            raise CalendarError(
                "{where}: {field}: {value} is listed more than once in this file.",
                **f.at((*loc, "first")),
                value=str(first.year),
            )
        periods[first.year] = (first, last)
    return periods


def _holidays(f: _File, tables: list[tuple[Loc, dict[str, Any]]]) -> dict[date, Holiday]:
    holidays: dict[date, Holiday] = {}
    for loc, table in tables:
        _known_keys(f, table, ("date", "kind", "name_id", "name_en"), loc)
        day = _date(f, _required(f, table, "date", loc), (*loc, "date"))
        kind = _required(f, table, "kind", loc)
        if kind not in KINDS:
            raise CalendarError(
                '{where}: {field} must be "holiday" or "cuti_bersama", not {value!r}.',
                **f.at((*loc, "kind")),
                value=_shown(kind),
            )
        names = {k: _text(f, table[k], (*loc, k)) for k in ("name_id", "name_en") if k in table}
        if not names:
            _required(f, table, "name_id", loc)
        if day in holidays:
            raise CalendarError(
                "{where}: {field}: {value} is listed more than once in this file.",
                **f.at((*loc, "date")),
                value=day.isoformat(),
            )
        name_id = names.get("name_id", names.get("name_en", ""))
        holidays[day] = Holiday(day, kind, name_id, names.get("name_en", name_id))
    return holidays


def _removals(
    f: _File, tables: list[tuple[Loc, dict[str, Any]]], base: _Data | None
) -> frozenset[date]:
    removed: set[date] = set()
    for loc, table in tables:
        _known_keys(f, table, ("date",), loc)
        day = _date(f, _required(f, table, "date", loc), (*loc, "date"))
        if base is None or day not in base.holidays:
            raise CalendarError(
                "{where}: {field}: there is no national holiday or cuti bersama on {day} to "
                "remove.",
                **f.at((*loc, "date")),
                day=day.isoformat(),
            )
        if day in removed:
            raise CalendarError(
                "{where}: {field}: {value} is listed more than once in this file.",
                **f.at((*loc, "date")),
                value=day.isoformat(),
            )
        removed.add(day)
    return frozenset(removed)
