"""The local side of sync, in SQLite: the account binding, the outbox as it is pushed, records as
the server sends them, and the state the status line shows.

Rules (SYNC.md, "Client storage"):
- a pulled record is written with the page's cursor in one transaction (I5), and the cursor
  never goes back;
- a record with pending local mutations is rebased: the server's version, then the pending
  mutations replayed on top, so a pull never removes an un-sent change (I6);
- a record older than what is here is ignored (versions only grow), so a replayed or reordered
  answer changes nothing;
- a session whose task has not arrived yet is parked and applied when its task comes;
- the one-running-session rule is applied locally the way the server applies it, so the
  database's own guard (one running session per person) never refuses the server's data.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wfh_desktop import hlc, jsonfast
from wfh_desktop.handoffs import others_ms, others_running
from wfh_desktop.outbox import SENT_MARK
from wfh_desktop.profile import sync_meta
from wfh_desktop.timefmt import epoch_ms

if TYPE_CHECKING:  # pydantic costs 0.2 s to import: `wfh sync --status` does without it
    from wfh_server.protocol import UserInfo

ACKED_KEEP_MS = 14 * 24 * 3600_000  # acked mutations kept for a re-push after a server restore

TASK_COLUMNS = (
    "title",
    "target_minutes",
    "rhk",
    "output",
    "volume",
    "unit",
    "status",
    "done_at",
    "assignee_user_id",
    "owner_user_id",
    "created_at",
    "deleted_at",
    "participants",
    "shares",
)
SESSION_COLUMNS = (
    "task_id",
    "owner_user_id",
    "start_at",
    "end_at",
    "source",
    "origin_device",
    "auto_stop_reason",
    "needs_review",
    "note",
    "created_at",
    "deleted_at",
)
HANDOFF_COLUMNS = (
    "task_id",
    "from_user",
    "to_user",
    "at",
    "note",
    "status",
    "origin_device",
    "from_nip",
    "from_name",
    "to_nip",
    "to_name",
    "answer_note",
    "answered_at",
)
INSTANTS = frozenset(
    {"start_at", "end_at", "done_at", "created_at", "deleted_at", "at", "answered_at"}
)
# What a replayed local mutation may set (never the server-owned flags).
_REPLAYED = {
    "task": frozenset(TASK_COLUMNS)
    - {"owner_user_id", "deleted_at", "created_at", "participants", "shares"},
    "handoff": frozenset(),  # only a pending answer of mine (see _replay)
    "session": frozenset(SESSION_COLUMNS)
    - {"needs_review", "auto_stop_reason", "deleted_at", "created_at"},
}


def ms(value: Any) -> int | None:
    """An instant as it travels (ISO-8601 with its offset) as epoch ms."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    dt = datetime.fromisoformat(str(value))
    return epoch_ms(dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC))


# ---- sync_meta --------------------------------------------------------------------------


meta = sync_meta


def set_meta(conn: sqlite3.Connection, key: str, value: str | int | None) -> None:
    if value is None:
        conn.execute("DELETE FROM sync_meta WHERE key = ?", (key,))
        return
    conn.execute(
        "INSERT INTO sync_meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, str(value)),
    )


def meta_int(conn: sqlite3.Connection, key: str, default: int = 0) -> int:
    value = meta(conn, key)
    return default if value is None else int(value)


def raise_meta(conn: sqlite3.Connection, key: str, value: int) -> None:
    """A mark that only goes up."""
    if value > meta_int(conn, key):
        set_meta(conn, key, value)


# ---- binding the profile to an account ------------------------------------------------------


class BoundElsewhere(Exception):
    def __init__(self, name: str, nip: str) -> None:
        super().__init__(name)
        self.name, self.nip = name, nip


