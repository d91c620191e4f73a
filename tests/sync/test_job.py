"""The background sync: backoff with full jitter, Retry-After, one sync at a time, and a real
sync against the server a few seconds after a local change."""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MONDAY_0800_WIB
from tests.server.served import NEW_PASSWORD, SITI
from wfh_desktop.clock import FixedClock
from wfh_desktop.profile import Profile
from wfh_desktop.sync import job as job_mod
from wfh_desktop.sync import local
from wfh_desktop.sync.client import SyncClient
from wfh_desktop.sync.errors import NetworkError, RateLimited, SignInNeeded
from wfh_desktop.sync.job import SyncJob, backoff_s, retry_in_s
from wfh_desktop.tasks import TaskService


def test_backoff_is_full_jitter_doubling_up_to_five_minutes():
    rng = random.Random(7)
    for attempt, ceiling in ((0, 2), (3, 16), (7, 256), (8, 300), (40, 300)):
        waits = [backoff_s(attempt, rng) for _ in range(20_000)]
        assert min(waits) >= 0 and max(waits) <= ceiling
        # Spread evenly over [0, ceiling]: each tenth holds about a tenth (F21: 10,000 clients
        # recovering from an outage do not come back together).
        tenths = [0] * 10
        for w in waits:
            tenths[min(int(w / ceiling * 10), 9)] += 1
        assert all(1_700 < n < 2_300 for n in tenths), (attempt, tenths)


def test_retry_after_is_honoured_and_user_problems_wait_for_the_user():
    rng = random.Random(1)
    assert all(retry_in_s(RateLimited(120), 0, rng) >= 120 for _ in range(100))
    assert retry_in_s(SignInNeeded("Sign-in needed"), 0, rng) is None
    assert retry_in_s(NetworkError("offline"), 0, rng) is not None
    assert retry_in_s(RuntimeError("a bug"), 0, rng) is not None


class _Low(random.Random):
    """Backoff and start delays at 1 % of their range: the test need not wait minutes."""

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * 0.01


def test_a_failing_sync_is_retried_with_backoff_then_succeeds():
    calls: list[int] = []
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def sync() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise NetworkError("The server cannot be reached.")
        return "ok"

    job = SyncJob(sync, lambda kind, detail: events.put((kind, detail)), rng=_Low())
    job.start(first_delay_s=0)
    try:
        seen = []
        while ("done", "ok") not in seen:
            seen.append(events.get(timeout=20))
        kinds = [k for k, _ in seen]
        assert kinds == ["syncing", "failed", "syncing", "failed", "syncing", "done"]
        assert job.attempt == 0 and len(calls) == 3
    finally:
        job.stop()


def test_a_sign_in_problem_is_not_retried_until_the_user_acts():
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    calls: list[int] = []

    def sync() -> None:
        calls.append(1)
        raise SignInNeeded("Sign-in needed")

    job = SyncJob(sync, lambda kind, detail: events.put((kind, detail)), rng=_Low())
    job.start(first_delay_s=0)
    try:
        assert events.get(timeout=10)[0] == "syncing"
        assert events.get(timeout=10)[0] == "failed"
        with pytest.raises(queue.Empty):
            events.get(timeout=1.5)  # backoff would have tried again by now
        assert job.next_retry_s is None and len(calls) == 1
        job.sync_now()  # the user signed in again
        assert events.get(timeout=10)[0] == "syncing"
    finally:
        job.stop()


@pytest.mark.parametrize("first", ["start", "sync_now"])
def test_one_sync_at_a_time_and_a_request_during_it_runs_after_it(first: str):
    started, release = threading.Event(), threading.Event()
    active, most = [0], [0]
    calls: list[int] = []

    def sync() -> None:
        active[0] += 1
        most[0] = max(most[0], active[0])
        calls.append(1)
        if len(calls) == 1:
            started.set()
            release.wait(10)
        active[0] -= 1

    done: queue.Queue[str] = queue.Queue()
    job = SyncJob(sync, lambda kind, _d: done.put(kind) if kind == "done" else None, rng=_Low())
    job.start(first_delay_s=0 if first == "start" else 3600)
    try:
        if first == "sync_now":  # the request during it is the same scheduler job again
            job.sync_now()
        assert started.wait(10)
        job.sync_now()
        job.sync_now()
        release.set()
        assert done.get(timeout=10) == "done"
        assert done.get(timeout=10) == "done"  # the request made during the first sync
        assert most[0] == 1
    finally:
        job.stop()


