"""The fault-injection suite (SYNC.md, F-table): the desktop's sync client against the real
server on SQLite and PostgreSQL, through a proxy on loopback that drops, repeats, delays, cuts
and replaces what travels. Each test asserts what a user relies on: nothing lost, nothing twice,
the computers and the server end alike, and a failed attempt says so and marks nothing sent."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import MINUTE
from tests.sync import faults
from tests.sync.conftest import Desk, add_tasks
from tests.sync.faults import FaultProxy
from wfh_desktop.ids import uuid7
from wfh_desktop.sessions import SessionService
from wfh_desktop.sync import http, local
from wfh_desktop.sync.errors import NetworkError, RateLimited, ServerTrouble
from wfh_desktop.tasks import TaskService
from wfh_desktop.timer import TimerService

PUSH, PULL = "/v1/sync/push", "/v1/sync/pull"


# ---- reading both sides -------------------------------------------------------------------------


def outbox(d: Desk) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(type, status, result) of every outbox row, in order."""
    rows = d.profile.conn.execute("SELECT type, status, result FROM outbox ORDER BY seq")
    return [(t, s, json.loads(r) if r else None) for t, s, r in rows.fetchall()]


def statuses(d: Desk) -> set[str]:
    return {s for _, s, _ in outbox(d)}


def results(d: Desk) -> list[str]:
    return [r["status"] if r else "-" for _, _, r in outbox(d)]


def on_server(server: Any, table: str, ident: str | None = None) -> list[dict[str, Any]]:
    """The server's rows of ``table`` (with this id), ordered by id."""
    where = " WHERE id = :id" if ident else ""
    with server.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table}{where} ORDER BY id"), {"id": ident})
        return [dict(r) for r in rows.mappings().all()]


def sessions_on_server(server: Any) -> list[tuple[Any, ...]]:
    return [
        (
            r["id"],
            r["task_id"],
            r["start_at"],
            r["end_at"],
            r["auto_stop_reason"],
            r["version"],
            r["deleted_at"] is not None,
        )
        for r in on_server(server, "session")
    ]


def sessions_here(d: Desk) -> list[tuple[Any, ...]]:
    return [(r[0], r[1], r[3], r[4], r[7], r[10], r[11] is not None) for r in d.rows("session")]


def running(rows: list[tuple[Any, ...]]) -> list[str]:
    """Ids of the running, live sessions in ``sessions_*`` rows."""
    return [r[0] for r in rows if r[3] is None and not r[6]]


def some_work(d: Desk, title: str = "Menyusun laporan") -> tuple[str, str]:
    """A task and a finished timer session on it: two mutations (the stop travels inside the
    session's creation, which was never sent: outbox.fold). Returns their ids."""
    started = TimerService(d.profile).start_new(title, 30)
    d.clock.advance(20 * MINUTE)
    TimerService(d.profile).stop()
    return started.task.id, started.session.id


def one_copy_each(server: Any, d: Desk) -> bool:
    """The server holds each of this computer's tasks and sessions once, and nothing else."""
    return all(
        [r["id"] for r in on_server(server, table)] == [r[0] for r in d.rows(table)]
        for table in ("task", "session")
    )


# ---- lost, repeated and late deliveries ----------------------------------------------------------


