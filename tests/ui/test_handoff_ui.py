"""Handing a task over in the app: the “Serahkan…” dialog (from the task list and the tray menu),
the “Tugas masuk” tab with accept, decline with a reason and “Lanjutkan tugas rekan”, and the
notice of newly arrived handoffs. Handoffs to the user are written as a pulled server record
is applied; one test searches the real server's directory."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.conftest import MINUTE
from tests.server.served import ANI, BUDI, NEW_PASSWORD, SITI
from tests.ui.conftest import WAIT_MS, open_tab
from wfh_desktop.handoffs import Colleague, HandoffService
from wfh_desktop.ids import uuid7
from wfh_desktop.profile import Profile
from wfh_desktop.sync import local
from wfh_desktop.tasks import TaskService
from wfh_desktop.timer import TimerService

SYNC_WAIT_MS = 30_000
BUDI_ID = "0192a000-0000-7000-8000-00000000b0d1"


def signed_in_here(p: Profile) -> None:
    """The profile bound to Siti's account, as after a sign-in (answers need one)."""
    with p.write() as (conn, _):
        for key, value in (
            ("account_user_id", p.user_id),
            ("account_nip", SITI),
            ("account_name", "Siti Aminah"),
        ):
            local.set_meta(conn, key, value)


def directory(p: Profile) -> None:
    HandoffService(p).store_directory(
        [
            Colleague(BUDI, "Budi Santoso", "Biro Keuangan"),
            Colleague(ANI, "Ani Lestari", "Biro Umum"),
        ]
    )


def handed_to_me(p: Profile, title: str, note: str, minutes: int = 45) -> str:
    """Budi hands a task of his to this profile's user, as the pull writes it. Returns the
    handoff's id."""
    me = p.user_id
    task_id, ident = uuid7(), uuid7()
    task = {
        "id": task_id,
        "title": title,
        "target_minutes": 60,
        "status": "open",
        "assignee_user_id": me,
        "owner_user_id": BUDI_ID,
        "created_at": "2026-11-02T07:00:00+07:00",
        "version": 2,
    }
    handoff = {
        "id": ident,
        "task_id": task_id,
        "from_user": BUDI_ID,
        "to_user": me,
        "at": "2026-11-02T07:30:00+07:00",
        "note": note,
        "status": "pending",
        "version": 1,
        "from_nip": BUDI,
        "from_name": "Budi Santoso",
        "to_nip": SITI,
        "to_name": "Siti Aminah",
        "shares": [{"user": BUDI_ID, "nip": BUDI, "name": "Budi Santoso", "ms": minutes * MINUTE}],
    }
    now = p.clock.now_ms()
    with p.write() as (conn, _):
        assert local.apply_record(conn, "task", task, now) == "applied"
        assert local.apply_record(conn, "handoff", handoff, now) == "applied"
    return ident


def handoff_row(p: Profile, ident: str) -> tuple[Any, ...]:
    return p.conn.execute(
        "SELECT status, answer_note FROM handoff WHERE id = ?", (ident,)
    ).fetchone()


def outbox(p: Profile, type_: str) -> list[tuple[str, dict[str, Any]]]:
    rows = p.conn.execute(
        "SELECT entity_id, payload FROM outbox WHERE type = ? AND status = 'pending'", (type_,)
    ).fetchall()
    return [(e, json.loads(payload)) for e, payload in rows]


def listed(dialog: Any) -> list[tuple[str, str, str]]:
    t = dialog.table
    return [
        (t.item(r, 0).text(), t.item(r, 1).text(), t.item(r, 2).text()) for r in range(t.rowCount())
    ]


def from_task_list(app: Any, qtbot: Any, title: str) -> Any:
    view = open_tab(app, app.window.task_list)
    app.window.task_list.data_changed()
    qtbot.waitUntil(lambda: any(t.title == title for t, _ in view.tasks), timeout=WAIT_MS)
    view.select_title(title)
    qtbot.waitUntil(lambda: view.handoff_button.isEnabled(), timeout=WAIT_MS)
    qtbot.mouseClick(view.handoff_button, Qt.MouseButton.LeftButton)
    dialog = app.handoff_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def inbox_tab(app: Any, qtbot: Any, rows: int) -> Any:
    view = open_tab(app, app.window.inbox)
    app.inbox.refresh()
    qtbot.waitUntil(lambda: view.table.rowCount() == rows, timeout=WAIT_MS)
    return view


