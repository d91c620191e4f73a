"""`make screenshots`: the real app on a virtual screen with a tray, pictured in both languages:
the tray menu, the quick picker, the main window's four tabs, the settings and the sign-in.

Starts Xvfb and fluxbox (a window manager whose toolbar hosts a system tray; Debian's `xvfb`
and `fluxbox`), then for Indonesian and English runs the app in a child process on a sample
profile with a fixed clock, opens the tray menu, the quick picker and the main window, and saves
what the screen shows to docs/screenshots/. Everything it starts, it stops.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
NOW = "2026-11-02T10:12:30+07:00"  # a Monday morning, WIB
MINUTE = 60_000


def _start_display() -> tuple[list[subprocess.Popen[bytes]], str]:
    for tool in ("Xvfb", "fluxbox"):
        if shutil.which(tool) is None:
            sys.exit(f"screenshots: {tool} is missing; on Debian: sudo apt install xvfb fluxbox")
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as f:
        display = ":" + f.readline().strip()
    env = os.environ | {"DISPLAY": display}
    home = Path(tempfile.mkdtemp(prefix="wfh-fluxbox-"))
    wm = subprocess.Popen(["fluxbox"], env=env | {"HOME": str(home)}, stderr=subprocess.DEVNULL)
    time.sleep(2)  # the toolbar and its tray come up
    return [wm, xvfb], display


def _seed(home: Path, now_ms: int) -> None:
    from wfh_desktop.clock import FixedClock
    from wfh_desktop.profile import Profile
    from wfh_desktop.sessions import SessionService
    from wfh_desktop.tasks import TaskService
    from wfh_desktop.timer import TimerService

    clock = FixedClock(now_ms - 13 * MINUTE)
    p = Profile.open(home / "data" / "wfh.db", clock)
    tasks, sessions, timer = TaskService(p), SessionService(p), TimerService(p)
    _october(p, tasks, sessions, clock, now_ms)
    start = now_ms - 150 * MINUTE  # 07.42
    for title, target, worked, done in (
        ("Rapat koordinasi tim kerja", 60, 45, True),
        ("Membalas surat masuk nomor 812/UM/2026", 15, 18, True),
        ("Rekapitulasi daftar hadir pegawai", 30, 20, False),
    ):
        tasks.add(title, target, output="Laporan" if target == 30 else None)
        sessions.add(title, start, start + worked * MINUTE)
        start += (worked + 5) * MINUTE
        if done:
            tasks.mark_done(title)
    # A session typed in twice by mistake: flagged for "Perlu ditinjau".
    sessions.add("Rekapitulasi daftar hadir pegawai", start - 20 * MINUTE, start - 10 * MINUTE)
    tasks.add("Menyusun laporan bulanan", 30, rhk="Laporan kinerja unit", output="Laporan")
    clock.set(now_ms - 12 * MINUTE - 30_000)
    timer.start("Menyusun laporan bulanan")
    tasks.add("Analisis data survei kepuasan", 60)
    # Signed in (as far as the handoff screens go): the directory kept here, and a task a
    # colleague handed over, waiting in "Tugas masuk".
    from wfh_desktop.handoffs import Colleague, HandoffService
    from wfh_desktop.ids import uuid7
    from wfh_desktop.sync import local
    from wfh_desktop.timefmt import iso_utc

    with p.write() as (conn, _):
        for key, value in (
            ("account_user_id", p.user_id),
            ("account_nip", "198501012010011001"),
            ("account_name", "Siti Aminah"),
        ):
            local.set_meta(conn, key, value)
    HandoffService(p).store_directory(
        [
            Colleague("199002152015031002", "Budi Santoso", "Biro Keuangan"),
            Colleague("199107202019032003", "Ani Lestari", "Biro Umum"),
            Colleague("198803122012121004", "Dedi Kurniawan", "Biro Perencanaan"),
        ]
    )
    giver, task_id = uuid7(now_ms), uuid7(now_ms)
    with p.write() as (conn, _):
        local.apply_record(
            conn,
            "task",
            {"id": task_id, "title": "Kajian kebijakan kerja jarak jauh", "target_minutes": 60,
             "status": "open", "owner_user_id": giver, "assignee_user_id": p.user_id,
             "created_at": iso_utc(now_ms - 200 * MINUTE), "version": 2},
            now_ms,
        )  # fmt: skip
        local.apply_record(
            conn,
            "handoff",
            {"id": uuid7(now_ms), "task_id": task_id, "from_user": giver, "to_user": p.user_id,
             "at": iso_utc(now_ms - 30 * MINUTE), "status": "pending", "version": 1,
             "note": "Bab 1 dan 2 sudah; tolong lanjutkan bab 3 (data ada di folder bersama).",
             "from_nip": "199107202019032003", "from_name": "Ani Lestari",
             "to_nip": "198501012010011001", "to_name": "Siti Aminah",
             "shares": [{"user": giver, "nip": "199107202019032003", "name": "Ani Lestari",
                         "ms": 95 * MINUTE}]},
            now_ms,
        )  # fmt: skip
    p.close()


def _october(p: Any, tasks: Any, sessions: Any, clock: Any, now_ms: int) -> None:
    """October's office days, for the charts: a few tasks a day, most finished, some over."""
    import random
    from datetime import date, timedelta

    from wfh_desktop.timefmt import ZONES, at_time

    rng = random.Random(2026)
    titles = (
        "Input progres harian e-Kinerja",
        "Verifikasi SPJ perjalanan dinas",
        "Penyusunan notulen rapat",
        "Analisis data survei kepuasan",
        "Konsultasi dengan Bappeda",
    )
    day = date(2026, 10, 1)
    n = 0
    while day <= date(2026, 10, 30):
        if day.weekday() < 5 and day != date(2026, 10, 20):  # a day of leave
            at = at_time(day, ZONES["WIB"], (7, 45, 0))
            for _ in range(rng.randint(3, 5)):
                n += 1
                target = rng.choice((15, 30, 60))
                title = f"{rng.choice(titles)} ({n})"
                clock.set(at)
                task = tasks.add(title, target)
                worked = max(5, int(target * rng.uniform(0.6, 1.4)))
                clock.set(at + worked * MINUTE)
                sessions.add(task.id, at, at + worked * MINUTE)
                at += (worked + rng.randint(5, 40)) * MINUTE
                clock.set(at)
                if rng.random() < 0.85:
                    tasks.mark_done(task.id)
        day += timedelta(days=1)
    clock.set(now_ms - 13 * MINUTE)


