"""Exports of the activity log to CSV, XLSX and PDF, with a column mapping saved as a profile.

Every target system differs (e-Kinerja's daily progress, each region's activity log), so the
columns, their order, their headings, the date and time style and the CSV separator are a
profile the user saves once (``export_profiles.json`` in the settings folder) and names when
exporting. A file is written beside its destination and moved into place only when complete:
an export that fails leaves no half-written file, and an existing file is replaced only when
the user says so.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, time
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, NamedTuple

from wfh_desktop.activity_log import ActivityLog, Entry
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import language, tr
from wfh_desktop.timefmt import (
    MS_PER_DAY,
    MS_PER_MINUTE,
    LongDates,
    fmt_date,
    fmt_hours_minutes,
    fmt_number,
)

FORMATS = ("csv", "xlsx", "pdf")
PROFILES_FILE = "export_profiles.json"
DEFAULT_PROFILE = "default"

# Every column an export can have, in the default order (DOMAIN.md's daily activity log).
COLUMNS = (
    "nip",
    "name",
    "unit",
    "date",
    "start",
    "end",
    "minutes",
    "task",
    "rhk",
    "output",
    "volume",
    "output_unit",
    "target",
    "on_target",
    "handed_from",
    "handed_to",
    "status",
    "note",
)
DEFAULT_COLUMNS = COLUMNS[:-2]
DATE_STYLES = ("dmy", "iso")  # 02/11/2026, 2026-11-02
TIME_STYLES = ("dot", "colon")  # 08.30, 08:30
DELIMITERS = {";": ";", ",": ",", "tab": "\t"}
MAX_HEADER = 100


def headers() -> dict[str, str]:
    """Each column's heading in the current language."""
    return {
        "nip": tr("NIP"),
        "name": tr("Name"),
        "unit": tr("Work unit"),
        "date": tr("Date"),
        "start": tr("Start time"),
        "end": tr("End time"),
        "minutes": tr("Minutes"),
        "task": tr("Activity"),
        "rhk": tr("RHK"),
        "output": tr("Output"),
        "volume": tr("Volume"),
        "output_unit": tr("Unit"),
        "target": tr("Target (minutes)"),
        "on_target": tr("On target"),
        "handed_from": tr("Handed over from"),
        "handed_to": tr("Handed over to"),
        "status": tr("Task status"),
        "note": tr("Note"),
    }


class ExportProfile(NamedTuple):
    """Which columns, in which order, under which headings, and how dates, times and CSV
    fields are written."""

    name: str
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    headers: Mapping[str, str] = MappingProxyType({})
    date_style: str = "dmy"
    time_style: str = ""  # "": the language's (08.30 in Indonesian, 08:30 in English)
    delimiter: str = ";"  # Excel in an Indonesian locale splits CSV on semicolons
    # A CSV cell of text that begins with = + - or @ is written after an apostrophe, so that
    # a spreadsheet shows it instead of running it as a formula.
    formula_guard: bool = True

    def heading(self, key: str, defaults: dict[str, str]) -> str:
        return self.headers.get(key) or defaults[key]

    def as_json(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "headers": dict(self.headers),
            "date_style": self.date_style,
            "time_style": self.time_style,
            "delimiter": self.delimiter,
            "formula_guard": self.formula_guard,
        }


# ---- profiles ----------------------------------------------------------------------------


def parse_columns(text: str) -> tuple[str, ...]:
    """``date,start,end,minutes,task`` → the columns, checked."""
    keys = [k.strip().lower() for k in text.split(",") if k.strip()]
    if not keys:
        raise UserError("Name at least one column: {columns}.", columns=", ".join(COLUMNS))
    for k in keys:
        if k not in COLUMNS:
            raise UserError(
                "Unknown column {column!r}; the columns are: {columns}.",
                column=k,
                columns=", ".join(COLUMNS),
            )
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            raise UserError("The column {column!r} is named twice.", column=k)
        seen.add(k)
    return tuple(keys)


