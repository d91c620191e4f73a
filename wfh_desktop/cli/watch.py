"""``wfh watch`` (what ``make run`` starts until the tray app lands): the running task, live,
with one-key pause, resume, stop and finish. Time shown is computed from stored instants on every
refresh, so a timer started elsewhere (another ``wfh``) shows up within a second."""

from __future__ import annotations

import os
import select
import sys
from typing import Any

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr

REFRESH_SECONDS = 1.0


def _read_key(timeout: float) -> str | None:
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    if not ready:
        return None
    data = os.read(sys.stdin.fileno(), 16)
    return data.decode(errors="ignore")[:1].lower() if data else "q"


def watch(ctx: Any) -> int:
    from wfh_desktop.cli.commands import status_lines
    from wfh_desktop.timer import TimerService

    timer = TimerService(ctx.profile)
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and os.name == "posix"
    keys = tr("[p] pause  [r] resume  [s] stop  [f] finish  [q] quit")
    if not interactive:
        for line in status_lines(ctx, timer.status()):
            sys.stdout.write(line + "\n")
        return 0

    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    message = ""
    try:
        tty.setcbreak(fd)
        while True:
            lines = status_lines(ctx, timer.status())
            screen = "\x1b[H\x1b[2J" + "\n".join([tr("WFH Desktop"), "", *lines, "", keys, message])
            sys.stdout.write(screen + "\n")
            sys.stdout.flush()
            key = _read_key(REFRESH_SECONDS)
            if key is None:
                continue
            if key in ("q", "\x1b", "\x03", "\x04"):
                return 0
            action = {"p": timer.pause, "r": timer.resume, "s": timer.stop, "f": timer.finish}
            if key in action:
                try:
                    action[key]()
                    message = ""
                except UserError as e:
                    message = e.render()
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