def child(lang: str) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    from wfh_desktop.clock import FixedClock
    from wfh_desktop.i18n import set_language
    from wfh_desktop.paths import Paths
    from wfh_desktop.settings import Settings
    from wfh_desktop.ui.app import App

    now_ms = int(datetime.fromisoformat(NOW).timestamp() * 1000)
    home = Path(tempfile.mkdtemp(prefix="wfh-shots-"))
    _seed(home, now_ms)
    set_language(lang)
    qapp = QApplication([])
    app = App(Paths.resolve({"WFH_HOME": str(home)}), FixedClock(now_ms), Settings(), qapp)
    screen = qapp.primaryScreen()

    def settle(seconds: float = 0.8) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            qapp.processEvents()
            time.sleep(0.02)

    def save(name: str, x: int, y: int, w: int, h: int) -> None:
        path = OUT / f"{name}-{lang}.png"
        screen.grabWindow(0, x, y, w, h).save(str(path))
        print(f"screenshots: {path.relative_to(ROOT)}")

    settle(1.5)
    if app.tray is None:
        sys.exit("screenshots: the window manager offers no tray")
    # The tray menu, opened where a click on the icon opens it.
    icon = app.tray.icon.geometry()
    menu = app.menu.menu
    size = menu.sizeHint()
    menu.popup(QPoint(icon.right() - size.width(), icon.top() - size.height()))
    settle()
    top = max(icon.top() - size.height() - 40, 0)
    left = max(icon.right() - size.width() - 80, 0)
    save("tray-menu", left, top, screen.size().width() - left, screen.size().height() - top)
    menu.hide()

    app.open_picker()
    picker = app.picker
    picker.search.setText("lap")
    settle()
    frame = picker.frameGeometry()
    save("quick-picker", frame.x(), frame.y(), frame.width(), frame.height())
    picker.close()

    app.show_window()
    app.window.resize(860, 620)
    for index, name in enumerate(("main-window", "task-list", "daily-log", "review", "inbox")):
        app.window.tabs.setCurrentIndex(index)
        settle()  # a tab reads its data when shown
        if name == "task-list":
            app.window.task_list.select_title("Menyusun laporan bulanan")
        if name == "daily-log":
            app.window.day_log.table.selectRow(1)
        settle()
        frame = app.window.frameGeometry()
        save(name, frame.x(), frame.y(), frame.width(), frame.height())

    chosen = app.window.task_list.current()
    assert chosen is not None
    app.open_handoff(chosen.id, chosen.title)
    handoff = app.handoff_dialog
    handoff.search.setText("biro")
    settle(1.0)
    handoff.choose("199002152015031002")
    handoff.note.setPlainText("Sudah: data bulan Oktober.\nBelum: grafik dan ringkasan.")
    settle()
    frame = handoff.frameGeometry()
    save("handoff", frame.x(), frame.y(), frame.width(), frame.height())
    handoff.close()

    app.open_settings()
    settle()
    frame = app.settings_dialog.frameGeometry()
    save("settings", frame.x(), frame.y(), frame.width(), frame.height())
    app.settings_dialog.close()

    app.open_sign_in()
    dialog = app.sign_in_dialog
    dialog.server.setText("https://wfh.kemenpan.go.id")
    dialog.login.setText("198501012010011001")
    dialog.password.setText("rahasia-sekali")
    settle()
    frame = dialog.frameGeometry()
    save("sign-in", frame.x(), frame.y(), frame.width(), frame.height())
    dialog.close()

    from datetime import date

    app.open_charts()
    charts = app.charts_window
    assert charts is not None
    charts.move(10, 0)
    charts.resize(1200, 740)
    charts.show_period("month", date(2026, 10, 1))
    settle(2.0)
    frame = charts.frameGeometry()
    save("charts", frame.x(), frame.y(), frame.width(), frame.height())
    charts.close()

    app.open_export()
    settle()
    frame = app.export_dialog.frameGeometry()
    save("export", frame.x(), frame.y(), frame.width(), frame.height())
    app.export_dialog.close()

    from wfh_desktop.away import Gap

    app.ask_about_gap(Gap("away", now_ms - 80 * 60_000, now_ms, 80 * 60_000))
    settle()
    box = app.gap_box
    assert box is not None, "no timer runs in the seeded profile"
    frame = box.frameGeometry()
    save("away", frame.x(), frame.y(), frame.width(), frame.height())
    box.hide()
    app.shutdown()


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    procs, display = _start_display()
    try:
        env = os.environ | {"DISPLAY": display}
        env.pop("QT_QPA_PLATFORM", None)
        for lang in ("id", "en"):
            subprocess.run(
                [sys.executable, __file__, "--child", lang], env=env, check=True, timeout=120
            )
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
