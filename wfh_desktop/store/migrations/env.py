"""Alembic environment: runs on the connection handed over by wfh_desktop.store.migrate."""

from alembic import context

from wfh_desktop.store.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transactional_ddl=True,
)
context.run_migrations()
