"""One app per profile: a second launch hands its wish to the first and ends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.ui.conftest import WAIT_MS
from wfh_desktop.tasks import TaskService
from wfh_desktop.ui.single_instance import SingleInstance


def test_only_one_instance_per_profile_and_the_second_forwards(qtbot, tmp_path):
    db = tmp_path / "data" / "wfh.db"
    first, second = SingleInstance(db), SingleInstance(db)
    assert first.acquire()
    try:
        assert not second.acquire()
        with qtbot.waitSignal(first.message_received, timeout=WAIT_MS) as got:
            assert second.send({"start": "Rapat"})
        assert got.args == [{"start": "Rapat"}]
        # Another profile is another app.
        other = SingleInstance(tmp_path / "other" / "wfh.db")
        assert other.acquire()
        other.release()
    finally:
        first.release()
    assert second.acquire()  # once the first has gone, the next one may run
    second.release()


def test_wfh_desktop_start_reaches_the_running_app(app, qtbot, paths, other, tmp_path):
    TaskService(other).add("Rapat koordinasi", 30)
    instance = SingleInstance(paths.database)
    assert instance.acquire()
    instance.message_received.connect(app.handle_wish)
    try:
        env = dict(os.environ, WFH_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
        exe = str(Path(sys.executable).with_name("wfh-desktop"))
        proc = subprocess.Popen(
            [exe, "--lang", "en", "--start", "rapat koordinasi"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        assert "already running" in out
        qtbot.waitUntil(
            lambda: (
                app.model.today.status.running is not None
                and app.model.today.status.task.title == "Rapat koordinasi"
            ),
            timeout=WAIT_MS,
        )
    finally:
        instance.release()


def test_a_second_launch_starts_the_task_in_the_first_app(tmp_path, clock):
    """Both launches are real ``wfh-desktop`` processes (offscreen)."""
    import time

    from wfh_desktop.profile import Profile
    from wfh_desktop.timer import TimerService

    db = tmp_path / "data" / "wfh.db"
    p = Profile.open(db, clock)
    TaskService(p).add("Rapat koordinasi", 30)
    env = dict(os.environ, WFH_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    exe = str(Path(sys.executable).with_name("wfh-desktop"))
    first = subprocess.Popen(
        [exe, "--lang", "en"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while not (db.parent / "wfh-desktop.lock").exists():
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        second = subprocess.run(
            [exe, "--lang", "en", "--start", "rapat koordinasi"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 0 and "already running" in second.stdout, second.stderr
        while TimerService(p).status().running is None:
            assert time.monotonic() < deadline, "the first app did not start the task"
            time.sleep(0.1)
        assert TimerService(p).status().task.title == "Rapat koordinasi"
        assert first.poll() is None  # still the one app
    finally:
        first.terminate()
        first.wait(10)
        p.close()


def test_a_slow_sender_is_read_when_its_line_arrives(qtbot, tmp_path):
    from PySide6.QtNetwork import QLocalSocket

    first = SingleInstance(tmp_path / "data" / "wfh.db")
    assert first.acquire()
    socket = QLocalSocket()
    try:
        socket.connectToServer(first.name)
        assert socket.waitForConnected(2_000)
        qtbot.wait(800)  # the UI keeps running meanwhile; nothing is dropped
        with qtbot.waitSignal(first.message_received, timeout=WAIT_MS) as got:
            socket.write(b'{"show": true}\n')
            socket.flush()
        assert got.args == [{"show": True}]
    finally:
        socket.abort()
        first.release()
