"""Importing time tracked with another tool: Watson, Timewarrior, Toggl Track or a spreadsheet.

Two steps. :meth:`ImportService.parse` reads the file and works out an :class:`ImportPlan`: the
sessions to import, the tasks to create, what matches tasks already here, what is skipped and
why. It writes nothing (a dry run is just this). :meth:`ImportService.apply` writes the plan in
one transaction, with the outbox rows that sync it: a file is imported whole or not at all.

The formats:

- ``watson``: Watson's ``frames`` file, a JSON list of frames ``[start, stop, project, id, tags,
  updated_at]`` (epoch seconds). The project is the task's title; the tags go into the note.
- ``timewarrior``: a Timewarrior data file (``~/.timewarrior/data/2026-01.data``) or that
  folder. Lines ``inc 20260102T080000Z - 20260102T093000Z # tag "tag two" # "annotation"``
  (UTC). The tags, joined by a space in Timewarrior's own (sorted) order, are the task's title,
  so that ``meeting projectA`` and ``projectA`` stay apart; an interval without tags goes to a
  task called ``Timewarrior``. An open interval (``inc 20260102T080000Z # tag``) is still
  running there: it is skipped, and counted.
- ``toggl``: a Toggl Track detailed report exported as CSV (``Start date``, ``Start time``,
  ``End date``, ``End time``, ``Duration``, ``Description``, ``Project``, ...), in the zone of
  the user's Toggl profile (a parameter). The description is the task's title (else the
  project, else ``Toggl Track``); project, client, Toggl task and tags go into the note. An
  export that holds more than one person's time is refused.
- ``csv``: a spreadsheet's CSV, the first row naming the columns; a mapping says which column
  holds the title, the start, the end or the minutes, and optionally the date and a note
  (without one, common English and Indonesian column names are recognised). Dates ISO
  (``2026-01-02``) or ``dd/mm/yyyy``, times ``08.30`` or ``08:30``; ``,`` or ``;`` between
  columns.

Every imported session is a ``manual`` one of the user's, with a note that says where it came
from. A title goes to the user's own live task of that title (any case, spaces trimmed), else
to a new task with the user's default target. A session whose task title and exact start and
end are already stored (live), or are earlier in the same file, is a duplicate and skipped, so
importing a file twice imports it once. A session that overlaps another is imported and
flagged for review, as a manual session is. A session of no time is skipped and counted; one
that ends before it starts, or in the future, or outside 2000-2099, is a bad line.

Files: at most :data:`MAX_FILE_BYTES`, checked before anything is read. UTF-8, with or without a
byte-order mark; a CSV that is not UTF-8 is read as Windows-1252, which is what Excel writes on
Windows for "CSV (Comma delimited)". Lines are read one at a time (Watson's JSON is read whole,
within the same limit). A bad line stops the import before anything is written: the message
names the file, the first bad line, and how many more there are.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import re
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple

from wfh_desktop.domain import WorkSession
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.ids import uuid7
from wfh_desktop.profile import Profile
from wfh_desktop.sessions import FUTURE_SLACK_MS
from wfh_desktop.settings import validate_target
from wfh_desktop.tasks import TaskService, clean_text, clean_title
from wfh_desktop.timefmt import (
    FIRST_YEAR,
    LAST_YEAR,
    MS_PER_DAY,
    Zone,
    at_time,
    day_of,
    epoch_ms,
    parse_date,
    parse_instant,
    parse_time,
)
from wfh_desktop.timer import insert_session

FORMATS = ("watson", "timewarrior", "toggl", "csv")
SOURCES = {"watson": "Watson", "timewarrior": "Timewarrior", "toggl": "Toggl Track"}
MAX_FILE_BYTES = 50 * 1024 * 1024  # a person's ten years in Watson are about 15 MB
MAX_NOTE = 2000  # the server's limit for a note
COLUMN_KEYS = ("title", "start", "end", "minutes", "date", "note")

# Column names recognised in a spreadsheet when no mapping is given (compared in any case).
KNOWN_COLUMNS = {
    "title": ("title", "task", "tugas", "kegiatan", "judul", "aktivitas", "activity", "uraian"),
    "start": ("start", "mulai", "jam mulai", "waktu mulai", "start time"),
    "end": ("end", "selesai", "jam selesai", "waktu selesai", "end time", "stop"),
    "minutes": ("minutes", "menit", "durasi", "durasi (menit)", "duration"),
    "date": ("date", "tanggal"),
    "note": ("note", "catatan", "keterangan"),
}

_FIRST_MS = epoch_ms(datetime(FIRST_YEAR, 1, 1, tzinfo=UTC))
_END_MS = epoch_ms(datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC))


# ---- what an import is -----------------------------------------------------------------------


class Entry(NamedTuple):
    """One finished stretch of work read from the file."""

    title: str  # clean (clean_title)
    start_ms: int
    end_ms: int
    note: str | None
    line: int


class ParsedFile(NamedTuple):
    format: str
    file: str  # its name, for messages
    entries: list[Entry]  # file order; running and empty ones left out
    running_skipped: int
    empty_skipped: int


class PlannedSession(NamedTuple):
    title: str  # the task's title: the stored task's own when it matches one
    start_ms: int
    end_ms: int
    note: str | None
    line: int
    overlaps: bool  # overlaps another session (stored, or imported before it): flagged


class ImportPlan(NamedTuple):
    """What an import does (or did, once ``applied``). Sessions are in order of start."""

    parsed: ParsedFile
    target_minutes: int  # of each new task
    sessions: list[PlannedSession]
    new_tasks: list[str]  # titles, as first spelled in the file
    existing_tasks: list[str]  # stored tasks that receive sessions
    duplicates_stored: int  # already in the database
    duplicates_in_file: int  # earlier in the same file
    overlaps: int
    applied: bool = False

    @property
    def format(self) -> str:
        return self.parsed.format

    @property
    def file(self) -> str:
        return self.parsed.file

    @property
    def running_skipped(self) -> int:
        return self.parsed.running_skipped

    @property
    def empty_skipped(self) -> int:
        return self.parsed.empty_skipped

    @property
    def duplicates(self) -> int:
        return self.duplicates_stored + self.duplicates_in_file

    @property
    def first_ms(self) -> int | None:
        return self.sessions[0].start_ms if self.sessions else None

    @property
    def last_ms(self) -> int | None:
        return max(s.end_ms for s in self.sessions) if self.sessions else None


def title_key(title: str) -> str:
    """How titles are compared: trimmed, inner spaces collapsed, in any case."""
    return " ".join(title.split()).casefold()


def kind_name(fmt: str) -> str:
    """The kind of file a format reads, in words."""
    names = {
        "watson": tr("Watson frames file"),
        "timewarrior": tr("Timewarrior data file"),
        "toggl": tr("Toggl Track CSV export"),
        "csv": tr("CSV file"),
    }
    return names[fmt]


def parse_mapping(text: str) -> dict[str, str]:
    """``title=Kegiatan,start=Mulai,end=Selesai`` as {key: column name}."""
    mapping: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        key, sep, column = item.partition("=")
        key = key.strip().lower()
        if not sep or not column.strip():
            raise UserError(
                "Cannot read the column mapping {text!r}: write it as "
                "title=Kegiatan,start=Mulai,end=Selesai.",
                text=text,
            )
        if key not in COLUMN_KEYS:
            raise UserError(
                "Unknown column key {key!r} in the mapping: use title, start, end, minutes, "
                "date or note.",
                key=key,
            )
        mapping[key] = column.strip()
    if not mapping:
        raise UserError(
            "Cannot read the column mapping {text!r}: write it as "
            "title=Kegiatan,start=Mulai,end=Selesai.",
            text=text,
        )
    return mapping


# ---- reading a file --------------------------------------------------------------------------


class _Undecodable(Exception):
    """A line that is not text in the encoding tried."""

    def __init__(self, file: str, line: int, utf8_before: bool = False) -> None:
        super().__init__(file, line)
        self.file = file
        self.line = line
        self.utf8_before = utf8_before  # earlier lines held UTF-8 letters beyond ASCII


class _Reader:
    """Collects the entries of one import and the bad lines, checking each entry."""

    def __init__(self, fmt: str, file: str, zone: Zone, now_ms: int, source: str) -> None:
        self.fmt = fmt
        self.file = file  # the file being read now (a Timewarrior folder has several)
        self.zone = zone
        self.now_ms = now_ms
        self.today = day_of(now_ms, zone)
        self.entries: list[Entry] = []
        self.running = 0
        self.empty = 0
        self.first_error: tuple[str, int, str] | None = None
        self.errors = 0
        self._imported_from = tr("Imported from {source}", source=source)

    @contextmanager
    def line(self, n: int) -> Iterator[None]:
        """One line (or record): a UserError in it is noted, and reading goes on."""
        try:
            yield
        except UserError as e:
            if self.first_error is None:
                self.first_error = (self.file, n, e.render())
            self.errors += 1

    def add(self, n: int, title: str, start_ms: int, end_ms: int | None, details: str) -> None:
        if end_ms is None:
            self.running += 1
            return
        _check_instant(start_ms)
        _check_instant(end_ms)
        if end_ms < start_ms:
            raise UserError("The end must be after the start.")
        if end_ms > self.now_ms + FUTURE_SLACK_MS:
            raise UserError("A session cannot end in the future.")
        clean = clean_title(title)
        if end_ms == start_ms:
            self.empty += 1
            return
        note = self._imported_from + (": " + details if details.strip() else "")
        self.entries.append(Entry(clean, start_ms, end_ms, clean_text(note[:MAX_NOTE]), n))

    def wrong_format(self, head: str) -> UserError:
        found = sniff(head)
        if found is not None and found != self.fmt:
            return UserError(
                "{file} is not a {expected}; it looks like a {found}: import it with "
                "'wfh import {format} …'.",
                file=self.file,
                expected=kind_name(self.fmt),
                found=kind_name(found),
                format=found,
            )
        return UserError(
            "{file} is not a {expected}.", file=self.file, expected=kind_name(self.fmt)
        )

    def finish(self) -> ParsedFile:
        if self.first_error is not None:
            file, n, problem = self.first_error
            if self.errors == 1:
                raise UserError(
                    "{file}, line {line}: {problem} Nothing was imported.",
                    file=file,
                    line=n,
                    problem=problem,
                )
            if self.errors == 2:
                raise UserError(
                    "{file}, line {line}: {problem} One more line is wrong too; nothing was "
                    "imported.",
                    file=file,
                    line=n,
                    problem=problem,
                )
            raise UserError(
                "{file}, line {line}: {problem} {more} more lines are wrong too; nothing was "
                "imported.",
                file=file,
                line=n,
                problem=problem,
                more=self.errors - 1,
            )
        return ParsedFile(self.fmt, self.file, self.entries, self.running, self.empty)


def _check_instant(ms: int) -> None:
    if not _FIRST_MS <= ms < _END_MS:
        shown = (
            datetime.fromtimestamp(ms // 1000, tz=UTC).date().isoformat() if 0 <= ms < 2**40 else ms
        )
        raise UserError(
            "The date {text!r} is outside {first}-{last}; check the year.",
            text=str(shown),
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )


def sniff(head: str) -> str | None:
    """Which format a file's first line looks like, if any."""
    text = head.lstrip("\ufeff").strip()
    if text.startswith("["):
        return "watson"
    if text == "inc" or text.startswith("inc "):
        return "timewarrior"
    low = text.casefold()
    if "start date" in low and "start time" in low:
        return "toggl"
    if "," in text or ";" in text:
        return "csv"
    return None


