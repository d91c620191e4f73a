"""``wfh watch`` (what ``make run`` starts until the tray app lands): the running task, live,
with one-key pause, resume, stop and finish. Time shown is computed from stored instants on every
refresh, so a timer started elsewhere (another ``wfh``) shows up within a second."""

from __future__ import annotations

import os
import select
import sys
from typing import Any

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import language, tr

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
    # One key per action, the first letter of the word in the user's language.
    letters = {
        "id": {"j": "pause", "l": "resume", "h": "stop", "s": "finish", "k": "quit"},
        "en": {"p": "pause", "r": "resume", "s": "stop", "f": "finish", "q": "quit"},
    }[language()]
    words = {
        "pause": tr("pause"),
        "resume": tr("resume"),
        "stop": tr("stop"),
        "finish": tr("finish"),
        "quit": tr("quit"),
    }
    keys = "  ".join(f"[{k}] {words[a]}" for k, a in letters.items())
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
            name = letters.get(key)
            if name == "quit" or key in ("\x1b", "\x03", "\x04"):
                return 0
            if name is not None:
                try:
                    getattr(timer, name)()
                    message = ""
                except UserError as e:
                    message = e.render()
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
