"""Finding a task or a session from what the user typed: a title, an id prefix or a short code."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from wfh_desktop.domain import SESSION_COLUMNS, TASK_COLUMNS, Task, WorkSession
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr

SHORT_CODE_LENGTH = 6
MIN_ID_CHARS = 4  # fewest hex digits accepted as the start of an id


def short_code(entity_id: str) -> str:
    """What lists show as an id: the last hex digits (the random part of a UUIDv7)."""
    return entity_id[-SHORT_CODE_LENGTH:]


def _id_pattern(ref: str) -> tuple[str, str] | None:
    """(canonical id prefix, compact suffix) for something that looks like a piece of an id."""
    text = ref.strip().lower()
    if not text or any(c not in "0123456789abcdef-" for c in text):
        return None
    compact = text.replace("-", "")
    if len(compact) < MIN_ID_CHARS:
        return None  # "7" or "-" must not quietly pick a record
    prefix = "-".join(
        part
        for part in (compact[:8], compact[8:12], compact[12:16], compact[16:20], compact[20:])
        if part
    )
    return prefix, compact


def _match_ids(
    conn: sqlite3.Connection, table: str, columns: str, live: str, ref: str
) -> list[tuple[object, ...]]:
    pattern = _id_pattern(ref)
    if pattern is None:
        return []
    prefix, compact = pattern
    rows = conn.execute(
        f"SELECT {columns} FROM {table} WHERE id >= ? AND id < ?{live} LIMIT 6",
        (prefix, prefix + "g"),
    ).fetchall()
    if not rows and SHORT_CODE_LENGTH <= len(compact) <= 12:
        rows = conn.execute(
            f"SELECT {columns} FROM {table} WHERE replace(substr(id, -14), '-', '') LIKE ?{live} "
            "LIMIT 6",
            ("%" + compact,),
        ).fetchall()
    return list(rows)


def _too_short(ref: str) -> None:
    """A piece of an id too short to pick one record gets its own message."""
    text = ref.strip().lower()
    hexish = text and all(c in "0123456789abcdef-" for c in text)
    if hexish and len(text.replace("-", "")) < MIN_ID_CHARS:
        raise UserError(
            "Type at least {n} characters of an id (the code that lists show has 6).",
            n=MIN_ID_CHARS,
        )


def _ambiguous(kind: str, ref: str, labels: Sequence[str]) -> UserError:
    return UserError(
        "{ref!r} matches more than one {kind}: {matches}. Type more of the id.",
        ref=ref,
        kind=kind,
        matches="; ".join(labels[:5]) + (" …" if len(labels) > 5 else ""),
    )


def find_task(
    conn: sqlite3.Connection,
    ref: str,
    *,
    include_deleted: bool = False,
    prefer: Callable[[Task], bool] | None = None,
) -> Task:
    """A task by exact title (case-insensitive), id prefix, or short code (id suffix).

    When several tasks have the title, the one ``prefer`` picks wins if it picks exactly one
    (by default: the one open task); otherwise the user is asked to be more precise.
    """
    live = "" if include_deleted else " AND deleted_at IS NULL"
    text = ref.strip()
    if not text:
        raise UserError("Name a task by its title or id.")
    rows = conn.execute(
        f"SELECT {TASK_COLUMNS} FROM task WHERE title = ? COLLATE NOCASE{live} "
        "ORDER BY status = 'done', created_at DESC",
        (text,),
    ).fetchall()
    if len(rows) > 1:
        pick = prefer or (lambda t: t.status == "open" and t.deleted_at is None)
        preferred = [r for r in rows if pick(Task._make(r))]
        if len(preferred) == 1:
            rows = preferred
    if not rows:
        rows = _match_ids(conn, "task", TASK_COLUMNS, live, text)
    if not rows:
        _too_short(text)
        raise UserError("No task matches {ref!r}. See 'wfh task list'.", ref=ref)
    if len(rows) > 1:
        raise _ambiguous(tr("task"), ref, [f"{short_code(str(r[0]))} {r[1]}" for r in rows])
    return Task._make(rows[0])


def find_session(
    conn: sqlite3.Connection, ref: str, *, include_deleted: bool = False
) -> WorkSession:
    """A session by id prefix or short code."""
    live = "" if include_deleted else " AND deleted_at IS NULL"
    rows = _match_ids(conn, "session", SESSION_COLUMNS, live, ref)
    if not rows:
        _too_short(ref)
        raise UserError("No session has the id {ref!r}. See 'wfh log'.", ref=ref)
    if len(rows) > 1:
        raise _ambiguous(tr("session"), ref, [short_code(str(r[0])) for r in rows])
    return WorkSession._make(rows[0])


def get_task(conn: sqlite3.Connection, task_id: str) -> Task:
    """The task with this exact id (deleted or not); the id comes from stored data."""
    row = conn.execute(f"SELECT {TASK_COLUMNS} FROM task WHERE id = ?", (task_id,)).fetchone()
    if row is None:
        raise UserError("No task matches {ref!r}. See 'wfh task list'.", ref=task_id)
    return Task._make(row)
