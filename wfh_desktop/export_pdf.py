"""The activity log as a printable page (A4 landscape): who, the period, the lines, the totals
per day and overall, and room for the supervisor's signature. fpdf2 with DejaVu Sans, shipped
with the app (cut down to the Latin letters, punctuation and symbols), so that the page prints
the same on every computer; a letter the font does not have (Arabic, Chinese, an emoji) is
printed as "?" and the user is told (:func:`unprintable`)."""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from fpdf import FPDF

from wfh_desktop.i18n import tr
from wfh_desktop.timefmt import (
    MS_PER_MINUTE,
    LongDates,
    fmt_datetime,
    fmt_hours_minutes,
    fmt_number,
)

if TYPE_CHECKING:
    from wfh_desktop.activity_log import ActivityLog
    from wfh_desktop.export import ExportProfile, _Cells

FONTS = Path(__file__).resolve().parent / "resources" / "fonts"
FONT = "DejaVu"
# Printed once in the page's heading, not on every line.
PERSON_COLUMNS = ("nip", "name", "unit")
WEIGHTS = {
    "task": 4.0,
    "note": 3.0,
    "output": 2.4,
    "rhk": 2.4,
    "handed_from": 2.6,
    "handed_to": 2.6,
    "date": 1.5,
    "start": 1.2,
    "end": 1.2,
    "minutes": 1.3,
    "volume": 1.3,
    "output_unit": 1.4,
    "target": 1.6,
    "on_target": 1.4,
    "status": 1.4,
}
RIGHT = ("minutes", "volume", "target")
# Always printed; another column is left off the page when no line has a value in it.
KEPT = ("date", "start", "end", "minutes", "task")


@cache
def _glyphs() -> frozenset[int]:
    from fontTools.ttLib import TTFont  # fpdf2's own dependency

    with TTFont(str(FONTS / "DejaVuSansCondensed.ttf")) as font:
        return frozenset(font.getBestCmap())


def printable(text: str) -> str:
    """``text`` as the PDF can print it: composed (NFC), each letter the font lacks as "?"."""
    text = unicodedata.normalize("NFC", text)
    glyphs = _glyphs()
    if all(ord(c) in glyphs for c in text):
        return text
    return "".join(c if ord(c) in glyphs or c == "\n" else "?" for c in text)


def unprintable(texts: list[str]) -> set[str]:
    """The letters of ``texts`` the PDF's font does not have."""
    glyphs = _glyphs()
    return {
        c
        for text in texts
        for c in unicodedata.normalize("NFC", text)
        if ord(c) not in glyphs and c != "\n"
    }


class _Page(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=7)
        self.set_text_color(90, 90, 90)
        page = tr("Page {page} of {pages}", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, f"{self._footer_text}  ·  {page}", align="C")
        self.set_text_color(0, 0, 0)