# ---- handing over ---------------------------------------------------------------------------


def test_hand_over_from_the_task_list_says_what_is_missing_and_keeps_what_was_typed(
    app, qtbot, other
):
    signed_in_here(other)
    directory(other)
    TaskService(other).add("Laporan bulanan", 30)
    dialog = from_task_list(app, qtbot, "Laporan bulanan")
    qtbot.waitUntil(lambda: len(listed(dialog)) == 2, timeout=WAIT_MS)
    assert listed(dialog) == [
        ("Ani Lestari", "Biro Umum", ANI),
        ("Budi Santoso", "Biro Keuangan", BUDI),
    ]
    assert "Not signed in" in dialog.server_state.text()  # no server search without an account

    dialog.note.setPlainText("Draf ada di folder bersama; tinggal bab 3.")
    dialog.submit()
    assert dialog.error.text() == "Choose the colleague to hand the task to."
    assert dialog.note.toPlainText() == "Draf ada di folder bersama; tinggal bab 3."

    dialog.search.setText("keuangan")  # a unit, in any case
    qtbot.waitUntil(
        lambda: listed(dialog) == [("Budi Santoso", "Biro Keuangan", BUDI)], timeout=WAIT_MS
    )
    assert dialog.chosen() == Colleague(BUDI, "Budi Santoso", "Biro Keuangan")  # the only one
    dialog.note.setPlainText("   \n ")
    dialog.submit()
    assert dialog.error.text() == "Say in a note what the colleague should know: it is required."
    assert dialog.isVisible()
    assert other.conn.execute("SELECT count(*) FROM handoff").fetchone()[0] == 0

    dialog.note.setPlainText("Draf ada di folder bersama; tinggal bab 3.")
    with qtbot.waitSignal(app.model.changed, timeout=WAIT_MS):  # the sync sends it soon
        dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=WAIT_MS)
    (h,) = HandoffService(other).sent()
    assert (h.task_title, h.to_nip, h.to_name, h.status) == (
        "Laporan bulanan",
        BUDI,
        "Budi Santoso",
        "pending",
    )
    assert h.note == "Draf ada di folder bersama; tinggal bab 3."
    ((entity, payload),) = outbox(other, "task.handoff")
    assert entity == h.id and payload["to_nip"] == BUDI
    assert "Handed over: Laporan bulanan to Budi Santoso" in app.window.statusBar().currentMessage()
    # The task is no longer the user's to hand over.
    view = app.window.task_list
    qtbot.waitUntil(lambda: not view.handoff_button.isEnabled(), timeout=WAIT_MS)

    # The next time, the colleague handed to before comes first.
    TaskService(other).add("Rapat koordinasi", 30)
    dialog = from_task_list(app, qtbot, "Rapat koordinasi")
    qtbot.waitUntil(lambda: len(listed(dialog)) == 2, timeout=WAIT_MS)
    assert [row[0] for row in listed(dialog)] == ["Budi Santoso", "Ani Lestari"]
    dialog.reject()


def test_a_note_written_on_several_lines_keeps_its_lines(app, qtbot, other):
    signed_in_here(other)
    directory(other)
    TaskService(other).add("Laporan triwulan", 30)
    dialog = from_task_list(app, qtbot, "Laporan triwulan")
    qtbot.waitUntil(lambda: len(listed(dialog)) == 2, timeout=WAIT_MS)
    dialog.choose(BUDI)
    note = "Sudah: bab 1-2.\nBelum: bab 3.\nBerkas: folder bersama/Triwulan."
    dialog.note.setPlainText(note)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=WAIT_MS)
    (h,) = HandoffService(other).sent()
    assert h.note == note


def test_a_refusal_of_the_core_is_said_in_the_dialog_which_stays(app, qtbot, other):
    directory(other)  # kept from an earlier sign-in; this profile is not bound to an account
    TaskService(other).add("Surat edaran", 30)
    dialog = from_task_list(app, qtbot, "Surat edaran")
    qtbot.waitUntil(lambda: len(listed(dialog)) == 2, timeout=WAIT_MS)
    assert dialog.choose(ANI)
    dialog.note.setPlainText("Mohon dilanjutkan.")
    dialog.submit()
    qtbot.waitUntil(
        lambda: "Sign in to your agency's server first" in dialog.error.text(), timeout=WAIT_MS
    )
    assert dialog.isVisible() and dialog.ok.isEnabled()
    assert dialog.note.toPlainText() == "Mohon dilanjutkan." and dialog.chosen().nip == ANI
    assert other.conn.execute("SELECT count(*) FROM handoff").fetchone()[0] == 0
    dialog.reject()