def bind(conn: sqlite3.Connection, server_url: str, user: UserInfo) -> bool:
    """Make the local profile the account's (inside the caller's write transaction): the
    records tracked before the first sign-in become the account's, in the tables and in the
    mutations still to send. True on the first binding."""
    bound = meta(conn, "account_user_id")
    if bound is not None and bound != user.user_id:
        raise BoundElsewhere(meta(conn, "account_name") or "", meta(conn, "account_nip") or "")
    local = meta(conn, "user_id")
    first = bound is None
    if local is not None and local != user.user_id:
        new = user.user_id
        conn.execute("UPDATE session SET owner_user_id = ? WHERE owner_user_id = ?", (new, local))
        conn.execute(
            "UPDATE task SET assignee_user_id = ? WHERE assignee_user_id = ?", (new, local)
        )
        # Inside SQLite: a year offline is some 160,000 rows, rewritten without bringing them
        # into Python (memory stays flat). Only pending rows of a profile never bound are
        # rewritten: none of them has been sent, so none has a content hash on the server yet.
        # As text, in one pass: the local id is a UUID, and quoted it matches the whole of a
        # JSON string (a quote inside one is escaped), the owner or the assignee, or at most
        # the end of a text that ends in a quote and this very id. SQLite's JSON functions
        # took two passes and twice the time (docs/benchmarks.md).
        conn.execute(
            "UPDATE outbox SET payload = replace(payload, :old, :new) "
            "WHERE status = 'pending' AND instr(payload, :old) > 0",
            {"old": json.dumps(local), "new": json.dumps(new)},
        )
    conn.execute("UPDATE task SET owner_user_id = ? WHERE owner_user_id IS NULL", (user.user_id,))
    for key, value in (
        ("user_id", user.user_id),
        ("account_user_id", user.user_id),
        ("account_org_id", user.org_id),
        ("account_nip", user.nip),
        ("account_name", user.name),
        ("account_unit", user.unit),
        ("server_url", server_url),
        ("signed_in", "1"),
    ):
        set_meta(conn, key, value)
    return first


# ---- the outbox -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    seq: int
    mutation: dict[str, Any]  # as it travels
    size: int


def pending(conn: sqlite3.Connection, limit: int, max_bytes: int, after: int = 0) -> list[Pending]:
    """The oldest pending mutations above seq ``after``, at most ``limit`` and about
    ``max_bytes``; at least one."""
    base = meta_int(conn, "seq_base")
    rows = conn.execute(
        "SELECT seq, mutation_id, type, entity_id, payload, hlc, base_version, clock_offset_ms "
        "FROM outbox WHERE status = 'pending' AND seq > ? ORDER BY seq LIMIT ?",
        (after, limit),
    ).fetchall()
    out: list[Pending] = []
    total = 0
    for seq, mid, type_, entity, payload, stamp, base_version, offset in rows:
        m = {
            "seq": seq - base,
            "mutation_id": mid,
            "type": type_,
            "entity_id": entity,
            "hlc": stamp,
            "base_version": base_version,
            "clock_offset_ms": offset,
            "fields": json.loads(payload),
        }
        size = len(payload) + 300
        if out and total + size > max_bytes:
            break
        out.append(Pending(seq, m, size))
        total += size
    return out


def take(
    conn: sqlite3.Connection, limit: int, max_bytes: int, after: int = 0, early: bool = False
) -> tuple[list[Pending], int]:
    """The next push (pending, above seq ``after``), read in a write transaction that also
    moves the sent mark over it: from now on these mutations may be on the server as they
    are, no later change is folded into them (``outbox.fold``) and no handoff among them is
    rebased (:func:`rebase_handoffs`). ``early`` (an answer before it is still to be written):
    a push holding a handoff is not taken (empty), since that answer may rebase it. Returns
    the push and the mark as it was before."""
    before = meta_int(conn, SENT_MARK)
    batch = pending(conn, limit, max_bytes, after)
    if early and any(p.mutation["type"] == "task.handoff" for p in batch):
        return [], before
    if batch and batch[-1].seq > before:
        set_meta(conn, SENT_MARK, batch[-1].seq)
    return batch, before


def unsent(conn: sqlite3.Connection, back_to: int, moved_to: int) -> None:
    """The push never left this computer (no connection): its mutations may be folded into
    again. Only if no other push has moved the mark since."""
    conn.execute(
        "UPDATE sync_meta SET value = ? WHERE key = ? AND value = ?",
        (str(back_to), SENT_MARK, str(moved_to)),
    )


def count_pending(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0])


