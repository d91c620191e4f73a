"""The schema revision this code expects. Kept in a tiny module so that opening the database does
not import Alembic; a test checks it against the migration scripts' head."""

HEAD_REVISION = "0005"
