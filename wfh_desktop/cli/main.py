"""``wfh``: the command line. This is a composition root: it reads settings, chooses the language
and the clock, opens the profile and hands it to the services."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import choose_language, set_language, tr

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


def make_clock() -> Any:
    """The system clock, or a fixed instant from ``WFH_FAKE_NOW`` (ISO 8601; tests only)."""
    fake = os.environ.get("WFH_FAKE_NOW")
    if fake:
        from datetime import datetime

        from wfh_desktop.clock import FixedClock

        return FixedClock(int(datetime.fromisoformat(fake).timestamp() * 1000))
    from wfh_desktop.clock import SystemClock

    return SystemClock()


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    from wfh_desktop import settings as settings_mod
    from wfh_desktop.paths import Paths

    paths = Paths.resolve()
    settings, moved = settings_mod.load(paths.settings)
    set_language(choose_language(args_list, settings.language))
    if moved:
        print(
            tr(
                "wfh: the settings file could not be read; it was moved to {path} and the "
                "defaults are used.",
                path=moved,
            ),
            file=sys.stderr,
        )

    from wfh_desktop.cli.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.version:
        from wfh_desktop import __version__

        print(f"wfh {__version__}")
        return EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        from wfh_desktop.cli import commands

        return commands.run(args, paths, settings, make_clock())
    except UserError as e:
        print(f"wfh: {e.render()}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped early (`wfh report --all | head`): that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception:
        # A bug, not a user mistake: keep the details in the log, say one line.
        from wfh_desktop import logs

        log_file = logs.setup(paths.log_dir)
        import logging

        logging.getLogger("wfh.cli").exception("wfh %s failed", " ".join(args_list))
        print(
            tr(
                "wfh: something went wrong inside wfh; nothing you stored was lost. "
                "Details are in {path}.",
                path=str(log_file),
            ),
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
