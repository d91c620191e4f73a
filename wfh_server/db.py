"""The server's database: the engine for SQLite or PostgreSQL, migrations, and transactions.

SQLite gets WAL, ``synchronous=FULL``, foreign keys and ``BEGIN IMMEDIATE`` (one writer at a
time, as ``SYNC.md`` expects of it); PostgreSQL runs at READ COMMITTED and relies on row locks
(the per-user counter row) where order matters.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: threads queue, processes rely on SQLite's busy wait
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, create_engine, event, inspect, update
from sqlalchemy.orm import Session, sessionmaker

from wfh_desktop.jsonfast import dumps_text
from wfh_server.config import ServerConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(config: ServerConfig) -> Engine:
    if not config.is_sqlite:
        # Enough connections for every thread of the worker's pool (40) and its event loop,
        # so that no request waits for a connection; PgBouncer in front of PostgreSQL. Each is
        # opened when first needed and then kept: with 5 kept and the rest closed on return,
        # the pool opened and closed connections all the time under load, and PostgreSQL's
        # CPU a push rose from 2.1 to 2.8 ms (docs/benchmarks.md). No ping before every use
        # (a round trip per request): a connection found broken is dropped with the whole
        # pool, that one request fails, and the client retries it.
        return create_engine(
            config.database_url, pool_size=45, max_overflow=0, json_serializer=dumps_text
        )
    config.home.mkdir(parents=True, exist_ok=True)
    engine = create_engine(config.database_url, json_serializer=dumps_text)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the BEGIN below governs
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "busy_timeout=10000",
        ):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers queue for the one write lock at once; readers never wait for a writer (WAL).
        read_only = conn.get_execution_options().get("read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision the migrations know."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return str(ScriptDirectory.from_config(cfg).get_current_head())


def migrate(engine: Engine) -> str:
    """Bring the schema to the newest revision; returns it."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        command.upgrade(_alembic_config(conn), "head")
        conn.commit()
        revision = MigrationContext.configure(conn).get_current_revision()
    return str(revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return MigrationContext.configure(conn).get_current_revision()


def now_ms() -> int:
    """The server's clock: UTC epoch milliseconds."""
    return time.time_ns() // 1_000_000


def revoke_tokens(s: Session, org_id: str, which: Any, now: int | None = None) -> None:
    """Revoke the live refresh tokens of one organisation that ``which`` picks (a user's, a
    device's, a sign-in's family)."""
    from wfh_server.models import RefreshToken

    s.execute(
        update(RefreshToken)
        .where(RefreshToken.org_id == org_id, which, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now_ms() if now is None else now)
    )


def error_text(e: Exception) -> str:
    """A database error's own message, without the SQL and its parameters (which may hold a
    password hash)."""
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only unit of work: on SQLite it never waits for a writer."""
    conn = engine.connect().execution_options(read_only=True)
    with conn, Session(conn) as session, conn.begin():
        yield session


_WRITERS: dict[str, tuple[threading.Lock, int]] = {}
_WRITERS_LOCK = threading.Lock()


@contextmanager
def _one_writer(engine: Engine) -> Iterator[None]:
    """SQLite has one writer at a time. Writers queue here, across threads (a lock) and worker
    processes (``flock`` on a file beside the database), and each is woken the moment the one
    before it commits; SQLite's own busy wait polls, up to 100 ms at a time, and gives up."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        yield
        return
    with _WRITERS_LOCK:
        if path not in _WRITERS:
            fd = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
            _WRITERS[path] = (threading.Lock(), fd)
        lock, fd = _WRITERS[path]
    with lock:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed at the end, rolled back on any error."""
    factory = sessionmaker(engine, expire_on_commit=False, autoflush=False)
    with _one_writer(engine), factory.begin() as session:
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One unit of work without the ORM (a push: SQLAlchemy Core statements on plain rows),
    committed at the end, rolled back on any error."""
    with _one_writer(engine), engine.begin() as conn:
        yield conn