def mark_results(
    conn: sqlite3.Connection,
    sent: Iterable[Pending],
    results: Iterable[Mapping[str, Any]],
    now: int,
) -> tuple[int, int]:
    """Each answered mutation acked or rejected, with its result; returns (acked, rejected)."""
    by_seq = {p.mutation["seq"]: p for p in sent}
    acked = rejected = 0
    rows: list[tuple[str, str, int, int]] = []
    for r in results:
        p = by_seq.get(r["seq"])
        if p is None:
            continue
        # A duplicate of a refused mutation (its first answer was lost) is still refused.
        refused = r["status"] == "rejected" or r.get("original_status") == "rejected"
        status = "rejected" if refused else "acked"
        stored = {k: v for k, v in r.items() if v is not None and k != "record"}
        rows.append((status, jsonfast.dumps_text(stored), now, p.seq))
        if status == "acked":
            acked += 1
        else:
            rejected += 1
    conn.executemany(
        "UPDATE outbox SET status = ?, result = ?, acked_at = ?, attempts = attempts + 1, "
        "last_error = NULL WHERE seq = ? AND status = 'pending'",
        rows,
    )
    return acked, rejected


def resend_from(conn: sqlite3.Connection, wire_seq: int) -> int:
    """After a ``seq_gap``: the server has lost mutations from ``wire_seq`` on (restored from a
    backup); the retained ones are sent again. Returns how many."""
    base = meta_int(conn, "seq_base")
    cur = conn.execute(
        "UPDATE outbox SET status = 'pending' WHERE seq >= ? AND status != 'pending'",
        (wire_seq + base,),
    )
    if meta_int(conn, "answered_seq") >= wire_seq:  # answers the server no longer stands by
        set_meta(conn, "answered_seq", wire_seq - 1 or None)
    return cur.rowcount


def device_conflict(conn: sqlite3.Connection) -> None:
    """Another install answers to this device id: sign in again to register anew."""
    set_meta(conn, "device_conflict", "1")
    set_meta(conn, "signed_in", None)


def server_restored(conn: sqlite3.Connection) -> None:
    """The server lost changes (restored from a backup): every retained acked mutation is sent
    again, and the feed is read from the start."""
    conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'acked'")
    conn.execute("DELETE FROM sync_meta WHERE key IN ('pull_cursor', 'answered_seq')")


def purge_acked(conn: sqlite3.Connection, now: int) -> None:
    conn.execute(
        "DELETE FROM outbox WHERE status = 'acked' AND acked_at < ?", (now - ACKED_KEEP_MS,)
    )


# ---- records from the server ----------------------------------------------------------------


def _local_values(entity: str, record: Mapping[str, Any]) -> dict[str, Any]:
    columns = {"task": TASK_COLUMNS, "session": SESSION_COLUMNS, "handoff": HANDOFF_COLUMNS}[entity]
    values = {c: (ms(record.get(c)) if c in INSTANTS else record.get(c)) for c in columns}
    if entity in ("task", "session"):
        conflicts = record.get("conflicts")
        values["conflicts"] = json.dumps(conflicts, ensure_ascii=False) if conflicts else None
    if entity == "session":
        values["source"] = values["source"] or "timer"
        values["origin_device"] = values["origin_device"] or ""
        values["created_at"] = values["created_at"] or values["start_at"]
    elif entity == "task":
        values["status"] = values["status"] or "open"
        shares = record.get("shares")
        values["shares"] = json.dumps(shares, ensure_ascii=False) if shares else None
    elif entity == "handoff":
        values["created_at"] = ms(record.get("created_at")) or values["at"]
        shares = record.get("shares")
        values["shares"] = json.dumps(shares, ensure_ascii=False) if shares else None
    return values