def short_read_timeout(d: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """The client waits 0.5 s for an answer instead of 30 (the program started again, still
    signed in)."""
    monkeypatch.setattr(http, "READ_TIMEOUT_S", 0.5)
    d.client.close()
    d._client = None


@pytest.mark.parametrize("how", ["dropped", "too late"])
def test_f1_an_answer_lost_after_the_server_committed_is_answered_duplicate(
    desk, server, proxy, monkeypatch, how
):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    some_work(laptop)
    if how == "too late":
        short_read_timeout(laptop, monkeypatch)
        proxy.queue(faults.delay(1.5, PUSH))
    else:
        proxy.queue(faults.drop_response(PUSH))
    with pytest.raises(NetworkError) as failed:
        laptop.sync()
    if how == "too late":
        assert "in time" in str(failed.value)
    assert statuses(laptop) == {"pending"}
    assert local.status(laptop.profile.conn).state == "offline"
    assert one_copy_each(server, laptop)  # the server did commit

    laptop.sync()
    assert statuses(laptop) == {"acked"}
    assert results(laptop) == ["duplicate"] * 2
    assert one_copy_each(server, laptop)
    assert local.status(laptop.profile.conn).state == "synced"

    pc.sign_in()
    pc.sync()
    assert len(pc.rows("task")) == 1 and len(pc.rows("session")) == 1
    assert pc.rows("task") == laptop.rows("task")
    assert pc.rows("session") == laptop.rows("session")
    assert sessions_here(pc) == sessions_on_server(server)


def _rejection_whose_answer_is_lost(laptop: Desk, proxy: FaultProxy) -> list[Any]:
    """A push of two good mutations and one the server rejects; its answer is lost, and the
    retry is answered ``duplicate`` for all three. Returns the outbox rows after the retry."""
    laptop.sign_in()
    TaskService(laptop.profile).add("Tugas satu", 30)
    now = laptop.clock.now_ms()
    with laptop.profile.write() as (_, writer):
        writer.append(now, "session.teleport", uuid7(now), {}, 0)  # not a type the server has
    TaskService(laptop.profile).add("Tugas dua", 30)
    proxy.queue(faults.drop_response(PUSH))
    with pytest.raises(NetworkError):
        laptop.sync()
    laptop.sync()
    assert results(laptop) == ["duplicate"] * 3
    return outbox(laptop)


def test_f1_a_rejection_whose_answer_was_lost_stays_rejected(desk, server, proxy):
    laptop = desk("laptop")
    rows = _rejection_whose_answer_is_lost(laptop, proxy)
    assert [s for _, s, _ in rows] == ["acked", "rejected", "acked"]
    assert local.status(laptop.profile.conn).rejected == 1


def test_f1_a_rejection_whose_answer_was_lost_keeps_the_servers_reason(desk, server, proxy):
    laptop = desk("laptop")
    [_, (_, _, result), _] = _rejection_whose_answer_is_lost(laptop, proxy)
    assert result is not None
    assert (result.get("original_status"), result.get("code")) == ("rejected", "unknown_type")


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
@pytest.mark.parametrize("how", ["dropped", "timed out"])
def test_f2_a_request_lost_before_the_server_saw_it_is_applied_once_later(
    desk, server, proxy, monkeypatch, how
):
    laptop = desk("laptop")
    laptop.sign_in()
    some_work(laptop)
    if how == "timed out":
        short_read_timeout(laptop, monkeypatch)
        proxy.queue(faults.delay(1.5, PUSH, forward=False))
    else:
        proxy.queue(faults.drop_request(PUSH))
    with pytest.raises(NetworkError) as failed:
        laptop.sync()
    if how == "timed out":
        assert "in time" in str(failed.value)
    assert statuses(laptop) == {"pending"}
    assert on_server(server, "task") == on_server(server, "session") == []

    laptop.sync()
    assert statuses(laptop) == {"acked"}
    assert results(laptop) == ["applied"] * 2
    assert one_copy_each(server, laptop)
    assert sessions_here(laptop) == sessions_on_server(server)


def test_f3_a_push_delivered_again_and_late_leaves_one_copy(desk, server, proxy):
    laptop = desk("laptop")
    laptop.sign_in()
    some_work(laptop)
    proxy.queue(faults.duplicate(PUSH, times=3))
    laptop.sync()
    assert statuses(laptop) == {"acked"}
    assert results(laptop) == ["duplicate"] * 2  # the third delivery's answer came back
    assert one_copy_each(server, laptop)

    # Newer work goes up; then the network delivers the first push once more, late.
    [first] = proxy.requests(PUSH)
    some_work(laptop, "Rapat koordinasi")
    laptop.sync()
    before = on_server(server, "session"), on_server(server, "task")
    status, body = proxy.replay(first)
    assert status == 200, body
    assert [r["status"] for r in json.loads(body)["results"]] == ["duplicate"] * 2
    assert (on_server(server, "session"), on_server(server, "task")) == before
    assert laptop.sync().pushed == 0


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f5_a_program_killed_before_sending_sends_everything_on_restart(desk, server, proxy):
    laptop = desk("laptop")
    laptop.sign_in()
    some_work(laptop)
    laptop.close()  # killed after the local commit, before anything went out

    again = desk("laptop")
    assert statuses(again) == {"pending"}
    again.sync()
    assert statuses(again) == {"acked"}
    assert results(again) == ["applied"] * 2
    assert one_copy_each(server, again)
    assert sessions_here(again) == sessions_on_server(server)


def test_f5_a_program_killed_after_the_answer_before_marking_it_sends_again_once(
    desk, server, proxy
):
    laptop = desk("laptop")
    laptop.sign_in()
    some_work(laptop)
    # The database as it is before the sync: what a kill after the server's answer, before
    # its local transaction, leaves on disk.
    laptop.profile.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = laptop.path.read_bytes()
    laptop.sync()
    assert one_copy_each(server, laptop)
    laptop.close()
    for extra in ("-wal", "-shm"):
        laptop.path.with_name(laptop.path.name + extra).unlink(missing_ok=True)
    laptop.path.write_bytes(before)

    again = desk("laptop")
    assert statuses(again) == {"pending"}
    again.sync()
    assert statuses(again) == {"acked"}
    assert results(again) == ["duplicate"] * 2
    assert one_copy_each(server, again)
    pc = desk("pc")
    pc.sign_in()
    pc.sync()
    assert pc.rows("task") == again.rows("task")
    assert pc.rows("session") == again.rows("session")
    assert sessions_here(pc) == sessions_on_server(server)


# ---- what the server refuses, and what is not the server ------------------------------------


@pytest.mark.parametrize("bad", ["end before start", "unknown type"])
def test_f19_one_invalid_mutation_among_many_is_rejected_alone(desk, server, proxy, bad):
    laptop = desk("laptop")
    laptop.sign_in()
    tasks = [TaskService(laptop.profile).add(f"Tugas {i}", 30) for i in range(5)]
    now = laptop.clock.now_ms()
    bad_id = uuid7(now)
    fields = {
        "task_id": tasks[0].id,
        "owner_user_id": laptop.profile.user_id,
        "start_at": now,
        "end_at": now - 10 * MINUTE,
        "source": "manual",
        "origin_device": laptop.profile.device_id,
        "note": None,
        "created_at": now,
        "deleted_at": None,
    }
    with laptop.profile.write() as (_, writer):
        # Written past the services (which never make one): a client bug, or an old version's.
        if bad == "end before start":
            writer.append(now, "session.upsert", bad_id, fields, 0)
        else:
            writer.append(now, "session.teleport", bad_id, {}, 0)
    tasks += [TaskService(laptop.profile).add(f"Tugas {i}", 30) for i in range(5, 10)]
    entry = SessionService(laptop.profile).add(tasks[7].id, now - 50 * MINUTE, now - 10 * MINUTE)

    report = laptop.sync()
    assert (report.pushed, report.rejected) == (11, 1)
    rows = outbox(laptop)
    [(_kind, status, result)] = [r for r in rows if r[1] != "acked"]
    assert status == "rejected" and result is not None
    assert result["code"] == ("invalid_span" if bad == "end before start" else "unknown_type")
    assert all(r["status"] == "applied" for _, s, r in rows if s == "acked" and r)
    assert local.status(laptop.profile.conn).rejected == 1
    assert on_server(server, "session", bad_id) == []
    assert len(on_server(server, "task")) == 10
    assert [r["id"] for r in on_server(server, "session")] == [entry.session.id]
    # It is not sent again.
    assert laptop.sync().requests == 1  # only the pull


def _bad_gateway(path: str) -> faults.Fault:
    return faults.answer(
        502, "<html><h1>502 Bad Gateway</h1></html>", {"Content-Type": "text/html"}, path
    )


# (case, fault, the error the attempt ends with)
F24_PUSH = [
    ("captive portal", faults.html_page, NetworkError),
    ("cut short", faults.cut_body, NetworkError),
    ("gzip cut", faults.cut_gzip, NetworkError),
    ("502", _bad_gateway, ServerTrouble),
]
F24_PULL = [
    ("captive portal", faults.html_page, NetworkError),
    ("cut short", faults.cut_body, NetworkError),
    ("gzip cut", faults.cut_gzip, NetworkError),
]


def _failed_as(d: Desk, error: type[Exception], case: str) -> None:
    with pytest.raises(error):
        d.sync()
    want = "offline" if error is NetworkError else "failed"
    assert local.status(d.profile.conn).state == want, case


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f24_a_push_answered_by_something_else_marks_nothing_sent(desk, server, proxy):
    laptop = desk("laptop")
    laptop.sign_in()
    for n, (case, fault, error) in enumerate(F24_PUSH):
        some_work(laptop, f"Laporan {n}")
        proxy.queue(fault(PUSH))
        _failed_as(laptop, error, case)
        assert proxy.pending == [], case
        assert [s for _, s, _ in outbox(laptop)][-2:] == ["pending"] * 2, case

        laptop.sync()  # the next clean sync
        assert statuses(laptop) == {"acked"}, case
        assert one_copy_each(server, laptop), case
        assert local.status(laptop.profile.conn).state == "synced", case
    assert len(on_server(server, "task")) == len(laptop.rows("task")) == len(F24_PUSH)


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f24_a_pull_answered_by_something_else_writes_nothing(desk, server, proxy):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    pc.sign_in()
    for n, (case, fault, error) in enumerate(F24_PULL):
        some_work(laptop, f"Laporan {n}")
        laptop.sync()
        before = pc.rows("task"), pc.rows("session")
        cursor = local.meta_int(pc.profile.conn, "pull_cursor")
        proxy.queue(fault(PULL))
        _failed_as(pc, error, case)
        assert proxy.pending == [], case
        assert (pc.rows("task"), pc.rows("session")) == before, case
        assert local.meta_int(pc.profile.conn, "pull_cursor") == cursor, case

        pc.sync()  # the next clean sync
        assert local.status(pc.profile.conn).state == "synced", case
        assert pc.rows("task") == laptop.rows("task"), case
        assert pc.rows("session") == laptop.rows("session"), case
    assert len(pc.rows("session")) == len(F24_PULL)


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_429_waits_as_long_as_the_server_asks(desk, server, proxy):
    laptop = desk("laptop")
    laptop.sign_in()
    some_work(laptop)
    proxy.queue(faults.problem(429, "rate_limited", PUSH, Retry_After="7"))
    with pytest.raises(RateLimited) as limited:
        laptop.sync()
    assert limited.value.wait_s == 7
    assert statuses(laptop) == {"pending"}
    assert on_server(server, "task") == on_server(server, "session") == []
    laptop.sync()
    assert statuses(laptop) == {"acked"}
    assert one_copy_each(server, laptop)


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_413_halves_the_batch_and_still_sends_everything(desk, server, proxy):
    laptop = desk("laptop")
    laptop.sign_in()
    add_tasks(laptop, (f"Tugas {i}" for i in range(150)))
    proxy.queue(faults.problem(413, "body_too_large", PUSH))
    report = laptop.sync()
    assert report.pushed == 150
    sizes = [len(s.json()["mutations"]) for s in proxy.requests(PUSH)]
    assert sizes == [100, 50, 50, 50]
    assert statuses(laptop) == {"acked"}
    assert len(on_server(server, "task")) == 150


# ---- two computers of one person ---------------------------------------------------------------


def test_f27_own_records_echoed_back_are_not_duplicated(desk, server, proxy):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    pc.sign_in()
    some_work(laptop, "Laporan bulanan")
    some_work(pc, "Rapat koordinasi")
    for d in (laptop, pc, laptop, pc):
        d.sync()
    # Every record again, each computer's own included (as for a profile that has not kept
    # which push answers it wrote: answered_seq, below).
    for d in (laptop, pc):
        with d.profile.write() as (conn, _):
            local.set_meta(conn, "pull_cursor", 0)
            local.set_meta(conn, "answered_seq", None)
        d.sync()
    assert len(laptop.rows("task")) == 2 and len(laptop.rows("session")) == 2
    assert pc.rows("task") == laptop.rows("task")
    assert pc.rows("session") == laptop.rows("session")
    assert sessions_here(laptop) == sessions_on_server(server)
    assert {s.fault for s in proxy.seen} == {"pass"}  # the proxy itself changes nothing


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_pull_leaves_out_what_push_answers_brought_yet_a_restored_profile_gets_it_back(
    desk, server, proxy, tmp_path
):
    """A computer does not download again what its own push answers brought (``answered``);
    a copy of its profile from before some of those pushes (a backup put back) still gets
    them: only the changes of answers the profile says it has written are left out."""
    laptop = desk("laptop")
    laptop.sign_in()
    some_work(laptop, "Laporan bulanan")
    laptop.sync()
    backup = tmp_path / "backup.db"
    with sqlite3.connect(backup) as copy:
        laptop.profile.conn.backup(copy)
    copy.close()
    some_work(laptop, "Rapat koordinasi")
    laptop.sync()
    answered = local.meta_int(laptop.profile.conn, "answered_seq")
    assert answered == 4  # two tasks and two sessions, one mutation each
    assert f"answered={answered}" in proxy.requests("/v1/sync/pull")[-1].target
    with laptop.profile.write() as (conn, _):  # the whole feed again: nothing of it is new
        local.set_meta(conn, "pull_cursor", 0)
    assert laptop.sync().pulled == 0 and sessions_here(laptop) == sessions_on_server(server)
    path = laptop.path
    laptop.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, path)
    restored = desk("laptop")
    assert len(restored.rows("session")) == 1
    assert restored.sync().pulled == 2  # the second task and its session, back
    assert sessions_here(restored) == sessions_on_server(server)
    assert [t[:2] for t in restored.rows("task")] == [
        (r["id"], r["title"]) for r in on_server(server, "task")
    ]


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_retried_push_whose_log_was_pruned_still_brings_the_records(desk, server, proxy):
    """Found in review: a push's answer lost, then its mutation log pruned (maintain.py, after
    the retention) before the retry: the retry's duplicates still carry the records, so the
    pull that leaves out what the answers brought leaves out nothing this computer lacks."""
    laptop = desk("laptop")
    laptop.sign_in()
    some_work(laptop)
    proxy.queue(faults.drop_response(PUSH))
    with pytest.raises(NetworkError):
        laptop.sync()
    with server.engine.begin() as conn:
        conn.execute(text("DELETE FROM mutation_log"))
    laptop.sync()
    versions = [r[-2] for r in laptop.rows("task")] + [r[-2] for r in laptop.rows("session")]
    assert versions == [1, 1]  # the server's versions (0: never heard back)


