"""The server fixtures (SQLite and a real PostgreSQL) live in ``tests/server_fixtures.py``, a
plugin of the whole suite, so the sync client's tests share the one PostgreSQL server."""
