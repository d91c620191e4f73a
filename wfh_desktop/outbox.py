"""The transactional outbox (SYNC.md): every local change writes one mutation row in the same
SQLite transaction as the change itself."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from wfh_desktop import hlc
from wfh_desktop.ids import uuid7
from wfh_desktop.timefmt import iso_utc
from wfh_server import merge  # the server's own checks of a record's fields

# SYNC.md: the server decides these (overlap and auto-stop flags); the client computes its own
# for the user to see, and never sends them.
SERVER_OWNED = ("needs_review", "auto_stop_reason")
_NOT_SENT = ("id", "version", "updated_at", *SERVER_OWNED)

INSTANT_FIELDS = frozenset({"start_at", "end_at", "done_at", "deleted_at", "created_at", "at"})


def wire_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields as they travel: instants as ISO-8601 UTC strings."""
    return {
        k: (iso_utc(v) if k in INSTANT_FIELDS and isinstance(v, int) else v)
        for k, v in fields.items()
    }


def created_fields(record: Any) -> dict[str, Any]:
    """The fields a create mutation carries: all of a new record's but its id (the mutation's
    entity), local bookkeeping and the server-owned flags."""
    return {k: v for k, v in record._asdict().items() if k not in _NOT_SENT}


# A change that a record's creation can carry, when that creation has not been sent yet: the
# type of the change -> the type of the creation.
FOLDED = {"session.stop": "session.upsert", "task.upsert": "task.upsert"}
SENT_MARK = "sent_seq"  # sync_meta: the highest seq that may have reached the server


def fold(
    conn: sqlite3.Connection, type_: str, entity_id: str, fields: dict[str, Any]
) -> int | None:
    """Put a change into the record's creation, if that is still here unsent, and return its
    ``seq``; ``None`` when the change needs a mutation of its own.

    A session timed offline is then one mutation instead of a start and a stop, and a task
    made and finished offline one instead of two: half a long offline backlog. It is safe
    only while no server can have seen the creation, so it must be the record's newest
    mutation, pending, made here (``base_version`` 0), above the mark the sync job moves
    before each push (``sent_seq``, in the transaction that reads the push), and nothing
    about the record may follow it (a handoff of the task). The creation keeps its HLC: no
    other device knows the record, so no other change can compete with it."""
    row = conn.execute(
        "SELECT seq, type, payload, status, base_version FROM outbox WHERE entity_id = ? "
        "ORDER BY seq DESC LIMIT 1",
        (entity_id,),
    ).fetchone()
    if row is None:
        return None
    seq, kind, payload, status, base_version = row
    if kind != FOLDED[type_] or status != "pending" or base_version != 0:
        return None
    mark = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (SENT_MARK,)).fetchone()
    if mark is not None and seq <= int(mark[0]):
        return None
    created = json.loads(payload)
    if "created_at" not in created:  # an edit of a record made here, not its creation
        return None
    if type_ == "session.stop":
        if created.get("end_at") is not None:
            return None
    elif conn.execute(
        "SELECT 1 FROM outbox WHERE seq > ? AND type = 'task.handoff' "
        "AND json_extract(payload, '$.task_id') = ?",
        (seq, entity_id),
    ).fetchone():
        return None
    created.update(wire_fields(fields))
    try:  # a change the server would refuse must not take the creation down with it
        merge.clean(
            merge.SESSION if type_.startswith("session.") else merge.TASK, "upsert", created
        )
    except merge.Reject:
        return None
    conn.execute(
        "UPDATE outbox SET payload = ? WHERE seq = ?",
        (json.dumps(created, ensure_ascii=False, sort_keys=True), seq),
    )
    return int(seq)


class MutationWriter:
    """Appends mutations for one profile (device) inside the caller's open transaction."""

    def __init__(self, conn: sqlite3.Connection, device_id: str) -> None:
        self._conn = conn
        self._device = device_id
        self._last: hlc.Hlc | None = None

    def _next_hlc(self, now_ms: int) -> str:
        if self._last is None:
            row = self._conn.execute(
                "SELECT value FROM sync_meta WHERE key = 'hlc_last'"
            ).fetchone()
            self._last = hlc.Hlc.decode(row[0]) if row else None
        self._last = hlc.tick(self._last, now_ms, self._device)
        stamp = self._last.encode()
        self._conn.execute(
            "INSERT INTO sync_meta(key, value) VALUES ('hlc_last', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (stamp,),
        )
        return stamp

    def append(
        self,
        now_ms: int,
        type_: str,
        entity_id: str,
        fields: dict[str, Any],
        base_version: int | None,
        clock_off_ms: int | None = None,
    ) -> int:
        """Record one mutation; returns its ``seq``. Must run inside a write transaction.

        A stop or a task change of a record whose creation has never been sent travels inside
        that creation (see :func:`fold`). ``clock_off_ms``: this computer's clock is known to
        be at least this far off (it reads before a start it timed): sent instead of the offset
        measured at the last sync, so that the server flags the record for review."""
        if type_ in FOLDED:
            folded = fold(self._conn, type_, entity_id, fields)
            if folded is not None:
                if clock_off_ms:
                    self._conn.execute(
                        "UPDATE outbox SET clock_offset_ms = ? WHERE seq = ? "
                        "AND abs(coalesce(clock_offset_ms, 0)) < ?",
                        (clock_off_ms, folded, abs(clock_off_ms)),
                    )
                return folded
        stamp = self._next_hlc(now_ms)
        cur = self._conn.execute(
            "INSERT INTO outbox(mutation_id, type, entity_id, payload, hlc, base_version, "
            "clock_offset_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, "
            "coalesce(?, (SELECT CAST(value AS INTEGER) FROM sync_meta "
            "WHERE key = 'clock_offset_ms')), ?)",
            (
                uuid7(now_ms),
                type_,
                entity_id,
                json.dumps(wire_fields(fields), ensure_ascii=False, sort_keys=True),
                stamp,
                base_version,
                clock_off_ms or None,
                now_ms,
            ),
        )
        seq = cur.lastrowid
        assert seq is not None
        return seq

    def forget_cached_hlc(self) -> None:
        """Drop the cached HLC: at the start of every transaction, and after a rollback."""
        self._last = None
