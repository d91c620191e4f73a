"""Where the profile lives. ``WFH_HOME`` moves everything (tests, portable use)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

APP_NAME = "wfh-desktop"


class Paths(NamedTuple):
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "wfh.db"

    @property
    def settings(self) -> Path:
        return self.config_dir / "settings.json"

    @staticmethod
    def resolve(environ: dict[str, str] | None = None) -> Paths:
        env = os.environ if environ is None else environ
        home = env.get("WFH_HOME")
        if home:
            root = Path(home).expanduser()
            return Paths(root / "data", root / "config", root / "logs")
        import platformdirs  # only when needed: it costs start-up time

        return Paths(
            Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )
