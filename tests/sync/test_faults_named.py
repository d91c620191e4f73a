"""The rest of SYNC.md's fault table, each row by its number, against the real server on loopback
through the fault proxy: F4 (a seq gap, from the client's side), F8 (a pull between two writers,
on PostgreSQL), F9 (changes arriving while paging), F10 (device clocks wrong or jumping), F11
(suspended with a timer running), F15 (back after 30 days offline), F22 (a handoff while the
giver edits the task elsewhere), F23 (5,000 queued mutations); and a sync through the office's
HTTPS proxy (the system proxy is honoured). A test marked xfail is a bug found, said in its
reason."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import MINUTE
from tests.server.served import ANI, NEW_PASSWORD, SITI
from tests.sync import faults
from tests.sync.conftest import Desk, add_tasks
from tests.sync.test_faults import (
    PULL,
    PUSH,
    on_server,
    one_copy_each,
    outbox,
    results,
    sessions_here,
    sessions_on_server,
    some_work,
    statuses,
)
from tests.sync.test_handoff import handoffs, signed, task_row
from tests.sync.test_recovery import server_forgets
from tests.sync.test_tls import TlsProxy, _authority
from wfh_desktop.handoffs import HandoffService
from wfh_desktop.ids import uuid7
from wfh_desktop.reports import Period, build_report
from wfh_desktop.sessions import SessionService
from wfh_desktop.sync import engine, local, review
from wfh_desktop.sync.client import SyncClient
from wfh_desktop.sync.engine import PUSH_BYTES, Progress
from wfh_desktop.sync.errors import NetworkError, Stuck
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import iso_utc, zone
from wfh_desktop.timer import TimerService
from wfh_server.maintain import maintain
from wfh_server.protocol import MAX_BATCH

HOUR, DAY = 60 * MINUTE, 24 * 60 * MINUTE
YEAR = 365 * DAY
WIB = zone("WIB")


def _server_sql(server: Any, sql: str, **params: Any) -> list[Any]:
    with server.engine.begin() as conn:
        result = conn.execute(text(sql), params)
        return list(result.all()) if result.returns_rows else []


def _titles_on_server(server: Any) -> list[str]:
    return sorted(r["title"] for r in on_server(server, "task"))


def _device_marks(server: Any) -> list[int]:
    """Every device's high-water mark on the server."""
    return [int(n) for (n,) in _server_sql(server, "SELECT last_seq FROM device")]


def _seqs(seen: faults.Seen) -> list[int]:
    return [m["seq"] for m in seen.json()["mutations"]]


def real_now() -> int:
    """The server's clock (the real one): for the tests where a device clock is set against
    it."""
    return int(time.time() * 1000)


def wall_is_the_desks_clock(d: Desk) -> None:
    """The desk's injected clock is also the one its sync reads when it measures its offset
    from the server's (on a real computer both are the system clock)."""
    d.client.transport._wall = lambda: d.clock.now_ms() / 1000


# ---- F4: a seq gap -----------------------------------------------------------------------------


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f4_a_lost_outbox_row_is_a_gap_refused_whole_and_nothing_is_marked_or_lost(
    desk, server, proxy
):
    """A client bug or a damaged database lost the outbox row of seq 2: the push of 1 and 3 is
    refused whole (not even seq 1 is applied), and the client stops there: it marks nothing,
    keeps every change, says so, and does not send again in a loop."""
    laptop = desk("laptop")
    laptop.sign_in()
    for title in ("Satu", "Dua", "Tiga"):
        TaskService(laptop.profile).add(title, 30)
    with laptop.profile.write() as (conn, _):
        conn.execute("DELETE FROM outbox WHERE seq = 2")

    with pytest.raises(Stuck) as stuck:
        laptop.sync()
    assert "your work is kept" in str(stuck.value)
    [push] = proxy.requests(PUSH)
    assert _seqs(push) == [1, 3] and push.upstream_status == 409
    status, body = proxy.replay(push)  # the server's answer, once more: refused the same way
    assert status == 409
    assert {k: v for k, v in json.loads(body).items() if k in ("code", "expected_seq")} == {
        "code": "seq_gap",
        "expected_seq": 1,
    }
    assert on_server(server, "task") == []  # no partial apply
    assert _device_marks(server) == [0]
    assert [(t, s) for t, s, _ in outbox(laptop)] == [("task.upsert", "pending")] * 2
    assert local.status(laptop.profile.conn).state == "failed"
    assert sorted(r[1] for r in laptop.rows("task")) == ["Dua", "Satu", "Tiga"]  # kept here

    with pytest.raises(Stuck):  # the next attempt: one push again, no loop
        laptop.sync()
    assert len(proxy.requests(PUSH)) == 2
    assert on_server(server, "task") == []