def _replay(
    entity: str,
    values: dict[str, Any],
    conn: sqlite3.Connection,
    entity_id: str,
    pending: bool = True,
) -> None:
    """The entity's pending mutations, replayed on ``values`` in order (the rebase).
    ``pending`` False: it is known to have none."""
    rows = (
        conn.execute(
            "SELECT type, payload, created_at FROM outbox "
            "WHERE entity_id = ? AND status = 'pending' ORDER BY seq",
            (entity_id,),
        ).fetchall()
        if pending
        else []
    )
    allowed = _REPLAYED.get(entity, frozenset())
    for type_, payload, created_at in rows:
        op = type_.split(".", 1)[1]
        fields = json.loads(payload)
        if op in ("accept", "decline"):  # my answer to a handoff, not sent yet
            values["status"] = "accepted" if op == "accept" else "declined"
            values["answer_note"] = fields.get("reason")
            values["answered_at"] = ms(fields.get("at"))
        elif op == "stop":
            if values.get("end_at") is None:
                values["end_at"] = ms(fields.get("end_at"))
        elif op == "delete":
            if values.get("deleted_at") is None:
                values["deleted_at"] = created_at
        elif op == "restore":
            values["deleted_at"] = None
        elif op in ("upsert", "edit"):
            for name, value in fields.items():
                if name in allowed:
                    values[name] = ms(value) if name in INSTANTS else value
    if entity == "task":  # a handoff of it not sent yet: it is no longer mine to work on
        handing = conn.execute(
            "SELECT json_extract(payload, '$.to_nip') FROM outbox WHERE status = 'pending' "
            "AND type = 'task.handoff' AND json_extract(payload, '$.task_id') = ? "
            "ORDER BY seq DESC LIMIT 1",
            (entity_id,),
        ).fetchone()
        if handing is not None:
            values["assignee_user_id"] = f"nip:{handing[0]}"


def _local_row(conn: sqlite3.Connection, table: str, ident: str) -> dict[str, Any] | None:
    return next(_dicts(conn.execute(f"SELECT * FROM {table} WHERE id = ?", (ident,))), None)


def _dicts(cursor: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    """A cursor's rows as dicts by column name."""
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def _upsert(conn: sqlite3.Connection, table: str, ident: str, values: dict[str, Any]) -> None:
    names = list(values)
    conn.execute(
        f"INSERT INTO {table}(id, {', '.join(names)}) VALUES (?, {', '.join('?' * len(names))}) "
        f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in names)}",
        [ident, *values.values()],
    )


def _store(
    conn: sqlite3.Connection,
    table: str,
    ident: str,
    values: dict[str, Any],
    here: dict[str, Any] | None,
) -> None:
    """``values`` written over the row ``here`` (None: there is none yet). Only the columns
    that differ are set: a push's answer mostly brings back what this computer wrote, and
    setting every column made SQLite rewrite every index of the row (a third of the time it
    took to write an answer)."""
    if here is None:
        _upsert(conn, table, ident, values)
        return
    changed = {n: v for n, v in values.items() if n not in here or here[n] != v}
    if changed:
        conn.execute(
            f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in changed)} WHERE id = ?",
            [*changed.values(), ident],
        )


