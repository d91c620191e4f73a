"""The protocol's recovery paths against the real server: a cursor older than the server keeps
(410: a snapshot), a server that lost a device's last mutations (409 seq_gap: the retained ones
again), and a copied profile (409 device_conflict: a device of its own)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from sqlalchemy import text

from tests.sync.conftest import add_tasks
from wfh_desktop.sync import local
from wfh_desktop.sync.errors import AccountRefused
from wfh_desktop.tasks import TaskService


def _server_sql(server: Any, sql: str, **params: Any) -> None:
    with server.engine.begin() as conn:
        conn.execute(text(sql), params)


def server_forgets(server: Any, device: str, kept: int) -> None:
    """The server as restored from a backup that had this device's first ``kept`` mutations."""
    _server_sql(server, "UPDATE device SET last_seq = :n WHERE device_id = :d", n=kept, d=device)
    _server_sql(
        server, "DELETE FROM mutation_log WHERE device_id = :d AND seq > :n", n=kept, d=device
    )


def _server_rows(server: Any) -> list[Any]:
    with server.engine.connect() as conn:
        return list(conn.execute(text("SELECT id, title, version FROM task ORDER BY id")).all())


def _titles(desk: Any) -> list[str]:
    return sorted(r[1] for r in desk.rows("task"))


def test_f18_a_cursor_older_than_the_feed_pushes_the_outbox_then_downloads_a_snapshot(
    desk, server, proxy
):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    pc.sign_in()
    TaskService(laptop.profile).add("Sebelum", 30)
    laptop.sync()
    pc.sync()
    TaskService(laptop.profile).add("Sesudah", 30)
    laptop.sync()
    # The server's housekeeping has gone past the PC's cursor; the PC has an unsent change.
    _server_sql(server, "UPDATE user_sync_state SET gc_floor = last_seq")
    TaskService(pc.profile).add("Belum terkirim", 15)
    asked = len(proxy.seen)
    report = pc.sync()
    assert report.resynced and report.pushed == 1
    # The outbox first, then 410, then the snapshot.
    steps = [(s.path, s.upstream_status) for s in proxy.seen[asked:]]
    assert steps[:3] == [
        ("/v1/sync/push", 200),
        ("/v1/sync/pull", 410),
        ("/v1/sync/snapshot", 200),
    ]
    laptop.sync()
    assert _titles(pc) == _titles(laptop) == ["Belum terkirim", "Sebelum", "Sesudah"]
    assert pc.rows("task") == laptop.rows("task")
    assert local.status(pc.profile.conn).pending == 0
    assert pc.sync().requests == 1  # and from the snapshot's cursor on, nothing new


def test_a_server_that_lost_the_last_mutations_gets_them_again(desks, server):
    laptop, pc = desks("laptop"), desks("pc")
    laptop.sign_in()
    for title in ("Satu", "Dua", "Tiga"):
        TaskService(laptop.profile).add(title, 30)
    laptop.sync()
    # Restored from a backup taken after the first mutation: the device's mark goes back.
    server_forgets(server, laptop.profile.device_id, 1)
    TaskService(laptop.profile).add("Empat", 30)
    assert laptop.sync().pushed == 3  # Dua and Tiga again, then Empat
    assert {s for (s,) in laptop.profile.conn.execute("SELECT status FROM outbox")} == {"acked"}
    pc.sign_in()
    pc.sync()
    assert _titles(pc) == ["Dua", "Empat", "Satu", "Tiga"]
    assert pc.rows("task") == laptop.rows("task")


def test_f26_a_copied_profile_gets_a_device_of_its_own_and_nothing_is_overwritten(
    desk, server, proxy, tmp_path
):
    laptop = desk("laptop")
    laptop.sign_in()
    TaskService(laptop.profile).add("Asli", 30)
    laptop.sync()
    laptop.profile.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = tmp_path / "copy" / "wfh.db"
    copy.parent.mkdir()
    shutil.copy(laptop.path, copy)
    clone = desk("copy")  # opens the copied file: the same device id
    assert clone.profile.device_id == laptop.profile.device_id
    TaskService(laptop.profile).add("Di laptop", 30)
    TaskService(clone.profile).add("Di salinan", 30)
    laptop.sync()
    before = _server_rows(server)
    with pytest.raises(AccountRefused) as e:
        clone.sync()
    assert "copy of this computer's data" in str(e.value)
    assert proxy.requests("/v1/sync/push")[-1].upstream_status == 409  # device_conflict
    assert _server_rows(server) == before  # nothing of the laptop's overwritten
    assert local.status(clone.profile.conn).state == "sign_in"
    assert (
        clone.profile.conn.execute(
            "SELECT count(*) FROM outbox WHERE status = 'pending'"
        ).fetchone()[0]
        == 1
    )
    clone.sign_in()  # registers the copy as a device of its own
    assert clone.profile.device_id != laptop.profile.device_id
    assert clone.sync().pushed == 1
    laptop.sync()
    assert _titles(laptop) == _titles(clone) == ["Asli", "Di laptop", "Di salinan"]


def test_f6_a_pull_that_dies_mid_page_leaves_no_half_page_and_the_next_one_completes(
    desks, monkeypatch
):
    laptop, pc = desks("laptop"), desks("pc")
    laptop.sign_in()
    for title in ("Satu", "Dua", "Tiga"):
        TaskService(laptop.profile).add(title, 30)
    laptop.sync()
    pc.sign_in()

    def dies(conn: Any, cursor: int) -> None:
        raise KeyboardInterrupt  # the program killed after the page's records, before its cursor

    monkeypatch.setattr(local, "save_cursor", dies)
    with pytest.raises(KeyboardInterrupt):
        pc.sync()
    assert pc.rows("task") == []  # the page and its cursor are one transaction
    assert local.meta_int(pc.profile.conn, "pull_cursor") == 0
    monkeypatch.undo()
    assert pc.sync().pulled == 3
    assert pc.rows("task") == laptop.rows("task")


def test_f7_the_server_killed_mid_upload_and_restarted_loses_and_repeats_nothing(
    desk, server, proxy
):
    import threading
    import time

    from tests.sync import faults
    from wfh_desktop.sync.errors import NetworkError

    laptop = desk("laptop")
    laptop.sign_in()
    add_tasks(laptop, (f"Tugas {n}" for n in range(1500)))
    # Each push answered 0.2 s after the server has it: the upload of 15 pushes lasts 3 s, so
    # the kill lands in it however fast the server writes (a faster server once finished the
    # whole upload before the kill).
    proxy.queue(*(faults.delay(0.2, "/v1/sync/push") for _ in range(15)))

    def stored() -> int:
        with server.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM task")).scalar_one())

    def crash_when_half_way() -> None:
        deadline = time.monotonic() + 60
        while stored() < 200 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.restart()

    crasher = threading.Thread(target=crash_when_half_way)
    crasher.start()
    try:
        with pytest.raises(NetworkError):
            laptop.sync()
    finally:
        crasher.join(90)
    assert 200 <= stored() < 1500  # the upload was cut by the crash
    proxy.clear()
    laptop.sync()  # the restarted server takes the rest
    assert stored() == 1500
    assert {s for (s,) in laptop.profile.conn.execute("SELECT status FROM outbox")} == {"acked"}
    titles = [r[1] for r in laptop.rows("task")]
    assert len(titles) == len(set(titles)) == 1500


def test_f25_a_server_restored_with_fewer_changes_gets_the_retained_ones_again(desks, server):
    laptop = desks("laptop")
    laptop.sign_in()
    for title in ("Satu", "Dua"):
        TaskService(laptop.profile).add(title, 30)
    laptop.sync()
    # Restored from a backup: the server's feed is behind this computer's cursor (409
    # epoch_mismatch), and it has lost the device's mutations.
    device = laptop.profile.device_id
    _server_sql(server, "UPDATE user_sync_state SET last_seq = 0")
    _server_sql(server, "DELETE FROM user_feed")
    _server_sql(server, "DELETE FROM task")
    server_forgets(server, device, 0)
    report = laptop.sync()
    assert report.pushed == 2
    assert local.status(laptop.profile.conn).state == "synced"
    pc = desks("pc")
    pc.sign_in()
    pc.sync()
    assert _titles(pc) == ["Dua", "Satu"]
