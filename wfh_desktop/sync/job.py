"""The background sync (SYNC.md, "Scheduling, retry"): an APScheduler ``BackgroundScheduler``
that syncs every 5 minutes with up to a minute of jitter, a few seconds after each local change,
when the network comes back, and soon after start (after a random delay of up to 2 minutes, so
that a whole office opening laptops at 07.30 does not arrive at once); one sync at a time.

A failed attempt is tried again after an exponential backoff with full jitter (2 s doubling, at
most 5 minutes), never sooner than a ``Retry-After``; a failure that needs the user (sign in,
update the app) waits for them. The job tells what happened through ``on_event``; it never
touches a widget (the tray app turns the events into a Qt signal).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from wfh_desktop.sync.errors import RateLimited, SyncError

log = logging.getLogger("wfh.sync")

INTERVAL_S = 300
INTERVAL_JITTER_S = 60
AFTER_CHANGE_S = 3.0
START_DELAY_MAX_S = 120.0
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0

Event = Callable[[str, Any], None]  # ("syncing" | "progress" | "done" | "failed", detail)


def backoff_s(attempt: int, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempt)] (the AWS analysis)."""
    return rng.uniform(0.0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** min(attempt, 30)))


def retry_in_s(error: BaseException, attempt: int, rng: random.Random) -> float | None:
    """When to try again after ``error``; None when only the user can fix it."""
    if isinstance(error, SyncError) and not error.retry:
        return None
    wait = backoff_s(attempt, rng)
    if isinstance(error, RateLimited):
        wait = max(wait, error.wait_s)
    return wait


class SyncJob:
    """Runs ``sync()`` in the background. ``sync`` raises :class:`SyncError` when an attempt
    fails; anything else it raises is logged and treated as a failure to retry."""

    def __init__(
        self,
        sync: Callable[[], Any],
        on_event: Event,
        *,
        rng: random.Random | None = None,
        interval_s: float = INTERVAL_S,
    ) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._sync = sync
        self._on_event = on_event
        self._rng = rng or random.Random()
        self._interval_s = interval_s
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._running = threading.Lock()
        self._jobs = threading.Lock()  # adding a job against stopping
        self._stopped = False
        self._again = False
        self.attempt = 0  # failures in a row
        self.next_retry_s: float | None = None
        self._waiting_for_user = False  # sign in, update: only "sync now" tries again
        self._hold_until = 0.0  # monotonic: no timed sync before (a long Retry-After)

    def start(self, first_delay_s: float | None = None) -> None:
        """Start: the first sync after ``first_delay_s`` (default: random, up to 2 minutes),
        then every 5 minutes with jitter."""
        from apscheduler.triggers.interval import IntervalTrigger

        self._scheduler.start()
        self._scheduler.add_job(
            self._run,
            IntervalTrigger(seconds=self._interval_s, jitter=INTERVAL_JITTER_S),
            args=["timed"],
            id="interval",
            max_instances=1,
            coalesce=True,
        )
        delay = self._rng.uniform(0, START_DELAY_MAX_S) if first_delay_s is None else first_delay_s
        self._once(delay, "start")

    def stop(self, wait: bool = True) -> None:
        with self._jobs:
            self._stopped = True  # no job is added from now on
        if self._scheduler.running:
            # Jobs first, while the scheduler still runs: a stopped APScheduler looks for a
            # one-off job it has just run among its pending jobs, fails, and its thread dies.
            self._scheduler.remove_all_jobs()
            self._scheduler.shutdown(wait=wait)

    def sync_now(self) -> None:
        """ "Sync now" from the tray or the window, and the network coming back."""
        self.attempt = 0
        self._waiting_for_user = False
        self._hold_until = 0.0
        self._once(0.0, "now")

    def changed(self) -> None:
        """A local change: a push a few seconds later, once for a burst of changes."""
        self._once(AFTER_CHANGE_S, "soon")

    def _once(self, delay_s: float, job_id: str) -> None:
        from apscheduler.triggers.date import DateTrigger

        with self._jobs:
            if self._stopped or not self._scheduler.running:
                return
            at = datetime.now(UTC) + timedelta(seconds=delay_s)
            self._scheduler.add_job(
                self._run,
                DateTrigger(run_date=at),
                args=["asked" if job_id in ("now", "retry") else "timed"],
                id=job_id,
                replace_existing=True,
                # Not 1: a request while this job's sync runs must reach _run, which asks for
                # another sync after it, instead of being skipped by the scheduler.
                max_instances=3,
                misfire_grace_time=None,
            )

    def _run(self, why: str = "asked") -> None:
        if why == "timed" and (
            self._waiting_for_user or time.monotonic() < self._hold_until
        ):  # the interval, a change or the start: not while the user or the server said wait
            return
        if not self._running.acquire(blocking=False):
            self._again = True  # one sync at a time; this one asks for another after it
            return
        try:
            self._again = False
            self._on_event("syncing", None)
            try:
                report = self._sync()
            except Exception as e:
                if not isinstance(e, SyncError):
                    log.exception("sync failed")
                wait = retry_in_s(e, self.attempt, self._rng)
                self.attempt += 1
                self.next_retry_s = wait
                self._waiting_for_user = wait is None
                if wait is not None:
                    self._hold_until = time.monotonic() + wait
                    self._once(wait, "retry")
                self._on_event("failed", e)
            else:
                self.attempt = 0
                self.next_retry_s = None
                self._waiting_for_user = False
                self._hold_until = 0.0
                self._on_event("done", report)
        finally:
            self._running.release()
        if self._again:
            self._once(0.0, "now")