class Applying:
    """What records written in one transaction share, read once: who is signed in, whether
    any record waits (``sync_parked``), and for the records given (a push's answer, a page)
    their rows here, which of their tasks are here and which of them have pending mutations,
    a statement a table for them all instead of three a record (writing a push's answer was
    the client's time in a long backlog, docs/benchmarks.md). What this run writes keeps these
    up to date; :meth:`forget` drops them when something else changes the tables."""

    def __init__(
        self, conn: sqlite3.Connection, records: Iterable[tuple[str, Mapping[str, Any]]] = ()
    ) -> None:
        self.me = meta(conn, "account_user_id")
        self.parked = conn.execute("SELECT 1 FROM sync_parked LIMIT 1").fetchone() is not None
        self.rows: dict[tuple[str, str], dict[str, Any] | None] = {}
        self.tasks: set[str] = set()  # tasks known to be here
        self.pending: set[str] | None = None  # records with pending mutations; None: ask
        ids: dict[str, set[str]] = {}
        task_ids: set[str] = set()
        for entity, record in records:
            if entity in _TABLES and record.get("id") is not None:
                ids.setdefault(entity, set()).add(str(record["id"]))
                if entity == "session" and record.get("task_id") is not None:
                    task_ids.add(str(record["task_id"]))
        if not ids:
            return
        for entity, wanted in ids.items():
            for chunk in _chunks(sorted(wanted)):
                query = f"SELECT * FROM {entity} WHERE id IN ({', '.join('?' * len(chunk))})"
                for found in _dicts(conn.execute(query, chunk)):
                    self.rows[(entity, str(found["id"]))] = found
            for ident in wanted:
                self.rows.setdefault((entity, ident), None)
        self.tasks = {
            ident for (entity, ident), row in self.rows.items() if entity == "task" and row
        }
        self.tasks |= _present(conn, "SELECT id FROM task WHERE id IN ({})", task_ids)
        self.pending = _present(
            conn,
            "SELECT DISTINCT entity_id FROM outbox WHERE status = 'pending' AND entity_id IN ({})",
            set().union(*ids.values()),
        )

    def row(self, conn: sqlite3.Connection, entity: str, ident: str) -> dict[str, Any] | None:
        key = (entity, ident)
        return self.rows[key] if key in self.rows else _local_row(conn, entity, ident)

    def has_task(self, conn: sqlite3.Connection, task_id: str) -> bool:
        if task_id in self.tasks:
            return True
        return conn.execute("SELECT 1 FROM task WHERE id = ?", (task_id,)).fetchone() is not None

    def may_be_pending(self, ident: str) -> bool:
        return self.pending is None or ident in self.pending

    def stored(
        self, entity: str, ident: str, here: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        self.rows[(entity, ident)] = (here or {"id": ident}) | values
        if entity == "task":
            self.tasks.add(ident)

    def forget(self) -> None:
        """Something else wrote to the tables (a refusal undone): read each record again."""
        self.rows, self.tasks, self.pending = {}, set(), None


_TABLES = frozenset({"task", "session", "handoff"})


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _present(conn: sqlite3.Connection, query: str, ids: set[str]) -> set[str]:
    """Which of ``ids`` the query (one ``IN ({})`` list) finds."""
    found: set[str] = set()
    for chunk in _chunks(sorted(ids)):
        found.update(
            str(r[0]) for r in conn.execute(query.format(", ".join("?" * len(chunk))), chunk)
        )
    return found


def _park(
    conn: sqlite3.Connection,
    ident: str,
    waits_for: str,
    record: Mapping[str, Any],
    run: Applying,
) -> None:
    run.parked = True
    conn.execute(
        "INSERT INTO sync_parked(entity, id, waits_for, change) VALUES ('session', ?, ?, ?) "
        "ON CONFLICT(entity, id) DO UPDATE SET waits_for = excluded.waits_for, "
        "change = excluded.change WHERE json_extract(sync_parked.change, '$.version') "
        "<= json_extract(excluded.change, '$.version')",
        (ident, waits_for, json.dumps(dict(record))),
    )


def _other_running(conn: sqlite3.Connection, ident: str, values: dict[str, Any]) -> str | None:
    """Another session of the owner running here, if ``values`` would run too."""
    if values["end_at"] is not None or values["deleted_at"] is not None:
        return None
    row = conn.execute(
        "SELECT id FROM session WHERE owner_user_id = ? AND end_at IS NULL "
        "AND deleted_at IS NULL AND id != ?",
        (values["owner_user_id"], ident),
    ).fetchone()
    return None if row is None else str(row[0])


def apply_record(
    conn: sqlite3.Connection,
    entity: str,
    record: Mapping[str, Any],
    now: int,
    *,
    answered: bool = False,
    run: Applying | None = None,
) -> str:
    """One record as the server has it, written here (rebased on pending local changes).
    Returns ``applied``, ``old`` (what is here is as new or newer), ``parked`` or ``unknown``.
    ``answered``: the record came back for a change of ours, so it replaces what is here even
    at the same version (a change the server found already made leaves the version, but what
    this computer worked out locally, its review flags, must give way to the server's).
    ``run``: what records written together share (one page, one answer)."""
    ident = str(record["id"])
    version = int(record.get("version") or 0)
    if entity not in _TABLES:
        return "unknown"
    run = run or Applying(conn)
    here = run.row(conn, entity, ident)
    current = None if here is None else int(here["version"])
    if current is not None and (current > version or (current == version and not answered)):
        return "old"
    values = _local_values(entity, record)
    if entity == "task":
        if values["created_at"] is None:  # another client of the API left it out
            kept = conn.execute("SELECT created_at FROM task WHERE id = ?", (ident,)).fetchone()
            values["created_at"] = kept[0] if kept else now
        values["others_ms"] = others_ms(record.get("shares"), run.me)
        values["others_running"], values["others_since"] = others_running(
            record.get("shares"), run.me
        )
    if entity == "session" and not run.has_task(conn, values["task_id"]):
        _park(conn, ident, values["task_id"], record, run)
        return "parked"
    if entity in _REPLAYED:
        _replay(entity, values, conn, ident, run.may_be_pending(ident))
    if entity == "session":
        # Two running sessions of one person: the server settles which one runs (its rule
        # needs stamps this computer does not have) and sends the other stopped; until then
        # this one waits, so that this database never holds a guess of its own.
        blocker = _other_running(conn, ident, values)
        if blocker is not None:
            _park(conn, ident, blocker, record, run)
            return "parked"
    if entity != "handoff":
        values["updated_at"] = now
    values["version"] = version
    _store(conn, entity, ident, values, here)
    run.stored(entity, ident, here, values)
    if run.parked:
        conn.execute(  # an older copy that waited is now behind
            "DELETE FROM sync_parked WHERE id = ? AND json_extract(change, '$.version') <= ?",
            (ident, version),
        )
        _unpark(conn, ident, now, run)  # what waited for this record: its task, or its stop
    return "applied"


def rebase_handoffs(conn: sqlite3.Connection, task_id: str, version: int) -> None:
    """A change of mine to a task is on the server at ``version``: a handoff of it made after
    that change, and never sent, was based on it (the version it names was the one known
    then, before the change went up). None at or below the sent mark: it may be on the server."""
    conn.execute(
        "UPDATE outbox SET base_version = ? WHERE status = 'pending' AND type = 'task.handoff' "
        "AND json_extract(payload, '$.task_id') = ? AND base_version < ? AND seq > ?",
        (version, task_id, version, meta_int(conn, SENT_MARK)),
    )


def undo_refused(
    conn: sqlite3.Connection,
    mutation: Mapping[str, Any],
    current: Mapping[str, Any] | None,
    now: int,
) -> None:
    """What a refused handoff or answer had changed here goes back: the server's record as it
    is now (sent with the refusal) replaces it, and a handoff that never happened is removed
    (the task is mine again). Other refusals keep the local change for the user to see."""
    type_ = str(mutation["type"])
    if type_ == "task.handoff":
        task_id = str(mutation["fields"].get("task_id"))
        conn.execute("DELETE FROM handoff WHERE id = ? AND version = 0", (mutation["entity_id"],))
        if current is not None:
            apply_record(conn, "task", current, now, answered=True)
        me = meta(conn, "account_user_id")
        conn.execute(
            "UPDATE task SET assignee_user_id = ? WHERE id = ? AND assignee_user_id LIKE 'nip:%'",
            (me, task_id),
        )
    elif type_ in ("handoff.accept", "handoff.decline") and current is not None:
        # The refusal carries the handoff and its task as the server has them.
        handoff = {k: v for k, v in current.items() if k != "task"}
        apply_record(conn, "handoff", handoff, now, answered=True)
        if current.get("task"):
            apply_record(conn, "task", current["task"], now, answered=True)


def retry_parked(conn: sqlite3.Connection, now: int) -> None:
    """Try the waiting records again (after a page, or after a local stop freed the way)."""
    for entity, ident, change in conn.execute(
        "SELECT entity, id, change FROM sync_parked"
    ).fetchall():
        conn.execute("DELETE FROM sync_parked WHERE entity = ? AND id = ?", (entity, ident))
        apply_record(conn, entity, json.loads(change), now)


def _unpark(conn: sqlite3.Connection, task_id: str, now: int, run: Applying) -> None:
    rows = conn.execute(
        "SELECT entity, id, change FROM sync_parked WHERE waits_for = ?", (task_id,)
    ).fetchall()
    for entity, ident, change in rows:
        conn.execute("DELETE FROM sync_parked WHERE entity = ? AND id = ?", (entity, ident))
        apply_record(conn, entity, json.loads(change), now, run=run)


def save_cursor(conn: sqlite3.Connection, cursor: int) -> None:
    """The pull cursor, which never goes back (I5)."""
    raise_meta(conn, "pull_cursor", cursor)


def merge_server_clock(
    conn: sqlite3.Connection, server_hlc: str, server_time: str, sent_ms: int, got_ms: int
) -> None:
    """After an answer: the local HLC catches up with the server's, and the clock offset (the
    server's time against the request's midpoint) is kept for the next mutations."""
    device = meta(conn, "device_id") or ""
    last_text = meta(conn, "hlc_last")
    last = hlc.Hlc.decode(last_text) if last_text else None
    try:
        remote = hlc.Hlc.decode(server_hlc)
    except ValueError:
        remote = None
    if remote is not None:
        set_meta(conn, "hlc_last", hlc.receive(last, remote, got_ms, device).encode())
    server_ms = ms(server_time)
    if server_ms is not None:
        set_meta(conn, "clock_offset_ms", server_ms - (sent_ms + got_ms) // 2)


# ---- what the status line shows ----------------------------------------------------------------


@dataclass(frozen=True)
class SyncStatus:
    state: str  # local | synced | waiting | offline | sign_in | update | failed
    server_url: str | None
    account: str | None  # "Name (NIP)"
    last_sync_ms: int | None
    pending: int
    rejected: int  # changes the server refused (each also in "Perlu ditinjau" until seen)
    review: int  # items of "Perlu ditinjau" not yet seen
    error: str | None  # the last failure, in the user's language
    clock_offset_ms: int


def status(conn: sqlite3.Connection) -> SyncStatus:
    values = dict(conn.execute("SELECT key, value FROM sync_meta").fetchall())
    pend = count_pending(conn)
    rejected = int(
        conn.execute("SELECT count(*) FROM outbox WHERE status = 'rejected'").fetchone()[0]
    )
    from wfh_desktop.sync import review as review_mod

    review = review_mod.count(conn)
    server = values.get("server_url")
    name, nip = values.get("account_name"), values.get("account_nip")
    account = f"{name} ({nip})" if name and values.get("signed_in") == "1" else None
    error = None
    state = "local"
    if server:
        kind = values.get("last_error_kind")
        if values.get("signed_in") != "1":
            state = "sign_in"
        elif kind:
            state = kind
        else:
            state = "waiting" if pend else "synced"
        if kind and values.get("last_error"):
            from wfh_desktop.i18n import tr

            saved = json.loads(values["last_error"])
            error = tr(saved["message"], **saved.get("values", {}))
    last = values.get("last_sync_ms")
    return SyncStatus(
        state=state,
        server_url=server,
        account=account,
        last_sync_ms=int(last) if last else None,
        pending=pend,
        rejected=rejected,
        review=review,
        error=error,
        clock_offset_ms=int(values.get("clock_offset_ms") or 0),
    )


def record_outcome(
    conn: sqlite3.Connection, now: int, kind: str | None, message: str | None, values: Any
) -> None:
    """The last attempt's outcome: success (``kind`` None) or why it failed."""
    if kind is None:
        set_meta(conn, "last_sync_ms", now)
        set_meta(conn, "last_error_kind", None)
        set_meta(conn, "last_error", None)
        return
    set_meta(conn, "last_error_kind", kind)
    set_meta(
        conn,
        "last_error",
        json.dumps({"message": message, "values": values}, ensure_ascii=False, default=str),
    )


def state_text(s: SyncStatus, zone: Any) -> str:
    """The state in one line, as the tray and the status line show it."""
    from wfh_desktop.i18n import tr
    from wfh_desktop.timefmt import fmt_datetime

    if s.state == "synced":
        if s.last_sync_ms:
            return tr("Synced at {when}", when=fmt_datetime(s.last_sync_ms, zone))
        return tr("Synced")
    if s.state == "waiting":
        return tr("Waiting to send {n} changes", n=s.pending)
    return {
        "local": tr("Local only: no server is set."),
        "offline": tr("Offline: {n} changes wait to be sent", n=s.pending),
        "sign_in": tr("Sign-in needed"),
        "update": tr("Update needed: the server needs a newer WFH Desktop"),
        "failed": tr("Sync failed"),
    }.get(s.state, s.state)
