"""Handing a task over (issue 6), end to end: two and three real desktop profiles and the real
server (SQLite and PostgreSQL), through the fault proxy. Sessions stay with whoever worked them;
the handoff history is the same everywhere; a handoff that loses is said plainly, with who has
the task now."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import MINUTE
from tests.server.served import ANI, BUDI, LAIN, SITI
from tests.sync import faults
from tests.sync.conftest import Desk
from wfh_desktop.activity_log import build_log
from wfh_desktop.errors import UserError
from wfh_desktop.handoffs import HandoffService
from wfh_desktop.reports import Period, build_report
from wfh_desktop.sync import review
from wfh_desktop.sync.engine import Syncer
from wfh_desktop.sync.errors import NetworkError
from wfh_desktop.tasks import TaskService
from wfh_desktop.timefmt import day_of, zone
from wfh_desktop.timer import TimerService
from wfh_server import admin

WIB = zone("WIB")


def signed(desk: Any, name: str, nip: str) -> Desk:
    d: Desk = desk(name)
    d.sign_in(nip)
    return d


def work(d: Desk, title: str, minutes: int) -> str:
    """A task of mine with ``minutes`` of my timer on it, still running. Returns its id."""
    started = TimerService(d.profile).start_new(title, 60)
    d.clock.advance(minutes * MINUTE)
    return str(started.task.id)


def more(d: Desk, task_id: str, minutes: int) -> None:
    """Continue a task (Lanjutkan tugas rekan) for ``minutes``, then stop."""
    TimerService(d.profile).start(task_id=task_id)
    d.clock.advance(minutes * MINUTE)
    TimerService(d.profile).stop()


def task_row(d: Desk, task_id: str) -> tuple[Any, ...]:
    return d.profile.conn.execute(
        "SELECT assignee_user_id, version FROM task WHERE id = ?", (task_id,)
    ).fetchone()


def handoffs(d: Desk) -> list[tuple[Any, ...]]:
    """The handoff history as this computer has it: the same everywhere once synced."""
    return d.profile.conn.execute(
        "SELECT id, task_id, from_user, to_user, note, status, answer_note, version "
        "FROM handoff ORDER BY at, id"
    ).fetchall()


def running(d: Desk) -> list[str]:
    rows = d.profile.conn.execute(
        "SELECT id FROM session WHERE end_at IS NULL AND deleted_at IS NULL"
    )
    return [r[0] for r in rows]


def sessions_by_owner(server: Any) -> dict[str, int]:
    """Minutes on the server per session owner: never moved between people."""
    with server.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT owner_user_id, SUM(end_at - start_at) FROM session "
                "WHERE deleted_at IS NULL GROUP BY owner_user_id"
            )
        ).all()
    return {owner: int(ms) // MINUTE for owner, ms in rows}


def test_a_task_handed_over_is_answered_continued_and_keeps_each_persons_time(desk, server):
    siti, budi = signed(desk, "siti", SITI), signed(desk, "budi", BUDI)
    budi.client.directory("budi")  # the picker's search; kept here
    siti.client.directory("santoso")
    task_id = work(siti, "Menyusun laporan bulanan", 30)

    h = HandoffService(siti.profile).give(task_id, BUDI, "Tinggal bagian anggaran")
    assert running(siti) == []  # her timer stopped at that instant
    assert h.to_name == "Budi Santoso" and h.status == "pending"
    # Handed away here: no longer in her own work.
    assert task_row(siti, task_id)[0] != siti.profile.user_id
    siti.sync()
    budi.sync()

    [got] = HandoffService(budi.profile).inbox()
    assert (got.task_title, got.from_name, got.from_nip, got.note) == (
        "Menyusun laporan bulanan",
        "Siti Aminah",
        SITI,
        "Tinggal bagian anggaran",
    )
    assert [(s["nip"], s["ms"] // MINUTE) for s in got.shares] == [(SITI, 30)]
    assert task_row(budi, task_id)[0] == budi.profile.user_id
    assert TaskService(budi.profile).actual_ms([task_id])[task_id] == 30 * MINUTE

    HandoffService(budi.profile).accept(got.id)
    assert running(budi) == []  # accepting starts nothing by itself
    budi.clock.advance(60 * MINUTE)
    more(budi, task_id, 20)
    budi.sync()
    siti.sync()

    assert handoffs(siti) == handoffs(budi)
    assert [r[5] for r in handoffs(siti)] == ["accepted"]
    assert TaskService(budi.profile).actual_ms([task_id])[task_id] == 50 * MINUTE
    shares = HandoffService(budi.profile).shares(task_id)
    assert [(s.nip, s.ms // MINUTE, s.me) for s in shares] == [(SITI, 30, False), (BUDI, 20, True)]
    assert sessions_by_owner(server) == {siti.profile.user_id: 30, budi.profile.user_id: 20}
    # Each one's report shows their own share, and the task's actual time is everyone's.
    for d, own in ((siti, 30), (budi, 20)):
        [line] = [t for t in build_report(d.profile, Period(None, None), WIB).tasks]
        assert (line.period_ms // MINUTE, line.actual_ms // MINUTE) == (own, 50), d.path
    # She still sees the task and its history, but no longer works on it.
    assert task_row(siti, task_id)[0] == budi.profile.user_id
    assert HandoffService(siti.profile).history(task_id)[0].status == "accepted"

    # His timer running on it counts on her computer too, as it runs, once both have synced.
    TimerService(budi.profile).start(task_id=task_id)
    budi.sync()
    siti.clock.set(budi.clock.now_ms())
    siti.sync()
    for minutes in (0, 7):
        siti.clock.set(budi.clock.now_ms() + minutes * MINUTE)
        assert TaskService(siti.profile).actual_ms([task_id])[task_id] == (50 + minutes) * MINUTE
        [line] = build_report(siti.profile, Period(None, None), WIB).tasks
        assert line.actual_ms == (50 + minutes) * MINUTE
    assert [(s.nip, s.ms // MINUTE) for s in HandoffService(siti.profile).shares(task_id)] == [
        (BUDI, 27),
        (SITI, 30),
    ]
    budi.clock.advance(10 * MINUTE)
    TimerService(budi.profile).stop()
    budi.sync()
    siti.sync()
    siti.clock.advance(60 * MINUTE)  # stopped: no longer grows
    assert TaskService(siti.profile).actual_ms([task_id])[task_id] == 60 * MINUTE


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # rules: tests/server
def test_a_declined_task_goes_back_with_the_reason(desk):
    siti, budi = signed(desk, "siti", SITI), signed(desk, "budi", BUDI)
    task_id = work(siti, "Rekap absensi", 15)
    HandoffService(siti.profile).give(task_id, BUDI, "Tolong lanjutkan")
    siti.sync()
    budi.sync()
    [got] = HandoffService(budi.profile).inbox()
    with pytest.raises(UserError, match="why"):
        HandoffService(budi.profile).decline(got.id, "   ")
    HandoffService(budi.profile).decline(got.id, "Sedang dinas luar")
    assert task_row(budi, task_id)[0] == siti.profile.user_id  # gone back, here at once
    budi.sync()
    siti.sync()
    [h] = HandoffService(siti.profile).sent()
    assert (h.status, h.answer_note) == ("declined", "Sedang dinas luar")
    [told] = [i for i in review.items(siti.profile.conn, WIB) if i.kind == "declined"]
    assert told.text == (
        f"Budi Santoso ({BUDI}) declined this task: Sedang dinas luar. It is back with you."
    )
    assert task_row(siti, task_id)[0] == siti.profile.user_id
    assert handoffs(siti) == handoffs(budi)
    with pytest.raises(UserError, match="already answered"):
        HandoffService(budi.profile).accept(got.id)


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the clients' orders
@pytest.mark.parametrize(
    "order",
    [
        ("budi", "siti", "budi", "siti", "budi"),
        ("siti", "budi", "siti", "budi"),
        ("budi", "budi", "siti", "siti", "budi", "budi", "siti"),
    ],
)
def test_an_offline_handoff_completes_after_both_sync_in_any_order(desk, order):
    """Handed over, accepted and worked on, each side offline in between: whatever the order
    of syncing, it completes once both have synced, and both end alike."""
    siti, budi = signed(desk, "siti", SITI), signed(desk, "budi", BUDI)
    task_id = work(siti, "Notulen rapat", 10)
    TimerService(siti.profile).stop()
    siti.sync()
    HandoffService(siti.profile).give(task_id, BUDI, "Lanjutkan notulennya")  # offline
    people = {"siti": siti, "budi": budi}
    for who in order:
        people[who].sync()
        inbox = HandoffService(budi.profile).inbox()
        if who == "budi" and inbox:
            HandoffService(budi.profile).accept(inbox[0].id)  # offline until his next sync
            more(budi, task_id, 5)
    for d in (siti, budi, siti):
        d.sync()
    assert [r[5] for r in handoffs(siti)] == ["accepted"]
    assert handoffs(siti) == handoffs(budi)
    assert task_row(siti, task_id)[0] == task_row(budi, task_id)[0] == budi.profile.user_id
    assert TaskService(budi.profile).actual_ms([task_id])[task_id] == 15 * MINUTE


def test_f22_two_handoffs_of_one_task_at_once_one_wins_the_other_is_told_who_has_it(desk):
    """Siti hands the task over on her laptop (to Budi) and on her PC (to Ani), both offline:
    the first to reach the server wins; the other is refused, told plainly, and converges."""
    laptop, pc = signed(desk, "laptop", SITI), signed(desk, "pc", SITI)
    budi, ani = signed(desk, "budi", BUDI), signed(desk, "ani", ANI)
    pc.client.directory("")
    task_id = work(laptop, "Laporan kinerja", 20)
    TimerService(laptop.profile).stop()
    laptop.sync()
    pc.sync()
    HandoffService(laptop.profile).give(task_id, BUDI, "Untuk Budi")
    HandoffService(pc.profile).give(task_id, ANI, "Untuk Ani")
    laptop.sync()
    pc.sync()
    laptop.sync()
    [item] = [i for i in review.items(pc.profile.conn, WIB) if i.kind == "rejected"]
    assert "Budi Santoso" in item.text and "Not handed over" in item.text
    [(status, result)] = pc.profile.conn.execute(
        "SELECT status, result FROM outbox WHERE type = 'task.handoff'"
    ).fetchall()
    refused = json.loads(result)
    # Refused on the task's version (SYNC.md: task_version_conflict); the server names the
    # case where the task has already gone to someone else handed_over. Either carries the
    # task as it is now.
    assert status == "rejected"
    assert refused["code"] in ("task_version_conflict", "handed_over")
    assert refused["current"]["assignee_user_id"] == budi.profile.user_id
    # The loser's handoff never happened: nothing of it is left, and the task is where the
    # server has it.
    assert [r[3] for r in handoffs(pc)] == [budi.profile.user_id]
    assert handoffs(pc) == handoffs(laptop)
    assert task_row(pc, task_id) == task_row(laptop, task_id)
    budi.sync()
    ani.sync()
    assert len(HandoffService(budi.profile).inbox()) == 1
    assert HandoffService(ani.profile).inbox() == []
    # The recipient, offline all along, ends like the giver's computers.
    assert handoffs(budi) == handoffs(laptop)
    assert task_row(budi, task_id) == task_row(laptop, task_id)


def handed_to_budi(desk: Any, minutes: int) -> tuple[Desk, Desk, Desk, str]:
    """Siti, Budi and Ani signed in; Siti worked ``minutes`` on a task and handed it to Budi,
    who accepted it. Returns the three desks and the task's id."""
    siti, budi = signed(desk, "siti", SITI), signed(desk, "budi", BUDI)
    ani = signed(desk, "ani", ANI)
    task_id = work(siti, "Kajian kebijakan", minutes)
    HandoffService(siti.profile).give(task_id, BUDI, "Bagian 2")
    siti.sync()
    budi.clock.set(siti.clock.now_ms() + MINUTE)  # one day, one time: the clocks agree
    budi.sync()
    HandoffService(budi.profile).accept(HandoffService(budi.profile).inbox()[0].id)
    return siti, budi, ani, task_id


