"""The “Grafik” window: opened from the tray and the main window, it draws the core's numbers
for a week, a month or a year, follows the zone, and saves each chart as a PNG."""

from __future__ import annotations

import math
import os
import struct
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextDocumentFragment
from PySide6.QtWidgets import QToolTip

from tests.conftest import MINUTE
from tests.ui.conftest import WAIT_MS
from wfh_desktop.sessions import SessionService
from wfh_desktop.stats import build_stats
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import ZONES, at_time

MONDAY = date(2026, 11, 2)
SUNDAY = date(2026, 11, 8)
HOUR = 60 * MINUTE
WIB = ZONES["WIB"]


def _at(day: date, hh: int, mm: int) -> int:
    return at_time(day, WIB, (hh, mm, 0))


def _seed(other, clock) -> None:
    """Three tasks: on Monday 02/11 25 min of Menyusun laporan and 55 of Rapat koordinasi, on
    Tuesday 20 of Membalas surat, and 40 min of Menyusun laporan the Wednesday before. Rapat
    koordinasi (55 of 60 min) and Membalas surat (20 of 15) are finished on Tuesday."""
    tasks, sessions = TaskService(other), SessionService(other)
    clock.set(_at(date(2026, 10, 26), 7, 0))
    tasks.add("Menyusun laporan", 30)
    tasks.add("Rapat koordinasi", 60)
    tasks.add("Membalas surat", 15)
    clock.set(_at(date(2026, 11, 3), 12, 0))
    sessions.add("Menyusun laporan", _at(date(2026, 10, 28), 8, 0), _at(date(2026, 10, 28), 8, 40))
    sessions.add("Menyusun laporan", _at(MONDAY, 8, 0), _at(MONDAY, 8, 25))
    sessions.add("Rapat koordinasi", _at(MONDAY, 9, 0), _at(MONDAY, 9, 55))
    sessions.add("Membalas surat", _at(date(2026, 11, 3), 8, 0), _at(date(2026, 11, 3), 8, 20))
    tasks.mark_done("Rapat koordinasi")
    tasks.mark_done("Membalas surat")
    clock.set(_at(date(2026, 11, 6), 17, 0))  # Friday afternoon


def _open(app, qtbot, other, clock, via_tray: bool = True, more=None):
    _seed(other, clock)
    if more is not None:
        more()
    if via_tray:
        app.menu.charts.trigger()
    else:
        app.show_window()
        qtbot.mouseClick(app.window.charts_button, Qt.MouseButton.LeftButton)
    window = app.charts_window
    qtbot.waitUntil(lambda: window.data is not None, timeout=WAIT_MS)
    return window


def _shown(window, qtbot, first: date) -> None:
    qtbot.waitUntil(
        lambda: window.data is not None and window.data.stats.first == first, timeout=WAIT_MS
    )


def _stacked_hours(panel) -> dict[int, float]:
    """The height of each day's stack, as drawn: its pieces add up to its top."""
    totals: dict[int, float] = {}
    tops: dict[int, float] = {}
    for item in panel.item.items:
        if isinstance(item, pg.BarGraphItem):
            y0 = item.opts["y0"]
            for i, (x, h) in enumerate(zip(item.opts["x"], item.opts["height"], strict=True)):
                totals[int(x)] = totals.get(int(x), 0.0) + float(h)
                bottom = float(y0 if isinstance(y0, int | float) else y0[i])
                tops[int(x)] = max(tops.get(int(x), 0.0), bottom + float(h))
    assert tops.keys() == totals.keys()
    assert all(math.isclose(tops[x], totals[x]) for x in tops)
    return totals


def _legend(panel) -> str:
    return QTextDocumentFragment.fromHtml(panel.legend.text()).toPlainText().replace("\xa0", " ")


def _texts(panel) -> list[str]:
    return [i.textItem.toPlainText() for i in panel.item.items if isinstance(i, pg.TextItem)]