def parse_headers(pairs: list[str]) -> dict[str, str]:
    """``task=Uraian kegiatan`` pairs → custom headings."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, value = key.strip().lower(), " ".join(value.split())
        if not sep or not value:
            raise UserError(
                "A heading is given as COLUMN=TEXT, such as task=Uraian kegiatan; not {value!r}.",
                value=pair,
            )
        if key not in COLUMNS:
            raise UserError(
                "Unknown column {column!r}; the columns are: {columns}.",
                column=key,
                columns=", ".join(COLUMNS),
            )
        if len(value) > MAX_HEADER:
            raise UserError("A heading may be at most {n} characters long.", n=MAX_HEADER)
        out[key] = value
    return out


def _profile_from(name: str, raw: Any) -> ExportProfile:
    """A saved profile, checked; ValueError or UserError if anything in it is not as saved."""
    if not isinstance(raw, dict):
        raise ValueError(name)
    columns = raw.get("columns") or list(DEFAULT_COLUMNS)
    heads = raw.get("headers") or {}
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise ValueError(name)
    if not isinstance(heads, dict) or not all(isinstance(v, str) for v in heads.values()):
        raise ValueError(name)
    guard = raw.get("formula_guard", True)
    if not isinstance(guard, bool):
        raise ValueError(name)
    profile = ExportProfile(
        name,
        parse_columns(",".join(columns)),
        parse_headers([f"{k}={v}" for k, v in heads.items()]),
        str(raw.get("date_style") or "dmy"),
        str(raw.get("time_style") or ""),
        str(raw.get("delimiter") or ";"),
        guard,
    )
    if (
        profile.date_style not in DATE_STYLES
        or profile.time_style not in ("", *TIME_STYLES)
        or profile.delimiter not in DELIMITERS.values()
    ):
        raise ValueError(name)
    return profile


def _read_raw(config_dir: Path) -> dict[str, Any]:
    """The profiles file as stored, {name: entry}; a file that cannot be read is reported (and
    so never overwritten)."""
    path = config_dir / PROFILES_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise UserError(
            "The export profiles in {path} cannot be read ({reason}); fix or remove the file.",
            path=str(path),
            reason=str(e),
        ) from None
    profiles = raw.get("profiles", {}) if isinstance(raw, dict) else None
    if not isinstance(profiles, dict):
        raise UserError(
            "The export profiles in {path} cannot be read ({reason}); fix or remove the file.",
            path=str(path),
            reason=tr("not a list of named profiles"),
        )
    return profiles


def load_profiles(config_dir: Path) -> dict[str, ExportProfile]:
    """The saved profiles that can be used (see :func:`broken_profiles` for the others)."""
    profiles: dict[str, ExportProfile] = {}
    for name, value in _read_raw(config_dir).items():
        with contextlib.suppress(ValueError, UserError):
            profiles[name] = _profile_from(name, value)
    return profiles


def broken_profiles(config_dir: Path) -> list[str]:
    """Saved profiles that cannot be used (edited by hand): saving one again replaces it."""
    return sorted(set(_read_raw(config_dir)) - set(load_profiles(config_dir)))


def _write_raw(config_dir: Path, profiles: dict[str, Any]) -> None:
    data = {"version": 1, "profiles": dict(sorted(profiles.items()))}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    config_dir.mkdir(parents=True, exist_ok=True)
    with _replacing(config_dir / PROFILES_FILE, overwrite=True, binary=False) as f:
        f.write(text)


def check_profile_name(name: str) -> str:
    name = name.strip()
    if not re.fullmatch(r"[\w.-]{1,40}", name):
        raise UserError(
            "A profile name is 1-40 letters, digits, '-', '_' or '.', such as ekinerja; not "
            "{value!r}.",
            value=name,
        )
    return name


def save_profile(config_dir: Path, profile: ExportProfile) -> None:
    """Save (or replace) one profile; the others are kept exactly as they are stored."""
    raw = _read_raw(config_dir)
    raw[profile.name] = profile.as_json()
    _write_raw(config_dir, raw)


def remove_profile(config_dir: Path, name: str) -> None:
    raw = _read_raw(config_dir)
    if name not in raw:
        raise UserError("There is no export profile named {name!r}.", name=name)
    del raw[name]
    _write_raw(config_dir, raw)


def find_profile(config_dir: Path, name: str | None) -> ExportProfile:
    if name is None or name == DEFAULT_PROFILE:
        return ExportProfile(DEFAULT_PROFILE)
    raw = _read_raw(config_dir)
    if name not in raw:
        raise UserError(
            "There is no export profile named {name!r}; see 'wfh export-profile list'.",
            name=name,
        )
    try:
        return _profile_from(name, raw[name])
    except (ValueError, UserError):
        raise UserError(
            "The export profile {name!r} in {path} is not valid; save it again with "
            "'wfh export-profile save'.",
            name=name,
            path=str(config_dir / PROFILES_FILE),
        ) from None


# ---- cell values -------------------------------------------------------------------------


def _local(ms: int, offset_ms: int) -> time:
    minute = (ms + offset_ms) // MS_PER_MINUTE % (24 * 60)
    return time(minute // 60, minute % 60)


class _Cells:
    """One entry's values: ``text`` for CSV and PDF, ``typed`` for XLSX cells."""

    def __init__(self, log: ActivityLog, profile: ExportProfile) -> None:
        self.log = log
        self.profile = profile
        self.off = log.zone.offset_ms
        style = profile.time_style or ("dot" if language() == "id" else "colon")
        self.time_sep = "." if style == "dot" else ":"
        self.decimal = "." if profile.delimiter == "," else ","
        self.yes, self.no = tr("Yes"), tr("No")
        self.statuses = {"open": tr("open"), "done": tr("done")}

    def date(self, d: date) -> str:
        return d.isoformat() if self.profile.date_style == "iso" else fmt_date(d)

    def clock(self, t: time) -> str:
        return f"{t.hour:02d}{self.time_sep}{t.minute:02d}"

    def number(self, value: float | None) -> str:
        if value is None:
            return ""
        # Never in scientific notation (2,5e+06): as many decimals as it has, up to six.
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return text.replace(".", self.decimal)

    def typed(self, e: Entry, key: str) -> Any:
        person = self.log.person
        if key == "nip":
            return person.nip or ""
        if key == "name":
            return person.name or ""
        if key == "unit":
            return person.unit or ""
        if key == "date":
            return e.day
        if key == "start":
            return _local(e.start_ms, self.off)
        if key == "end":
            if e.end_ms is None:
                return None
            # A line that ends at midnight ends at 24.00 of its day, not 00.00.
            if e.end_ms > e.start_ms and (e.end_ms + self.off) % MS_PER_DAY == 0:
                return "24:00" if self.time_sep == ":" else "24.00"
            return _local(e.end_ms, self.off)
        if key == "minutes":
            return e.minutes
        if key == "task":
            return e.task
        if key == "rhk":
            return e.rhk or ""
        if key == "output":
            return e.output or ""
        if key == "volume":
            return e.volume
        if key == "output_unit":
            return e.output_unit or ""
        if key == "target":
            return e.target_minutes
        if key == "on_target":
            return "" if e.on_target is None else (self.yes if e.on_target else self.no)
        if key == "handed_from":
            return e.handed_from or ""
        if key == "handed_to":
            return e.handed_to or ""
        if key == "status":
            return self.statuses.get(e.task_status, e.task_status)
        return e.note or ""

    def text(self, e: Entry, key: str) -> str:
        value = self.typed(e, key)
        if value is None:
            return ""
        if isinstance(value, date):
            return self.date(value)
        if isinstance(value, time):
            return self.clock(value)
        if key == "volume":
            return self.number(value)
        return str(value)