def test_f4_a_gap_is_refused_whole_and_the_client_sends_again_from_where_the_server_says(
    desk, server, proxy
):
    """The server lost this device's last mutation (its mark went back from 3 to 2): the next
    push, of 4 and 5, is a gap. Nothing of it is applied; the client sends again from the
    ``expected_seq`` of the answer (the retained 3, then 4 and 5), and all end once each."""
    laptop = desk("laptop")
    laptop.sign_in()
    for title in ("Satu", "Dua", "Tiga"):
        TaskService(laptop.profile).add(title, 30)
    laptop.sync()
    device = laptop.profile.device_id
    server_forgets(server, device, 2)
    for title in ("Empat", "Lima"):
        TaskService(laptop.profile).add(title, 30)
    # The refused push goes through; its resend is lost: what the 409 left is seen as it is.
    proxy.queue(faults.delay(0, PUSH), faults.drop_request(PUSH))
    with pytest.raises(NetworkError):
        laptop.sync()
    refused, again = proxy.requests(PUSH)[-2:]
    assert (_seqs(refused), refused.upstream_status) == ([4, 5], 409)
    assert _seqs(again) == [3, 4, 5]  # from the server's expected_seq
    assert _titles_on_server(server) == ["Dua", "Satu", "Tiga"]  # nothing of 4 and 5
    assert _device_marks(server) == [2]
    assert [s for _, s, _ in outbox(laptop)] == ["acked", "acked", "pending", "pending", "pending"]

    laptop.sync()
    assert statuses(laptop) == {"acked"}
    assert results(laptop)[2:] == ["applied"] * 3
    assert one_copy_each(server, laptop)
    pc = desk("pc")
    pc.sign_in()
    pc.sync()
    assert pc.rows("task") == laptop.rows("task")


# ---- F8: a pull between two writers --------------------------------------------------------


def _until(done: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.02)


def _waiting(server: Any, kind: str, event: str | None = None) -> int:
    """How many other connections to the test's database wait on ``kind`` (``event``)."""
    sql = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid != pg_backend_pid() AND wait_event_type = :kind"
    )
    if event:
        sql += " AND wait_event = :event"
    [(n,)] = _server_sql(server, sql, kind=kind, event=event)
    return int(n)