def test_the_charts_draw_the_cores_numbers_for_this_week(app, qtbot, other, clock):
    window = _open(app, qtbot, other, clock)
    assert window.isVisible()
    assert window.period_label.text() == "02/11/2026 to 08/11/2026"
    core = build_stats(other, MONDAY, SUNDAY, WIB)
    assert window.data.stats.days == core.days
    assert window.data.stats.tasks == core.tasks

    # Time per day: Monday's stack is its 1 h 20 min, Tuesday's 20 min, the rest empty.
    stacks = _stacked_hours(window.days_panel)
    assert stacks == {0: 80 / 60, 1: 20 / 60}
    assert stacks[0] == core.days[0].worked_ms / HOUR
    assert window.days_panel.hover_text(0) == (
        "Monday, 2 November 2026\nWorked: 1 h 20 min\n"
        "  Rapat koordinasi: 55 min\n  Menyusun laporan: 25 min"
    )
    assert window.days_panel.hover_text(7) is None
    assert _legend(window.days_panel) == (
        "■ Rapat koordinasi    ■ Menyusun laporan    ■ Membalas surat"
    )

    # Actual against target: my time first; everyone's actual, all time, against the target.
    assert window.targets_panel.hover_text(len(core.tasks) - 1) == (
        "Rapat koordinasi\nTarget: 60 min\n"
        "Actual (everyone, all time): 55 min (91.7% of the target)\n"
        "Your time in this period: 55 min\nFinished on target"
    )
    laporan = window.targets_panel.hover_text(len(core.tasks) - 2)
    assert "Actual (everyone, all time): 1 h 05 min (216.7% of the target)" in laporan
    assert laporan.endswith("Not finished yet")

    # The weekly rate: 1 of the 2 tasks finished this week was on target; weeks with nothing
    # finished are gaps.
    _xs, ys = window.rate_line.getData()
    assert ys[-1] == 50.0
    assert all(math.isnan(y) for y in ys[:-1]) and len(ys) == 12
    assert window.trend_panel.hover_text(len(ys) - 1) == (
        "Week of 02/11/2026 to 08/11/2026\nOn-target rate: 1 of 2 finished tasks (50%)."
    )
    assert "On-target rate: 1 of 2 finished tasks (50%)." in window.summary.text()

    # How far over: one at 75-100 % (55 of 60), one at 125-150 % (20 of 15).
    assert [b.tasks for b in window.data.stats.over] == [0, 0, 1, 0, 1, 0, 0]
    drawn = _stacked_hours(window.over_panel)
    assert drawn == {2: 1.0, 4: 1.0}
    assert window.over_panel.hover_text(4) == (
        "Finished tasks that took 125–150% of their target: 1"
    )


def test_the_working_calendar_beside_the_tracked_hours(app, qtbot, other, clock):
    from wfh_desktop.workcal import WorkCalendar

    window = _open(app, qtbot, other, clock, via_tray=False)
    expected_monday = WorkCalendar.load(language="en").day(MONDAY).expected_minutes * MINUTE
    assert expected_monday > 0
    _xs, ys = window.expected_line.getData()
    assert ys[0] == expected_monday / HOUR  # the line over Monday
    assert window.note.isHidden()
    monday = window.calendar_panel.hover_text(0)
    assert monday.startswith("Monday, 2 November 2026\nWorking day\nTracked: 1 h 20 min\n")
    assert monday.endswith(f"Working hours in the calendar: {_hm(expected_monday)}")
    assert window.calendar_panel.hover_text(6).split("\n")[1] == "Weekend"

    # December: Christmas is a national holiday, named in the hover.
    window.range.setCurrentIndex(window.range.findData("month"))
    _shown(window, qtbot, date(2026, 11, 1))
    window.next_button.click()
    _shown(window, qtbot, date(2026, 12, 1))
    christmas = WorkCalendar.load(language="en").day(date(2026, 12, 25))
    assert christmas.kind == "holiday"
    assert window.calendar_panel.hover_text(24).split("\n")[1] == (
        f"National holiday: {christmas.name}"
    )
    assert "■ National holiday" in _legend(window.calendar_panel)