class _Grid:
    """A table drawn cell by cell: fpdf2's own table lays out every cell through its general
    text engine (1.5 ms a cell: half a minute for a year). Widths of words are measured once;
    a row grows to its tallest cell; the headings repeat on every page."""

    HEAD_FILL = (225, 232, 240)
    ZEBRA_FILL = (246, 248, 250)

    def __init__(
        self,
        pdf: FPDF,
        widths: list[float],
        right: list[bool],
        size: float,
        line_h: float = 3.6,
        pad: float = 1.0,
    ) -> None:
        self.pdf = pdf
        self.widths = widths
        self.right = right
        self.size = size
        self.line_h = line_h
        self.pad = pad
        self.titles: list[str] = []
        self._top = pdf.get_y()
        self.head_h = 0.0
        self._measured: dict[tuple[str, str], float] = {}
        self._n = 0

    def _width(self, style: str, text: str) -> float:
        key = (style, text)
        w = self._measured.get(key)
        if w is None:
            w = self._measured[key] = self.pdf.get_string_width(text)
        return w

    def _wrap(self, style: str, text: str, room: float) -> list[str]:
        lines: list[str] = []
        space = self._width(style, " ")
        for para in text.split("\n") or [""]:
            line, line_w = "", 0.0
            for word in para.split(" "):
                w = self._width(style, word)
                if w > room:  # a word wider than the cell: cut it where it must be cut
                    if line:
                        lines.append(line)
                    piece = ""
                    for ch in word:
                        if self._width(style, piece + ch) > room and piece:
                            lines.append(piece)
                            piece = ""
                        piece += ch
                    line, line_w = piece, self._width(style, piece)
                elif not line:
                    line, line_w = word, w
                elif line_w + space + w <= room:
                    line, line_w = f"{line} {word}", line_w + space + w
                else:
                    lines.append(line)
                    line, line_w = word, w
            lines.append(line)
        return lines

    def _draw(self, texts: list[str], style: str, fill: tuple[int, int, int] | None) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, style=style, size=self.size)
        wrapped = [
            self._wrap(style, printable(text), w - 2 * self.pad)
            for text, w in zip(texts, self.widths, strict=True)
        ]
        # A row never runs past a page: a cell too long for one is cut, and says so.
        room = pdf.h - pdf.t_margin - pdf.b_margin - 2 * self.pad - self.head_h
        most = max(1, int(room / self.line_h))
        for lines in wrapped:
            if len(lines) > most:
                del lines[most:]
                lines[-1] = lines[-1][: max(len(lines[-1]) - 2, 0)] + " …"
        height = max(len(lines) for lines in wrapped) * self.line_h + 2 * self.pad
        if pdf.get_y() + height > pdf.h - pdf.b_margin and style != "B":
            self.close()
            pdf.add_page()
            self.heading(self.titles)
            pdf.set_font(FONT, style=style, size=self.size)
        x, y = pdf.l_margin, pdf.get_y()
        total = sum(self.widths)
        if fill is not None:
            pdf.set_fill_color(*fill)
            pdf.rect(x, y, total, height, style="F")
        for lines, w, right in zip(wrapped, self.widths, self.right, strict=True):
            for i, line in enumerate(lines):
                if line:
                    tx = x + w - self.pad - self._width(style, line) if right else x + self.pad
                    pdf.text(tx, y + self.pad + (i + 0.78) * self.line_h, line)
            x += w
        # Rules: one under each row; the columns' rules once a page (see close).
        pdf.line(pdf.l_margin, y + height, pdf.l_margin + total, y + height)
        pdf.set_y(y + height)

    def close(self) -> None:
        """Draw the table's outline and column rules on this page, from its top to here."""
        pdf, top, bottom = self.pdf, self._top, self.pdf.get_y()
        x = pdf.l_margin
        pdf.line(x, top, x + sum(self.widths), top)
        pdf.line(x, top, x, bottom)
        for w in self.widths:
            x += w
            pdf.line(x, top, x, bottom)

    def heading(self, titles: list[str]) -> None:
        self.titles = titles
        self._top = self.pdf.get_y()
        self._draw(titles, "B", self.HEAD_FILL)
        self.head_h = self.pdf.get_y() - self._top

    def row(self, texts: list[str]) -> None:
        self._n += 1
        self._draw(texts, "", self.ZEBRA_FILL if self._n % 2 == 0 else None)


