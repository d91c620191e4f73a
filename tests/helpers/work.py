"""A week of work shared by the tests of the statistics and of the activity log."""

from __future__ import annotations

from tests.conftest import MINUTE, MONDAY_0800_WIB
from wfh_desktop.sessions import SessionService
from wfh_desktop.tasks import TaskService

HOUR = 60 * MINUTE


def week_of_work(profile, clock):
    """Monday 2/11: 'Laporan' 08.00-08.20 and 09.00-09.10 WIB (done: 30 of 30 minutes),
    'Kajian' 10.00-10.25 and a colleague's 10 minutes on it (done: 35 of 30), 'Rapat' 23.30 to
    00.30 (open). Both finished on Thursday 5/11 at 08.00 WIB."""
    clock.set(MONDAY_0800_WIB + 3 * 24 * HOUR)
    tasks, sessions = TaskService(profile), SessionService(profile)
    tasks.add("Laporan", 30, rhk="RHK 1", output="Laporan", volume="1,5", unit="dokumen")
    tasks.add("Rapat", 60)
    kajian = tasks.add("Kajian", 30)
    sessions.add("Laporan", MONDAY_0800_WIB, MONDAY_0800_WIB + 20 * MINUTE, note="draf")
    sessions.add("Laporan", MONDAY_0800_WIB + HOUR, MONDAY_0800_WIB + HOUR + 10 * MINUTE)
    sessions.add("Kajian", MONDAY_0800_WIB + 2 * HOUR, MONDAY_0800_WIB + 2 * HOUR + 25 * MINUTE)
    sessions.add("Rapat", MONDAY_0800_WIB + 15 * HOUR + 30 * MINUTE,
                 MONDAY_0800_WIB + 16 * HOUR + 30 * MINUTE)  # fmt: skip
    # The colleague's session, as sync brings it: another owner, on my task.
    profile.conn.execute(
        "INSERT INTO session(id, task_id, owner_user_id, start_at, end_at, source, origin_device, "
        "created_at, updated_at) VALUES ('c1', ?, 'colleague', ?, ?, 'timer', 'other', 0, 0)",
        (kajian.id, MONDAY_0800_WIB + 3 * HOUR, MONDAY_0800_WIB + 3 * HOUR + 10 * MINUTE),
    )
    tasks.mark_done("Laporan")
    tasks.mark_done("Kajian")