def test_without_a_usable_calendar_the_charts_still_show_and_say_why(
    app, qtbot, other, clock, paths
):
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    (paths.config_dir / "calendar.toml").write_text("this is [not toml", encoding="utf-8")
    window = _open(app, qtbot, other, clock)
    assert not window.note.isHidden()
    note = window.note.text()
    assert note.startswith("The working calendar cannot be used")  # the file's error, said
    assert str(paths.config_dir / "calendar.toml") in note
    assert window.expected_line is None
    assert "Working hours" not in window.calendar_panel.hover_text(0)
    assert "Working hours" not in window.summary.text()
    assert _stacked_hours(window.days_panel)[0] == 80 / 60  # the rest is drawn as before


def _hm(ms: int) -> str:
    from wfh_desktop.timefmt import fmt_hours_minutes

    return fmt_hours_minutes(ms)


def test_past_eight_tasks_a_day_the_rest_is_other_tasks(app, qtbot, other, clock):
    def more() -> None:
        tasks, sessions = TaskService(other), SessionService(other)
        start = _at(MONDAY, 10, 0)
        for n in range(10):  # Tugas 0 has 10 minutes, Tugas 9 has 19
            tasks.add(f"Tugas {n}", 30)
            sessions.add(f"Tugas {n}", start, start + (10 + n) * MINUTE)
            start += 30 * MINUTE

    window = _open(app, qtbot, other, clock, more=more)
    legend = _legend(window.days_panel).split("    ")
    # The eight with most of my time in the week have their own colour; Tugas 0-4 are "other".
    assert legend == [
        "■ Rapat koordinasi",
        "■ Menyusun laporan",
        "■ Membalas surat",
        *(f"■ Tugas {n}" for n in (9, 8, 7, 6, 5)),
        "■ Other tasks",
    ]
    assert math.isclose(_stacked_hours(window.days_panel)[0], (80 + 145) / 60)
    other_tasks = [i for i in window.days_panel.item.items if isinstance(i, pg.BarGraphItem)][-1]
    assert list(other_tasks.opts["height"]) == [(10 + 11 + 12 + 13 + 14) / 60]


def test_switching_the_range_redraws_with_the_new_periods_numbers(app, qtbot, other, clock):
    window = _open(app, qtbot, other, clock)
    window.range.setCurrentIndex(window.range.findData("month"))
    _shown(window, qtbot, date(2026, 11, 1))
    assert window.period_label.text() == "November 2026"
    assert window.current_button.text() == "This month"
    assert _stacked_hours(window.days_panel) == {1: 80 / 60, 2: 20 / 60}  # 02/11 and 03/11

    window.prev_button.click()
    _shown(window, qtbot, date(2026, 10, 1))
    assert window.period_label.text() == "October 2026"
    assert _stacked_hours(window.days_panel) == {27: 40 / 60}  # Wednesday 28/10
    october = build_stats(other, date(2026, 10, 1), date(2026, 10, 31), WIB)
    assert window.data.stats.total_ms == october.total_ms == 40 * MINUTE
    assert "On-target rate: no task was finished in this period." in window.summary.text()
    assert _texts(window.over_panel) == ["No task was finished in this period."]

    window.next_button.click()
    window.next_button.click()
    _shown(window, qtbot, date(2026, 12, 1))
    assert _stacked_hours(window.days_panel) == {}
    assert _texts(window.days_panel) == ["No work recorded in this period."]

    window.current_button.click()
    _shown(window, qtbot, date(2026, 11, 1))
    window.range.setCurrentIndex(window.range.findData("week"))
    _shown(window, qtbot, MONDAY)  # the week of today, which the month held
    window.prev_button.click()
    _shown(window, qtbot, date(2026, 10, 26))
    assert _stacked_hours(window.days_panel) == {2: 40 / 60}

    window.range.setCurrentIndex(window.range.findData("year"))
    _shown(window, qtbot, date(2026, 1, 1))
    assert window.data.stats.last == date(2026, 12, 31)
    assert window.data.stats.total_ms == (40 + 80 + 20) * MINUTE