def _files(fmt: str, path: Path) -> list[Path]:
    """The files to read, checked before any is opened: there, not too big, not empty."""
    name = path.name or str(path)
    if not path.exists():
        raise UserError("The file {file} does not exist.", file=str(path))
    if path.is_dir():
        if fmt != "timewarrior":
            raise UserError("{file} is a folder; name the file to import.", file=name)
        files = sorted(
            p for p in path.iterdir() if re.fullmatch(r"\d{4}-\d{2}\.data", p.name) and p.is_file()
        )
        if not files:
            raise UserError(
                "The folder {file} holds no Timewarrior data files (such as 2026-01.data).",
                file=name,
            )
    else:
        files = [path]
    size = sum(p.stat().st_size for p in files)
    if size > MAX_FILE_BYTES:
        raise UserError(
            "{file} is {size} MB, more than the {limit} MB one import can read; split it into "
            "smaller files.",
            file=name,
            size=math.ceil(size / 1024 / 1024),
            limit=MAX_FILE_BYTES // 1024 // 1024,
        )
    if size == 0:
        raise UserError("The file {file} is empty.", file=name)
    return files


def _lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """The lines of a file, numbered from 1, each with its line break, decoded one at a time."""
    utf8_before = False
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            if n == 1:
                if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise UserError(
                        "{file} is UTF-16 text; save it as CSV UTF-8 and import that.",
                        file=path.name,
                    )
                if raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                raise _Undecodable(path.name, n, utf8_before) from None
            utf8_before = utf8_before or (encoding == "utf-8" and not raw.isascii())
            yield n, text


