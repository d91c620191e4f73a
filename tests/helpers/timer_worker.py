"""A separate process that drives the real core against one database file.

``start TITLE``: start a timer on TITLE (creating it), print ``started <session id> <start ms>``,
then wait to be killed.  ``churn TITLE N``: create TITLE with one session, then start and stop
it N times, as fast as it can (N + 1 sessions).
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

from wfh_desktop.clock import SystemClock
from wfh_desktop.errors import UserError
from wfh_desktop.profile import Profile
from wfh_desktop.timer import TimerService


def main() -> None:
    db, mode, title = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    profile = Profile.open(db, SystemClock())
    timer = TimerService(profile)
    if mode == "start":
        result = timer.start_new(title, 30)
        print(f"started {result.session.id} {result.session.start_at}", flush=True)
        time.sleep(600)
    elif mode == "churn":
        timer.start_new(title, 30)
        with contextlib.suppress(UserError):  # the other process may have stopped it
            timer.stop()
        # Every start below makes a session: the task is never already running when it starts.
        for _ in range(int(sys.argv[4])):
            timer.start(title)
            with contextlib.suppress(UserError):  # the other process may have stopped it
                timer.stop()
        print("done", flush=True)


if __name__ == "__main__":
    main()
