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
    access_ttl_s: int = 15 * 60  # access tokens (JWT), kept in the client's memory
    refresh_ttl_s: int = 90 * 24 * 3600  # the longest supported offline period (SYNC.md)
    refresh_grace_s: int = 120  # an old refresh token still works this long (a lost answer)
    slow_after: int = 3  # failed sign-ins before each next try waits (2 s, 4 s, ...)
    lock_after: int = 5  # failed sign-ins before the account locks
    lock_s: int = 15 * 60
    rate_per_hour: int = 120  # sync requests per device (SYNC.md: load model); 0: no limit
    rate_burst: int = 20

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
        # The timings can be changed for a test network (and for the tests).
        config = ServerConfig(home, url)

        def timing(name: str, default: int) -> int:
            value = env.get(f"WFH_SERVER_{name.upper()}")
            return int(value) if value else default

        return config._replace(
            access_ttl_s=timing("access_ttl_s", config.access_ttl_s),
            refresh_grace_s=timing("refresh_grace_s", config.refresh_grace_s),
            lock_s=timing("lock_s", config.lock_s),
            rate_per_hour=timing("rate_per_hour", config.rate_per_hour),
            rate_burst=timing("rate_burst", config.rate_burst),
        )
