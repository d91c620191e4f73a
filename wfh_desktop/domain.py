"""The domain records as read from the local store. Derived values (actual minutes, on target)
are computed, never stored."""

from __future__ import annotations

from typing import NamedTuple

TASK_COLUMNS = (
    "id, title, target_minutes, rhk, output, volume, unit, status, done_at, assignee_user_id, "
    "created_at, updated_at, version, deleted_at"
)
SESSION_COLUMNS = (
    "id, task_id, owner_user_id, start_at, end_at, source, origin_device, auto_stop_reason, "
    "needs_review, note, created_at, updated_at, version, deleted_at"
)
TARGET_PRESETS = (15, 30, 60)


class Task(NamedTuple):
    id: str
    title: str
    target_minutes: int
    rhk: str | None
    output: str | None
    volume: float | None
    unit: str | None
    status: str
    done_at: int | None
    assignee_user_id: str
    created_at: int
    updated_at: int
    version: int
    deleted_at: int | None

    @property
    def target_ms(self) -> int:
        return self.target_minutes * 60_000

    @property
    def is_done(self) -> bool:
        return self.status == "done"


class WorkSession(NamedTuple):
    """One uninterrupted stretch of work on a task by one person. ``end_at`` None = running."""

    id: str
    task_id: str
    owner_user_id: str
    start_at: int
    end_at: int | None
    source: str
    origin_device: str
    auto_stop_reason: str | None
    needs_review: str | None
    note: str | None
    created_at: int
    updated_at: int
    version: int
    deleted_at: int | None

    @property
    def is_running(self) -> bool:
        return self.end_at is None and self.deleted_at is None

    def duration_ms(self, now_ms: int) -> int:
        end = now_ms if self.end_at is None else self.end_at
        return max(end - self.start_at, 0)

    def ms_within(self, start_ms: int, end_ms: int, now_ms: int) -> int:
        """Its time inside [start_ms, end_ms): a session across midnight counts on each day."""
        end = now_ms if self.end_at is None else self.end_at
        return max(min(end, end_ms) - max(self.start_at, start_ms), 0)


def on_target(status: str, actual_ms: int, target_minutes: int) -> bool:
    """A task is on target when it is done and its actual time (everyone's) is within target."""
    return status == "done" and actual_ms <= target_minutes * 60_000


# The same rule in SQL, for sums that stay inside SQLite (an all-time summary); the names of
# the three columns are filled in. tests/test_reports.py holds the two to the same answers.
ON_TARGET_SQL = "({status} = 'done' AND {actual} <= {target} * 60000)"