def read_file(
    fmt: str, path: Path, zone: Zone, now_ms: int, mapping: dict[str, str] | None = None
) -> ParsedFile:
    """Read and check a whole file (no database). ``zone``: the zone of times written without
    one (Toggl Track, a spreadsheet). Raises UserError for a file that cannot be imported."""
    if fmt not in FORMATS:
        raise UserError(
            "Unknown import format {format!r}: use watson, timewarrior, toggl or csv.", format=fmt
        )
    files = _files(fmt, path)
    source = SOURCES.get(fmt, path.name)
    encodings = ("utf-8", "cp1252") if fmt in ("toggl", "csv") else ("utf-8",)
    for encoding in encodings:
        reader = _Reader(fmt, files[0].name, zone, now_ms, source)
        try:
            if fmt == "watson":
                _read_watson(reader, files[0])
            elif fmt == "timewarrior":
                read = 0
                for f in files:
                    reader.file = f.name
                    read += _read_timewarrior(reader, _lines(f, encoding))
                reader.file = path.name if path.is_dir() else files[0].name
                if not read:  # (an emptied month in a folder is fine)
                    raise UserError("The file {file} is empty.", file=reader.file)
            elif fmt == "toggl":
                _read_toggl(reader, _lines(files[0], encoding))
            else:
                _read_csv(reader, _lines(files[0], encoding), mapping)
        except _Undecodable as e:
            if e.utf8_before:  # UTF-8 with a stray byte: read as Windows-1252 it would garble
                raise UserError(
                    "{file}, line {line}: this line is not UTF-8 text, though the lines before "
                    "it are; save the file as CSV UTF-8 again and import that.",
                    file=e.file,
                    line=e.line,
                ) from None
            if encoding != encodings[-1]:
                continue
            if len(encodings) > 1:
                raise UserError(
                    "{file}, line {line}: this is neither UTF-8 nor Windows-1252 text; save it "
                    "as CSV UTF-8 and import that.",
                    file=e.file,
                    line=e.line,
                ) from None
            raise UserError(
                "{file}, line {line}: this is not UTF-8 text, so it is not a {expected}.",
                file=e.file,
                line=e.line,
                expected=kind_name(fmt),
            ) from None
        return reader.finish()
    raise AssertionError("unreachable")  # pragma: no cover