@pytest.mark.parametrize("first", ["laptop", "pc"])
def test_f12_timers_started_offline_on_two_computers_leave_one_running(desk, server, proxy, first):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    pc.sign_in()
    task = TaskService(laptop.profile).add("Rapat koordinasi", 60)
    laptop.sync()
    pc.sync()
    # Offline, each computer starts a timer: the laptop at 09:00, the PC at 09:10.
    laptop.clock.advance(60 * MINUTE)
    pc.clock.advance(70 * MINUTE)
    a = TimerService(laptop.profile).start(task_id=task.id).session
    b = TimerService(pc.profile).start(task_id=task.id).session
    order = [laptop, pc] if first == "laptop" else [pc, laptop]
    for d in order * 2:
        d.sync()

    on = sessions_on_server(server)
    assert running(on) == [b.id]
    assert running(sessions_here(laptop)) == [b.id] and running(sessions_here(pc)) == [b.id]
    [stopped] = [r for r in on if r[0] == a.id]
    assert stopped[4] == f"superseded_by:{b.id}" and stopped[3] == b.start_at
    assert sessions_here(laptop) == on and sessions_here(pc) == on
    assert laptop.rows("session") == pc.rows("session")


def test_f13_the_first_stop_wins_and_the_later_one_is_merged(desk, server, proxy):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    pc.sign_in()
    session = TimerService(laptop.profile).start_new("Menyusun laporan", 30).session
    laptop.sync()
    pc.sync()
    laptop.clock.advance(30 * MINUTE)
    TimerService(laptop.profile).stop()  # 08:30, sent at once
    laptop.sync()
    pc.clock.advance(45 * MINUTE)
    TimerService(pc.profile).stop()  # 08:45, offline: the PC still saw it running
    pc.sync()

    [(_kind, status, result)] = [r for r in outbox(pc) if r[0] == "session.stop"]
    assert status == "acked" and result is not None and result["status"] == "merged"
    first_end = session.start_at + 30 * MINUTE
    [row] = on_server(server, "session", session.id)
    assert row["end_at"] == first_end
    laptop.sync()
    assert sessions_here(pc) == sessions_here(laptop) == sessions_on_server(server)
    assert sessions_here(pc)[0][3] == first_end
    assert laptop.rows("session") == pc.rows("session")