@pytest.mark.parametrize("server_config", ["postgresql"], indirect=True)  # SQLite: one writer
def test_f8_a_pull_between_two_writers_never_gets_the_later_change_before_the_earlier(
    desk, server, proxy
):
    """Two pushes for one person at once, the first-started held inside its transaction (a
    ``pg_sleep`` in a trigger, in the real server process) while the second is sent; a
    computer pulls in between. It must not get the second writer's change while the first's
    is missing (its cursor would pass it for ever); its next pull brings both, in order."""
    reader = desk("reader")
    reader.sign_in()
    reader.sync()
    _server_sql(
        server,
        "CREATE FUNCTION wfh_test_slow() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$",
    )
    _server_sql(
        server,
        "CREATE TRIGGER wfh_test_slow BEFORE INSERT ON task FOR EACH ROW "
        "WHEN (NEW.title = 'Lambat') EXECUTE FUNCTION wfh_test_slow()",
    )
    laptop, pc = server.ready(SITI, "laptop"), server.ready(SITI, "pc")
    answers: dict[str, Any] = {}

    def push(dev: Any, title: str) -> None:
        fields = {"title": title, "target_minutes": 30, "created_at": iso_utc(real_now())}
        answers[title] = dev.push(dev.mutation("task.upsert", uuid7(), fields))

    first = threading.Thread(target=push, args=(laptop, "Lambat"))
    second = threading.Thread(target=push, args=(pc, "Cepat"))
    first.start()
    try:
        _until(lambda: _waiting(server, "Timeout", "PgSleep") == 1, "the first push held")
        second.start()
        _until(
            lambda: _waiting(server, "Lock") >= 1 or not second.is_alive(),
            "the second push waiting for the first, or done",
        )
        reader.sync()
        between = [r[1] for r in reader.rows("task")]
        cursor = local.meta_int(reader.profile.conn, "pull_cursor")
        assert first.is_alive()  # the pull really ran while the first had not committed
    finally:
        first.join(30)
        if second.ident is not None:
            second.join(30)
    assert {t: r.status_code for t, r in answers.items()} == {"Lambat": 200, "Cepat": 200}
    feed = dict(
        _server_sql(
            server,
            "SELECT t.title, f.seq FROM user_feed f JOIN task t ON t.id = f.entity_id "
            "WHERE f.entity_type = 'task'",
        )
    )
    assert sorted(feed.values()) == [1, 2]  # gap-free
    # What the pull in between brought is a prefix of the feed, and its cursor passed nothing
    # it did not bring.
    in_order = sorted(feed, key=feed.__getitem__)
    assert sorted(between) == sorted(in_order[: len(between)])
    assert all(seq > cursor for title, seq in feed.items() if title not in between)
    reader.sync()
    assert sorted(r[1] for r in reader.rows("task")) == ["Cepat", "Lambat"]
    assert local.meta_int(reader.profile.conn, "pull_cursor") == max(feed.values())


# ---- F9: changes arriving while a computer pages through the feed ----------------------------


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f9_changes_arriving_while_paging_are_neither_skipped_nor_doubled(
    desk, server, proxy, monkeypatch
):
    """A hundred tasks made in one instant, read in pages of 7; after each of the first pages
    the laptop sends a new task and renames one the PC has already read (its feed row moves
    past the cursor). The PC ends with everything once, at the newest versions."""
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    add_tasks(laptop, (f"Tugas {n:03}" for n in range(100)), 15)
    laptop.sync()
    monkeypatch.setattr(engine, "PULL_LIMIT", 7)
    pages: list[int] = []

    def meanwhile(p: Progress) -> None:
        if p.phase != "pull":
            return
        pages.append(local.meta_int(pc.profile.conn, "pull_cursor"))
        if len(pages) <= 5:
            read = sorted(r[0] for r in pc.rows("task"))
            TaskService(laptop.profile).add(f"Baru {len(pages)}", 30)
            TaskService(laptop.profile).edit(read[0], title=f"Diubah {len(pages)}")
            laptop.sync()

    pc._client = SyncClient(pc.profile, server_url=pc.server.url, progress=meanwhile)
    pc.sign_in()
    pc.sync()
    assert len(pages) > 100 // 7
    assert pages == sorted(set(pages))  # the cursor, saved with each page, only goes on
    assert len(pc.rows("task")) == 105
    assert pc.rows("task") == laptop.rows("task")  # none skipped, the newest of each
    assert pc.sync().pulled == 0


