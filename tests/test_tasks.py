"""Tasks: validation, edits with changed fields only in the outbox, soft delete and restore."""

from __future__ import annotations

import json

import pytest

from tests.conftest import MINUTE
from wfh_desktop.errors import UserError
from wfh_desktop.lookup import short_code
from wfh_desktop.tasks import TaskService
from wfh_desktop.timer import TimerService


@pytest.mark.parametrize("target", [15, 30, 60, 1, 480, "45"])
def test_targets_from_1_to_480_are_accepted(profile, target):
    assert TaskService(profile).add("T", target).target_minutes == int(target)


@pytest.mark.parametrize("target", [0, -5, 481, 10_000, "abc", "1.5", ""])
def test_bad_targets_are_refused_and_nothing_is_stored(profile, target):
    with pytest.raises(UserError, match="target"):
        TaskService(profile).add("T", target)
    assert profile.conn.execute("SELECT count(*) FROM task").fetchone()[0] == 0
    assert profile.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0


def test_blank_title_is_refused(profile):
    with pytest.raises(UserError, match="title"):
        TaskService(profile).add("   ", 30)


def test_fields_and_volume_with_a_decimal_comma(profile):
    t = TaskService(profile).add("Laporan", 60, rhk="RHK 1", output="Laporan", volume="1,5",
                                 unit="dokumen")  # fmt: skip
    assert (t.rhk, t.output, t.volume, t.unit) == ("RHK 1", "Laporan", 1.5, "dokumen")


def test_edit_records_only_changed_fields(profile):
    svc = TaskService(profile)
    t = svc.add("Laporan", 30)
    with profile.write() as (conn, _):  # its creation went up in a push (local.take)
        conn.execute("INSERT INTO sync_meta(key, value) VALUES ('sent_seq', 1)")
    svc.edit(short_code(t.id), title="Laporan bulanan", target_minutes=30)
    rows = profile.conn.execute("SELECT type, payload FROM outbox ORDER BY seq").fetchall()
    assert len(rows) == 2
    assert json.loads(rows[-1][1]) == {"title": "Laporan bulanan"}


def test_an_edit_of_a_task_never_sent_travels_in_its_creation(profile):
    svc = TaskService(profile)
    t = svc.add("Laporan", 30)
    svc.edit(short_code(t.id), title="Laporan bulanan", target_minutes=45)
    [(kind, payload)] = profile.conn.execute("SELECT type, payload FROM outbox").fetchall()
    created = json.loads(payload)
    assert kind == "task.upsert"
    assert (created["title"], created["target_minutes"]) == ("Laporan bulanan", 45)
    assert created["status"] == "open" and created["created_at"] is not None


def test_find_by_id_prefix_short_code_and_ambiguity(profile):
    svc = TaskService(profile)
    a = svc.add("Alpha", 30)
    svc.add("Beta", 30)
    assert svc.find(a.id[:18]).id == a.id
    assert svc.find(a.id.replace("-", "")[:20]).id == a.id
    assert svc.find(short_code(a.id)).id == a.id
    with pytest.raises(UserError, match="more than one"):
        svc.find(a.id[:4])  # both ids start with the same time bits
    with pytest.raises(UserError, match="No task matches"):
        svc.find("Gamma")


def test_remove_stops_its_timer_and_restore_brings_it_back(profile, clock):
    svc = TaskService(profile)
    svc.add("A", 30)
    TimerService(profile).start("A")
    clock.advance(5 * MINUTE)
    change = svc.remove("A")
    assert change.stopped_session_id is not None
    assert TimerService(profile).status().task is None
    assert svc.list_tasks() == []
    with pytest.raises(UserError):
        TimerService(profile).start("A")
    svc.restore("A")
    assert [t.title for t in svc.list_tasks()] == ["A"]
    assert svc.actual_ms([svc.find("A").id]) == {svc.find("A").id: 5 * MINUTE}


def test_done_then_reopen(profile):
    svc = TaskService(profile)
    svc.add("A", 30)
    assert svc.mark_done("A").task.status == "done"
    assert svc.reopen("A").status == "open"


def test_reopen_and_restore_pick_the_task_in_the_right_state(profile):
    svc = TaskService(profile)
    old = svc.add("Laporan", 30)
    svc.mark_done("Laporan")
    svc.add("Laporan", 60)  # a new, open task with the same title
    assert svc.reopen("Laporan").id == old.id
    svc.mark_done(short_code(old.id))
    svc.remove(short_code(old.id))
    assert svc.restore("Laporan").id == old.id


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [("id", "1.000", 1000.0), ("id", "1,5", 1.5), ("id", "1.234,5", 1234.5),
     ("en", "1.000", 1.0), ("en", "1,234.5", 1234.5), ("id", "2", 2.0)],
)  # fmt: skip
def test_volume_reads_numbers_the_way_the_user_writes_them(profile, lang, text, value):
    from wfh_desktop.i18n import set_language

    set_language(lang)
    assert TaskService(profile).add("Laporan", 30, volume=text).volume == value


def test_an_edit_is_not_folded_into_an_earlier_edit(profile, clock):
    """The creation went up (its answer not in yet: the task's version is still 0); two edits
    after it stay two mutations, each with its own stamp: the task may be on other computers."""
    svc = TaskService(profile)
    t = svc.add("Laporan", 30)
    with profile.write() as (conn, _):
        conn.execute("INSERT INTO sync_meta(key, value) VALUES ('sent_seq', 1)")
    svc.edit(short_code(t.id), title="Laporan A")
    clock.advance(60_000)
    svc.edit(short_code(t.id), title="Laporan B")
    rows = profile.conn.execute("SELECT payload, hlc FROM outbox ORDER BY seq").fetchall()
    assert [json.loads(p) for p, _ in rows[1:]] == [{"title": "Laporan A"}, {"title": "Laporan B"}]
    assert rows[1][1] < rows[2][1]


def test_a_colleagues_running_timer_counts_until_now_until_done_and_for_at_most_16_hours(
    profile, clock
):
    """The colleagues' part as sync leaves it (``others_*``): 5 minutes ended, and one timer
    running since 10 minutes ago. Python (actual_ms) and SQL (the all-time report) agree."""
    from wfh_desktop.reports import Period, build_report
    from wfh_desktop.timefmt import ZONES

    task = TaskService(profile).add("Kajian", 60)
    profile.conn.execute(
        "UPDATE task SET others_ms = ?, others_running = 1, others_since = ? WHERE id = ?",
        (5 * MINUTE, clock.now_ms() - 10 * MINUTE, task.id),
    )

    def both() -> tuple[int, int]:
        actual = TaskService(profile).actual_ms([task.id])[task.id]
        [line] = build_report(profile, Period(None, None), ZONES["WIB"]).tasks
        return actual // MINUTE, line.actual_ms // MINUTE

    assert both() == (15, 15)
    clock.advance(3 * 24 * 60 * MINUTE)  # their computer asleep since: 16 hours at most
    assert both() == (5 + 16 * 60, 5 + 16 * 60)
    clock.advance(-3 * 24 * 60 * MINUTE + 20 * MINUTE)
    TaskService(profile).mark_done("Kajian")
    clock.advance(60 * MINUTE)  # finished: their timer counts until then
    assert both() == (35, 35)
    profile.conn.execute("UPDATE task SET others_since = ? WHERE id = ?", (clock.now_ms(), task.id))
    assert both() == (5, 5)  # a clock ahead of ours counts nothing, never less than nothing