@pytest.mark.parametrize("first", ["delete", "edit"])
def test_f14_a_deleted_session_stays_deleted_though_edited_elsewhere(desk, server, proxy, first):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    pc.sign_in()
    task = TaskService(laptop.profile).add("Rapat koordinasi", 60)
    now = laptop.clock.now_ms()
    entry = SessionService(laptop.profile).add(
        task.id, now - 50 * MINUTE, now - 10 * MINUTE, "pagi"
    )
    laptop.sync()
    pc.sync()
    # Offline on both: the laptop deletes it, the PC corrects its note a minute later.
    SessionService(laptop.profile).remove(entry.session.id)
    pc.clock.advance(MINUTE)
    SessionService(pc.profile).edit(entry.session.id, note="pagi, rapat diperpanjang")
    order = [laptop, pc] if first == "delete" else [pc, laptop]
    for d in order * 2:
        d.sync()

    [row] = on_server(server, "session", entry.session.id)
    assert row["deleted_at"] is not None
    for d in (laptop, pc):
        [here] = sessions_here(d)
        assert here[6], f"the session came back on the {d.path.parent.name}"
        assert statuses(d) == {"acked"}
    assert sessions_here(laptop) == sessions_on_server(server)
    assert laptop.rows("session") == pc.rows("session")