# ---- F10: device clocks ------------------------------------------------------------------------


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f10_a_clock_a_year_ahead_cannot_win_every_change_and_its_sessions_are_flagged(
    desk, server, proxy
):
    now = real_now()
    laptop, pc = desk("laptop", now + YEAR), desk("pc", now)
    laptop.sign_in()
    pc.sign_in()
    wall_is_the_desks_clock(laptop)
    task = TaskService(pc.profile).add("Menyusun laporan", 30)
    pc.sync()
    laptop.sync()  # the laptop learns how far off its clock is
    offset = local.status(laptop.profile.conn).clock_offset_ms
    assert abs(offset + YEAR) < MINUTE  # the tray warns from 2 minutes on

    TaskService(laptop.profile).edit(task.id, title="Dari laptop (2027)")
    TimerService(laptop.profile).start(task_id=task.id)
    laptop.clock.advance(30 * MINUTE)
    TimerService(laptop.profile).stop()
    laptop.sync()
    logged = _server_sql(
        server,
        "SELECT hlc, original_hlc FROM mutation_log WHERE device_id = :d AND seq > 0",
        d=laptop.profile.device_id,
    )
    assert logged and all(original is not None and h < original for h, original in logged)
    [session] = on_server(server, "session")
    assert {"clock_offset", "future"} <= set(session["needs_review"].split(","))

    # Five minutes later (real time) the PC, whose clock is right, renames the task: it wins.
    pc.clock.advance(5 * MINUTE)
    TaskService(pc.profile).edit(task.id, title="Dari PC")
    pc.sync()
    laptop.sync()
    assert [r["title"] for r in on_server(server, "task")] == ["Dari PC"]
    assert laptop.rows("task") == pc.rows("task")
    assert laptop.rows("session") == pc.rows("session")
    kinds = {i.kind for i in review.items(laptop.profile.conn, WIB)}
    assert "clock_offset" in kinds


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f10_a_clock_an_hour_behind_still_wins_with_a_change_made_after_it_synced(
    desk, server, proxy
):
    """The laptop's clock is an hour slow: by wall clock its note, written after it saw the
    PC's, is the older one. Its HLC caught up with the server's at its last sync, so it wins,
    as it should; the session it records is flagged for its clock."""
    now = real_now()
    laptop, pc = desk("laptop", now - HOUR), desk("pc", now)
    laptop.sign_in()
    pc.sign_in()
    wall_is_the_desks_clock(laptop)
    task = TaskService(pc.profile).add("Rapat koordinasi", 60)
    session_id = SessionService(pc.profile).add(task.id, now - 3 * HOUR, now - 2 * HOUR).session.id
    pc.sync()
    SessionService(pc.profile).edit(session_id, note="dari pc")  # at the right time
    pc.sync()
    laptop.sync()
    assert abs(local.status(laptop.profile.conn).clock_offset_ms - HOUR) < MINUTE
    laptop.clock.advance(MINUTE)
    SessionService(laptop.profile).edit(session_id, note="dari laptop, sesudahnya")
    at = laptop.clock.now_ms()  # 59 minutes before the PC's note, by the wall clocks
    entry = SessionService(laptop.profile).add(task.id, at - 40 * MINUTE, at)
    laptop.sync()
    pc.sync()
    notes = {r["id"]: r["note"] for r in on_server(server, "session")}
    assert notes[session_id] == "dari laptop, sesudahnya"
    [flagged] = [r for r in on_server(server, "session") if r["id"] == entry.session.id]
    assert "clock_offset" in flagged["needs_review"]
    assert laptop.rows("session") == pc.rows("session")
    assert sessions_here(pc) == sessions_on_server(server)


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f10_a_computer_an_hour_slow_can_still_note_a_session_recorded_elsewhere(
    desk, server, proxy
):
    now = real_now()
    laptop, pc = desk("laptop", now - HOUR), desk("pc", now - 30 * MINUTE)
    laptop.sign_in()
    pc.sign_in()
    _, session_id = some_work(pc)  # ended ten minutes ago: fifty in the laptop's future
    pc.sync()
    laptop.sync()
    SessionService(laptop.profile).edit(session_id, note="rapat diperpanjang")
    laptop.sync()
    assert [r["note"] for r in on_server(server, "session")] == ["rapat diperpanjang"]


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f10_a_clock_set_back_mid_timer_never_makes_a_session_end_before_it_starts(
    desk, server, proxy
):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    pc.sign_in()
    started = TimerService(laptop.profile).start_new("Menyusun laporan", 60).session
    laptop.sync()
    laptop.clock.advance(30 * MINUTE)
    laptop.clock.advance(-HOUR)  # the clock corrected an hour back while the timer runs
    laptop.clock.advance(15 * MINUTE)
    TimerService(laptop.profile).stop()
    laptop.sync()
    pc.sync()
    assert statuses(laptop) == {"acked"}  # not refused as an end before its start
    [row] = on_server(server, "session")
    assert row["end_at"] is not None and row["end_at"] >= row["start_at"] == started.start_at
    assert sessions_here(laptop) == sessions_here(pc) == sessions_on_server(server)
    report = build_report(laptop.profile, Period(None, None), WIB)
    assert all(t.period_ms >= 0 and t.actual_ms >= 0 for t in report.tasks)


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
@pytest.mark.parametrize("synced_first", [False, True])
def test_f10_a_clock_set_back_mid_timer_is_put_to_the_user(desk, server, proxy, synced_first):
    """The tray app asks when it sees the clock set back under a running timer
    (tests/ui/test_away_ui.py); a stop that nobody saw coming (``wfh stop`` after the change)
    cannot know the time worked, so it keeps the session at its start, says so, and the
    session is listed for review (on the server too), never silently 0 minutes."""
    laptop = desk("laptop")
    laptop.sign_in()
    started = TimerService(laptop.profile).start_new("Menyusun laporan", 60).session
    if synced_first:  # the start is on the server: the stop is a mutation of its own
        laptop.sync()
    laptop.clock.advance(30 * MINUTE)
    laptop.clock.advance(-HOUR)
    laptop.clock.advance(15 * MINUTE)  # 45 minutes worked; the clock reads 15 before the start
    stopped = TimerService(laptop.profile).stop()
    assert stopped.clock_back_ms == 15 * MINUTE
    assert stopped.session is not None and stopped.session.end_at == started.start_at
    laptop.sync()
    items = review.items(laptop.profile.conn, WIB)
    assert [(i.entity_id, i.kind) for i in items if i.entity == "session"] == [
        (started.id, "clock_offset")
    ]
    [row] = on_server(server, "session")
    assert row["needs_review"] == "clock_offset" and row["end_at"] == row["start_at"]


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_clock_a_minute_behind_at_the_stop_is_not_worth_a_review(desk, server, proxy):
    laptop = desk("laptop")
    laptop.sign_in()
    TimerService(laptop.profile).start_new("Menyusun laporan", 60)
    laptop.clock.advance(-MINUTE)  # NTP slewing the clock back a little, say
    assert TimerService(laptop.profile).stop().clock_back_ms == MINUTE
    laptop.sync()
    assert review.items(laptop.profile.conn, WIB) == []


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f10_a_time_zone_change_mid_timer_keeps_the_duration(desk, server, proxy):
    """22:30 WIB the timer starts; the laptop travels to WITA and stops it at 00:30 WITA (one
    hour later). Indonesia's zones have no daylight saving time: a zone change is the only
    shift of the wall clock the office sees. Instants are UTC, so the hour is one hour in every
    zone, on every computer and on the server."""
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    pc.sign_in()
    laptop.clock.advance(14 * HOUR + 30 * MINUTE)  # 08:00 -> 22:30 WIB
    session = TimerService(laptop.profile).start_new("Notulen rapat", 60).session
    laptop.clock.advance(HOUR)  # 23:30 WIB is 00:30 WITA
    TimerService(laptop.profile).stop()
    laptop.sync()
    pc.sync()
    [row] = on_server(server, "session")
    assert (row["start_at"], row["end_at"]) == (session.start_at, session.start_at + HOUR)
    for d in (laptop, pc):
        for name in ("WIB", "WITA", "WIT"):
            report = build_report(d.profile, Period(None, None), zone(name))
            assert [t.period_ms for t in report.tasks] == [HOUR], name
            assert sum(day.worked_ms for day in report.days) == HOUR, name
    wita = build_report(laptop.profile, Period(None, None), zone("WITA"))
    assert [day.worked_ms for day in wita.days if day.worked_ms] == [30 * MINUTE, 30 * MINUTE]