def test_a_chain_and_back_keeps_everyones_time_and_the_whole_history(desk, server):
    siti, budi, ani, task_id = handed_to_budi(desk, 30)
    more(budi, task_id, 20)
    HandoffService(budi.profile).give(task_id, ANI, "Bagian 3")
    budi.sync()
    ani.clock.set(budi.clock.now_ms() + MINUTE)
    ani.sync()
    HandoffService(ani.profile).accept(HandoffService(ani.profile).inbox()[0].id)
    more(ani, task_id, 10)
    HandoffService(ani.profile).give(task_id, SITI, "Kembali untuk finalisasi")
    siti.clock.set(ani.clock.now_ms() + MINUTE)
    ani.sync()
    for d in (siti, budi, ani):
        d.sync()
    history = [
        (h.from_nip, h.to_nip, h.note) for h in HandoffService(siti.profile).history(task_id)
    ]
    assert history == [
        (SITI, BUDI, "Bagian 2"),
        (BUDI, ANI, "Bagian 3"),
        (ANI, SITI, "Kembali untuk finalisasi"),
    ]
    assert handoffs(siti) == handoffs(budi) == handoffs(ani)
    shares = {s.nip: s.ms // MINUTE for s in HandoffService(siti.profile).shares(task_id)}
    assert shares == {SITI: 30, BUDI: 20, ANI: 10}
    assert TaskService(siti.profile).actual_ms([task_id])[task_id] == 60 * MINUTE
    assert task_row(siti, task_id)[0] == siti.profile.user_id  # back with her
    assert sessions_by_owner(server) == {
        siti.profile.user_id: 30,
        budi.profile.user_id: 20,
        ani.profile.user_id: 10,
    }
    # Marked done by her, the task is on target as a whole (60 of 60 minutes).
    TaskService(siti.profile).mark_done(task_id)
    [line] = build_report(siti.profile, Period(None, None), WIB).tasks
    assert (line.period_ms // MINUTE, line.actual_ms // MINUTE, line.on_target) == (30, 60, True)
    # The activity log each exports: their own minutes, and whom the task came from and went to.
    day = siti.profile.clock.now_ms()
    first, last = day_of(day, WIB) - timedelta(days=1), day_of(day, WIB)
    [mine] = build_log(siti.profile, first, last, WIB).entries
    assert (mine.minutes, mine.handed_from, mine.handed_to, mine.on_target) == (
        30,
        None,
        "Budi Santoso (" + BUDI + ")",
        True,
    )
    [budis] = build_log(budi.profile, first, last, WIB).entries
    assert (budis.minutes, budis.handed_from, budis.handed_to) == (
        20,
        "Siti Aminah (" + SITI + ")",
        "Ani Lestari (" + ANI + ")",
    )


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # rules: tests/server
def test_handing_to_oneself_outside_the_organisation_or_to_a_disabled_account_is_refused(
    desk, server
):
    siti = signed(desk, "siti", SITI)
    task_id = work(siti, "Surat edaran", 5)
    give = HandoffService(siti.profile).give
    with pytest.raises(UserError, match="yourself"):
        give(task_id, SITI, "untuk saya")
    with pytest.raises(UserError, match="18 digits"):
        give(task_id, "1234", "salah ketik")
    with pytest.raises(UserError, match="note"):
        give(task_id, BUDI, "  ")
    admin.disable_user(server.engine, ANI)
    for nip in (LAIN, ANI):  # another organisation; a disabled account
        give(task_id, nip, "Tolong")
        siti.sync()
        assert task_row(siti, task_id)[0] == siti.profile.user_id  # still hers
        assert handoffs(siti) == []
        [item] = [i for i in review.items(siti.profile.conn, WIB) if i.kind == "rejected"]
        assert "no active colleague with this NIP" in item.text
        review.mark_seen(siti.profile.conn, [item.key], siti.clock.now_ms())
        siti.profile.conn.commit()


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_the_directory_works_offline_and_a_handoff_made_offline_waits(desk, proxy):
    siti = signed(desk, "siti", SITI)
    found = siti.client.directory("biro")
    assert {p.nip for p in found} >= {BUDI, ANI}
    assert SITI not in {p.nip for p in HandoffService(siti.profile).colleagues()}
    task_id = work(siti, "Anggaran", 5)
    proxy.queue(*(faults.drop_request() for _ in range(3)))
    with pytest.raises(NetworkError):
        siti.client.directory("budi")
    people = HandoffService(siti.profile).colleagues("keuangan")  # Budi's unit, kept here
    assert [p.nip for p in people] == [BUDI]
    HandoffService(siti.profile).give(task_id, BUDI, "Offline dulu")
    with pytest.raises(NetworkError):
        siti.sync()
    pending = siti.profile.conn.execute(
        "SELECT type, payload FROM outbox WHERE status = 'pending' ORDER BY seq"
    ).fetchall()
    # my timer stopped at the handoff: the stop travels in the session's unsent creation
    assert [t for t, _ in pending][-2:] == ["session.upsert", "task.handoff"]
    assert json.loads(pending[-2][1])["end_at"] is not None
    assert json.loads(pending[-1][1])["to_nip"] == BUDI
    proxy.clear()
    siti.sync()
    assert HandoffService(siti.profile).colleagues()[0].nip == BUDI  # recent ones first
    assert [h.to_user for h in HandoffService(siti.profile).sent()] != [""]


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_refused_handoff_whose_answer_was_lost_is_undone_all_the_same(desk, proxy):
    siti = signed(desk, "siti", SITI)
    task_id = work(siti, "Surat edaran", 5)
    TimerService(siti.profile).stop()
    siti.sync()
    HandoffService(siti.profile).give(task_id, LAIN, "Tolong")  # another organisation
    proxy.queue(faults.drop_response("/v1/sync/push"))
    with pytest.raises(NetworkError):
        siti.sync()
    siti.sync()  # answered "duplicate" of a refusal
    assert task_row(siti, task_id)[0] == siti.profile.user_id  # hers again, to hand on
    assert handoffs(siti) == []
    [item] = [i for i in review.items(siti.profile.conn, WIB) if i.kind == "rejected"]
    assert "no active colleague with this NIP" in item.text


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the clients' side
def test_a_decline_after_the_task_moved_on_leaves_every_computer_alike(desk):
    """Budi hands the task on from his PC; on his laptop, not yet told, he declines the
    handoff that brought it: refused, and the laptop ends as the PC and the server."""
    siti = signed(desk, "siti", SITI)
    pc, laptop = signed(desk, "budi-pc", BUDI), signed(desk, "budi-laptop", BUDI)
    ani = signed(desk, "ani", ANI)
    task_id = work(siti, "Kajian", 10)
    HandoffService(siti.profile).give(task_id, BUDI, "Bagian 2")
    siti.sync()
    laptop.sync()
    pc.sync()
    HandoffService(pc.profile).give(task_id, ANI, "Untuk Ani")
    pc.sync()
    [first] = HandoffService(laptop.profile).inbox()
    HandoffService(laptop.profile).decline(first.id, "Tidak bisa")
    laptop.sync()
    pc.sync()
    assert task_row(laptop, task_id) == task_row(pc, task_id)
    assert task_row(laptop, task_id)[0] == ani.profile.user_id
    assert handoffs(laptop) == handoffs(pc)
    [item] = [i for i in review.items(laptop.profile.conn, WIB) if i.kind == "rejected"]
    assert "moved on" in item.text


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_a_task_handed_on_while_a_sync_runs_goes_to_the_colleague(desk, monkeypatch):
    """Handed on from the window while the background sync is between its push and its pull:
    the pulled task (its time summed again on the server) does not make it his again, and the
    handoff is not refused for a change nobody made."""
    _, budi, ani, task_id = handed_to_budi(desk, 10)
    budi.sync()
    more(budi, task_id, 20)  # his stop: the server sums the task's shares again
    pull_all = Syncer.pull_all

    def handing_on_first(syncer: Syncer) -> None:
        HandoffService(budi.profile).give(task_id, ANI, "Bagian 3")
        monkeypatch.setattr(Syncer, "pull_all", pull_all)
        pull_all(syncer)

    monkeypatch.setattr(Syncer, "pull_all", handing_on_first)
    budi.sync()
    assert task_row(budi, task_id)[0] == f"nip:{ANI}"  # still on its way to her
    budi.sync()
    assert [i for i in review.items(budi.profile.conn, WIB) if i.kind == "rejected"] == []
    assert task_row(budi, task_id)[0] == ani.profile.user_id
