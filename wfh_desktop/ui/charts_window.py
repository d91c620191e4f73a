"""The “Grafik” window: personal charts of a week, a month or a year in the office zone.

Five charts, each drawn from the numbers :func:`wfh_desktop.stats.build_stats` computed on the
database thread (they compute nothing themselves): time per day stacked by task, actual time
against target per task, the on-target rate per week, how far finished tasks ran against their
target, and the hours tracked beside the working calendar's expected hours. Hovering shows the
exact values; each chart can be saved as a PNG. It informs; it never judges.

pyqtgraph is imported here, and this module only when the window is first opened: the tray
app starts without it.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLocale, QPointF, QStandardPaths, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import language, tr
from wfh_desktop.paths import Paths
from wfh_desktop.profile import Profile
from wfh_desktop.stats import DayStack, Stats, TaskVsTarget, build_stats
from wfh_desktop.timefmt import (
    MS_PER_MINUTE,
    LongDates,
    Zone,
    day_of,
    fmt_date,
    fmt_hours_minutes,
    fmt_minutes,
    fmt_number,
)
from wfh_desktop.ui.model import AppModel, error_text
from wfh_desktop.ui.widgets import ReadWhenSeen

log = logging.getLogger("wfh.ui")

KINDS = ("week", "month", "year")
TOP_STACKED = 8  # tasks with their own colour in the stacked chart; the rest is "other"
TOP_TARGETS = 15  # tasks in the actual-against-target chart
TREND_WEEKS = 12  # the weekly trend shows at least this many weeks, up to the period's end
MS_PER_HOUR = 60 * MS_PER_MINUTE
TITLE_CHARS = 36  # longer task titles are shortened in legends and axes

# Colours tell tasks apart (Tableau 10, red left out: nothing here is a failure).
TASK_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)
OTHER_COLOUR = "#bab0ac"
TRACKED_COLOUR = "#4e79a7"
EXPECTED_COLOUR = "#303030"
TARGET_COLOUR = "#d5d9de"
DONE_COLOUR = "#4e79a7"
OPEN_COLOUR = "#a0cbe8"
WITHIN_COLOUR = "#4e79a7"
OVER_COLOUR = "#a0cbe8"
HOLIDAY_COLOUR = "#e2d3ee"
CUTI_COLOUR = "#f0e3c2"
WEEKEND_COLOUR = "#ededed"
AXIS_COLOUR = "#9aa0a6"
TEXT_COLOUR = "#303030"


# ---- periods -------------------------------------------------------------------------------


def period_of(kind: str, day: date) -> tuple[date, date]:
    """The week (Monday to Sunday), month or year that holds ``day``."""
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if kind == "month":
        first = day.replace(day=1)
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, after - timedelta(days=1)
    if kind == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise ValueError(kind)


def shifted(kind: str, first: date, steps: int) -> date:
    """A day in the period ``steps`` periods away from the one starting on ``first``."""
    if kind == "week":
        return first + timedelta(days=7 * steps)
    if kind == "month":
        months = first.year * 12 + first.month - 1 + steps
        return date(months // 12, months % 12 + 1, 1)
    return date(first.year + steps, 1, 1)


def trend_span(first: date, last: date) -> tuple[date, date]:
    """Whole weeks (Monday to Sunday) that cover ``first``..``last``, at least
    :data:`TREND_WEEKS` of them, ending with the week of ``last``."""
    last_monday = last - timedelta(days=last.weekday())
    start = min(
        first - timedelta(days=first.weekday()),
        last_monday - timedelta(days=7 * (TREND_WEEKS - 1)),
    )
    return start, last_monday + timedelta(days=6)


class ChartData(NamedTuple):
    """What one read hands to the window: the period's statistics, the weekly trend's (whole
    weeks up to the period's end) and why the expected hours are missing, if they are."""

    kind: str
    stats: Stats
    trend: Stats
    calendar_note: str | None


def read_charts(
    p: Profile, kind: str, first: date, last: date, z: Zone, paths: Paths, lang: str
) -> ChartData:
    """The job run on the database thread."""
    calendar: Any = None
    note: str | None = None
    try:
        from wfh_desktop.workcal import load_for

        calendar = load_for(paths, language=lang)
    except UserError as e:
        note = tr(
            "The working calendar cannot be used, so expected working hours are not shown: "
            "{reason}",
            reason=e.render(),
        )
    except Exception:  # the charts are still worth seeing without the calendar
        log.exception("cannot load the working calendar")
        note = tr(
            "The working calendar could not be loaded, so expected working hours are not shown."
        )
    stats = build_stats(p, first, last, z, calendar)
    t_first, t_last = trend_span(first, last)
    trend = stats if (t_first, t_last) == (first, last) else build_stats(p, t_first, t_last, z)
    return ChartData(kind, stats, trend, note)


# ---- small helpers -------------------------------------------------------------------------


def _locale() -> QLocale:
    if language() == "id":
        return QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def _short(title: str, limit: int = TITLE_CHARS) -> str:
    """A long title shortened in the middle, so that its end (often a number) still shows."""
    if len(title) <= limit:
        return title
    head = (limit - 1) * 2 // 3
    tail = limit - 1 - head
    return title[:head].rstrip() + "…" + title[-tail:].lstrip()


def _pct(value: float) -> str:
    """``75`` or ``66,7`` (a whole number shown whole)."""
    return fmt_number(value, 0 if abs(value - round(value)) < 0.05 else 1)


def _hours(ms: int) -> float:
    return ms / MS_PER_HOUR


def over_bin_label(low: int | None, high: int | None) -> str:
    """``≤ 50``, ``50–75``, ``75–100`` (within the target), ``> 200`` (percent of the target;
    each bin holds its upper bound, not its lower)."""
    if low is None:
        return f"≤ {high}"
    if high is None:
        return f"> {low}"
    return f"{low}–{high}"


def _legend_html(entries: Sequence[tuple[str, str, str]]) -> str:
    """Colour swatches and their labels, one line that wraps: (colour, mark, label)."""
    parts = [
        f'<span style="color:{colour}">{mark}</span>&nbsp;'
        + html.escape(label).replace(" ", "&nbsp;")  # an entry is not split across lines
        for colour, mark, label in entries
    ]
    return "&nbsp;&nbsp;&nbsp; ".join(parts)


def _day_ticks(days: Sequence[date], kind: str) -> list[list[tuple[float, str]]]:
    loc = _locale()
    short = QLocale.FormatType.ShortFormat
    major: list[tuple[float, str]] = []
    minor: list[tuple[float, str]] = []
    for i, d in enumerate(days):
        if kind == "week":
            major.append((i, f"{loc.dayName(d.isoweekday(), short)} {d.day:02d}/{d.month:02d}"))
        elif kind == "month":
            if i == 0 or d.weekday() == 0:
                major.append((i, f"{d.day:02d}/{d.month:02d}"))
            else:
                minor.append((i, ""))
        elif d.day == 1:
            major.append((i, loc.monthName(d.month, short)))
    return [major, minor]


# ---- one chart -----------------------------------------------------------------------------


class ChartPanel(QFrame):
    """One chart with its title, legend, hover texts and a “Simpan PNG” button.

    ``texts(index)`` gives the hover text for the bar or point at ``index`` (the x position, or
    the y position of a horizontal chart), or None.
    """

    def __init__(self, title: str, file_stem: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_stem = file_stem
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.horizontal = False
        self.texts: Callable[[int], str | None] = lambda _index: None
        outer = QVBoxLayout(self)
        # What a saved PNG shows: the title, the chart and its legend (not the button).
        self.content = QWidget()
        self.content.setAutoFillBackground(True)
        self.content.setStyleSheet("background: white;")
        inner = QVBoxLayout(self.content)
        inner.setContentsMargins(8, 8, 8, 8)
        self.title = QLabel(title)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.title.setStyleSheet(f"color: {TEXT_COLOUR};")
        self.title.setWordWrap(True)
        inner.addWidget(self.title)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setAccessibleName(title)
        self.plot.setMinimumHeight(240)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        item.showGrid(x=False, y=True, alpha=0.15)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(AXIS_COLOUR))
            axis.setTextPen(pg.mkPen(TEXT_COLOUR))
        inner.addWidget(self.plot, 1)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setStyleSheet(f"color: {TEXT_COLOUR};")
        inner.addWidget(self.legend)
        outer.addWidget(self.content, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_button = QPushButton(tr("Save PNG…"))
        self.save_button.setAccessibleName(tr("Save {chart} as PNG", chart=title))
        row.addWidget(self.save_button)
        outer.addLayout(row)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)

    @property
    def item(self) -> Any:
        return self.plot.getPlotItem()

    def reset(self, left_label: str, bottom_label: str = "") -> None:
        self.item.clear()
        self.item.setLabel("left", left_label, color=TEXT_COLOUR)
        self.item.setLabel("bottom", bottom_label, color=TEXT_COLOUR)
        self.item.getAxis("left").setTicks(None)
        self.item.getAxis("bottom").setTicks(None)
        self.legend.clear()
        self.legend.hide()
        self.texts = lambda _index: None

    def set_legend(self, entries: Sequence[tuple[str, str, str]], note: str = "") -> None:
        """The colours' meanings, and a sentence under them if ``note``."""
        text = _legend_html(entries)
        if note:
            text += ("<br>" if text else "") + html.escape(note)
        self.legend.setText(text)
        self.legend.setVisible(bool(text))

    def say_empty(self, text: str, x: float, y: float) -> None:
        """A line in the middle of a chart with nothing to show."""
        label = pg.TextItem(text, color=TEXT_COLOUR, anchor=(0.5, 0.5))
        label.setPos(x, y)
        self.item.addItem(label)

    def hover_text(self, index: int) -> str | None:
        return self.texts(index)

    def _mouse_moved(self, pos: QPointF) -> None:
        box = self.item.getViewBox()
        if not box.sceneBoundingRect().contains(pos):
            QToolTip.hideText()
            return
        at = box.mapSceneToView(pos)
        text = self.hover_text(round(at.y() if self.horizontal else at.x()))
        if text:
            where = self.plot.viewport().mapToGlobal(self.plot.mapFromScene(pos))
            QToolTip.showText(where, text, self.plot)
        else:
            QToolTip.hideText()

    def png_bytes(self) -> bytes:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.content.grab().save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())

    def save_png(self, path: Path) -> Path:
        """Save the chart (title, chart and legend) as a PNG at ``path`` (``.png`` added when
        missing); returns the path written."""
        path = Path(path)
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        try:
            path.write_bytes(self.png_bytes())
        except OSError as e:
            raise UserError(
                "{path} cannot be written: {reason}", path=str(path), reason=e.strerror or str(e)
            ) from None
        return path


