"""The activity log as a printable page (A4 landscape): who, the period, the lines, the totals
per day and overall, and room for the supervisor's signature. fpdf2 with DejaVu Sans, shipped
with the app, so that names and titles print whatever their letters."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from wfh_desktop.i18n import tr
from wfh_desktop.timefmt import MS_PER_MINUTE, fmt_hours_minutes, fmt_number

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


def write_pdf(
    log: ActivityLog, profile: ExportProfile, f: IO[Any], cells: _Cells, headings: list[str]
) -> None:
    from wfh_desktop.export import long_period, when_made

    person = log.person
    who = person.name or tr("(not signed in)")
    pdf = _Page(tr("WFH Desktop, made {when}", when=when_made(log)))
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
        (tr("Work unit"), person.unit or "–"),
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
        pdf.set_font(FONT, size=7.5)
        with pdf.table(
            col_widths=tuple(WEIGHTS.get(k, 1.2) for k in keys),
            line_height=4,
            padding=1,
            repeat_headings=1,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 232, 240)),
            cell_fill_color=(246, 248, 250),
            cell_fill_mode="ROWS",
        ) as table:
            row = table.row()
            for title in titles:
                row.cell(title)
            running = tr("running")
            for i, e in enumerate(log.entries):
                row = table.row()
                for k in keys:
                    text = texts[k][i]
                    if k == "end" and e.end_ms is None:
                        text = running
                    row.cell(text, align="RIGHT" if k in RIGHT else "LEFT")
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
    if len(per_day) > 1:
        pdf.ln(2)
        pdf.set_font(FONT, size=8)
        with pdf.table(
            col_widths=(30, 25),
            width=55,
            align="LEFT",
            line_height=4,
            padding=1,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 232, 240)),
        ) as table:
            row = table.row()
            row.cell(tr("Date"))
            row.cell(tr("Minutes"), align="RIGHT")
            for day, minutes in per_day:
                row = table.row()
                row.cell(cells.date(day))
                row.cell(fmt_number(minutes), align="RIGHT")

    # Signatures: the supervisor who checks the log, and its owner.
    if pdf.will_page_break(32):
        pdf.add_page()
    pdf.ln(8)
    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for i, (role, name, nip) in enumerate(
        (
            (tr("Direct supervisor"), "", ""),
            (tr("Employee"), person.name or "", person.nip or ""),
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