def write_pdf(
    log: ActivityLog, profile: ExportProfile, f: IO[Any], cells: _Cells, headings: list[str]
) -> None:
    from wfh_desktop.export import long_period

    person = log.person
    who = printable(person.name or tr("(not signed in)"))
    pdf = _Page(tr("WFH Desktop, made {when}", when=fmt_datetime(log.made_at_ms, log.zone)))
    pdf.set_title(tr("Daily activity log"))
    pdf.set_author(who)
    pdf.set_creator("WFH Desktop")
    pdf.add_font(FONT, style="", fname=str(FONTS / "DejaVuSansCondensed.ttf"))
    pdf.add_font(FONT, style="B", fname=str(FONTS / "DejaVuSansCondensed-Bold.ttf"))
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()

    pdf.set_font(FONT, style="B", size=14)
    pdf.cell(0, 8, tr("Daily activity log"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    facts = [
        (tr("Name"), who),
        (tr("NIP"), person.nip or "–"),
        (tr("Work unit"), printable(person.unit or "–")),
        (tr("Period"), f"{long_period(log)} ({log.zone.name})"),
    ]
    for label, value in facts:
        pdf.set_font(FONT, style="B", size=9)
        pdf.cell(28, 5, label)
        pdf.set_font(FONT, size=9)
        pdf.cell(0, 5, f": {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    texts = {
        k: [cells.text(e, k) for e in log.entries]
        for k in profile.columns
        if k not in PERSON_COLUMNS
    }
    keys = [k for k, values in texts.items() if k in KEPT or any(values)]
    titles = [h for k, h in zip(profile.columns, headings, strict=True) if k in keys]
    if keys and log.entries:
        room = pdf.w - pdf.l_margin - pdf.r_margin
        weights = [WEIGHTS.get(k, 1.2) for k in keys]
        grid = _Grid(
            pdf, [room * w / sum(weights) for w in weights], [k in RIGHT for k in keys], 7.5
        )
        grid.heading(titles)
        running = tr("running")
        for i, e in enumerate(log.entries):
            grid.row([running if k == "end" and e.end_ms is None else texts[k][i] for k in keys])
        grid.close()  # the rules of its last page
    else:
        pdf.cell(0, 6, tr("No work was tracked in this period."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font(FONT, style="B", size=10)
    pdf.cell(0, 6, tr("Totals"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    total_ms = log.total_minutes * MS_PER_MINUTE
    for label, value in (
        (
            tr("Time worked"),
            tr(
                "{time} ({minutes} minutes)",
                time=fmt_hours_minutes(total_ms),
                minutes=fmt_number(log.total_minutes),
            ),
        ),
        (tr("Days with work"), fmt_number(log.days_worked)),
        (tr("Tasks"), fmt_number(log.tasks)),
        (tr("Lines"), fmt_number(len(log.entries))),
    ):
        pdf.set_font(FONT, style="B", size=9)
        pdf.cell(40, 5, label)
        pdf.set_font(FONT, size=9)
        pdf.cell(0, 5, f": {value}", new_x="LMARGIN", new_y="NEXT")
    per_day = log.per_day()
    if (log.last - log.first).days > 31:
        # A longer period: a line a month (its minutes and its days with work).
        months: dict[date, list[int]] = {}
        for day, minutes in per_day:
            line = months.setdefault(day.replace(day=1), [0, 0])
            line[0] += minutes
            line[1] += 1
        long = LongDates()
        pdf.ln(2)
        table = _Grid(pdf, [40.0, 25.0, 30.0], [False, True, True], 8)
        table.heading([tr("Month"), tr("Minutes"), tr("Days with work")])
        for month, (minutes, days) in sorted(months.items()):
            table.row([long.month(month), fmt_number(minutes), fmt_number(days)])
        table.close()
    elif len(per_day) > 1:
        pdf.ln(2)
        table = _Grid(pdf, [30.0, 25.0], [False, True], 8)
        table.heading([tr("Date"), tr("Minutes")])
        for day, minutes in per_day:
            table.row([cells.date(day), fmt_number(minutes)])
        table.close()

    # Signatures: the supervisor who checks the log, and its owner.
    if pdf.will_page_break(32):
        pdf.add_page()
    pdf.ln(8)
    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for i, (role, name, nip) in enumerate(
        (
            (tr("Direct supervisor"), "", ""),
            (tr("Employee"), printable(person.name or ""), person.nip or ""),
        )
    ):
        x = pdf.l_margin + i * half
        pdf.set_xy(x, top)
        pdf.set_font(FONT, size=9)
        pdf.cell(half, 5, f"{role},")
        pdf.set_xy(x, top + 20)
        pdf.set_font(FONT, style="B", size=9)
        pdf.cell(half, 5, name or "(" + "." * 40 + ")")
        pdf.set_xy(x, top + 25)
        pdf.set_font(FONT, size=9)
        pdf.cell(half, 5, tr("NIP") + ". " + (nip or "." * 36))
    f.write(pdf.output())