def test_the_days_follow_the_office_zone(app, qtbot, other, clock):
    window = _open(app, qtbot, other, clock)
    SessionService(other).add("Menyusun laporan", _at(MONDAY, 22, 30), _at(MONDAY, 23, 30))
    app.model.refresh()  # the app reads again after a change; the open window follows
    qtbot.waitUntil(lambda: _stacked_hours(window.days_panel).get(0) == 140 / 60, timeout=WAIT_MS)
    # In WIT (UTC+9) that hour is 00.30-01.30 on Tuesday.
    settings = app.model.settings._replace(office_zone="WIT")
    assert app.apply_settings(settings, False) is None
    qtbot.waitUntil(lambda: window.data.stats.zone.name == "WIT", timeout=WAIT_MS)
    assert _stacked_hours(window.days_panel) == {0: 80 / 60, 1: 80 / 60}


def test_a_chart_is_saved_as_a_png(app, qtbot, other, clock, tmp_path):
    window = _open(app, qtbot, other, clock)
    for panel in window.panels:
        saved = window.save(panel, tmp_path / panel.file_stem)
        assert saved == tmp_path / f"{panel.file_stem}.png"
        data = saved.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
        assert width >= 300 and height >= 250, panel.file_stem
        assert len(data) > 5_000
        image = QImage(str(saved))
        assert (image.width(), image.height()) == (width, height)
        colours = {image.pixel(x, y) for x in range(0, width, 5) for y in range(0, height, 5)}
        assert len(colours) > 5, panel.file_stem  # drawn, not a blank picture
    assert window.state.text() == f"Saved: {tmp_path / 'on-target-rate.png'}"
    assert window.default_file(window.days_panel).name == "time-per-day-2026-11-02.png"

    missing = tmp_path / "no such folder" / "chart.png"
    assert window.save(window.days_panel, missing) is None
    assert window.state.text().startswith(f"{missing} cannot be written")


def test_hovering_a_bar_shows_its_exact_values(app, qtbot, other, clock):
    window = _open(app, qtbot, other, clock)
    qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)
    panel = window.days_panel
    box = panel.item.getViewBox()
    panel._mouse_moved(box.mapViewToScene(pg.Point(0, 0.5)))
    assert QToolTip.text() == panel.hover_text(0)
    panel._mouse_moved(box.mapViewToScene(pg.Point(5, 0.5)))  # Saturday: nothing tracked
    assert "Worked: 0 min" in QToolTip.text()
    QToolTip.hideText()


def test_opening_the_charts_is_what_imports_pyqtgraph(tmp_path):
    """The tray app starts without pyqtgraph; the charts window brings it in."""
    script = """
import sys
from PySide6.QtWidgets import QApplication
from wfh_desktop.autostart import XdgAutostart
from wfh_desktop.clock import SystemClock
from wfh_desktop.paths import Paths
from wfh_desktop.settings import Settings
from wfh_desktop.ui.app import App

qapp = QApplication([])
root = sys.argv[1]
paths = Paths.resolve({"WFH_HOME": root})
app = App(paths, SystemClock(), Settings(), qapp, XdgAutostart({"XDG_CONFIG_HOME": root}))
app.show_window()
qapp.processEvents()
before = "pyqtgraph" in sys.modules
app.open_charts()
after = "pyqtgraph" in sys.modules
app.shutdown()
print(before, after)
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert r.stdout.split()[-2:] == ["False", "True"], r.stderr


def test_a_language_switch_makes_the_window_again_in_the_new_language(app, qtbot, other, clock):
    window = _open(app, qtbot, other, clock)
    assert app.apply_settings(app.model.settings._replace(language="id"), False) is None
    again = app.charts_window
    assert again is not window and again.isVisible()
    qtbot.waitUntil(lambda: again.data is not None, timeout=WAIT_MS)
    assert again.days_panel.hover_text(0).startswith("Senin, 2 November 2026\n")
    assert again.period_label.text() == "02/11/2026 s.d. 08/11/2026"