# ---- F11: suspended with a running timer ----------------------------------------------------


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f11_a_laptop_suspended_overnight_with_its_timer_running_keeps_it_and_is_asked(
    desk, server, proxy
):
    """The laptop goes to sleep with its timer running and the battery runs out (the program
    is gone, the database is what is left). Overnight the server's housekeeping finds the timer
    unconfirmed. In the morning the laptop wakes on another network: the first attempt finds
    no network yet, the next one syncs, and the user is asked whether the timer still runs."""
    now = real_now()
    laptop, pc = desk("laptop", now), desk("pc", now)
    laptop.sign_in()
    pc.sign_in()
    started = TimerService(laptop.profile).start_new("Menyusun laporan", 60).session
    laptop.sync()
    laptop.close()
    assert maintain(server.engine, now=now + 13 * HOUR).flagged == 1

    woke = desk("laptop", now + 13 * HOUR)
    assert [r[0] for r in sessions_here(woke) if r[3] is None] == [started.id]  # persisted
    proxy.queue(faults.drop_request(PULL))
    with pytest.raises(NetworkError):
        woke.sync()
    assert local.status(woke.profile.conn).state == "offline"
    woke.sync()
    assert local.status(woke.profile.conn).state == "synced"
    [asked] = [i for i in review.items(woke.profile.conn, WIB) if i.entity_id == started.id]
    assert asked.kind == "running_unconfirmed" and "still running?" in asked.text
    # The timer still runs until the user says otherwise: never stopped on a guess.
    [row] = on_server(server, "session")
    assert row["end_at"] is None and row["id"] == started.id
    pc.sync()
    assert sessions_here(woke) == sessions_here(pc) == sessions_on_server(server)