def test_the_running_task_is_handed_over_from_the_tray_menu_and_its_timer_stops(
    app, qtbot, other, clock
):
    signed_in_here(other)
    directory(other)
    TimerService(other).start_new("Menyusun telaahan", 30)
    app.model.refresh()
    qtbot.waitUntil(lambda: app.menu.handoff.isVisible(), timeout=WAIT_MS)
    app.menu.handoff.trigger()
    dialog = app.handoff_dialog
    assert "Menyusun telaahan" in dialog.intro.text()
    qtbot.waitUntil(lambda: len(listed(dialog)) == 2, timeout=WAIT_MS)
    clock.advance(10 * MINUTE)
    dialog.choose(BUDI)
    dialog.note.setPlainText("Tinggal merapikan lampiran.")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=WAIT_MS)
    assert TimerService(other).status().running is None
    qtbot.waitUntil(lambda: not app.menu.handoff.isVisible(), timeout=WAIT_MS)


# ---- Tugas masuk ----------------------------------------------------------------------------


def test_a_handed_task_is_listed_counted_and_told_then_accepted(app, qtbot, other):
    signed_in_here(other)
    ident = handed_to_me(other, "Laporan kinerja", "Data sudah lengkap, tinggal analisis.")
    app.show_window()
    app.sync.refresh()  # as after a sync
    window = app.window
    index = window.tabs.indexOf(window.inbox)
    qtbot.waitUntil(lambda: window.tabs.tabText(index) == "In&coming tasks (1)", timeout=WAIT_MS)
    # No tray offscreen: the notice is shown in the window.
    assert window.banner.text() == (
        "Budi Santoso handed you a task: Laporan kinerja. See “Incoming tasks” in the main window."
    )
    view = inbox_tab(app, qtbot, 1)
    cells = [view.table.item(0, c).text() for c in range(5)]
    assert cells == [
        "Laporan kinerja",
        f"Budi Santoso ({BUDI})",
        "02/11/2026 07:30 WIB",
        "Data sudah lengkap, tinggal analisis.",
        "45 min",
    ]
    window.banner.setText("")
    app.sync.refresh()  # told once
    qtbot.wait(300)
    assert window.banner.text() == ""

    view.table.selectRow(0)
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 0, timeout=WAIT_MS)
    assert handoff_row(other, ident) == ("accepted", None)
    assert [e for e, _ in outbox(other, "handoff.accept")] == [ident]
    assert view.empty.isVisibleTo(view)
    qtbot.waitUntil(lambda: window.tabs.tabText(index) == "In&coming tasks", timeout=WAIT_MS)
    assert view.message.text() == "Accepted: Laporan kinerja. It is in your task list now."


def test_decline_asks_for_a_reason_and_gives_the_task_back(app, qtbot, other):
    signed_in_here(other)
    ident = handed_to_me(other, "Rekap presensi", "Tolong lanjutkan rekap minggu ini.")
    view = inbox_tab(app, qtbot, 1)
    view.table.selectRow(0)
    qtbot.mouseClick(view.decline_button, Qt.MouseButton.LeftButton)
    dialog = view.decline_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.submit()
    assert dialog.error.text() == "Say why you decline: the colleague who handed it is told."
    assert dialog.isVisible()
    assert handoff_row(other, ident) == ("pending", None)

    dialog.reason.setPlainText("Saya sedang dinas luar sampai Jumat.")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=WAIT_MS)
    assert handoff_row(other, ident) == ("declined", "Saya sedang dinas luar sampai Jumat.")
    ((entity, payload),) = outbox(other, "handoff.decline")
    assert entity == ident and payload["reason"] == "Saya sedang dinas luar sampai Jumat."
    task = TaskService(other).find("Rekap presensi")
    assert task.assignee_user_id == BUDI_ID  # back with the colleague
    qtbot.waitUntil(lambda: view.table.rowCount() == 0, timeout=WAIT_MS)
    assert view.message.text() == (
        f"Declined: Rekap presensi; it goes back to Budi Santoso ({BUDI})."
    )


