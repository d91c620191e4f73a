"""Office time zones, parsing what users type, and formatting times, dates and numbers.

Instants are UTC epoch milliseconds everywhere in the core. They are shown, and typed, in the
user's office zone: WIB (UTC+7), WITA (UTC+8) or WIT (UTC+9). Indonesia has no daylight saving
time, so each zone is a fixed offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import language, tr

MS_PER_MINUTE = 60_000
MS_PER_DAY = 86_400_000


class Zone(NamedTuple):
    name: str
    offset_hours: int

    @property
    def offset_ms(self) -> int:
        return self.offset_hours * 3_600_000

    @property
    def tzinfo(self) -> timezone:
        return timezone(timedelta(hours=self.offset_hours), self.name)


ZONES = {"WIB": Zone("WIB", 7), "WITA": Zone("WITA", 8), "WIT": Zone("WIT", 9)}


def zone(name: str) -> Zone:
    try:
        return ZONES[name.upper()]
    except KeyError:
        raise UserError("Unknown time zone {zone}: use WIB, WITA or WIT.", zone=name) from None


# ---- days ------------------------------------------------------------------------------------


def day_of(instant_ms: int, z: Zone) -> date:
    """The calendar day an instant falls on in the office zone."""
    return date.fromordinal(719163 + (instant_ms + z.offset_ms) // MS_PER_DAY)


def day_start_ms(d: date, z: Zone) -> int:
    """The instant at which day ``d`` begins in the office zone."""
    return (d.toordinal() - 719163) * MS_PER_DAY - z.offset_ms


def day_pieces(start_ms: int, end_ms: int, offset_ms: int) -> Iterator[tuple[date, int, int]]:
    """``[start_ms, end_ms)`` cut at each midnight of the zone ``offset_ms`` ahead of UTC:
    (day, start, end) of each piece; nothing for an empty span."""
    while start_ms < end_ms:
        dayn = (start_ms + offset_ms) // MS_PER_DAY
        piece_end = min(end_ms, (dayn + 1) * MS_PER_DAY - offset_ms)
        yield date.fromordinal(719163 + dayn), start_ms, piece_end
        start_ms = piece_end


def to_local(instant_ms: int, z: Zone) -> datetime:
    return datetime.fromtimestamp(instant_ms / 1000, tz=z.tzinfo)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
_YEAR_1000_DAYS = date(1000, 1, 1).toordinal() - _EPOCH_ORDINAL


@lru_cache(maxsize=4096)
def _iso_day(days: int) -> str:
    return date.fromordinal(_EPOCH_ORDINAL + days).isoformat()


def iso_utc(instant_ms: int) -> str:
    """``2026-11-02T01:00:00.000Z``: the wire and JSON form of an instant. (Written out by hand:
    a sync answer formats a few hundred of them, and ``datetime.strftime`` was a twentieth of
    the server's time in a push.)"""
    seconds, milli = divmod(instant_ms, 1000)
    days, second = divmod(seconds, 86400)
    if days < _YEAR_1000_DAYS:  # strftime's unpadded year, as before
        dt = datetime.fromtimestamp(instant_ms / 1000, tz=UTC)
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{milli:03d}Z"
    hour, second = divmod(second, 3600)
    minute, second = divmod(second, 60)
    return f"{_iso_day(days)}T{hour:02d}:{minute:02d}:{second:02d}.{milli:03d}Z"


def epoch_ms(dt: datetime) -> int:
    """An aware datetime as epoch milliseconds, exactly (rounded to the nearest; a float
    ``timestamp() * 1000`` is a millisecond short for about one instant in 160)."""
    micro = (dt - _EPOCH) // timedelta(microseconds=1)
    return (micro + 500) // 1000


def iso_local(instant_ms: int, z: Zone) -> str:
    """``2026-11-02T08:00:00+07:00``: an instant in the office zone, for ``--json``."""
    return to_local(instant_ms, z).isoformat(timespec="seconds")


# ---- parsing ---------------------------------------------------------------------------------

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_ID = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[.:](\d{2})(?:[.:](\d{2}))?$")
_MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_ID = re.compile(r"^(\d{1,2})/(\d{4})$")

_TODAY_WORDS = {"today", "hari ini", "hariini"}
_YESTERDAY_WORDS = {"yesterday", "kemarin"}


def parse_date(text: str, today: date) -> date:
    """``2026-11-02``, ``02/11/2026``, ``today``/``hari ini`` or ``yesterday``/``kemarin``."""
    t = text.strip().lower()
    if t in _TODAY_WORDS:
        return today
    if t in _YESTERDAY_WORDS:
        return today - timedelta(days=1)
    m = _DATE_ISO.match(t)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _DATE_ID.match(t)
        if not m:
            raise UserError(
                "Cannot read the date {text!r}: write it as 2026-11-02 or 02/11/2026.", text=text
            )
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    try:
        value = date(y, mo, d)
    except ValueError:
        raise UserError("The date {text!r} does not exist.", text=text) from None
    return _in_range(value, text)


FIRST_YEAR, LAST_YEAR = 2000, 2099


def _in_range(value: date, text: str) -> date:
    """Dates far from now are typing mistakes (``0026-11-02``), not work to record."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise UserError(
            "The date {text!r} is outside {first}-{last}; check the year.",
            text=text,
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return value


def parse_time(text: str) -> tuple[int, int, int]:
    """``08.00``, ``08:00`` or ``08.00.30``; returns (hour, minute, second)."""
    m = _TIME.match(text.strip())
    if not m:
        raise UserError("Cannot read the time {text!r}: write it as 08.00 or 08:00.", text=text)
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    if h > 23 or mi > 59 or s > 59:
        raise UserError("The time {text!r} does not exist.", text=text)
    return h, mi, s


def parse_instant(text: str, z: Zone, today: date) -> int:
    """A date and time in the office zone (``2026-11-02 08.00``, ``02/11/2026 08:00``), or only a
    time (``08.00``), meaning the day ``today`` (the caller's choice: today, or the day of the
    session being corrected). Returns UTC epoch milliseconds."""
    parts = text.strip().split()
    if len(parts) == 1 and _TIME.match(parts[0]):
        d, time_text = today, parts[0]
    elif len(parts) == 2:
        d, time_text = parse_date(parts[0], today), parts[1]
    elif len(parts) == 3 and parts[0].lower() == "hari" and parts[1].lower() == "ini":
        d, time_text = today, parts[2]
    else:
        raise UserError(
            "Cannot read {text!r}: write a date and a time, such as 2026-11-02 08.00.", text=text
        )
    return at_time(d, z, parse_time(time_text))


def at_time(d: date, z: Zone, hms: tuple[int, int, int]) -> int:
    """The instant of a clock time (hour, minute, second) on a day in the office zone."""
    h, mi, s = hms
    return day_start_ms(d, z) + ((h * 60 + mi) * 60 + s) * 1000


def parse_month(text: str, today: date) -> date:
    """``2026-11`` or ``11/2026``; returns the first day of that month."""
    t = text.strip()
    m = _MONTH_ISO.match(t)
    if m:
        y, mo = int(m[1]), int(m[2])
    else:
        m = _MONTH_ID.match(t)
        if not m:
            raise UserError(
                "Cannot read the month {text!r}: write it as 2026-11 or 11/2026.", text=text
            )
        mo, y = int(m[1]), int(m[2])
    if not 1 <= mo <= 12 or not 1 <= y <= 9999:
        raise UserError("The month {text!r} does not exist.", text=text)
    return _in_range(date(y, mo, 1), text)


# ---- formatting ------------------------------------------------------------------------------

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def fmt_clock(instant_ms: int, z: Zone) -> str:
    """``08.30 WIB`` (Indonesian) or ``08:30 WIB`` (English)."""
    local = (instant_ms + z.offset_ms) // MS_PER_MINUTE % (24 * 60)
    sep = "." if language() == "id" else ":"
    return f"{local // 60:02d}{sep}{local % 60:02d} {z.name}"


def fmt_date(d: date) -> str:
    """``02/11/2026``."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def fmt_date_long(d: date) -> str:
    """``Senin, 2 November 2026``."""
    return f"{tr(_WEEKDAYS[d.weekday()])}, {d.day} {tr(_MONTHS[d.month - 1])} {d.year}"


class LongDates:
    """:func:`fmt_date_long` with the day and month names translated once, for long lists."""

    def __init__(self) -> None:
        self._weekdays = [tr(name) for name in _WEEKDAYS]
        self._months = [tr(name) for name in _MONTHS]

    def __call__(self, d: date) -> str:
        return f"{self._weekdays[d.weekday()]}, {d.day} {self._months[d.month - 1]} {d.year}"

    def month(self, d: date) -> str:
        """``November 2026``."""
        return f"{self._months[d.month - 1]} {d.year}"


def fmt_datetime(instant_ms: int, z: Zone) -> str:
    """``02/11/2026 08.30 WIB``."""
    return f"{fmt_date(day_of(instant_ms, z))} {fmt_clock(instant_ms, z)}"


def fmt_number(value: float, decimals: int = 0) -> str:
    """``1.234,5`` in Indonesian, ``1,234.5`` in English."""
    text = f"{value:,.{decimals}f}"
    if language() == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_elapsed(ms: int) -> str:
    """Minutes and seconds of elapsed time: ``12.30`` (Indonesian) or ``12:30`` (English)."""
    total = max(ms, 0) // 1000
    sep = "." if language() == "id" else ":"
    return f"{total // 60}{sep}{total % 60:02d}"


def round_minutes(ms: int) -> int:
    """Whole minutes, half up, as everything shows them (never below zero)."""
    return (max(ms, 0) + MS_PER_MINUTE // 2) // MS_PER_MINUTE


def fmt_minutes(ms: int) -> str:
    """Whole minutes, rounded half up: ``25 mnt`` / ``25 min``."""
    return tr("{n} min", n=fmt_number(round_minutes(ms)))


def fmt_hours_minutes(ms: int) -> str:
    """``4 j 05 mnt`` / ``4 h 05 min`` for longer spans."""
    total = round_minutes(ms)
    if total < 60:
        return fmt_minutes(ms)
    return tr("{h} h {m:02d} min", h=fmt_number(total // 60), m=total % 60)


def fmt_progress(actual_ms: int, target_minutes: int) -> str:
    """``12.30 / 30 mnt``: a task's time against its target."""
    return tr("{elapsed} / {target} min", elapsed=fmt_elapsed(actual_ms), target=target_minutes)


def fmt_left_or_over(actual_ms: int, target_minutes: int) -> str:
    """``17.30 left``, or ``5.00 over target (117% of target)``."""
    target_ms = target_minutes * MS_PER_MINUTE
    if actual_ms > target_ms:
        return tr(
            "{over} over target ({pct}% of target)",
            over=fmt_elapsed(actual_ms - target_ms),
            pct=fmt_number(100 * actual_ms / target_ms),
        )
    return tr("{left} left", left=fmt_elapsed(target_ms - actual_ms))