# ---- F15: back after 30 days offline ---------------------------------------------------------


def _task_values(server: Any) -> dict[str, tuple[Any, ...]]:
    return {
        r["id"]: (r["title"], r["target_minutes"], r["version"]) for r in on_server(server, "task")
    }


def test_f15_a_computer_back_after_30_days_offline_sends_only_its_own_changes(desk, server, proxy):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    pc.sign_in()
    task_id, session_id = some_work(laptop)
    other = TaskService(laptop.profile).add("Rapat koordinasi", 60)
    laptop.sync()
    pc.sync()
    # The laptop is offline for 30 days, with what it had then. On day 2 it corrects a note
    # and starts a new task; the PC goes on working, later.
    laptop.clock.advance(2 * DAY)
    SessionService(laptop.profile).edit(session_id, note="dari laptop, hari ke-2")
    TaskService(laptop.profile).add("Kerja di laptop", 30)
    pc.clock.advance(20 * DAY)
    SessionService(pc.profile).edit(session_id, note="dari pc, hari ke-20")
    TaskService(pc.profile).edit(task_id, title="Judul baru dari PC")
    TaskService(pc.profile).edit(other.id, target_minutes=90)
    pc.sync()
    newer = _task_values(server)

    laptop.clock.advance(28 * DAY)
    mine = [(t, r) for t, s, r in outbox(laptop) if s == "pending"]
    assert len(mine) == 2
    pushes = len(proxy.requests(PUSH))
    report = laptop.sync()
    sent = [m for s in proxy.requests(PUSH)[pushes:] for m in s.json()["mutations"]]
    assert [m["type"] for m in sent] == [t for t, _ in mine]  # its own two, nothing else
    assert sent[0]["entity_id"] == session_id
    assert sent[0]["fields"] == {"note": "dari laptop, hari ke-2"}  # the changed field only
    assert sent[1]["fields"]["title"] == "Kerja di laptop"
    assert not report.resynced  # 30 days is within what the server keeps
    # Nothing newer was overwritten: the PC's later note, title and target stand.
    notes = {r["id"]: r["note"] for r in on_server(server, "session")}
    assert notes[session_id] == "dari pc, hari ke-20"
    after = _task_values(server)
    assert {ident: after[ident] for ident in newer} == newer
    assert _titles_on_server(server) == [
        "Judul baru dari PC",
        "Kerja di laptop",
        "Rapat koordinasi",
    ]
    pc.sync()
    assert laptop.rows("task") == pc.rows("task")
    assert laptop.rows("session") == pc.rows("session")
    assert sessions_here(laptop) == sessions_on_server(server)


