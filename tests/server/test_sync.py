"""Push and pull against the real server process on loopback, on SQLite and on PostgreSQL: the
round trip, replays and gaps, the conflict rules, the running-timer rule and handoffs."""

from __future__ import annotations

import gzip
import json
import re
import socket
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from tests.server.served import ANI, BUDI, LAIN, SITI, Device, problem
from wfh_desktop.hlc import Hlc
from wfh_desktop.ids import uuid7
from wfh_server.db import transaction
from wfh_server.models import MutationLog, Task, UserFeed, UserSyncState, WorkSession

H = 3600_000
# Twelve hours ago, on the hour: a timer started then has not yet run long enough to be flagged.
NINE = int(time.time() * 1000) // H * H - 12 * H


def iso(ms: int) -> str:
    from wfh_desktop.timefmt import iso_utc

    return iso_utc(ms)


def new_task(dev: Device, title: str = "Menyusun laporan", **fields: Any) -> dict[str, Any]:
    return dev.mutation("task.upsert", uuid7(), {"title": title, "target_minutes": 30, **fields})


def new_session(
    dev: Device, task_id: str, start: int, end: int | None = None, **extra: Any
) -> dict[str, Any]:
    fields = {
        "task_id": task_id,
        "start_at": iso(start),
        "end_at": iso(end) if end else None,
        "source": "timer",
        "note": None,
    }
    return dev.mutation("session.upsert", uuid7(), fields, **extra)


def records(changes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        c["id"]: c["record"] | {"version": c["version"], "deleted": c["deleted"]} for c in changes
    }


