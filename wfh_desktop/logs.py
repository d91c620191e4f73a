"""Logging to a rotating file in the user's log folder (named loggers: ``wfh.db``, ``wfh.cli``…).

Set up only when something needs writing, so that a normal command does not pay for importing
``logging``.
"""

from __future__ import annotations

import logging
from pathlib import Path

LOG_FILE = "wfh.log"
MAX_BYTES = 1_000_000
BACKUPS = 3


def setup(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send the ``wfh`` loggers to ``log_dir/wfh.log`` (rotated); returns the file's path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger("wfh")
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        from logging.handlers import RotatingFileHandler  # here: it costs every start

        handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    return path
