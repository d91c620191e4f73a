"""The migrations make exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wfh_server.db import current_revision, make_engine, migrate
from wfh_server.models import Base


def test_migrate_from_empty_matches_the_models_and_runs_twice(server_config):
    engine = make_engine(server_config)
    try:
        assert current_revision(engine) is None
        assert migrate(engine) == "0001"
        assert migrate(engine) == "0001"  # again: nothing to do
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diffs == []
    finally:
        engine.dispose()
