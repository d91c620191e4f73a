"""The local SQLite store: schema (SQLAlchemy models + Alembic migrations) and connections.

The hot path (every ``wfh`` command) talks to SQLite through the standard library only; SQLAlchemy
and Alembic are imported when the schema must be created or upgraded.
"""
