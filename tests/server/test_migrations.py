"""The migrations make exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wfh_server.db import current_revision, head_revision, make_engine, migrate
from wfh_server.models import Base


def test_migrate_from_empty_matches_the_models_and_runs_twice(server_config):
    engine = make_engine(server_config)
    try:
        assert current_revision(engine) is None
        assert migrate(engine) == head_revision() == "0005"
        assert migrate(engine) == "0005"  # again: nothing to do
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diffs == []
    finally:
        engine.dispose()


def test_every_earlier_revision_upgrades_to_the_newest(server_config):
    """A server installed at revision 0001, with an organisation in it, upgrades and keeps it."""
    from alembic import command
    from sqlalchemy import text

    from wfh_server.db import _alembic_config

    engine = make_engine(server_config)
    try:
        with engine.connect() as conn:
            command.upgrade(_alembic_config(conn), "0001")
            conn.commit()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO org(org_id, name, created_at) VALUES ('k', 'K', 1)"))
        assert current_revision(engine) == "0001"
        assert migrate(engine) == "0005"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM org")).scalar_one() == "K"
    finally:
        engine.dispose()