def count_rows(server: Any, model: Any) -> int:
    with transaction(server.engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_push_then_pull_on_another_device_and_nothing_new_is_cheap(server):
    laptop, pc = server.ready(SITI, "laptop"), server.ready(SITI, "pc")
    task = new_task(laptop)
    session = new_session(laptop, task["entity_id"], NINE)
    results = laptop.pushed(task, session)
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert results[0]["record"]["assignee_user_id"] == laptop.user_id
    assert results[1]["record"]["end_at"] is None and results[1]["version"] == 1
    assert results[0]["feed_seq"] < results[1]["feed_seq"]
    # The stop travels gzip-compressed.
    stop = laptop.mutation("session.stop", session["entity_id"], {"end_at": iso(NINE + H // 2)})
    r = laptop.push(stop, gzipped=True)
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied"
    assert r.json()["device_last_seq"] == 3

    changes, cursor = pc.pull_all()
    got = records(changes)
    assert got[session["entity_id"]]["end_at"] == iso(NINE + H // 2)
    assert got[session["entity_id"]]["owner_user_id"] == pc.user_id == laptop.user_id
    assert got[task["entity_id"]]["title"] == "Menyusun laporan"
    assert [c["seq"] for c in changes] == sorted(c["seq"] for c in changes)
    assert len(changes) == 2  # compacted: one row per record, not one per change
    # Nothing new: 304 with no body; a page size of 1 pages through everything.
    nothing = pc.pull(cursor)
    assert nothing.status_code == 304 and nothing.content == b"" and nothing.headers["ETag"]
    one_by_one, last = pc.pull_all(limit=1)
    assert [c["id"] for c in one_by_one] == [c["id"] for c in changes] and last == cursor
    # Own changes come back to their own device too, by id: never twice.
    mine, _ = laptop.pull_all()
    assert sorted(records(mine)) == sorted(got)


def test_replays_gaps_and_one_bad_mutation_among_a_hundred(server):
    dev = server.ready(SITI, "laptop")
    task = new_task(dev)
    batch = [
        task,
        *(
            new_session(dev, task["entity_id"], NINE + i * H, NINE + i * H + 60_000)
            for i in range(3)
        ),
    ]
    first = dev.pushed(*batch)
    assert {r["status"] for r in first} == {"applied"}
    for _ in range(4):  # the same push delivered again and again (lost answers)
        again = dev.pushed(*batch)
        assert [r["status"] for r in again] == ["duplicate"] * 4
        assert [r["original_status"] for r in again] == ["applied"] * 4
    newer = dev.mutation("session.edit", batch[1]["entity_id"], {"note": "rapat"})
    assert dev.pushed(newer)[0]["status"] == "applied"
    old = dev.pushed(*batch[:2])  # an old batch
    assert [r["status"] for r in old] == ["duplicate"] * 2
    # Each carries its record as it is now (the newer edit's), the only way for a client whose
    # first answer was lost to learn the server's outcome.
    assert [(r["record"]["id"], r["record"]["version"]) for r in old] == [
        (task["entity_id"], 1),
        (batch[1]["entity_id"], 2),
    ]
    assert old[1]["record"]["note"] == "rapat"
    sessions = count_rows(server, WorkSession)
    assert sessions == 3

    # A gap: nothing of the batch is applied, and the answer says where to go on from.
    dev.seq = iter(range(6, 10**6))
    lost = dev.mutation("session.edit", batch[2]["entity_id"], {"note": "hilang"})
    dev.seq = iter(range(8, 10**6))
    after_gap = new_session(dev, task["entity_id"], NINE + 9 * H, NINE + 10 * H)
    body = problem(dev.push(lost, after_gap), 409, "seq_gap")
    assert body["expected_seq"] == 6
    assert count_rows(server, WorkSession) == 3

    # The same seq with other content: two installs share this device id.
    clash = dict(lost, mutation_id=uuid7())
    dev.pushed(lost)
    problem(dev.push(clash), 409, "device_conflict")

    # One invalid mutation among a hundred: the other 99 are applied, the queue moves on.
    dev.seq = iter(range(7, 10**6))
    hundred = [
        new_session(
            dev, task["entity_id"], NINE + 24 * H + i * 60_000, NINE + 24 * H + i * 60_000 + 30_000
        )
        for i in range(100)
    ]
    hundred[40]["fields"]["start_at"] = "kemarin"
    results = dev.pushed(*hundred)
    assert [r["status"] for r in results].count("applied") == 99
    assert results[40]["status"] == "rejected" and results[40]["code"] == "invalid_field"
    assert "start_at" in results[40]["detail"]
    assert count_rows(server, WorkSession) == 3 + 99
    with transaction(server.engine) as s:
        assert s.scalar(select(func.max(MutationLog.seq))) == 106


def test_conflict_rules_first_stop_sticky_delete_and_last_writer(server):
    laptop, pc = server.ready(SITI, "laptop"), server.ready(SITI, "pc")
    task = new_task(laptop)
    s1 = new_session(laptop, task["entity_id"], NINE)
    laptop.pushed(task, s1)
    sid = s1["entity_id"]
    # Two stops: the first (by its clock) wins; the later one is merged and journaled.
    first = pc.mutation("session.stop", sid, {"end_at": iso(NINE + H)}, hlc=pc.hlc(NINE + H))
    assert pc.pushed(first)[0]["status"] == "applied"
    late = laptop.mutation(
        "session.stop", sid, {"end_at": iso(NINE + 2 * H)}, hlc=laptop.hlc(NINE + 2 * H)
    )
    merged = laptop.pushed(late)[0]
    assert merged["status"] == "merged" and merged["record"]["end_at"] == iso(NINE + H)
    assert merged["record"]["conflicts"][-1]["reason"] == "second_stop"
    # Notes: the newer clock wins, whichever arrives last; the loser is journaled.
    newer = laptop.mutation("session.edit", sid, {"note": "baru"}, hlc=laptop.hlc(NINE + 5 * H))
    older = pc.mutation("session.edit", sid, {"note": "lama"}, hlc=pc.hlc(NINE + 4 * H))
    laptop.pushed(newer)
    result = pc.pushed(older)[0]
    assert result["status"] == "merged" and result["record"]["note"] == "baru"
    assert {"field": "note", "lost": "lama", "won": "baru"}.items() <= (
        result["record"]["conflicts"][-1].items()
    )
    # A delete is sticky: a later edit is kept for a restore, not shown.
    gone = laptop.mutation("session.delete", sid, hlc=laptop.hlc(NINE + 6 * H))
    assert laptop.pushed(gone)[0]["record"]["deleted_at"] is not None
    edit = pc.mutation(
        "session.edit", sid, {"note": "setelah dihapus"}, hlc=pc.hlc(laptop.last_ms + 1000)
    )
    kept = pc.pushed(edit)[0]
    assert kept["status"] == "merged" and kept["record"]["deleted_at"] is not None
    stale = laptop.mutation("session.restore", sid, hlc=Hlc(NINE, 0, "aaa").encode())
    assert laptop.pushed(stale)[0]["record"]["deleted_at"] is not None  # older than the delete
    back = laptop.mutation("session.restore", sid, hlc=laptop.hlc(pc.last_ms + 1000))
    restored = laptop.pushed(back)[0]["record"]
    assert restored["deleted_at"] is None and restored["note"] == "setelah dihapus"
    # Malformed data is refused; an owner or a stopped session cannot be changed.
    bad = [
        pc.mutation("session.edit", sid, {"owner_user_id": "someone"}),
        pc.mutation("session.edit", sid, {"end_at": None}),
        pc.mutation("session.edit", sid, {"end_at": iso(NINE - H)}),
        pc.mutation("session.teleport", sid),
        pc.mutation("session.edit", sid, {"colour": "red"}),
        pc.mutation("session.edit", sid, {"note": "x"}, hlc="kemarin"),
        pc.mutation("task.upsert", task["entity_id"], {"target_minutes": 481}),
        pc.mutation("task.upsert", task["entity_id"], {"assignee_user_id": "budi"}),
        pc.mutation("session.stop", uuid7(), {"end_at": iso(NINE)}),
        pc.mutation("session.edit", sid, {"note": "x"}, hlc="0_00000000000000-0000-pc"),
        pc.mutation("session.edit", sid, {"task_id": "a\x00b"}),
        pc.mutation("task.upsert", task["entity_id"], {"volume": 10**400}),
    ]
    codes = [r["code"] for r in pc.pushed(*bad)]
    assert codes == [
        "immutable_field",
        "resume_unsupported",
        "invalid_span",
        "unknown_type",
        "unknown_field",
        "invalid_hlc",
        "invalid_field",
        "reassign_via_handoff",
        "unknown_entity",
        "invalid_hlc",
        "invalid_field",
        "invalid_field",
    ]


def test_a_clock_years_ahead_cannot_win_forever(server):
    dev, other = server.ready(SITI, "laptop"), server.ready(SITI, "pc")
    task = new_task(dev)
    dev.pushed(task)
    year_2030 = Hlc(1_900_000_000_000, 0, dev.device_id).encode()
    far = dev.mutation("task.upsert", task["entity_id"], {"title": "dari 2030"}, hlc=year_2030)
    dev.pushed(far)
    with transaction(server.engine) as s:
        log = s.scalars(select(MutationLog).where(MutationLog.original_hlc.is_not(None))).one()
    assert log.original_hlc == year_2030 and log.hlc < year_2030  # clamped, the original kept
    later = other.mutation(
        "task.upsert",
        task["entity_id"],
        {"title": "sekarang"},
        hlc=Hlc(Hlc.decode(log.hlc).physical_ms + 1, 0, "pc").encode(),
    )
    assert other.pushed(later)[0]["record"]["title"] == "sekarang"


def test_one_running_timer_per_person_whatever_the_order(server):
    """SYNC.md's example: the laptop starts A at 09:00 offline, the PC B at 10:00 online. In
    both orders of arrival A stops at 10:00, B runs, and the auto-stop is said and journaled."""
    for nip, laptop_first in ((SITI, True), (BUDI, False)):
        laptop, pc = server.ready(nip, f"laptop-{nip}"), server.ready(nip, f"pc-{nip}")
        task = new_task(laptop)
        laptop.pushed(task)
        a = new_session(laptop, task["entity_id"], NINE, hlc=laptop.hlc(NINE))
        b = new_session(pc, task["entity_id"], NINE + H, hlc=pc.hlc(NINE + H))
        order = [(laptop, a), (pc, b)] if laptop_first else [(pc, b), (laptop, a)]
        for dev, m in order:
            dev.pushed(m)
        got = records(pc.pull_all()[0])
        assert got[a["entity_id"]]["end_at"] == iso(NINE + H), nip
        assert got[a["entity_id"]]["auto_stop_reason"] == f"superseded_by:{b['entity_id']}"
        assert got[a["entity_id"]]["conflicts"][-1]["reason"].startswith("superseded_by")
        assert got[b["entity_id"]]["end_at"] is None
        # The laptop's own stop of A, made at 11:30, was earlier than the server's auto-stop:
        # it wins, and the hour both ran is flagged for the user, never silently cut.
        stop = laptop.mutation(
            "session.stop",
            a["entity_id"],
            {"end_at": iso(NINE + 5 * H // 2)},
            hlc=laptop.hlc(NINE + 5 * H // 2),
        )
        record = laptop.pushed(stop)[0]["record"]
        assert record["end_at"] == iso(NINE + 5 * H // 2) and record["auto_stop_reason"] is None
        assert "overlap" in record["needs_review"]
        assert "overlap" in records(pc.pull_all()[0])[b["entity_id"]]["needs_review"]
        with transaction(server.engine) as s:
            running = s.scalar(
                select(func.count()).where(
                    WorkSession.owner_user_id == laptop.user_id,
                    WorkSession.end_at.is_(None),
                )
            )
        assert running == 1


def test_suspicious_sessions_are_kept_and_flagged(server):
    dev = server.ready(SITI, "laptop")
    task = new_task(dev)
    NINE = globals()["NINE"] - 72 * H  # all in the past
    long = new_session(dev, task["entity_id"], NINE, NINE + 17 * H)
    future = new_session(dev, task["entity_id"], 4_000_000_000_000, 4_000_000_060_000)
    skewed = new_session(
        dev, task["entity_id"], NINE + 20 * H, NINE + 21 * H, clock_offset_ms=-300_000
    )
    orphan = new_session(dev, uuid7(), NINE + 30 * H, NINE + 31 * H)
    touching = new_session(dev, task["entity_id"], NINE + 21 * H, NINE + 22 * H)  # not overlap
    results = dev.pushed(task, long, future, skewed, orphan, touching)
    assert [r["status"] for r in results] == ["applied"] * 6
    flags = {r["entity_id"]: r["record"]["needs_review"] for r in results[1:]}
    assert flags == {
        long["entity_id"]: "long",
        future["entity_id"]: "future",
        skewed["entity_id"]: "clock_offset",
        orphan["entity_id"]: "unknown_task",
        touching["entity_id"]: None,
    }


def test_handoff_reassigns_with_optimistic_concurrency(server):
    siti, budi = server.ready(SITI, "laptop-siti"), server.ready(BUDI, "laptop-budi")
    task = new_task(siti, "Rekap absensi")
    running = new_session(siti, task["entity_id"], NINE)
    siti.pushed(task, running)
    handoff_id = uuid7()
    give = siti.mutation(
        "task.handoff",
        handoff_id,
        {
            "task_id": task["entity_id"],
            "to_nip": BUDI,
            "at": iso(NINE + H),
            "note": "Tolong lanjutkan",
        },
        base_version=1,
    )
    result = siti.pushed(give)[0]
    assert result["status"] == "applied", result
    got = records(budi.pull_all()[0])
    assert got[task["entity_id"]]["assignee_user_id"] == budi.user_id
    assert got[handoff_id]["status"] == "pending" and got[handoff_id]["note"] == "Tolong lanjutkan"
    assert running["entity_id"] not in got  # her session stays hers
    mine = records(siti.pull_all()[0])
    assert mine[running["entity_id"]]["end_at"] == iso(NINE + H)  # her timer stopped then
    assert mine[running["entity_id"]]["auto_stop_reason"] == f"handoff:{handoff_id}"
    # A second handoff from a stale version is refused with the task as it is now.
    again = budi.mutation(
        "task.handoff", uuid7(), {"task_id": task["entity_id"], "to_nip": SITI}, base_version=1
    )
    refused = budi.pushed(again)[0]
    assert refused["code"] == "task_version_conflict"
    assert refused["current"]["assignee_user_id"] == budi.user_id
    # Budi continues it in a session of his own; Siti cannot write his.
    his = new_session(budi, task["entity_id"], NINE + H)
    assert budi.pushed(his)[0]["status"] == "applied"
    steal = siti.mutation("session.edit", his["entity_id"], {"note": "punya saya"})
    assert siti.pushed(steal)[0]["code"] == "not_found"
    to_other_org = budi.mutation(
        "task.handoff", uuid7(), {"task_id": task["entity_id"], "to_nip": LAIN}, base_version=2
    )
    assert budi.pushed(to_other_org)[0]["code"] == "unknown_colleague"
    for odd in (BUDI[:17] + "\x00", 199002152015031002, "1990-02-15-2015031"):
        bad = budi.mutation(
            "task.handoff", uuid7(), {"task_id": task["entity_id"], "to_nip": odd}, base_version=2
        )
        assert budi.pushed(bad)[0]["code"] == "invalid_field", odd  # refused, not a 500
    # Handed on again, Budi keeps seeing the task (its history, his time on it) but no longer
    # changes it; its owner's changes reach everyone who had it.
    ani = server.ready(ANI, "laptop-ani")
    onward = budi.mutation(
        "task.handoff", uuid7(), {"task_id": task["entity_id"], "to_nip": ANI}, base_version=2
    )
    assert budi.pushed(onward)[0]["status"] == "applied"
    seen, cursor = budi.pull_all()
    now_ani = [c for c in seen if c["id"] == task["entity_id"]]
    assert [(c["gone"], c["record"]["assignee_user_id"]) for c in now_ani] == [(False, ani.user_id)]
    retitle = budi.mutation("task.upsert", task["entity_id"], {"title": "Punya saya"})
    assert budi.pushed(retitle)[0]["code"] == "handed_over"
    snapshot = httpx.get(f"{server.url}/v1/sync/snapshot", headers=budi.headers(), timeout=10)
    assert task["entity_id"] in {c["id"] for c in snapshot.json()["records"]}
    secret = siti.mutation("task.upsert", task["entity_id"], {"title": "Rekap absensi Mei"})
    assert siti.pushed(secret)[0]["status"] == "applied"
    assert records(budi.pull(cursor).json()["changes"])[task["entity_id"]]["title"] == (
        "Rekap absensi Mei"
    )
    assert records(ani.pull_all()[0])[task["entity_id"]]["title"] == "Rekap absensi Mei"


def test_a_handoff_is_answered_by_its_colleague_and_tells_the_time_already_spent(server):
    siti, budi = server.ready(SITI, "laptop-siti"), server.ready(BUDI, "laptop-budi")
    task = new_task(siti, "Rekap absensi")
    tid = task["entity_id"]
    done = new_session(siti, tid, NINE, NINE + H)
    running = new_session(siti, tid, NINE + 2 * H)
    siti.pushed(task, done, running)

    def give(who: Any, to: str, version: int, at: int) -> dict[str, Any]:
        fields = {"task_id": tid, "to_nip": to, "at": iso(at), "note": "Tolong lanjutkan"}
        return who.pushed(who.mutation("task.handoff", uuid7(), fields, base_version=version))[0]

    first = give(siti, BUDI, 1, NINE + 2 * H + 30 * 60_000)
    assert first["status"] == "applied", first
    h = first["record"]
    assert (h["from_nip"], h["from_name"], h["to_nip"], h["status"]) == (
        SITI,
        "Siti Aminah",
        BUDI,
        "pending",
    )
    assert h["shares"] == [
        {"user": siti.user_id, "nip": SITI, "name": "Siti Aminah", "ms": 90 * 60_000}
    ]
    assert give(siti, BUDI, 2, NINE + 3 * H)["code"] == "handed_over"  # Budi has it now
    assert give(budi, BUDI, 2, NINE + 3 * H)["code"] == "handoff_to_self"

    def answer(who: Any, op: str, **fields: Any) -> dict[str, Any]:
        return who.pushed(who.mutation(f"handoff.{op}", h["id"], fields))[0]

    assert answer(siti, "accept")["code"] == "forbidden"  # only Budi answers
    assert answer(budi, "decline")["code"] == "invalid_field"  # a reason is needed
    declined = answer(budi, "decline", reason="Sedang cuti sampai Jumat")
    assert declined["status"] == "applied", declined
    assert declined["record"]["status"] == "declined"
    mine = records(siti.pull_all()[0])
    assert mine[tid]["assignee_user_id"] == siti.user_id  # back with her
    assert (mine[h["id"]]["status"], mine[h["id"]]["answer_note"]) == (
        "declined",
        "Sedang cuti sampai Jumat",
    )
    assert answer(budi, "accept")["code"] == "handoff_answered"
    assert answer(budi, "decline", reason="lagi")["status"] == "merged"  # the same answer

    again = give(siti, BUDI, mine[tid]["version"], NINE + 4 * H)
    assert again["status"] == "applied", again
    accepted = budi.pushed(budi.mutation("handoff.accept", again["record"]["id"], {}))[0]
    assert accepted["record"]["status"] == "accepted"
    assert records(budi.pull_all()[0])[tid]["assignee_user_id"] == budi.user_id


def test_a_handed_over_tasks_time_stays_current_and_is_not_a_change_of_the_task(server):
    """Each participant's time on a handed-over task is summed again when their sessions
    change (moved off it too), and that alone does not make a colleague's handoff of it stale."""
    siti, budi = server.ready(SITI, "laptop-siti"), server.ready(BUDI, "laptop-budi")
    ani = server.ready(ANI, "laptop-ani")
    task, other = new_task(siti, "Rekap"), new_task(siti, "Lain")
    tid = task["entity_id"]
    hers = new_session(siti, tid, NINE, NINE + H)
    siti.pushed(task, other, hers)
    fields = {"task_id": tid, "to_nip": BUDI, "at": iso(NINE + 2 * H), "note": "x"}
    assert (
        siti.pushed(siti.mutation("task.handoff", uuid7(), fields, base_version=1))[0]["status"]
        == "applied"
    )
    known = records(budi.pull_all()[0])[tid]
    assert [s["ms"] for s in known["shares"]] == [H]
    # She corrects her own old session on it: the shares follow, the version moves on...
    fix = siti.mutation("session.edit", hers["entity_id"], {"end_at": iso(NINE + H - 600_000)})
    assert siti.pushed(fix)[0]["status"] == "applied"
    now = records(budi.pull_all()[0])[tid]
    assert [s["ms"] for s in now["shares"]] == [H - 600_000]
    assert now["version"] > known["version"]
    # ... and Budi's handoff, based on the version he knew before, is still current.
    onward = {"task_id": tid, "to_nip": ANI, "at": iso(NINE + 3 * H), "note": "y"}
    handed = budi.pushed(
        budi.mutation("task.handoff", uuid7(), onward, base_version=known["version"])
    )
    assert handed[0]["status"] == "applied", handed
    # Her session moved to another task: nothing of it is left on this one.
    moved = siti.mutation("session.edit", hers["entity_id"], {"task_id": other["entity_id"]})
    assert siti.pushed(moved)[0]["status"] == "applied"
    assert not records(ani.pull_all()[0])[tid]["shares"]


def test_nobody_reads_or_writes_what_is_not_theirs(server):
    siti = server.ready(SITI, "laptop-siti")
    budi = server.ready(BUDI, "laptop-budi")  # same organisation, another unit
    lain = server.ready(LAIN, "laptop-lain")  # another organisation
    task = new_task(siti)
    session = new_session(siti, task["entity_id"], NINE, NINE + H)
    siti.pushed(task, session)
    before = records(siti.pull_all()[0])
    for intruder in (budi, lain):
        results = intruder.pushed(
            intruder.mutation("session.edit", session["entity_id"], {"note": "bukan milikmu"}),
            intruder.mutation("session.delete", session["entity_id"]),
            intruder.mutation("task.upsert", task["entity_id"], {"title": "diambil"}),
            intruder.mutation("task.delete", task["entity_id"]),
        )
        assert {r["status"] for r in results} == {"rejected"}, results
        assert intruder.pull_all()[0] == []  # sees nothing of hers
        # A session claimed for someone else is refused.
        claim = new_session(intruder, task["entity_id"], NINE)
        claim["fields"]["owner_user_id"] = siti.user_id
        assert intruder.pushed(claim)[0]["code"] == "forbidden"
    assert records(siti.pull_all()[0]) == before
    # The same ids in another organisation are another organisation's records.
    twin = dict(new_task(lain), entity_id=task["entity_id"])
    assert lain.pushed(twin)[0]["status"] == "applied"
    assert records(siti.pull_all()[0]) == before


def _attempts(server: Any, dev: Device) -> list[httpx.Response]:
    """One request to every sync endpoint (and the directory)."""
    task = new_task(dev)
    return [
        dev.push(dict(task, seq=1)),
        dev.pull(),
        httpx.get(f"{server.url}/v1/sync/snapshot", headers=dev.headers(), timeout=10),
        server.directory(dev.access),
    ]


def test_every_sync_endpoint_refuses_the_wrong_caller_and_stores_nothing(server):
    from wfh_server import admin

    siti = server.ready(SITI, "laptop-siti")
    budi = server.ready(BUDI, "laptop-budi")
    lain = server.ready(LAIN, "laptop-lain")
    admin.disable_user(server.engine, BUDI)
    admin.revoke_device(server.engine, "laptop-lain")
    for r in _attempts(server, budi):
        problem(r, 403, "account_disabled")
    for r in _attempts(server, lain):
        problem(r, 403, "device_revoked")
    forged = Device(server, "laptop-siti", siti.access[:-4] + "AAAA", siti.user_id)
    nobody = Device(server, "laptop-siti", "", siti.user_id)
    for r in _attempts(server, forged):
        problem(r, 401, "token_invalid")
    for r in _attempts(server, nobody):
        problem(r, 401, "unauthorized")
    assert count_rows(server, Task) == 0 and count_rows(server, MutationLog) == 0


def test_a_push_from_a_sender_that_may_not_sync_is_refused_whatever_its_body(server):
    """A signed-in sender that may not sync (its account disabled, its device revoked, its
    initial password unchanged) is refused with its code and nothing stored, whether its body
    is good (the fast path, which reads the account in the push's own transaction:
    ``test_push_rows``) or damaged (handed on to the route, which reads it first)."""
    from wfh_server import admin

    siti, budi = server.ready(SITI, "laptop-siti"), server.ready(BUDI, "laptop-budi")
    tokens = server.login(ANI, "laptop-ani").json()  # her initial password, unchanged
    ani = Device(server, "laptop-ani", tokens["access_token"], tokens["user"]["user_id"])
    assert siti.pushed(new_task(siti))[0]["status"] == "applied"
    admin.disable_user(server.engine, SITI)
    admin.revoke_device(server.engine, "laptop-budi")
    damaged = gzip.compress(b'{"mutations": [')[:-4]
    for dev, code in ((siti, "account_disabled"), (budi, "device_revoked"),
                      (ani, "password_change_required")):  # fmt: skip
        problem(dev.push(new_task(dev)), 403, code)
        problem(dev.push_bytes(damaged, gzipped=True), 403, code)
    assert count_rows(server, Task) == 1 and count_rows(server, MutationLog) == 1


def test_an_expired_access_token_is_refused_everywhere(hasty_server):
    server = hasty_server
    siti = server.ready(SITI, "laptop-siti")
    siti.access = server.login(SITI, "laptop-siti").json()["access_token"]
    time.sleep(2.1)  # access tokens last 2 s in this server
    for r in _attempts(server, siti):
        problem(r, 401, "token_invalid")
    assert count_rows(server, Task) == 0 and count_rows(server, MutationLog) == 0


def test_limits_protocol_and_cursors(server):
    dev = server.ready(SITI, "laptop")
    task = new_task(dev)
    too_many = [dict(task, seq=i + 1, mutation_id=uuid7()) for i in range(101)]
    problem(dev.push(*too_many), 413, "batch_too_large")
    bomb = gzip.compress(b'{"mutations": [' + b" " * (2 * 1024 * 1024) + b"]}")
    problem(dev.push_bytes(bomb, gzipped=True), 413, "body_too_large")
    cut = gzip.compress(json.dumps({"mutations": [task]}).encode())[:-9]
    problem(dev.push_bytes(cut, gzipped=True), 400, "invalid_body")
    whole = gzip.compress(json.dumps({"mutations": [task]}).encode())
    problem(dev.push_bytes(whole + b"garbage", gzipped=True), 400, "invalid_body")
    problem(server.directory(dev.access, "a\x00b"), 422, "invalid_request")
    nul = httpx.post(
        f"{server.url}/v1/auth/login",
        timeout=10,
        json={"login": "a\x00", "password": "x", "device_id": "d"},
    )
    problem(nul, 422, "invalid_request")
    odd = httpx.get(
        f"{server.url}/v1/sync/pull",
        timeout=10,
        headers=dev.headers() | {"X-Sync-Protocol": "satu"},
    )
    problem(odd, 400, "protocol_unsupported")
    old = httpx.get(
        f"{server.url}/v1/sync/pull", timeout=10, headers=dev.headers() | {"X-Sync-Protocol": "2"}
    )
    assert problem(old, 400, "protocol_unsupported")["min_protocol"] == 1
    assert count_rows(server, Task) == 0

    dev.seq = iter(range(1, 10**6))
    assert dev.pushed(task)[0]["status"] == "applied"
    problem(dev.pull(since=99), 409, "epoch_mismatch")  # the server has fewer changes
    with transaction(server.engine) as s:
        s.execute(update(UserSyncState).values(gc_floor=1))
    assert problem(dev.pull(since=0), 410, "cursor_expired")["gc_floor"] == 1
    gone = dev.mutation("task.delete", new_task(dev)["entity_id"])
    dev.seq = iter(range(2, 10**6))
    other = new_task(dev, "Dihapus")
    dev.pushed(other, dict(gone, seq=3, entity_id=other["entity_id"]))
    snap = httpx.get(
        f"{server.url}/v1/sync/snapshot", params={"limit": 1}, headers=dev.headers(), timeout=10
    ).json()
    assert [c["id"] for c in snap["records"]] in ([task["entity_id"]], [])
    assert snap["as_of_seq"] == 2  # the new task and its delete: one change, compacted
    everything: list[str] = [c["id"] for c in snap["records"]]
    while snap["has_more"]:
        snap = httpx.get(
            f"{server.url}/v1/sync/snapshot",
            headers=dev.headers(),
            timeout=10,
            params={"limit": 1, "after": snap["next_after"]},
        ).json()
        everything += [c["id"] for c in snap["records"]]
    assert everything == [task["entity_id"]]  # live records only: the deleted one is not there


def test_a_pull_leaves_out_what_the_devices_own_push_answers_brought(server):
    """``answered``: the changes whose record a device got in its own push answers, as it still
    is, are left out; everything else comes (another device's change, a session the running
    rule stopped, a change after that answer), ``next`` goes past what was left out, and the
    other device and a pull without ``answered`` get everything (SYNC.md F27)."""
    laptop, pc = server.ready(SITI, "laptop"), server.ready(SITI, "pc")
    url = f"{server.url}/v1/sync/pull"

    def pull(dev: Device, since: int, answered: int, limit: int = 500) -> dict[str, Any]:
        params = {"since": since, "limit": limit, "answered": answered}
        r = httpx.get(url, params=params, headers=dev.headers(), timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    task = new_task(laptop)
    first = new_session(laptop, task["entity_id"], NINE)  # running
    laptop.pushed(task, first)  # seq 1, 2
    second = new_session(laptop, task["entity_id"], NINE + H)  # stops the first (running rule)
    assert laptop.pushed(second)[0]["status"] == "applied"  # seq 3
    others = new_task(pc, "Dari komputer lain")
    pc.pushed(others)
    late = laptop.mutation("task.upsert", task["entity_id"], {"title": "Judul baru"})
    laptop.pushed(late)  # seq 4
    everything = [c["id"] for c in laptop.pull_all()[0]]
    last = laptop.pull_all()[1]
    assert sorted(everything) == sorted(
        [task["entity_id"], first["entity_id"], second["entity_id"], others["entity_id"]]
    )
    # Answers up to seq 3 written: the task changed after them (seq 4) still comes, as do the
    # session stopped by the rule (not in any answer of the laptop as it is now) and pc's task.
    page = pull(laptop, 0, 3)
    assert [c["id"] for c in page["changes"]] == [
        first["entity_id"],
        others["entity_id"],
        task["entity_id"],
    ]
    assert page["next"] == last and page["has_more"] is False
    assert [c["id"] for c in pull(laptop, 0, 4)["changes"]] == [
        first["entity_id"],
        others["entity_id"],
    ]
    # Nothing to send but the cursor moves on: only its own answered changes after `since`.
    quiet = pull(laptop, page["changes"][1]["seq"], 4)
    assert quiet["changes"] == [] and quiet["next"] == last and quiet["has_more"] is False
    # Page by page: at most `limit` changes, `next` after the last one sent or left out.
    one = pull(laptop, 0, 4, limit=1)
    assert [c["id"] for c in one["changes"]] == [first["entity_id"]] and one["has_more"]
    two = pull(laptop, one["next"], 4, limit=1)  # and past the rest, all left out
    assert [c["id"] for c in two["changes"]] == [others["entity_id"]]
    assert two["next"] == last and not two["has_more"]
    # The other device gets the laptop's changes (and not its own); a device that says it has
    # written no answer gets every change.
    assert sorted(c["id"] for c in pull(pc, 0, 4)["changes"]) == sorted(
        [task["entity_id"], first["entity_id"], second["entity_id"]]
    )
    assert sorted(c["id"] for c in pull(laptop, 0, 0)["changes"]) == sorted(everything)


def test_a_row_moved_by_a_writer_that_knows_no_marks_is_not_left_out(server):
    """An older release (a rolling upgrade, or a binary rolled back without downgrading the
    database) moves a feed row's seq and leaves the marks: the change must still come."""
    laptop = server.ready(SITI, "laptop")
    task = new_task(laptop)
    laptop.pushed(task)
    url = f"{server.url}/v1/sync/pull"
    with transaction(server.engine) as s:  # what the older release's feed upsert does
        s.execute(update(UserSyncState).values(last_seq=UserSyncState.last_seq + 1))
        s.execute(update(UserFeed).values(seq=UserFeed.seq + 1))
    r = httpx.get(url, params={"since": 0, "answered": 1}, headers=laptop.headers(), timeout=10)
    assert [c["id"] for c in r.json()["changes"]] == [task["entity_id"]]


def test_a_touching_neighbour_keeps_its_overlap_flag(server):
    """Found in review: flags worked out again for sessions near a push's spans must see every
    session they overlap, not only those of the push (SYNC.md: flagged, never dropped)."""
    dev = server.ready(SITI, "laptop")
    task = new_task(dev)
    t = task["entity_id"]
    s3 = new_session(dev, t, NINE - 2 * H, NINE - H // 2)  # 07:00-08:30
    s2 = new_session(dev, t, NINE - H, NINE)  # 08:00-09:00 overlaps s3
    s1 = new_session(dev, t, NINE, NINE + H)  # 09:00-10:00 touches s2
    dev.pushed(task, s3, s2, s1)

    def flags(ident: str) -> str | None:
        with transaction(server.engine) as s:
            return s.scalar(select(WorkSession.needs_review).where(WorkSession.id == ident))

    assert flags(s2["entity_id"]) == flags(s3["entity_id"]) == "overlap"
    dev.pushed(new_session(dev, t, NINE + H // 2, NINE + 3 * H // 2))  # 09:30-10:30, on s1
    assert flags(s1["entity_id"]) == "overlap"
    assert flags(s2["entity_id"]) == "overlap"  # still on s3


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the API layer
def test_the_nothing_new_pull_answered_early_refuses_what_the_route_refuses(server):
    """A "nothing new" pull is answered before the framework (``api.NothingNew``); a query or a
    header it does not plainly understand goes on to the route and is refused there, as ever."""
    fresh = server.login(BUDI, "dev-budi").json()["access_token"]  # initial password unchanged
    dev = server.ready(SITI, "laptop")
    url = f"{server.url}/v1/sync/pull"

    def get(query: str, token: str = dev.access, **headers: str) -> httpx.Response:
        auth = {"Authorization": f"Bearer {token}", "X-Sync-Protocol": "1"}
        return httpx.get(f"{url}?{query}", headers=auth | headers, timeout=10)

    for fine in ("", "since=0", "since=0&limit=500", "limit=1", "since=0&other=1"):
        r = get(fine)
        assert (r.status_code, r.content) == (304, b""), fine
        assert r.headers["ETag"] == f'"{dev.user_id}:0"'
    for bad in ("since=-1", "since=x", "since=1e3", f"since={2**62 + 1}",
                "limit=0", "limit=501"):  # fmt: skip
        problem(get(bad), 422, "invalid_request")
    problem(get("since=0", **{"X-Device-Id": "x" * 37}), 422, "invalid_request")
    problem(get("since=0", **{"X-Device-Id": "another"}), 403, "device_mismatch")
    problem(get("since=0", fresh), 403, "password_change_required")
    problem(get("since=0", **{"X-Sync-Protocol": "2"}), 400, "protocol_unsupported")
    assert problem(get("since=0", "x.y.z"), 401, "token_invalid")
    assert get("since=0", "x.y.z").headers["WWW-Authenticate"] == "Bearer"
    assert dev.pushed(new_task(dev))[0]["status"] == "applied"
    assert get("since=1").status_code == 304 and get("since=0").status_code == 200
    with transaction(server.engine) as s:  # a cursor at the newest change, yet below the floor
        s.execute(update(UserSyncState).values(gc_floor=2))
    assert problem(get("since=1"), 410, "cursor_expired")["gc_floor"] == 2


def _push_headers_only(server, headers: dict[str, str]) -> bytes:
    """A push that announces a large body and sends none of it: the answer, or b"" when the
    server waited for the body (it must not, for a sender who may not sync)."""
    host, port = server.url.removeprefix("http://").split(":")
    head = {"Host": host, "Content-Type": "application/json", "Content-Length": "900000"}
    lines = [f"{k}: {v}" for k, v in (head | headers).items()]
    request = "\r\n".join(["POST /v1/sync/push HTTP/1.1", *lines, "", ""]).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        sock.settimeout(3)
        answer = b""
        while True:
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                return answer
            answer += chunk
            head, end, body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"content-length: (\d+)", head, re.IGNORECASE)
            if not chunk or (end and length and len(body) >= int(length[1])):
                return answer


def test_a_push_is_refused_on_its_headers_before_its_body_is_read(server):
    dev = server.ready(SITI, "laptop")
    unsigned = _push_headers_only(server, {"X-Sync-Protocol": "1"})
    assert unsigned.startswith(b"HTTP/1.1 401"), unsigned[:80]
    assert b"unauthorized" in unsigned
    for headers, status, code in (
        (dev.headers() | {"X-Sync-Protocol": "2"}, 400, b"protocol_unsupported"),
        (dev.headers() | {"X-Device-Id": "someone-else"}, 403, b"device_mismatch"),
        ({"Authorization": "Bearer forged.token.here", "X-Sync-Protocol": "1"}, 401, b"token"),
    ):
        answer = _push_headers_only(server, headers)
        assert answer.startswith(f"HTTP/1.1 {status}".encode()) and code in answer, answer[:80]
    # A device that may sync is read to the end of its body: nothing comes back before it.
    assert _push_headers_only(server, dev.headers()) == b""
    assert dev.pushed(new_task(dev))[0]["status"] == "applied"


def test_a_device_over_its_rate_limit_is_told_when_to_come_back(engine, server_config):
    from tests.server.served import serve

    with serve(engine, server_config, WFH_SERVER_RATE_BURST="3") as server:
        laptop, pc = server.ready(SITI, "laptop"), server.ready(SITI, "pc")
        assert [laptop.pull().status_code for _ in range(3)] == [304, 304, 304]
        refused = problem(laptop.pull(), 429, "rate_limited")
        assert refused["detail"]
        wait = int(laptop.pull().headers["Retry-After"])
        assert 1 <= wait <= 3600 / 120 + 1  # one more request comes back every 30 s
        problem(laptop.push(new_task(laptop)), 429, "rate_limited")
        assert pc.pull().status_code == 304  # per device: the other one is not held back
        # A push is one request, checked once before its body is read: one token.
        assert pc.push(new_task(pc)).status_code == 200
        assert pc.pull().status_code == 200
        problem(pc.pull(), 429, "rate_limited")
        # A push the fast path hands on to the route (its body is damaged) is still one token.
        tab = server.ready(SITI, "tab")
        cut = gzip.compress(json.dumps({"mutations": [new_task(tab)]}).encode())[:-9]
        problem(tab.push_bytes(cut, gzipped=True), 400, "invalid_body")
        assert 429 not in [tab.pull().status_code for _ in range(2)]
        problem(tab.pull(), 429, "rate_limited")
    assert count_rows(server, Task) == 1  # the laptop's refused push stored nothing


def test_the_bucket_refills_at_its_rate_and_keeps_a_bounded_memory():
    from wfh_server.limits import RateLimit

    now = [0.0]
    limit = RateLimit(per_hour=120, burst=2, clock=lambda: now[0], max_keys=3)
    assert [limit.take("a"), limit.take("a")] == [None, None]
    assert limit.take("a") == 30
    now[0] += 15
    assert limit.take("a") == 15  # half a request refilled: 15 s more
    now[0] += 15
    assert limit.take("a") is None
    for key in "bcde":
        limit.take(key)
    assert len(limit._buckets) == 3  # the oldest devices are forgotten first
    assert RateLimit(per_hour=0, burst=1).take("x") is None  # 0: no limit
