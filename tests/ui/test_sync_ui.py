"""Signing in from the app and the sync state in the window and the tray menu, against the
real server on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.served import NEW_PASSWORD, SITI
from tests.sync import test_tls
from tests.ui.conftest import WAIT_MS
from wfh_desktop.tasks import TaskService

SYNC_WAIT_MS = 30_000
agency = test_tls.agency  # the fixture: an agency's TLS proxy with its own authority


def _dialog(app: Any) -> Any:
    app.open_sign_in()
    return app.sign_in_dialog


def test_local_only_the_status_line_says_so_and_offers_to_sign_in(app, qtbot):
    app.show_window()
    qtbot.waitUntil(lambda: app.sync.status is not None, timeout=WAIT_MS)
    assert app.window.sync_state.text() == "Local only: no server is set."
    assert app.window.sign_in_button.isVisibleTo(app.window)
    assert not app.window.sync_button.isVisibleTo(app.window)
    assert app.menu.sign_in.isVisible() and not app.menu.sync_now.isVisible()


def test_sign_in_from_the_app_asks_for_a_new_initial_password_then_syncs(
    app, qtbot, other, server, memory_keyring
):
    TaskService(other).add("Dicatat sebelum masuk", 30)
    app.show_window()
    dialog = _dialog(app)
    dialog.server.setText(server.url)
    dialog.login.setText(SITI)
    dialog.password.setText(server.passwords[SITI])
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.new_password.isVisibleTo(dialog), timeout=SYNC_WAIT_MS)
    assert "initial password" in dialog.error.text()
    dialog.new_password.setText(NEW_PASSWORD)
    dialog.new_again.setText(NEW_PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=SYNC_WAIT_MS)
    qtbot.waitUntil(lambda: app.window.sync_state.text().startswith("Synced"), timeout=SYNC_WAIT_MS)
    assert app.sync.status.pending == 0 and app.sync.status.account == f"Siti Aminah ({SITI})"
    assert app.window.sync_button.isVisibleTo(app.window)
    assert app.menu.sync_now.isVisible() and app.menu.sign_out.isVisible()
    statuses = other.conn.execute("SELECT DISTINCT status FROM outbox").fetchall()
    assert statuses == [("acked",)]
    assert list(memory_keyring.secrets)  # the refresh token is in the keyring, nowhere else

    # A change made in the app goes up a few seconds later, on its own.
    app.model.start_new("Dikerjakan setelah masuk", 15)
    qtbot.waitUntil(
        lambda: (
            other.conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
            == 0
            and other.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] >= 3
        ),
        timeout=SYNC_WAIT_MS,
    )


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the dialog's side
@pytest.mark.parametrize("case", ["wrong password", "unreachable", "not https"])
def test_a_failed_sign_in_says_why_and_the_dialog_stays(app, qtbot, server, memory_keyring, case):
    dialog = _dialog(app)
    dialog.server.setText(
        {"unreachable": "http://127.0.0.1:9", "not https": "http://wfh.example.go.id"}.get(
            case, server.url
        )
    )
    dialog.login.setText(SITI)
    dialog.password.setText("bukan-kata-sandinya")
    dialog.submit()
    expected = {
        "wrong password": "Wrong NIP, e-mail or password.",
        "unreachable": "The server cannot be reached",
        "not https": "must start with https://",
    }[case]
    qtbot.waitUntil(lambda: expected in dialog.error.text(), timeout=SYNC_WAIT_MS)
    assert dialog.isVisible() and dialog.ok.isEnabled()


def test_items_to_review_are_listed_and_can_be_marked_as_looked_at(app, qtbot, other, clock):
    from tests.conftest import MINUTE
    from wfh_desktop.sessions import SessionService

    task = TaskService(other).add("Laporan", 30)
    start = clock.now_ms() - 120 * MINUTE
    for offset in (0, 100):  # two pairs; the second of each overlaps the first (flagged)
        at = start - offset * MINUTE
        SessionService(other).add(task.id, at, at + 60 * MINUTE)
        SessionService(other).add(task.id, at + 30 * MINUTE, at + 90 * MINUTE)
    app.show_window()
    app.sync.refresh()
    window = app.window
    index = window.tabs.indexOf(window.review)
    qtbot.waitUntil(lambda: window.tabs.tabText(index) == "To re&view (2)", timeout=WAIT_MS)
    window.tabs.setCurrentWidget(window.review)
    qtbot.waitUntil(lambda: window.review.table.rowCount() == 2, timeout=WAIT_MS)
    texts = {window.review.table.item(r, 2).text() for r in range(2)}
    assert texts == {"This session overlaps another of your sessions."}
    assert window.review.table.item(0, 1).text() == "Laporan"
    window.review.table.selectRow(0)
    window.review.seen_button.click()
    qtbot.waitUntil(lambda: window.review.table.rowCount() == 1, timeout=WAIT_MS)
    window.review.all_button.click()
    qtbot.waitUntil(lambda: window.review.empty.isVisibleTo(window.review), timeout=WAIT_MS)
    app.sync.refresh()
    qtbot.waitUntil(lambda: window.tabs.tabText(index) == "To re&view", timeout=WAIT_MS)


def test_a_clock_far_off_the_servers_is_pointed_out_once(app, qtbot, other):
    with other.write() as (conn, _):
        conn.execute("INSERT INTO sync_meta(key, value) VALUES ('clock_offset_ms', '-300000')")
    app.show_window()
    app.sync.refresh()
    text = "This computer's clock is 5 minutes off the server's; correct it."
    qtbot.waitUntil(lambda: app.window.banner.text() == text, timeout=WAIT_MS)
    app.window.banner.setText("")
    app.sync.refresh()
    qtbot.wait(300)
    assert app.window.banner.text() == ""  # once a run


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the dialog's side
def test_behind_an_agencys_tls_proxy_the_certificate_file_is_given_in_the_dialog_and_kept(
    app,
    qtbot,
    server,
    agency,
    memory_keyring,
    tmp_path,
):
    from wfh_desktop import settings as settings_mod

    proxy, ca = agency
    dialog = _dialog(app)
    dialog.server.setText(proxy.url)
    dialog.login.setText(SITI)
    dialog.password.setText(server.passwords[SITI])
    dialog.submit()
    qtbot.waitUntil(lambda: "not trusted" in dialog.error.text(), timeout=SYNC_WAIT_MS)
    assert "Certificate file" in dialog.error.text()
    dialog.ca_file.setText(str(tmp_path / "tidak-ada.pem"))
    dialog.submit()
    assert "does not exist" in dialog.error.text()  # said at once, nothing sent
    dialog.ca_file.setText(str(ca))
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.new_password.isVisibleTo(dialog), timeout=SYNC_WAIT_MS)
    dialog.new_password.setText(NEW_PASSWORD)
    dialog.new_again.setText(NEW_PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=SYNC_WAIT_MS)
    kept = str(ca.resolve())
    assert app.model.settings.ca_file == kept
    assert settings_mod.load(app.paths.settings)[0].ca_file == kept  # as wfh login keeps it


def test_a_sync_waiting_for_another_programs_says_so_in_the_menu_and_the_window(app, qtbot):
    """The sync job found a ``wfh sync`` typed meanwhile holding the profile (sync.lock): the
    tray menu and the status line say why nothing seems to happen."""
    from wfh_desktop.sync.engine import Progress

    app.show_window()
    app.sync.progress.emit(Progress("waiting", 0, None))
    text = "Another program is syncing this computer's data; waiting for it to finish…"
    qtbot.waitUntil(lambda: app.menu.sync_state.text() == text, timeout=WAIT_MS)
    assert app.window.sync_state.text() == text
