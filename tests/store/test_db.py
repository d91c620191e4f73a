"""Opening the database: durability settings, damaged files moved aside, newer schemas refused."""

from __future__ import annotations

import pytest

from wfh_desktop.errors import StoreError
from wfh_desktop.store.db import open_database
from wfh_desktop.store.schema import HEAD_REVISION


def test_durability_settings_are_in_force(db_path):
    conn = open_database(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_file_that_is_not_sqlite_is_moved_aside_never_overwritten(db_path):
    db_path.parent.mkdir(parents=True)
    garbage = b"this is somebody's spreadsheet, not a database\n" * 200
    db_path.write_bytes(garbage)
    with pytest.raises(StoreError, match="not a readable SQLite database") as info:
        open_database(db_path)
    assert not db_path.exists()
    moved = [p for p in db_path.parent.iterdir() if p.name.startswith("wfh.db.unreadable-")]
    assert len(moved) == 1 and moved[0].read_bytes() == garbage
    assert str(moved[0]) in info.value.render()
    # The next start gets a fresh, working database; the moved file is still there.
    conn = open_database(db_path)
    assert conn.execute("SELECT count(*) FROM task").fetchone()[0] == 0
    assert moved[0].read_bytes() == garbage


def test_a_database_from_a_newer_version_is_left_untouched(db_path):
    conn = open_database(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer version"):
        open_database(db_path)
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("*.before-migration-*"))


def test_a_directory_in_the_way_is_a_clear_error(db_path):
    db_path.mkdir(parents=True)
    with pytest.raises(StoreError, match="Cannot open the database"):
        open_database(db_path)


def test_reopening_does_not_migrate_again(db_path):
    open_database(db_path).close()
    conn = open_database(db_path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
    assert not list(db_path.parent.glob("*.before-migration-*"))  # no migration, so no copy
