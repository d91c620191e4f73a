"""Schema upgrades with Alembic, with a copy of the database taken before any migration."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from wfh_desktop.errors import StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def known_revisions() -> list[str]:
    """All revisions, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def make_engine(path: Path) -> Any:
    """A SQLAlchemy engine whose transactions really are transactions (DDL included)."""
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let the BEGIN below govern
        dbapi_conn.execute("PRAGMA busy_timeout=10000")
        dbapi_conn.execute("PRAGMA synchronous=FULL")
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def backup(path: Path, revision: str) -> Path:
    """Copy the database (WAL contents included) before it is migrated."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.before-migration-from-{revision}-{stamp}")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade(path: Path, current: str | None, target: str = "head") -> Path | None:
    """Bring the database at ``path`` to ``target``; returns the backup made, if any."""
    from alembic import command

    revisions = known_revisions()
    if current is not None and current not in revisions:
        raise StoreError(
            "The database {path} was made by a newer version of WFH Desktop (schema {revision}). "
            "Update WFH Desktop; the database was not changed.",
            path=str(path),
            revision=current,
        )
    copy = backup(path, current) if current is not None else None
    cfg = alembic_config()
    engine = make_engine(path)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
    finally:
        engine.dispose()
    return copy