def _headings(log: ActivityLog, profile: ExportProfile) -> list[str]:
    defaults = headers()
    zone = log.zone.name
    defaults["start"] = f"{defaults['start']} ({zone})"
    defaults["end"] = f"{defaults['end']} ({zone})"
    return [profile.heading(k, defaults) for k in profile.columns]


# ---- writing -----------------------------------------------------------------------------


@contextlib.contextmanager
def _replacing(path: Path, *, overwrite: bool, binary: bool = True) -> Iterator[IO[Any]]:
    """A file written beside ``path`` and moved over it only once complete and on disk."""
    if path.exists() and not overwrite:
        raise UserError(
            "{path} already exists; choose another file or add --force to replace it.",
            path=str(path),
        )
    if path.is_dir():
        raise UserError("{path} is a folder; give a file name.", path=str(path))
    folder = path.parent
    if not folder.is_dir():
        raise UserError("The folder {path} does not exist.", path=str(folder))
    tmp = folder / f".{path.name}.{os.getpid()}.part"
    try:
        f = open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as e:
        raise UserError(
            "{path} cannot be written: {reason}", path=str(path), reason=e.strerror or str(e)
        ) from None
    try:
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        raise UserError(
            "{path} cannot be written: {reason}", path=str(path), reason=e.strerror or str(e)
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_csv(log: ActivityLog, profile: ExportProfile, f: IO[Any]) -> None:
    cells = _Cells(log, profile)
    # Text with a byte-order mark, so that Excel opens it as UTF-8.
    wrapper = _TextOut(f)
    wrapper.write("\ufeff")
    out = csv.writer(wrapper, delimiter=profile.delimiter, lineterminator="\r\n")
    out.writerow(_headings(log, profile))
    guard = profile.formula_guard
    for e in log.entries:
        row = [cells.text(e, k) for k in profile.columns]
        out.writerow([_guarded(v) for v in row] if guard else row)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _guarded(text: str) -> str:
    """Text that a spreadsheet would run as a formula, kept as text (numbers stay numbers)."""
    if text.startswith(_FORMULA_START):
        try:
            float(text.replace(",", "."))
        except ValueError:
            return "'" + text
    return text


class _TextOut:
    """Text written as UTF-8 to a binary file (csv.writer writes text)."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f

    def write(self, text: str) -> int:
        return self._f.write(text.encode("utf-8"))


def _write_xlsx(log: ActivityLog, profile: ExportProfile, f: IO[Any]) -> None:
    """XlsxWriter, row by row in constant memory: dates and times as real cells (formatted
    ``DD/MM/YYYY`` and ``hh:mm``), minutes, targets and volumes as numbers."""
    import xlsxwriter

    cells = _Cells(log, profile)
    # Text stays text: a title such as "=WEBSERVICE(…)" or "mailto:…" is never a formula or a
    # link in the file.
    wb = xlsxwriter.Workbook(
        f,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = wb.add_format({"bold": True})
    date_cell = wb.add_format(
        {"num_format": "yyyy-mm-dd" if profile.date_style == "iso" else "dd/mm/yyyy"}
    )
    time_cell = wb.add_format({"num_format": "hh:mm"})
    ws = wb.add_worksheet(_sheet_name(tr("Activity log")))
    widths = {"task": 40, "note": 30, "output": 24, "rhk": 24, "handed_from": 28}
    widths |= {"handed_to": 28, "name": 24, "unit": 24, "nip": 20}
    for i, key in enumerate(profile.columns):
        ws.set_column(i, i, widths.get(key, 13))
    ws.freeze_panes(1, 0)
    ws.write_row(0, 0, _headings(log, profile), bold)
    formats = {"date": date_cell, "start": time_cell, "end": time_cell}
    keys = list(enumerate(profile.columns))
    for r, e in enumerate(log.entries, start=1):
        for c, k in keys:
            v = cells.typed(e, k)
            if v is None or v == "":
                continue
            if k in formats and not isinstance(v, str):
                ws.write_datetime(r, c, v, formats[k])
            else:
                ws.write(r, c, v)
    summary = wb.add_worksheet(_sheet_name(tr("Summary")))
    summary.set_column(0, 0, 28)
    summary.set_column(1, 1, 40)
    r = 0
    for label, value in _summary_lines(log, cells):
        summary.write(r, 0, label, bold)
        summary.write(r, 1, value)
        r += 1
    r += 1
    summary.write_row(r, 0, [headers()["date"], tr("Minutes")], bold)
    for day, minutes in log.per_day():
        r += 1
        summary.write_datetime(r, 0, day, date_cell)
        summary.write_number(r, 1, minutes)
    wb.close()


def _sheet_name(text: str) -> str:
    """A worksheet's name: at most 31 characters, none of the ones Excel refuses."""
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _summary_lines(log: ActivityLog, cells: _Cells) -> list[tuple[str, Any]]:
    person = log.person
    return [
        (tr("Name"), person.name or tr("(not signed in)")),
        (tr("NIP"), person.nip or ""),
        (tr("Work unit"), person.unit or ""),
        (
            tr("Period"),
            tr(
                "{first} to {last} ({zone})",
                first=cells.date(log.first),
                last=cells.date(log.last),
                zone=log.zone.name,
            ),
        ),
        (tr("Total minutes"), log.total_minutes),
        (tr("Days with work"), log.days_worked),
        (tr("Tasks"), log.tasks),
        (tr("Lines"), len(log.entries)),
    ]


def _write_pdf(log: ActivityLog, profile: ExportProfile, f: IO[Any]) -> None:
    from wfh_desktop.export_pdf import write_pdf

    write_pdf(log, profile, f, _Cells(log, profile), _headings(log, profile))


_WRITERS: dict[str, Callable[[ActivityLog, ExportProfile, IO[Any]], None]] = {
    "csv": _write_csv,
    "xlsx": _write_xlsx,
    "pdf": _write_pdf,
}


def unprintable(log: ActivityLog) -> set[str]:
    """The letters in the log that a PDF cannot print (they come out as "?")."""
    from wfh_desktop.export_pdf import unprintable as missing

    texts = [log.person.name or "", log.person.unit or ""]
    for e in log.entries:
        texts += [e.task, e.rhk or "", e.output or "", e.output_unit or "", e.note or ""]
        texts += [e.handed_from or "", e.handed_to or ""]
    return missing(texts)


def format_for(fmt: str | None, output: Path | None) -> str:
    """The format asked for, or the output file's extension, or XLSX."""
    if fmt:
        chosen = fmt.lower().lstrip(".")
    elif output is not None and output.suffix:
        chosen = output.suffix.lower().lstrip(".")
    else:
        return "xlsx"
    if chosen not in FORMATS:
        raise UserError(
            "Unknown export format {format!r}: use csv, xlsx or pdf.", format=fmt or chosen
        )
    return chosen


def default_name(log: ActivityLog, fmt: str) -> str:
    """``kegiatan-2026-11.xlsx``, ``kegiatan-2026-11-02.pdf``,
    ``kegiatan-2026-11-02_2026-11-06.csv``."""
    stem = tr("activities")
    first, last = log.first, log.last
    if _whole_month(first, last):
        span = f"{first:%Y-%m}"
    elif first == last:
        span = first.isoformat()
    else:
        span = f"{first.isoformat()}_{last.isoformat()}"
    return f"{stem}-{span}.{fmt}"


def write_export(
    log: ActivityLog, fmt: str, path: Path, profile: ExportProfile, *, overwrite: bool = False
) -> Path:
    """Write the log to ``path`` in ``fmt``; returns the path written."""
    if fmt not in _WRITERS:
        raise UserError("Unknown export format {format!r}: use csv, xlsx or pdf.", format=fmt)
    with _replacing(path, overwrite=overwrite) as f:
        _WRITERS[fmt](log, profile, f)
    return path


def describe(log: ActivityLog) -> str:
    """One line for the user about what was exported."""
    return tr(
        "{lines} lines, {total} over {days} days ({first} to {last}).",
        lines=fmt_number(len(log.entries)),
        total=fmt_hours_minutes(log.total_minutes * MS_PER_MINUTE),
        days=fmt_number(log.days_worked),
        first=fmt_date(log.first),
        last=fmt_date(log.last),
    )


def _whole_month(first: date, last: date) -> bool:
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first.day == 1 and last.toordinal() == after.toordinal() - 1


def long_period(log: ActivityLog) -> str:
    long = LongDates()
    if _whole_month(log.first, log.last):
        return long.month(log.first)
    if log.first == log.last:
        return long(log.first)
    return tr("{first} to {last}", first=long(log.first), last=long(log.last))
