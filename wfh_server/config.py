"""Where the server keeps its data, and which database it uses.

With no configuration the database is a SQLite file in the server's data folder;
``WFH_SERVER_DATABASE_URL=postgresql+psycopg://…`` points it at PostgreSQL. ``WFH_SERVER_HOME``
moves the data folder (tests, portable use).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

APP_NAME = "wfh-server"


class ServerConfig(NamedTuple):
    home: Path
    database_url: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @staticmethod
    def resolve(environ: dict[str, str] | None = None) -> ServerConfig:
        env = os.environ if environ is None else environ
        if env.get("WFH_SERVER_HOME"):
            home = Path(env["WFH_SERVER_HOME"]).expanduser()
        else:
            import platformdirs

            home = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        url = env.get("WFH_SERVER_DATABASE_URL") or f"sqlite:///{home / 'wfh-server.db'}"
        return ServerConfig(home, url)
