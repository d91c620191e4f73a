"""“Perlu ditinjau”, and the local rules of applying what the server sends: a timer the server
stopped is shown until seen, a refused change too; a pulled record never hides a pending local
change (I6); a session that arrives before its task waits for it."""

from __future__ import annotations

import json
import time

from tests.conftest import MINUTE
from wfh_desktop.sessions import SessionService
from wfh_desktop.sync import local, review
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import iso_utc
from wfh_desktop.timer import TimerService


def test_a_timer_stopped_by_the_server_is_listed_until_seen(desks):
    now = int(time.time() * 1000)  # the server flags a timer running 16 h by its own clock
    laptop, pc = desks("laptop", now), desks("pc", now)
    laptop.sign_in()
    pc.sign_in()
    TimerService(laptop.profile).start_new("Menyusun laporan", 60)  # offline
    pc.clock.advance(MINUTE)
    TimerService(pc.profile).start_new("Rapat", 30)  # a minute later on the other computer
    pc.sync()
    laptop.sync()  # the server stops the laptop's timer where the PC's began
    laptop.sync()
    [item] = [i for i in review.items(laptop.profile.conn) if i.kind == "auto_stopped"]
    assert item.task_title == "Menyusun laporan"
    assert item.end_at == item.start_at + MINUTE
    assert "started another one on another computer" in item.text
    assert local.status(laptop.profile.conn).review == 1, review.items(laptop.profile.conn)
    with laptop.profile.write() as (conn, _):
        assert review.mark_seen(conn, [item.key], laptop.clock.now_ms()) == 1
    assert review.items(laptop.profile.conn) == []
    assert local.status(laptop.profile.conn).review == 0
    running = laptop.profile.conn.execute(
        "SELECT count(*) FROM session WHERE end_at IS NULL AND deleted_at IS NULL"
    ).fetchone()[0]
    assert running == 1  # the PC's, on both computers
    pc.sync()
    assert pc.rows("session") == laptop.rows("session")


def test_a_refused_change_is_listed_with_the_servers_reason(desks):
    laptop = desks("laptop")
    laptop.sign_in()
    task = TaskService(laptop.profile).add("Tugas", 30)
    with laptop.profile.write() as (_conn, outbox):  # a change the server must refuse
        outbox.append(
            laptop.clock.now_ms(), "task.upsert", task.id, {"target_minutes": 999}, task.version
        )
    report = laptop.sync()
    assert (report.pushed, report.rejected) == (1, 1)
    [item] = review.items(laptop.profile.conn)
    assert item.kind == "rejected" and item.task_title == "Tugas"
    assert "The server refused this change (invalid_field)" in item.text
    assert local.status(laptop.profile.conn).rejected == 1


def _session_record(profile, sid, task_id, version, **values):
    start = values.pop("start_at", 1_000_000)
    return {
        "id": sid,
        "task_id": task_id,
        "owner_user_id": profile.user_id,
        "start_at": iso_utc(start),
        "end_at": iso_utc(values.pop("end_at", start + 30 * MINUTE)),
        "source": "manual",
        "origin_device": "elsewhere",
        "note": values.pop("note", None),
        "created_at": iso_utc(start),
        "deleted_at": None,
        "version": version,
        **values,
    }


def test_a_session_that_comes_before_its_task_waits_for_it(profile):
    task = {
        "id": "t-later",
        "title": "Datang belakangan",
        "target_minutes": 30,
        "status": "open",
        "assignee_user_id": profile.user_id,
        "owner_user_id": profile.user_id,
        "created_at": iso_utc(1_000_000),
        "version": 1,
    }
    with profile.write() as (conn, _):
        record = _session_record(profile, "s-early", "t-later", 1)
        assert local.apply_record(conn, "session", record, 5) == "parked"
        assert conn.execute("SELECT count(*) FROM session").fetchone()[0] == 0
        assert local.apply_record(conn, "task", task, 5) == "applied"
    [(sid, tid)] = profile.conn.execute("SELECT id, task_id FROM session").fetchall()
    assert (sid, tid) == ("s-early", "t-later")
    assert profile.conn.execute("SELECT count(*) FROM sync_parked").fetchone()[0] == 0


def test_a_pulled_record_never_hides_a_pending_local_change(profile, clock):
    task = TaskService(profile).add("Tugas", 30)
    start = clock.now_ms() - 60 * MINUTE
    entry = SessionService(profile).add(task.id, start, start + 30 * MINUTE, "catatan lama")
    SessionService(profile).edit(entry.session.id, note="catatan baru")  # pending
    with profile.write() as (conn, _):
        record = _session_record(
            profile, entry.session.id, task.id, 3, start_at=start, note="dari server"
        )
        assert local.apply_record(conn, "session", record, clock.now_ms()) == "applied"
        # An older version arriving late changes nothing.
        older = _session_record(profile, entry.session.id, task.id, 2, start_at=start)
        assert local.apply_record(conn, "session", older, clock.now_ms()) == "old"
    note, version = profile.conn.execute(
        "SELECT note, version FROM session WHERE id = ?", (entry.session.id,)
    ).fetchone()
    assert (note, version) == ("catatan baru", 3)
    pending = profile.conn.execute(
        "SELECT payload FROM outbox WHERE status = 'pending' AND type = 'session.edit'"
    ).fetchone()[0]
    assert json.loads(pending) == {"note": "catatan baru"}


def test_records_written_together_see_each_other_and_pending_changes(profile, clock):
    """One page or answer (``local.Applying``, its rows read once): a session arriving after
    its task in the same page finds it, two versions of one record end at the newer, a record
    with a pending local change is still rebased on it, and one that equals what is here
    writes nothing."""
    task = TaskService(profile).add("Tugas", 30)
    start = clock.now_ms() - 60 * MINUTE
    mine = SessionService(profile).add(task.id, start, start + 30 * MINUTE, "catatan lama")
    SessionService(profile).edit(mine.session.id, note="catatan baru")  # pending
    new_task = {
        "id": "t-baru",
        "title": "Datang bersama",
        "target_minutes": 15,
        "status": "open",
        "assignee_user_id": profile.user_id,
        "owner_user_id": profile.user_id,
        "created_at": iso_utc(start),
        "version": 1,
    }
    page = [
        ("task", new_task),
        ("session", _session_record(profile, "s-1", "t-baru", 1, note="pertama")),
        ("session", _session_record(profile, "s-1", "t-baru", 2, note="kedua")),
        ("session", _session_record(profile, mine.session.id, task.id, 5, start_at=start)),
    ]
    with profile.write() as (conn, _):
        run = local.Applying(conn, page)
        outcomes = [local.apply_record(conn, e, r, clock.now_ms(), run=run) for e, r in page]
        assert outcomes == ["applied"] * 4
        assert local.apply_record(conn, *page[1], clock.now_ms(), run=run) == "old"
        changes = conn.total_changes
        same = dict(page[2][1])
        assert local.apply_record(conn, "session", same, clock.now_ms(), answered=True, run=run)
        assert conn.total_changes == changes  # nothing differed: nothing written
    rows = dict(profile.conn.execute("SELECT id, note FROM session").fetchall())
    assert rows == {"s-1": "kedua", mine.session.id: "catatan baru"}