# ---- Watson ----------------------------------------------------------------------------------

_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, i: int) -> int:
    m = _JSON_SPACE.match(text, i)
    assert m is not None  # the pattern matches the empty string
    return m.end()


def _read_watson(reader: _Reader, path: Path) -> None:
    data = path.read_bytes()  # _files checked the size
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _Undecodable(path.name, data.count(b"\n", 0, e.start) + 1) from None
    decoder = json.JSONDecoder()
    i = _skip_space(text, 0)
    if i == len(text):
        raise UserError("The file {file} is empty.", file=path.name)
    if text[i] != "[":
        raise reader.wrong_format(text[i : i + 500].split("\n", 1)[0])
    line, seen = 1, 0  # the line at position `seen`, counted as we go

    def line_at(pos: int) -> int:
        nonlocal line, seen
        line += text.count("\n", seen, pos)
        seen = pos
        return line

    def bad_json(pos: int, error: str) -> UserError:
        return UserError(
            "{file}, line {line}: this is not valid JSON ({error}). Nothing was imported.",
            file=path.name,
            line=line_at(pos),
            error=error,
        )

    i += 1
    first = True
    while True:
        i = _skip_space(text, i)
        if i < len(text) and text[i] == "]":
            i += 1
            break
        if not first:
            if i >= len(text) or text[i] != ",":
                raise bad_json(i, tr("a comma or ] is missing"))
            i = _skip_space(text, i + 1)
        try:
            frame, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as e:
            raise bad_json(e.pos, e.msg) from None
        n = line_at(i)
        if first and not isinstance(frame, list):
            raise reader.wrong_format("[")
        first = False
        with reader.line(n):
            _watson_frame(reader, n, frame)
        i = end
    if _skip_space(text, i) != len(text):
        raise bad_json(i, tr("more text after the list of frames"))


