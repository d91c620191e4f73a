"""Migrations: from an empty database and from every earlier revision, with a copy taken first;
the migrated schema is exactly the declared models."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wfh_desktop.store import migrate
from wfh_desktop.store.db import open_database
from wfh_desktop.store.models import Base
from wfh_desktop.store.schema import HEAD_REVISION

REVISIONS = migrate.known_revisions()


def test_head_constant_matches_the_scripts():
    assert REVISIONS[-1] == HEAD_REVISION


def test_from_empty_the_schema_is_exactly_the_models(db_path):
    open_database(db_path).close()
    engine = migrate.make_engine(db_path)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diffs == []


def _migrate_to(path, revision):
    cfg = migrate.alembic_config()
    engine = migrate.make_engine(path)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


@pytest.mark.parametrize("revision", REVISIONS)
def test_upgrade_from_every_revision_keeps_data_and_takes_a_copy(db_path, revision):
    db_path.parent.mkdir(parents=True)
    _migrate_to(db_path, revision)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "INSERT INTO task(id, title, target_minutes, assignee_user_id, created_at, updated_at) "
        "VALUES ('t1', 'Laporan', 30, 'u1', 1, 1)"
    )
    conn.commit()
    conn.close()
    conn = open_database(db_path)
    assert conn.execute("SELECT title, status FROM task").fetchall() == [("Laporan", "open")]
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
    copies = list(db_path.parent.glob("wfh.db.before-migration-*"))
    if revision != HEAD_REVISION:
        assert len(copies) == 1
        old = sqlite3.connect(copies[0])
        assert old.execute("SELECT title FROM task").fetchall() == [("Laporan",)]
        assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] == revision


def test_backup_includes_what_is_still_in_the_wal(db_path):
    conn = open_database(db_path)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(
        "INSERT INTO task(id, title, target_minutes, assignee_user_id, created_at, updated_at) "
        "VALUES ('t1', 'Only in the WAL', 30, 'u1', 1, 1)"
    )
    copy = migrate.backup(db_path, HEAD_REVISION)
    conn.close()
    rows = sqlite3.connect(copy).execute("SELECT title FROM task").fetchall()
    assert rows == [("Only in the WAL",)]


def test_every_revision_downgrades_and_upgrades_again(db_path):
    open_database(db_path).close()
    cfg = migrate.alembic_config()
    engine = migrate.make_engine(db_path)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
        command.upgrade(cfg, "head")
    engine.dispose()
    conn = open_database(db_path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION


def test_opening_an_older_database_takes_a_copy_first(db_path, monkeypatch):
    """Simulates the next schema revision: the code expects a newer head than the file has."""
    conn = open_database(db_path)
    conn.execute(
        "INSERT INTO task(id, title, target_minutes, assignee_user_id, created_at, updated_at) "
        "VALUES ('t1', 'Laporan', 30, 'u1', 1, 1)"
    )
    conn.close()
    import wfh_desktop.store.db as db

    current = HEAD_REVISION
    monkeypatch.setattr(db, "HEAD_REVISION", f"{int(current) + 1:04d}")
    db.open_database(db_path).close()
    [copy] = db_path.parent.glob(f"wfh.db.before-migration-from-{current}-*")
    assert sqlite3.connect(copy).execute("SELECT title FROM task").fetchall() == [("Laporan",)]


def test_a_profile_from_before_the_sent_mark_folds_into_nothing_it_had(db_path):
    """An earlier version may have sent a pending mutation whose answer was lost: after the
    upgrade, everything already in the outbox counts as possibly sent (``outbox.fold``)."""
    from wfh_desktop.outbox import fold

    db_path.parent.mkdir(parents=True)
    _migrate_to(db_path, "0003")
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO outbox(mutation_id, type, entity_id, payload, hlc, base_version, created_at) "
        "VALUES ('m1', 'session.upsert', 's1', ?, 'h', 0, 1)",
        (
            '{"created_at": "2026-12-01T01:00:00.000Z", "end_at": null, "task_id": "t1", '
            '"start_at": "2026-12-01T01:00:00.000Z"}',
        ),
    )
    conn.commit()
    conn.close()
    conn = open_database(db_path)
    assert conn.execute("SELECT value FROM sync_meta WHERE key = 'sent_seq'").fetchone() == ("1",)
    assert fold(conn, "session.stop", "s1", {"end_at": 2_000_000_000_000}) is None