# ---- the window ----------------------------------------------------------------------------


class ChartsWindow(ReadWhenSeen):
    """The charts of one period; reads on the database thread and draws what comes back."""

    def __init__(self, model: AppModel, paths: Paths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.paths = paths
        self.data: ChartData | None = None
        self.kind = "week"
        self.first, self.last = period_of(self.kind, day_of(model.clock.now_ms(), model.zone))
        self.stale = True
        self._asked = 0  # the latest read's number: older answers are dropped
        self._long = LongDates()
        self.expected_line: Any = None  # the drawn expected hours and weekly rate (for tests)
        self.rate_line: Any = None
        self.setWindowTitle(tr("Charts"))
        self.resize(1180, 860)
        layout = QVBoxLayout(self)

        nav = QHBoxLayout()
        self.range = QComboBox()
        self.range.setAccessibleName(tr("Period"))
        for label, kind in ((tr("Week"), "week"), (tr("Month"), "month"), (tr("Year"), "year")):
            self.range.addItem(label, kind)
        self.prev_button = QPushButton("◀")
        self.prev_button.setAccessibleName(tr("Previous period"))
        self.period_label = QLabel()
        period_font = QFont(self.period_label.font())
        period_font.setBold(True)
        self.period_label.setFont(period_font)
        self.next_button = QPushButton("▶")
        self.next_button.setAccessibleName(tr("Next period"))
        self.current_button = QPushButton()
        for w in (self.range, self.prev_button, self.period_label, self.next_button):
            nav.addWidget(w)
        nav.addWidget(self.current_button)
        nav.addStretch(1)
        self.state = QLabel()
        nav.addWidget(self.state)
        layout.addLayout(nav)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("background: #fff4ce; color: #3b2f00; padding: 6px;")
        self.note.hide()
        layout.addWidget(self.note)

        self.days_panel = ChartPanel(tr("Time per day, by task"), tr("time-per-day"))
        self.calendar_panel = ChartPanel(
            tr("Hours tracked and the working calendar's expected hours"),
            tr("hours-and-calendar"),
        )
        self.targets_panel = ChartPanel(
            tr("Actual time against target, per task"), tr("actual-and-target")
        )
        self.targets_panel.horizontal = True
        self.over_panel = ChartPanel(
            tr("Finished tasks: actual time as a share of the target"), tr("share-of-target")
        )
        self.trend_panel = ChartPanel(tr("On-target rate per week"), tr("on-target-rate"))
        self.panels = (
            self.days_panel,
            self.calendar_panel,
            self.targets_panel,
            self.over_panel,
            self.trend_panel,
        )
        grid_body = QWidget()
        grid = QGridLayout(grid_body)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, panel in enumerate(self.panels):
            grid.addWidget(panel, i // 2, i % 2)
            panel.save_button.clicked.connect(lambda _=False, p=panel: self.ask_and_save(p))
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(grid_body)
        layout.addWidget(scroll, 1)

        self.range.currentIndexChanged.connect(self._range_chosen)
        self.prev_button.clicked.connect(lambda: self.show_period(self.kind, self._step(-1)))
        self.next_button.clicked.connect(lambda: self.show_period(self.kind, self._step(1)))
        self.current_button.clicked.connect(lambda: self.show_period(self.kind, self._today()))
        model.today_changed.connect(self.data_changed)
        self._set_labels()

    # ---- the period ------------------------------------------------------------------------

    def _today(self) -> date:
        return day_of(self.model.clock.now_ms(), self.model.zone)

    def _step(self, steps: int) -> date:
        return shifted(self.kind, self.first, steps)

    def _range_chosen(self, _index: int) -> None:
        kind = self.range.currentData()
        today = self._today()
        # The new range holds the day in view: today if the period shown holds it.
        day = today if self.first <= today <= self.last else self.first
        self.show_period(kind, day)

    def show_period(self, kind: str, day: date) -> None:
        """Show the week, month or year that holds ``day``."""
        self.kind = kind
        self.first, self.last = period_of(kind, day)
        self._set_labels()
        self.reload()

    def _set_labels(self) -> None:
        self.range.blockSignals(True)
        self.range.setCurrentIndex(self.range.findData(self.kind))
        self.range.blockSignals(False)
        if self.kind == "week":
            text = tr("{first} to {last}", first=fmt_date(self.first), last=fmt_date(self.last))
            current = tr("This week")
        elif self.kind == "month":
            text = self._long.month(self.first)
            current = tr("This month")
        else:
            text = str(self.first.year)
            current = tr("This year")
        self.period_label.setText(text)
        self.current_button.setText(current)

    # ---- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.stale = False
        self._asked += 1
        asked = self._asked
        kind, first, last = self.kind, self.first, self.last
        z, paths, lang = self.model.zone, self.paths, language()
        self.state.setText(tr("Reading…"))

        def reply(result: Any, error: BaseException | None) -> None:
            if not isValid(self) or asked != self._asked:
                return  # the window is gone, or the answer is for a period no longer shown
            if error is not None:
                self.state.setText(error_text(error))
                return
            self.state.setText("")
            self.draw(result)

        self.model.worker.submit(lambda p: read_charts(p, kind, first, last, z, paths, lang), reply)

    # ---- drawing ---------------------------------------------------------------------------

    def draw(self, data: ChartData) -> None:
        self.data = data
        s = data.stats
        self.note.setText(data.calendar_note or "")
        self.note.setVisible(bool(data.calendar_note))
        parts = [tr("Tracked: {total}", total=fmt_hours_minutes(s.total_ms))]
        if data.calendar_note is None:
            parts.append(
                tr(
                    "Working hours in the calendar: {expected}",
                    expected=fmt_hours_minutes(s.expected_ms),
                )
            )
        parts.append(_rate_text(s.finished_on_target, s.finished))
        self.summary.setText("   ·   ".join(parts))
        self._draw_days(s, data.kind)
        self._draw_calendar(s, data.kind, data.calendar_note is None)
        self._draw_targets(s)
        self._draw_over(s)
        self._draw_trend(data.trend)

    def _draw_days(self, s: Stats, kind: str) -> None:
        panel = self.days_panel
        panel.reset(tr("Hours"))
        n = len(s.days)
        top = s.tasks[:TOP_STACKED]
        width = 0.7 if kind != "year" else 0.9
        base = [0] * n  # ms stacked so far on each day
        legend: list[tuple[str, str, str]] = []
        layers = [(t.task_id, _short(t.title), TASK_COLOURS[i]) for i, t in enumerate(top)]
        top_ids = {t.task_id for t in top}
        for task_id, title, colour in layers:
            ms = [next((x.ms for x in d.tasks if x.task_id == task_id), 0) for d in s.days]
            self._stack(panel, ms, base, colour, width)
            legend.append((colour, "■", title))
        other = [sum(x.ms for x in d.tasks if x.task_id not in top_ids) for d in s.days]
        if any(other):
            self._stack(panel, other, base, OTHER_COLOUR, width)
            legend.append((OTHER_COLOUR, "■", tr("Other tasks")))
        panel.set_legend(legend)
        top_hours = max([_hours(d.worked_ms) for d in s.days] + [1.0]) * 1.1
        panel.item.setXRange(-0.6, n - 0.4, padding=0)
        panel.item.setYRange(0, top_hours, padding=0)
        panel.item.getAxis("bottom").setTicks(_day_ticks([d.day for d in s.days], kind))
        if s.total_ms == 0:
            panel.say_empty(tr("No work recorded in this period."), (n - 1) / 2, top_hours / 2)
        panel.texts = lambda i: self._day_text(s.days, i)

    @staticmethod
    def _stack(panel: ChartPanel, ms: list[int], base: list[int], colour: str, w: float) -> None:
        xs = [i for i, v in enumerate(ms) if v > 0]
        if xs:
            panel.item.addItem(
                pg.BarGraphItem(
                    x=xs,
                    y0=[_hours(base[i]) for i in xs],
                    height=[_hours(ms[i]) for i in xs],
                    width=w,
                    brush=colour,
                    pen=pg.mkPen("w", width=0.5),
                )
            )
        for i in xs:
            base[i] += ms[i]

    def _day_text(self, days: list[DayStack], i: int) -> str | None:
        if not 0 <= i < len(days):
            return None
        d = days[i]
        lines = [self._long(d.day), tr("Worked: {total}", total=fmt_hours_minutes(d.worked_ms))]
        lines += [f"  {x.title}: {fmt_hours_minutes(x.ms)}" for x in d.tasks]
        return "\n".join(lines)

    def _draw_calendar(self, s: Stats, kind: str, with_calendar: bool) -> None:
        panel = self.calendar_panel
        panel.reset(tr("Hours"))
        self.expected_line = None
        n = len(s.calendar)
        top = max([_hours(c.worked_ms) for c in s.calendar] + [1.0])
        top = max([top] + [_hours(c.expected_ms) for c in s.calendar]) * 1.1
        bands = {"holiday": HOLIDAY_COLOUR, "cuti_bersama": CUTI_COLOUR, "weekend": WEEKEND_COLOUR}
        for band_kind, colour in bands.items():
            xs = [i for i, c in enumerate(s.calendar) if c.kind == band_kind]
            if xs:
                band = pg.BarGraphItem(x=xs, y0=0, height=top, width=1.0, brush=colour, pen=None)
                band.setZValue(-10)
                panel.item.addItem(band)
        width = 0.6 if kind != "year" else 0.9
        xs = [i for i, c in enumerate(s.calendar) if c.worked_ms > 0]
        if xs:
            panel.item.addItem(
                pg.BarGraphItem(
                    x=xs,
                    y0=0,
                    height=[_hours(s.calendar[i].worked_ms) for i in xs],
                    width=width,
                    brush=TRACKED_COLOUR,
                    pen=None,
                )
            )
        legend = [(TRACKED_COLOUR, "■", tr("Tracked"))]
        expected = [i for i, c in enumerate(s.calendar) if c.expected_ms > 0]
        if with_calendar and expected:
            half = 0.45 if kind != "year" else 0.5
            line_x: list[float] = []
            line_y: list[float] = []
            for i in expected:
                h = _hours(s.calendar[i].expected_ms)
                line_x += [i - half, i + half]
                line_y += [h, h]
            self.expected_line = panel.item.plot(
                line_x,
                line_y,
                connect="pairs",
                pen=pg.mkPen(EXPECTED_COLOUR, width=2),
                antialias=True,
            )
            legend.append((EXPECTED_COLOUR, "▬", tr("Working hours in the calendar")))
        kinds_seen = {c.kind for c in s.calendar}
        for band_kind, label in (
            ("holiday", tr("National holiday")),
            ("cuti_bersama", tr("Collective leave")),
            ("weekend", tr("Weekend")),
        ):
            if band_kind in kinds_seen:
                legend.append((bands[band_kind], "■", label))
        panel.set_legend(legend)
        panel.item.setXRange(-0.6, n - 0.4, padding=0)
        panel.item.setYRange(0, top, padding=0)
        panel.item.getAxis("bottom").setTicks(_day_ticks([c.day for c in s.calendar], kind))
        panel.texts = lambda i: self._calendar_text(s, with_calendar, i)

    def _calendar_text(self, s: Stats, with_calendar: bool, i: int) -> str | None:
        if not 0 <= i < len(s.calendar):
            return None
        c = s.calendar[i]
        lines = [self._long(c.day)]
        kind_text = {
            "workday": tr("Working day"),
            "weekend": tr("Weekend"),
            "holiday": tr("National holiday"),
            "cuti_bersama": tr("Collective leave"),
        }.get(c.kind)
        if kind_text:
            lines.append(f"{kind_text}: {c.name}" if c.name else kind_text)
        lines.append(tr("Tracked: {total}", total=fmt_hours_minutes(c.worked_ms)))
        if with_calendar:
            expected = fmt_hours_minutes(c.expected_ms)
            lines.append(tr("Working hours in the calendar: {expected}", expected=expected))
        return "\n".join(lines)

    def _draw_targets(self, s: Stats) -> None:
        panel = self.targets_panel
        panel.reset("", tr("Minutes"))
        tasks = s.tasks[:TOP_TARGETS]
        n = len(tasks)
        rows = [n - 1 - i for i in range(n)]  # the task with most of my time at the top
        if tasks:
            panel.item.addItem(
                pg.BarGraphItem(
                    x0=0,
                    y=rows,
                    height=0.72,
                    width=[t.target_minutes for t in tasks],
                    brush=TARGET_COLOUR,
                    pen=None,
                )
            )
            for done, colour in ((True, DONE_COLOUR), (False, OPEN_COLOUR)):
                picked = [i for i, t in enumerate(tasks) if (t.status == "done") == done]
                if picked:
                    panel.item.addItem(
                        pg.BarGraphItem(
                            x0=0,
                            y=[rows[i] for i in picked],
                            height=0.36,
                            width=[tasks[i].actual_ms / MS_PER_MINUTE for i in picked],
                            brush=colour,
                            pen=None,
                        )
                    )
        right = max([15.0] + [t.actual_ms / MS_PER_MINUTE for t in tasks])
        right = max([right] + [t.target_minutes for t in tasks]) * 1.08
        panel.item.setXRange(0, right, padding=0)
        panel.item.setYRange(-0.6, max(n, 1) - 0.4, padding=0)
        panel.item.getAxis("left").setTicks(
            [[(rows[i], _short(t.title, 28)) for i, t in enumerate(tasks)], []]
        )
        panel.set_legend(
            [
                (TARGET_COLOUR, "■", tr("Target")),
                (DONE_COLOUR, "■", tr("Actual, finished task")),
                (OPEN_COLOUR, "■", tr("Actual, task not finished")),
            ]
        )
        if not tasks:
            panel.say_empty(tr("No work recorded in this period."), right / 2, 0)
        panel.texts = lambda row: _target_text(tasks, n - 1 - row)

    def _draw_over(self, s: Stats) -> None:
        panel = self.over_panel
        panel.reset(tr("Finished tasks"), tr("Actual time as a share of the target") + " (%)")
        bins = s.over
        within = [i for i, b in enumerate(bins) if b.high_pct is not None and b.high_pct <= 100]
        for picked, colour in (
            (within, WITHIN_COLOUR),
            ([i for i in range(len(bins)) if i not in within], OVER_COLOUR),
        ):
            xs = [i for i in picked if bins[i].tasks > 0]
            if xs:
                panel.item.addItem(
                    pg.BarGraphItem(
                        x=xs,
                        y0=0,
                        height=[bins[i].tasks for i in xs],
                        width=0.7,
                        brush=colour,
                        pen=None,
                    )
                )
        top = max([b.tasks for b in bins] + [1]) * 1.15
        panel.item.setXRange(-0.6, len(bins) - 0.4, padding=0)
        panel.item.setYRange(0, top, padding=0)
        labels = [over_bin_label(b.low_pct, b.high_pct) for b in bins]
        panel.item.getAxis("bottom").setTicks([list(enumerate(labels)), []])
        panel.item.getAxis("left").setTicks(_count_ticks(top))
        panel.set_legend(
            [
                (WITHIN_COLOUR, "■", tr("Within the target")),
                (OVER_COLOUR, "■", tr("Longer than the target")),
            ]
        )
        if not any(b.tasks for b in bins):
            panel.say_empty(
                tr("No task was finished in this period."), (len(bins) - 1) / 2, top / 2
            )

        def text(i: int) -> str | None:
            if not 0 <= i < len(bins):
                return None
            return tr(
                "Finished tasks that took {share} of their target: {n}",
                share=labels[i] + "%",
                n=fmt_number(bins[i].tasks),
            )

        panel.texts = text

    def _draw_trend(self, t: Stats) -> None:
        panel = self.trend_panel
        panel.reset("%")
        weeks = t.weeks
        ys = [math.nan if w.rate is None else 100 * w.rate for w in weeks]
        xs = list(range(len(weeks)))
        self.rate_line = panel.item.plot(
            xs,
            ys,
            connect="finite",
            pen=pg.mkPen(TRACKED_COLOUR, width=2),
            symbol="o",
            symbolSize=7,
            symbolBrush=TRACKED_COLOUR,
            symbolPen=pg.mkPen("w"),
            antialias=True,
        )
        panel.item.setXRange(-0.6, len(weeks) - 0.4, padding=0)
        panel.item.setYRange(-4, 106, padding=0)  # a point at 0 % shown whole
        panel.item.getAxis("left").setTicks([[(v, f"{v}") for v in range(0, 101, 25)], []])
        step = 1 if len(weeks) <= 14 else 4
        panel.item.getAxis("bottom").setTicks(
            [
                [
                    (i, f"{w.monday.day:02d}/{w.monday.month:02d}")
                    for i, w in enumerate(weeks)
                    if i % step == 0
                ],
                [],
            ]
        )
        panel.set_legend(
            [(TRACKED_COLOUR, "●", tr("Share of the week's finished tasks that were on target"))],
            tr(
                "Weeks from {first} to {last}; a week with no finished task has no point.",
                first=fmt_date(t.first),
                last=fmt_date(t.last),
            ),
        )
        if all(w.rate is None for w in weeks):
            panel.say_empty(tr("No task was finished in these weeks."), (len(weeks) - 1) / 2, 50)

        def text(i: int) -> str | None:
            if not 0 <= i < len(weeks):
                return None
            w = weeks[i]
            head = tr(
                "Week of {first} to {last}",
                first=fmt_date(w.monday),
                last=fmt_date(w.monday + timedelta(days=6)),
            )
            return head + "\n" + _rate_text(w.on_target, w.finished)

        panel.texts = text

    # ---- saving ----------------------------------------------------------------------------

    def default_file(self, panel: ChartPanel) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        span = {
            "week": self.first.isoformat(),
            "month": f"{self.first:%Y-%m}",
            "year": f"{self.first:%Y}",
        }[self.kind]
        return Path(folder or Path.home()) / f"{panel.file_stem}-{span}.png"

    def ask_and_save(self, panel: ChartPanel) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            tr("Save the chart as PNG"),
            str(self.default_file(panel)),
            tr("PNG images (*.png)"),
        )
        if chosen:
            self.save(panel, Path(chosen))

    def save(self, panel: ChartPanel, path: Path) -> Path | None:
        """Save ``panel``'s chart to ``path`` and say so (or why not) in the window."""
        try:
            saved = panel.save_png(path)
        except UserError as e:
            self.state.setText(e.render())
            return None
        self.state.setText(tr("Saved: {path}", path=str(saved)))
        return saved


def _rate_text(hit: int, n: int) -> str:
    if not n:
        return tr("On-target rate: no task was finished in this period.")
    return tr(
        "On-target rate: {hit} of {n} finished tasks ({pct}%).",
        hit=fmt_number(hit),
        n=fmt_number(n),
        pct=_pct(100 * hit / n),
    )


def _target_text(tasks: list[TaskVsTarget], i: int) -> str | None:
    if not 0 <= i < len(tasks):
        return None
    t = tasks[i]
    if t.status != "done":
        state = tr("Not finished yet")
    elif t.on_target:
        state = tr("Finished on target")
    else:
        state = tr("Finished, longer than the target")
    return "\n".join(
        [
            t.title,
            tr("Target: {target}", target=fmt_minutes(t.target_minutes * MS_PER_MINUTE)),
            tr(
                "Actual (everyone, all time): {actual} ({pct}% of the target)",
                actual=fmt_hours_minutes(t.actual_ms),
                pct=_pct(100 * t.ratio),
            ),
            tr("Your time in this period: {mine}", mine=fmt_hours_minutes(t.mine_ms)),
            state,
        ]
    )


def _count_ticks(top: float) -> list[list[tuple[float, str]]]:
    """Whole numbers only on a count axis."""
    step = max(1, math.ceil(top / 5))
    return [[(v, fmt_number(v)) for v in range(0, int(top) + 1, step)], []]