# ---- F22: a handoff while the giver edits the task elsewhere ---------------------------------


@pytest.mark.parametrize("first", ["edit", "handoff"])
def test_f22_a_handoff_while_the_giver_edits_the_task_on_another_computer(desk, first):
    """Siti's PC, offline, hands the task to Ani; her laptop renames it meanwhile. Whichever
    reaches the server first wins: after the rename, the handoff (based on the older version)
    is refused ``task_version_conflict`` and said; before it, the handoff goes through and the
    rename still lands. Ani, offline all along, ends like Siti's computers."""
    laptop, pc = signed(desk, "laptop", SITI), signed(desk, "pc", SITI)
    ani = signed(desk, "ani", ANI)
    pc.client.directory("")
    task = TaskService(laptop.profile).add("Laporan kinerja", 60)
    laptop.sync()
    pc.sync()
    HandoffService(pc.profile).give(task.id, ANI, "Untuk Ani")
    laptop.clock.advance(MINUTE)
    TaskService(laptop.profile).edit(task.id, title="Laporan kinerja (revisi)")
    for d in [laptop, pc] if first == "edit" else [pc, laptop]:
        d.sync()
    laptop.sync()
    pc.sync()
    ani.sync()

    [(_, _, handing)] = [r for r in outbox(pc) if r[0] == "task.handoff"]
    assert handing is not None
    if first == "edit":
        assert (handing["status"], handing["code"]) == ("rejected", "task_version_conflict")
        [item] = [i for i in review.items(pc.profile.conn, WIB) if i.kind == "rejected"]
        assert "Not handed over" in item.text
        assert handoffs(pc) == handoffs(laptop) == []
        assert task_row(pc, task.id)[0] == laptop.profile.user_id
        assert HandoffService(ani.profile).inbox() == []
    else:
        assert handing["status"] == "applied"
        assert [h.task_id for h in HandoffService(ani.profile).inbox()] == [task.id]
        assert handoffs(ani) == handoffs(pc) == handoffs(laptop)
        assert task_row(ani, task.id) == task_row(pc, task.id)
        assert [r[1] for r in ani.rows("task")] == ["Laporan kinerja (revisi)"]
    assert pc.rows("task") == laptop.rows("task")
    assert [r[1] for r in laptop.rows("task")] == ["Laporan kinerja (revisi)"]


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_task_another_client_made_without_created_at_does_not_stop_the_pull(desk, server, proxy):
    laptop = desk("laptop")
    laptop.sign_in()
    other = server.ready(SITI, "another-client")  # an older or another client of the API
    task = {"title": "Dari klien lain", "target_minutes": 30}
    other.pushed(other.mutation("task.upsert", uuid7(), task))
    laptop.sync()
    assert local.status(laptop.profile.conn).state == "synced"
    assert [r[1] for r in laptop.rows("task")] == [r["title"] for r in on_server(server, "task")]