class ProfileThread:
    """The profile on a thread of its own, as the tray app keeps it (its single writer)."""

    def __init__(self, path: Path, clock: FixedClock) -> None:
        self._jobs: queue.Queue[tuple[Callable[[Profile], Any], Future[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, args=(path, clock), daemon=True)
        self._thread.start()

    def _run(self, path: Path, clock: FixedClock) -> None:
        profile = Profile.open(path, clock)
        try:
            while (item := self._jobs.get()) is not None:
                fn, future = item
                try:
                    future.set_result(fn(profile))
                except BaseException as e:
                    future.set_exception(e)
        finally:
            profile.close()

    def __call__(self, fn: Callable[[Profile], Any]) -> Any:
        future: Future[Any] = Future()
        self._jobs.put((fn, future))
        return future.result(timeout=30)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(10)


@pytest.fixture
def profile_thread(tmp_path: Path) -> Iterator[ProfileThread]:
    db = ProfileThread(tmp_path / "laptop" / "wfh.db", FixedClock(MONDAY_0800_WIB))
    yield db
    db.close()


def test_a_local_change_is_pushed_a_few_seconds_later(
    server, memory_keyring, profile_thread, monkeypatch
):
    monkeypatch.setattr(job_mod, "AFTER_CHANGE_S", 0.5)
    client = SyncClient(profile_thread, clock=FixedClock(MONDAY_0800_WIB), server_url=server.url)
    client.sign_in(SITI, server.passwords[SITI], new_password=NEW_PASSWORD)
    done: queue.Queue[Any] = queue.Queue()
    job = SyncJob(
        client.sync, lambda kind, detail: done.put(detail) if kind in ("done", "failed") else None
    )
    job.start(first_delay_s=0)
    try:
        first = done.get(timeout=30)
        assert first.requests >= 1
        profile_thread(lambda p: TaskService(p).add("Dikirim otomatis", 30))
        job.changed()
        report = done.get(timeout=30)
        assert report.pushed == 1
        status = profile_thread(lambda p: local.status(p.conn))
        assert (status.state, status.pending) == ("synced", 0)
    finally:
        job.stop()
        client.close()


def test_a_problem_for_the_user_also_holds_the_timed_syncs(monkeypatch):
    monkeypatch.setattr(job_mod, "AFTER_CHANGE_S", 0.1)
    monkeypatch.setattr(job_mod, "INTERVAL_JITTER_S", 0)
    calls: list[int] = []
    events: queue.Queue[str] = queue.Queue()

    def sync() -> None:
        calls.append(1)
        raise SignInNeeded("Sign-in needed")

    job = SyncJob(sync, lambda kind, _d: events.put(kind), rng=_Low(), interval_s=0.2)
    job.start(first_delay_s=0)
    try:
        assert events.get(timeout=10) == "syncing"
        assert events.get(timeout=10) == "failed"
        job.changed()  # a local change, and the interval ticking: no sync until the user acts
        time.sleep(1.5)
        assert len(calls) == 1
        job.sync_now()
        assert events.get(timeout=10) == "syncing"
    finally:
        job.stop()


def test_quitting_while_a_sync_is_being_started_leaves_no_broken_scheduler_thread():
    """The app quitting just as "sync now" fires: the scheduler's thread must not die on a job
    removed under it (APScheduler looks for it among the jobs of a stopped scheduler)."""
    errors: list[BaseException | None] = []
    before = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        for _ in range(150):
            job = SyncJob(lambda: None, lambda _k, _d: None, rng=_Low())
            job.start(first_delay_s=3600)
            asking = threading.Thread(target=lambda j=job: [j.sync_now() for _ in range(200)])
            asking.start()
            time.sleep(0.001)
            job.stop()
            asking.join()
            job.sync_now()  # after the stop: nothing, no error
    finally:
        threading.excepthook = before
    assert errors == []