def _number(value: Any) -> bool:
    """An epoch second Watson could have written (years 1970-2999: others are refused later,
    by the date check, rather than overflowing here)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value < 32_503_680_000
    )


def _watson_frame(reader: _Reader, n: int, frame: Any) -> None:
    if (
        not isinstance(frame, list)
        or len(frame) < 3
        or not _number(frame[0])
        or not _number(frame[1])
        or not isinstance(frame[2], str)
    ):
        raise UserError(
            "This is not a Watson frame: [start, stop, project, id, tags, updated_at] is expected."
        )
    tags = frame[4] if len(frame) > 4 and isinstance(frame[4], list) else []
    reader.add(
        n,
        frame[2],
        round(frame[0] * 1000),
        round(frame[1] * 1000),
        ", ".join(str(t) for t in tags),
    )


# ---- Timewarrior -----------------------------------------------------------------------------

_TIMEW_STAMP = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _timew_tokens(text: str) -> list[tuple[str, bool]]:
    """The words of a line: (word, was it quoted). ``"tag two"`` is one word."""
    if '"' not in text:
        return [(word, False) for word in text.split()]
    out = []
    for m in _TOKEN.finditer(text):
        if m[1] is not None:
            out.append((re.sub(r"\\(.)", r"\1", m[1]), True))
        else:
            out.append((m[2], False))
    return out


def _timew_instant(text: str) -> int | None:
    m = _TIMEW_STAMP.fullmatch(text)
    if m is None:
        return None
    y, mo, d, h, mi, s = (int(g) for g in m.groups())
    try:
        return epoch_ms(datetime(y, mo, d, h, mi, s, tzinfo=UTC))
    except ValueError:
        raise UserError("The date {text!r} does not exist.", text=text) from None


def _read_timewarrior(reader: _Reader, lines: Iterator[tuple[int, str]]) -> bool:
    """Read one data file; False if it holds nothing."""
    first = True
    for n, raw in lines:
        text = raw.strip()
        if not text:
            continue
        tokens = _timew_tokens(text)
        if first and tokens[0] != ("inc", False):
            raise reader.wrong_format(text)
        first = False
        with reader.line(n):
            _timew_interval(reader, n, tokens)
    return not first


def _timew_interval(reader: _Reader, n: int, tokens: list[tuple[str, bool]]) -> None:
    if tokens[0] != ("inc", False):
        raise UserError("This is not a Timewarrior interval: it should start with inc.")
    start = _timew_instant(tokens[1][0]) if len(tokens) > 1 else None
    if start is None:
        raise UserError(
            "Cannot read the start of this interval: write it as 20260102T080000Z (UTC)."
        )
    rest = tokens[2:]
    end = None
    if rest and rest[0] == ("-", False):
        end = _timew_instant(rest[1][0]) if len(rest) > 1 else None
        if end is None:
            raise UserError(
                "Cannot read the end of this interval: write it as 20260102T093000Z (UTC)."
            )
        rest = rest[2:]
    tags: list[str] = []
    annotation: list[str] = []
    if rest:
        if rest[0] != ("#", False):
            raise UserError("Cannot read this interval: its tags should follow a #.")
        part = tags
        for word, quoted in rest[1:]:
            if word == "#" and not quoted and part is tags:
                part = annotation
            else:
                part.append(word)
    reader.add(n, " ".join(tags) or "Timewarrior", start, end, " ".join(annotation))


# ---- CSV (Toggl Track and spreadsheets) ------------------------------------------------------


def _records(reader: _Reader, lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the line each starts on; the delimiter (, or ;) is the one that splits
    the first line into more columns. Blank records are left out."""
    first: tuple[int, str] | None = None
    for n, text in lines:
        if text.strip():
            first = (n, text)
            break
    if first is None:
        raise UserError("The file {file} is empty.", file=reader.file)
    head = first[1]
    delimiter = max((",", ";"), key=lambda d: len(next(csv.reader([head], delimiter=d))))

    def all_lines() -> Iterator[str]:
        assert first is not None
        yield first[1]
        for _, text in lines:
            yield text

    rows = csv.reader(all_lines(), delimiter=delimiter)
    line_before = first[0] - 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as e:
            raise UserError(
                "{file}, line {line}: this is not valid CSV ({error}). Nothing was imported.",
                file=reader.file,
                line=line_before + 1,
                error=str(e),
            ) from None
        n = line_before + 1
        line_before = first[0] - 1 + rows.line_num
        if any(cell.strip() for cell in row):
            yield n, row