# ---- F23: 5,000 queued mutations -------------------------------------------------------------


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f23_five_thousand_queued_changes_go_up_in_chunks_with_bounded_memory_and_progress(
    desk, server, proxy
):
    laptop = desk("laptop")
    told: list[Progress] = []
    laptop._client = SyncClient(laptop.profile, server_url=laptop.server.url, progress=told.append)
    laptop.sign_in()
    n = 5000
    add_tasks(laptop, (f"Tugas {i:04}" for i in range(n)))
    # What holding the whole backlog at once would take: the bound to stay well under.
    tracemalloc.start()
    try:
        whole = local.pending(laptop.profile.conn, limit=n, max_bytes=2**40)
        _, at_once = tracemalloc.get_traced_memory()
        del whole
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        report = laptop.sync()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.pushed == n and statuses(laptop) == {"acked"}
    assert peak - base < at_once / 2, (peak - base, at_once)

    pushes = proxy.requests(PUSH)
    sizes = [len(s.json()["mutations"]) for s in pushes]
    assert len(pushes) == n // MAX_BATCH and set(sizes) == {MAX_BATCH}
    assert [q for s in pushes for q in _seqs(s)] == list(range(1, n + 1))  # in order, once
    assert all(_plain_size(s) <= PUSH_BYTES for s in pushes)
    assert len(on_server(server, "task")) == n

    pushing = [(p.done, p.total) for p in told if p.phase == "push"]
    assert pushing == [(k * MAX_BATCH, n) for k in range(n // MAX_BATCH + 1)]
    pulling = [p.done for p in told if p.phase == "pull"]
    assert pulling and pulling == sorted(pulling) and pulling[-1] == report.pulled


def _plain_size(seen: faults.Seen) -> int:
    """A request body's size before its gzip."""
    body = seen.body
    return len(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body)


# ---- the system's HTTPS proxy ---------------------------------------------------------------


class ConnectProxy:
    """An office's HTTPS proxy on loopback: ``CONNECT host:port``, then bytes both ways. It
    tunnels only to 127.0.0.1 and records where each tunnel went."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.tunnels: list[str] = []
        self._stop = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                self._threads.append(t)
            t.start()

    def _keep(self, *socks: socket.socket) -> None:
        with self._lock:
            self._open.update(socks)

    def _serve(self, conn: socket.socket) -> None:
        self._keep(conn)
        upstream: socket.socket | None = None
        try:
            conn.settimeout(10)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, _, rest = head.partition(b" ")
            target = rest.split(b" ", 1)[0].decode(errors="replace")
            host, _, port = target.rpartition(":")
            if method != b"CONNECT" or host != "127.0.0.1" or not port.isdigit():
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            with self._lock:
                self.tunnels.append(target)
            upstream = socket.create_connection((host, int(port)), timeout=10)
            self._keep(upstream)
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            back = threading.Thread(target=_pipe, args=(upstream, conn), daemon=True)
            with self._lock:
                self._threads.append(back)
            back.start()
            _pipe(conn, upstream)
            back.join(15)
        except OSError:
            pass  # the client or the server went away: the tunnel ends
        finally:
            for s in (conn, upstream):
                if s is not None:
                    s.close()

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        with self._lock:
            socks, threads = list(self._open), list(self._threads)
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        for t in threads:
            t.join(5)
        assert not any(t.is_alive() for t in threads)


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)


PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
)


@pytest.fixture
def office(tmp_path: Path, server: Any) -> Iterator[tuple[ConnectProxy, TlsProxy, Path]]:
    """The server behind the agency's TLS front (its own authority), reached through the
    office's HTTPS proxy."""
    ca, cert, key = _authority(tmp_path)
    front = TlsProxy(server.url, cert, key)
    connect = ConnectProxy()
    try:
        yield connect, front, ca
    finally:
        connect.close()
        front.close()


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_sync_goes_through_the_system_https_proxy(desks, server, office, monkeypatch):
    connect, front, ca = office
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", connect.url)
    monkeypatch.setenv("https_proxy", connect.url)
    laptop = desks("laptop")
    TaskService(laptop.profile).add("Lewat proxy kantor", 30)
    client = SyncClient(laptop.profile, server_url=front.url, ca_file=str(ca))
    try:
        client.sign_in(SITI, server.passwords[SITI], new_password=NEW_PASSWORD)
        assert client.sync().pushed == 1
    finally:
        client.close()
    server.passwords[SITI] = NEW_PASSWORD
    tls_port = front.url.rsplit(":", 1)[1]
    assert connect.tunnels and set(connect.tunnels) == {f"127.0.0.1:{tls_port}"}
    assert [r["title"] for r in on_server(server, "task")] == ["Lewat proxy kantor"]
    assert local.status(laptop.profile.conn).state == "synced"