def test_continue_a_colleagues_task_accepts_it_and_starts_its_timer(app, qtbot, other):
    signed_in_here(other)
    ident = handed_to_me(other, "Kajian regulasi", "Bab 1 dan 2 selesai.")
    view = inbox_tab(app, qtbot, 1)
    view.table.selectRow(0)
    qtbot.mouseClick(view.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: TimerService(other).status().running is not None, timeout=WAIT_MS)
    assert handoff_row(other, ident) == ("accepted", None)
    assert [e for e, _ in outbox(other, "handoff.accept")] == [ident]
    running = TimerService(other).status()
    assert running.task is not None and running.task.title == "Kajian regulasi"
    qtbot.waitUntil(lambda: app.window.title.text() == "Running: Kajian regulasi", timeout=WAIT_MS)


def test_an_answer_the_core_refuses_is_said_and_nothing_changes(app, qtbot, other):
    ident = handed_to_me(other, "Notulen rapat", "Rekaman ada di drive.")  # not signed in
    view = inbox_tab(app, qtbot, 1)
    view.table.selectRow(0)
    qtbot.mouseClick(view.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "Sign in to your agency's server first" in app.window.statusBar().currentMessage(),
        timeout=WAIT_MS,
    )
    assert handoff_row(other, ident) == ("pending", None)
    assert TimerService(other).status().running is None  # nothing started either


# ---- the server's directory -----------------------------------------------------------------


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)
def test_signed_in_the_servers_directory_is_searched_in_the_background(
    app, qtbot, other, server, memory_keyring
):
    with qtbot.waitSignal(app.sync.signed_in, timeout=SYNC_WAIT_MS):
        app.sync.sign_in(server.url, SITI, server.passwords[SITI], NEW_PASSWORD)
    qtbot.waitUntil(
        lambda: getattr(app.sync.status, "account", None) is not None, timeout=SYNC_WAIT_MS
    )
    other.reload_identity()
    assert HandoffService(other).colleagues() == []  # nothing kept here yet
    TaskService(other).add("Evaluasi program", 30)
    app.show_window()
    dialog = from_task_list(app, qtbot, "Evaluasi program")
    dialog.search.setText("budi")
    qtbot.waitUntil(
        lambda: listed(dialog) == [("Budi Santoso", "Biro Keuangan", BUDI)], timeout=SYNC_WAIT_MS
    )
    assert not dialog.server_state.isVisibleTo(dialog)
    # Kept for offline use.
    assert HandoffService(other).colleagues("budi") == [
        Colleague(BUDI, "Budi Santoso", "Biro Keuangan")
    ]
    dialog.note.setPlainText("Silakan dilanjutkan.")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=WAIT_MS)
    # Sent on the sync that the change asked for, a few seconds later.
    qtbot.waitUntil(lambda: outbox(other, "task.handoff") == [], timeout=SYNC_WAIT_MS)
    (h,) = HandoffService(other).sent()
    assert h.to_user != "" and h.version >= 1


def test_offline_the_kept_directory_is_shown_and_the_dialog_says_why(
    app, qtbot, other, memory_keyring
):
    signed_in_here(other)
    directory(other)
    url = "http://127.0.0.1:9"  # nothing listens there
    with other.write() as (conn, _):
        local.set_meta(conn, "server_url", url)
        local.set_meta(conn, "signed_in", "1")
    # A sign-in kept from before: the search goes out to the network, which is not there.
    memory_keyring.set_password(
        "wfh-desktop", f"{url}|{other.user_id}|{other.device_id}", "refresh-token"
    )
    app.sync.refresh()
    qtbot.waitUntil(lambda: getattr(app.sync.status, "account", None) is not None, timeout=WAIT_MS)
    TaskService(other).add("Surat tugas", 30)
    dialog = from_task_list(app, qtbot, "Surat tugas")
    qtbot.waitUntil(
        lambda: "could not be searched (The server cannot be reached" in dialog.server_state.text(),
        timeout=SYNC_WAIT_MS,
    )
    assert dialog.server_state.isVisibleTo(dialog)
    assert [row[0] for row in listed(dialog)] == ["Ani Lestari", "Budi Santoso"]
    dialog.reject()