def _columns(header: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, name in enumerate(header):
        out.setdefault(" ".join(name.split()).casefold(), i)
    return out


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


_ISO_T = re.compile(r"\d{4}-\d{1,2}-\d{1,2}T\S+")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
_CLOCK = re.compile(r"\d{1,2}[.:]\d{2}(?:[.:]\d{2})?")
_HOURS_MINUTES = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?")


def _instant(text: str, zone: Zone, day: date | None, today: date) -> int:
    """``2026-01-02 08.30``, ``02/01/2026 08:30``, ``2026-01-02T08:30:00``, with an offset
    (``...+07:00``, ``...Z``) or in ``zone``; a time alone is on ``day``."""
    t = text.strip()
    if _ISO_T.fullmatch(t):
        head, _, tail = t.partition("T")
        if _OFFSET.search(tail):
            try:
                return epoch_ms(datetime.fromisoformat(t.replace("Z", "+00:00")))
            except ValueError:
                raise UserError(
                    "Cannot read {text!r}: write a date and a time, such as 2026-11-02 08.00.",
                    text=text,
                ) from None
        t = f"{head} {tail}"
    parts = t.split()
    if len(parts) == 2:
        return parse_instant(t, zone, today)
    if len(parts) == 1 and day is not None and _CLOCK.fullmatch(t):
        return parse_instant(t, zone, day)  # a time alone: on ``day``
    raise UserError(
        "Cannot read {text!r}: write a date and a time, such as 2026-11-02 08.00.", text=text
    )


def _minutes_ms(text: str) -> int:
    """A duration: minutes (``45``, ``90,5``), or hours and minutes (``1:30``, ``01:30:00``)."""
    t = text.strip()
    m = _HOURS_MINUTES.fullmatch(t)
    if m:
        return ((int(m[1]) * 60 + int(m[2])) * 60 + int(m[3] or 0)) * 1000
    try:
        minutes = float(t.replace(",", "."))
    except ValueError:
        minutes = math.nan
    if not math.isfinite(minutes) or minutes < 0:
        raise UserError(
            "Cannot read the duration {text!r}: write minutes (45) or hours and minutes (1:30).",
            text=text,
        )
    return round(minutes * 60_000)


_TOGGL_PEOPLE = ("email", "user", "member")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _toggl_date(text: str, today: date) -> date:
    """Toggl Track writes dates as 2026-01-05; 01/05/2026 could be either day first or month
    first (the profile's choice), so it is refused rather than guessed."""
    if not _ISO_DATE.fullmatch(text):
        raise UserError(
            "Cannot read the date {text!r}: choose the date format YYYY-MM-DD in your Toggl "
            "Track profile, and export again.",
            text=text,
        )
    return parse_date(text, today)


def _read_toggl(reader: _Reader, lines: Iterator[tuple[int, str]]) -> None:
    records = _records(reader, lines)
    _, header = next(records, (0, []))
    cols = _columns(header)
    has_end = "end date" in cols and "end time" in cols
    if "start date" not in cols or "start time" not in cols or not (has_end or "duration" in cols):
        raise reader.wrong_format(",".join(header))
    get = cols.get
    person_col = next((get(c) for c in _TOGGL_PEOPLE if c in cols), None)
    people: dict[str, None] = {}
    for n, row in records:
        with reader.line(n):
            person = _cell(row, person_col)
            if person:
                people.setdefault(person)
            day = _toggl_date(_cell(row, get("start date")), reader.today)
            start = at_time(day, reader.zone, parse_time(_cell(row, get("start time"))))
            end: int | None = None
            end_time = _cell(row, get("end time"))
            if end_time:
                end_day = _cell(row, get("end date"))
                end_date = _toggl_date(end_day, reader.today) if end_day else day
                end = at_time(end_date, reader.zone, parse_time(end_time))
            elif _cell(row, get("duration")) and not has_end:
                end = start + _minutes_ms(_cell(row, get("duration")))
            description = _cell(row, get("description"))
            project = _cell(row, get("project"))
            title = description or project or "Toggl Track"
            details = [
                x
                for x in (
                    project,
                    _cell(row, get("client")),
                    _cell(row, get("task")),
                    _cell(row, get("tags")),
                )
                if x and x != title
            ]
            reader.add(n, title, start, end, "; ".join(details))
    if len(people) > 1:
        raise UserError(
            "{file} holds the time of more than one person ({people}); export only your own "
            "time entries and import that.",
            file=reader.file,
            people=", ".join(list(people)[:3]) + (" …" if len(people) > 3 else ""),
        )


def _csv_mapping(
    reader: _Reader, header: list[str], mapping: dict[str, str] | None
) -> dict[str, int]:
    cols = _columns(header)
    shown = ", ".join(h.strip() for h in header if h.strip())
    found: dict[str, int] = {}
    if mapping is None and sniff(",".join(header)) not in (None, "csv"):
        raise reader.wrong_format(",".join(header))  # a Toggl Track export, say
    if mapping is not None:
        for key, name in mapping.items():
            index = cols.get(" ".join(name.split()).casefold())
            if index is None:
                raise UserError(
                    "{file} has no column {column!r}; its columns are: {columns}.",
                    file=reader.file,
                    column=name,
                    columns=shown,
                )
            found[key] = index
        if "end" in found and "minutes" in found:
            raise UserError("Map either the end or the minutes, not both.")
    else:
        for key, names in KNOWN_COLUMNS.items():
            index = next((cols[c] for c in names if c in cols), None)
            if index is not None:
                found[key] = index
        if "end" in found:
            found.pop("minutes", None)
    missing = None
    if "title" not in found:
        missing = UserError(
            "Which column of {file} holds the task title? Name it with --map title=COLUMN "
            "(its columns are: {columns}).",
            file=reader.file,
            columns=shown,
        )
    elif "start" not in found:
        missing = UserError(
            "Which column of {file} holds the start? Name it with --map start=COLUMN "
            "(its columns are: {columns}).",
            file=reader.file,
            columns=shown,
        )
    elif "end" not in found and "minutes" not in found:
        missing = UserError(
            "Which column of {file} holds the end or the minutes? Name it with --map "
            "end=COLUMN or --map minutes=COLUMN (its columns are: {columns}).",
            file=reader.file,
            columns=shown,
        )
    if missing is not None:
        raise missing
    return found


def _read_csv(
    reader: _Reader, lines: Iterator[tuple[int, str]], mapping: dict[str, str] | None
) -> None:
    records = _records(reader, lines)
    _, header = next(records, (0, []))
    found = _csv_mapping(reader, header, mapping)
    get = found.get
    for n, row in records:
        with reader.line(n):
            title = _cell(row, get("title"))
            if not title:
                raise UserError("The task title is empty.")
            date_text = _cell(row, get("date"))
            day = parse_date(date_text, reader.today) if date_text else None
            start_text = _cell(row, get("start"))
            if not start_text:
                raise UserError("The start is empty.")
            start = _instant(start_text, reader.zone, day, reader.today)
            if "end" in found:
                end_text = _cell(row, get("end"))
                if not end_text:
                    raise UserError("The end is empty.")
                end = _instant(end_text, reader.zone, day_of(start, reader.zone), reader.today)
                if end < start and _CLOCK.fullmatch(end_text.strip()):
                    end += MS_PER_DAY  # an end time alone before the start: past midnight
            else:
                minutes = _cell(row, get("minutes"))
                if not minutes:
                    raise UserError("The minutes are empty.")
                end = start + _minutes_ms(minutes)
            reader.add(n, title, start, end, _cell(row, get("note")))


# ---- matching and writing --------------------------------------------------------------------


def _resolve(
    conn: Any, user_id: str, parsed: ParsedFile, target_minutes: int, now_ms: int
) -> tuple[ImportPlan, dict[str, str]]:
    """What the parsed file means against this database: tasks matched or new, duplicates,
    overlaps; and the ids of the stored tasks matched, by :func:`title_key`. Reads only.

    A title matches the user's own live task of that title (any case), an open one before a
    finished one, else the newest."""
    entries = sorted(parsed.entries, key=lambda e: (e.start_ms, e.end_ms))  # stable: file order
    tasks: dict[str, tuple[bool, int, str, str]] = {}  # key -> (open, created_at, title, id)
    for task_id, title, status, created in conn.execute(
        "SELECT id, title, status, created_at FROM task "
        "WHERE deleted_at IS NULL AND assignee_user_id = ?",  # not a task handed to a colleague
        (user_id,),
    ):
        key = title_key(title)
        mine = (status == "open", created, title, task_id)
        if key not in tasks or mine[:2] > tasks[key][:2]:  # an open one, else the newest
            tasks[key] = mine
    stored: set[tuple[str, int, int]] = set()
    spans: list[tuple[int, int]] = []
    if entries:
        lo, hi = entries[0].start_ms, max(e.end_ms for e in entries)
        for title, start, end in conn.execute(
            "SELECT t.title, s.start_at, s.end_at FROM session s JOIN task t ON t.id = s.task_id "
            "WHERE s.owner_user_id = ? AND s.deleted_at IS NULL AND t.deleted_at IS NULL "
            "AND s.start_at >= ? AND s.start_at <= ? AND s.end_at IS NOT NULL",
            (user_id, lo, entries[-1].start_ms),
        ):
            stored.add((title_key(title), start, end))
        # what timer.overlaps() sees: the user's live sessions; a running one lasts until now
        spans = sorted(
            (start, max(now_ms, start) if end is None else end)
            for start, end in conn.execute(
                "SELECT start_at, end_at FROM session WHERE owner_user_id = ? "
                "AND deleted_at IS NULL AND start_at < ? AND (end_at IS NULL OR end_at > ?)",
                (user_id, hi, lo),
            )
        )
    starts = [start for start, _ in spans]
    max_ends = list(accumulate((end for _, end in spans), max))
    seen: set[tuple[str, int, int]] = set()
    sessions: list[PlannedSession] = []
    new_tasks: dict[str, str] = {}
    existing: dict[str, str] = {}
    ids: dict[str, str] = {}
    dup_stored = dup_file = overlaps = 0
    imported_end = -1  # the latest end among the sessions planned so far (inserted before)
    for e in entries:
        key = title_key(e.title)
        ident = (key, e.start_ms, e.end_ms)
        if ident in seen:
            dup_file += 1
            continue
        seen.add(ident)
        if ident in stored:
            dup_stored += 1
            continue
        i = bisect_left(starts, e.end_ms)  # the stored sessions that start before it ends
        overlap = imported_end > e.start_ms or (i > 0 and max_ends[i - 1] > e.start_ms)
        imported_end = max(imported_end, e.end_ms)
        overlaps += overlap
        match = tasks.get(key)
        if match is not None:
            title = existing.setdefault(key, match[2])
            ids[key] = match[3]
        else:
            title = new_tasks.setdefault(key, e.title)
        sessions.append(PlannedSession(title, e.start_ms, e.end_ms, e.note, e.line, overlap))
    plan = ImportPlan(
        parsed,
        target_minutes,
        sessions,
        list(new_tasks.values()),
        list(existing.values()),
        dup_stored,
        dup_file,
        overlaps,
    )
    return plan, ids


class ImportService:
    def __init__(self, profile: Profile) -> None:
        self._p = profile

    def parse(
        self,
        fmt: str,
        path: Path,
        zone: Zone,
        target_minutes: Any,
        mapping: dict[str, str] | None = None,
    ) -> ImportPlan:
        """Read a file and work out what importing it would do. Writes nothing (a dry run).

        ``zone``: the zone of times written without one (Toggl Track, a spreadsheet);
        ``target_minutes``: the target of each new task (the user's default)."""
        target = validate_target(target_minutes)
        now = self._p.clock.now_ms()
        parsed = read_file(fmt, path, zone, now, mapping)
        return _resolve(self._p.conn, self._p.user_id, parsed, target, now)[0]

    def apply(self, plan: ImportPlan) -> ImportPlan:
        """Write a plan in one transaction, with its outbox rows: all of it or nothing. The
        matching is worked out again under the write lock (the database may have changed since
        the plan was made); the plan returned is what was written."""
        now = self._p.clock.now_ms()
        tasks = TaskService(self._p)
        with self._p.write() as (conn, outbox):
            plan, ids = _resolve(conn, self._p.user_id, plan.parsed, plan.target_minutes, now)
            for title in plan.new_tasks:
                task = tasks.insert(
                    conn, outbox, {"title": title, "target_minutes": plan.target_minutes}
                )
                ids[title_key(title)] = task.id
            flagged = 0
            for s in plan.sessions:
                session = WorkSession(
                    id=uuid7(now),
                    task_id=ids[title_key(s.title)],
                    owner_user_id=self._p.user_id,
                    start_at=s.start_ms,
                    end_at=s.end_ms,
                    source="manual",
                    origin_device=self._p.device_id,
                    auto_stop_reason=None,
                    needs_review=None,
                    note=s.note,
                    created_at=now,
                    updated_at=now,
                    version=0,
                    deleted_at=None,
                )
                flagged += insert_session(conn, outbox, session, now).needs_review == "overlap"
        return plan._replace(overlaps=flagged, applied=True)
