"""Push, pull and snapshot (``SYNC.md``): the server side of sync.

A push is one transaction. It first locks the feed counter rows (``user_sync_state``) of everyone
it may touch, in ``user_id`` order, so one user's pushes run one after the other on every
database and two pushes sharing a task wait for each other; then the device's row. Each mutation
is then a duplicate (``seq`` at or below the device's high-water mark, answered from the mutation
log), the next one (applied by the rules of ``merge.py``), or a gap (409, nothing applied). At the
end the one-running-session rule and the overlap flags are settled, and the feed sequence numbers
are taken from those counter rows inside the same transaction: a pull that sees ``seq`` n has seen
every change before it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Engine, and_, func, or_, select, tuple_
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from wfh_desktop.hlc import Hlc, tick
from wfh_desktop.timefmt import iso_utc
from wfh_server import merge
from wfh_server.auth import AuthError, Caller
from wfh_server.db import now_ms, reading, transaction
from wfh_server.merge import SESSION, TASK, Kind, Outcome, Record, Reject
from wfh_server.models import (
    AppUser,
    Device,
    Handoff,
    MutationLog,
    Task,
    UserFeed,
    UserSyncState,
    WorkSession,
)
from wfh_server.protocol import (
    PULL_LIMIT,
    Change,
    ItemResult,
    Mutation,
    PullResponse,
    PushRequest,
    PushResponse,
    SnapshotResponse,
)

RETRIES = 3
RETRY_STATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure
CLAMP_MS = 60_000  # an HLC may run this far ahead of the server's clock (SYNC.md)
FUTURE_MS = 5 * 60_000  # a start further ahead than this is flagged
OFFSET_MS = 120_000  # a device clock further off than this is flagged
LONG_MS = 16 * 3600_000
SERVER = "~server"  # the device part of the server's own HLC stamps ("~" sorts last)

# The flags a session's state decides, recomputed on every change; the others tell of one
# mutation (a clock far off, a start in the future, an unknown task) and stay.
STATE_FLAGS = frozenset({"overlap", "long"})

_COLUMNS = {
    "session": (
        "owner_user_id",
        "task_id",
        "start_at",
        "end_at",
        "source",
        "note",
        "origin_device",
        "created_at",
        "deleted_at",
        "auto_stop_reason",
    ),
    "task": (
        "owner_user_id",
        "assignee_user_id",
        "title",
        "target_minutes",
        "rhk",
        "output",
        "volume",
        "unit",
        "status",
        "done_at",
        "origin_device",
        "created_at",
        "deleted_at",
    ),
}
_INSTANTS = frozenset({"start_at", "end_at", "created_at", "deleted_at", "done_at", "at"})


class SyncError(AuthError):
    """A refusal of a whole request (a gap, a device conflict, an expired cursor)."""


def content_hash(m: Mutation) -> str:
    body = json.dumps(m.model_dump(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def wire(entity: str, row: Any) -> dict[str, Any]:
    """A record as it travels: every column but the merge clock, instants as ISO-8601."""
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        name = column.name
        if name in ("org_id", "clock", "updated_at"):
            continue
        value = getattr(row, name)
        out[name] = iso_utc(value) if name in _INSTANTS and value is not None else value
    return out


class ServerClock:
    """The server's own HLC: for auto-stops and for clients to merge after each answer. Its
    device part names the process, so two workers never make the same stamp."""

    def __init__(self) -> None:
        self.last: Hlc | None = None
        self.name = f"{SERVER}-{os.getpid()}"
        self._lock = threading.Lock()

    def tick(self, now: int) -> str:
        with self._lock:
            self.last = tick(self.last, now, self.name)
            return self.last.encode()

    def observe(self, stamp: Hlc) -> None:
        with self._lock:
            if self.last is None or stamp.physical_ms > self.last.physical_ms:
                self.last = Hlc(stamp.physical_ms, 0, self.name)


class Sync:
    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], int] = now_ms,
        pause: Callable[[str], None] | None = None,
    ) -> None:
        self.engine, self.clock = engine, clock
        self.pause = pause or (lambda _stage: None)  # tests hold a push at a stage here
        self.hlc = ServerClock()

    # ---- push --------------------------------------------------------------------------

    def push(self, me: Caller, request: PushRequest) -> PushResponse:
        """One push, one transaction; retried when PostgreSQL chose it as a deadlock's victim
        (two users' pushes touching a shared task and each other's feed counters)."""
        for attempt in range(1, RETRIES + 1):
            try:
                return self._push(me, request)
            except DBAPIError as e:
                if getattr(e.orig, "sqlstate", None) not in RETRY_STATES or attempt == RETRIES:
                    raise
                time.sleep(random.uniform(0.005, 0.05) * attempt)
        raise AssertionError("unreachable")

    def _push(self, me: Caller, request: PushRequest) -> PushResponse:
        now = self.clock()
        with transaction(self.engine) as s:
            org_id = me.org_id
            named = _named(request.mutations)
            counters = lock_counters(s, org_id, _viewers(s, me, named))
            device = s.get(Device, (org_id, me.device_id), with_for_update=True)
            if device is None or device.revoked_at is not None:
                raise SyncError(403, "device_revoked", "This device may no longer sync.")
            batch = Batch(s, me, now, self.hlc)
            batch.prefetch(named)
            results: list[ItemResult] = []
            committed = device.last_seq
            for m in sorted(request.mutations, key=lambda m: m.seq):
                if m.seq > device.last_seq + 1:  # nothing of this push is kept
                    raise SyncError(
                        409,
                        "seq_gap",
                        f"Mutation {device.last_seq + 1} is missing; push from {committed + 1}.",
                        extra={"expected_seq": committed + 1},
                    )
                results.append(self._one(s, batch, device, m, now))
            self.pause("applied")
            batch.settle()
            feed = batch.allocate(counters)
            for r in results:
                if r.status in ("applied", "merged") and r.entity_id:
                    r.feed_seq = feed.get(r.entity_id)
                    r.record = batch.records.get(r.entity_id, r.record)
                    r.version = (r.record or {}).get("version", r.version)
            device.last_seen_at = now
            self.pause("commit")
            last_seq = device.last_seq
        return PushResponse(
            server_time=iso_utc(now),
            server_hlc=self.hlc.tick(now),
            epoch=me.epoch,
            device_last_seq=last_seq,
            results=results,
        )

    def _one(self, s: Session, batch: Batch, device: Device, m: Mutation, now: int) -> ItemResult:
        digest = content_hash(m)
        if m.seq <= device.last_seq:
            log = batch.logs.get(m.seq) or s.get(
                MutationLog, (device.org_id, device.device_id, m.seq)
            )
            if log is not None and (log.mutation_id != m.mutation_id or log.content_hash != digest):
                raise SyncError(
                    409,
                    "device_conflict",
                    "Another install uses this device id: register a new device and push again.",
                )
            original = log.result if log is not None else {}
            return ItemResult(
                seq=m.seq,
                status="duplicate",
                entity_id=original.get("entity_id"),
                version=original.get("version"),
                original_status=original.get("status"),
            )
        original_hlc = None
        try:
            stamp = merge.check_hlc(m.hlc)
            hlc = m.hlc
            if stamp.physical_ms > now + CLAMP_MS:  # a clock in the future cannot win forever
                original_hlc, hlc = m.hlc, Hlc(now + CLAMP_MS, stamp.counter, stamp.device).encode()
                stamp = Hlc.decode(hlc)
            self.hlc.observe(stamp)
            result = batch.apply(m, hlc)
        except Reject as e:
            result = ItemResult(
                seq=m.seq,
                status="rejected",
                entity_id=m.entity_id,
                code=e.code,
                detail=e.detail,
                current=e.current,
            )
        log = MutationLog(
            org_id=device.org_id,
            device_id=device.device_id,
            seq=m.seq,
            mutation_id=m.mutation_id,
            content_hash=digest,
            result={
                k: v
                for k, v in result.model_dump().items()
                if k in ("status", "entity_id", "version", "code")
            },
            hlc=m.hlc if original_hlc is None else hlc,
            original_hlc=original_hlc,
            at=now,
        )
        s.add(log)
        batch.logs[m.seq] = log
        device.last_seq, device.last_mutation_id = m.seq, m.mutation_id
        return result

    # ---- pull --------------------------------------------------------------------------

    def pull(self, me: Caller, since: int, limit: int = PULL_LIMIT) -> PullResponse:
        org_id, user_id = me.org_id, me.user_id
        now = self.clock()
        with reading(self.engine) as s:
            feed = s.execute(
                select(UserFeed.entity_type, UserFeed.entity_id, UserFeed.seq)
                .where(UserFeed.org_id == org_id, UserFeed.user_id == user_id, UserFeed.seq > since)
                .order_by(UserFeed.seq)
                .limit(limit + 1)
            ).all()
            has_more = len(feed) > limit
            feed = feed[:limit]
            changes = _changes(s, org_id, user_id, [(t, i, q) for t, i, q in feed])
            # Read after the feed: housekeeping may have removed old deletions meanwhile (each
            # statement sees the newest commits on PostgreSQL), and the floor then says so.
            counter = s.execute(
                select(UserSyncState.last_seq, UserSyncState.gc_floor).where(
                    UserSyncState.org_id == org_id, UserSyncState.user_id == user_id
                )
            ).first()
            self.check_cursor(since, *(counter or (0, 0)))
        return PullResponse(
            changes=changes,
            next=feed[-1][2] if feed else since,
            has_more=has_more,
            server_time=iso_utc(now),
            server_hlc=self.hlc.tick(now),
            epoch=me.epoch,
        )

    @staticmethod
    def check_cursor(since: int, last: int, floor: int) -> None:
        if since < floor:
            raise SyncError(
                410,
                "cursor_expired",
                "The changes since this cursor are gone: download a snapshot.",
                extra={"gc_floor": floor},
            )
        if since > last:
            raise SyncError(
                409,
                "epoch_mismatch",
                "The server has fewer changes than this cursor (restored from a backup?): "
                "push your retained changes again and resync.",
            )

    def snapshot(self, me: Caller, after: str | None, limit: int = PULL_LIMIT) -> SnapshotResponse:
        """Every live record the user sees, in pages keyed by ``<entity>:<id>``; the client sets
        its cursor to ``as_of_seq`` of the first page and pulls from there."""
        org_id, user_id = me.org_id, me.user_id
        with reading(self.engine) as s:
            counter = s.get(UserSyncState, (org_id, user_id))
            query = select(UserFeed.entity_type, UserFeed.entity_id, UserFeed.seq).where(
                UserFeed.org_id == org_id, UserFeed.user_id == user_id
            )
            if after:
                kind, _, ident = after.partition(":")
                query = query.where(
                    tuple_(UserFeed.entity_type, UserFeed.entity_id) > (kind, ident)
                )
            rows = s.execute(
                query.order_by(UserFeed.entity_type, UserFeed.entity_id).limit(limit + 1)
            ).all()
            has_more = len(rows) > limit
            rows = rows[:limit]
            changes = [
                c for c in _changes(s, org_id, user_id, list(rows)) if not (c.deleted or c.gone)
            ]
        return SnapshotResponse(
            records=changes,
            as_of_seq=counter.last_seq if counter else 0,
            next_after=f"{rows[-1][0]}:{rows[-1][1]}" if has_more else None,
            has_more=has_more,
            epoch=me.epoch,
        )


class _Named(NamedTuple):
    """The records and colleagues a push names (ids that cannot be real are left out)."""

    sessions: set[str]
    tasks: set[str]
    nips: set[str]


def _named(mutations: list[Mutation]) -> _Named:
    named = _Named(set(), set(), set())
    for m in mutations:
        if m.type == "task.handoff":
            if _plain(m.fields.get("task_id"), 36):
                named.tasks.add(m.fields["task_id"])
            if _plain(m.fields.get("to_nip"), 18):
                named.nips.add(m.fields["to_nip"])
        elif m.type.startswith("task."):
            named.tasks.add(m.entity_id)
        elif m.type.startswith("session."):
            named.sessions.add(m.entity_id)
    return named


def _viewers(s: Session, me: Caller, named: _Named) -> set[str]:
    """Everyone whose feed this push may touch, as far as can be known before it runs: the
    caller, the owners and assignees of the tasks it names, and the colleagues handed to."""
    users = {me.user_id}
    task_ids, nips = named.tasks, named.nips
    if task_ids:
        for owner, assignee in s.execute(
            select(Task.owner_user_id, Task.assignee_user_id).where(
                Task.org_id == me.org_id, Task.id.in_(sorted(task_ids))
            )
        ):
            users.update((owner, assignee))
    if nips:
        users.update(
            s.scalars(
                select(AppUser.user_id).where(
                    AppUser.org_id == me.org_id, AppUser.nip.in_(sorted(nips))
                )
            )
        )
    return users


def feed_keys(keys: list[tuple[str, str]]) -> Any:
    """The feed rows of these (entity type, id) pairs: one IN list per type."""
    by_type: dict[str, list[str]] = {}
    for entity, ident in keys:
        by_type.setdefault(entity, []).append(ident)
    return or_(
        *(
            and_(UserFeed.entity_type == t, UserFeed.entity_id.in_(ids))
            for t, ids in by_type.items()
        )
    )


def _plain(value: Any, limit: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit and "\x00" not in value


def lock_counters(s: Session, org_id: str, users: set[str]) -> dict[str, UserSyncState]:
    """The users' counter rows, locked in user_id order, as every writer locks them: two
    pushes sharing a task wait for each other instead of deadlocking."""
    rows = {
        c.user_id: c
        for c in s.scalars(
            select(UserSyncState)
            .where(UserSyncState.org_id == org_id, UserSyncState.user_id.in_(sorted(users)))
            .order_by(UserSyncState.user_id)
            .with_for_update()
        )
    }
    for user in sorted(users - rows.keys()):  # a user from before the sync tables
        rows[user] = UserSyncState(org_id=org_id, user_id=user, last_seq=0, gc_floor=0)
        s.add(rows[user])
    s.flush()
    return rows


_MODELS: dict[str, Any] = {"session": WorkSession, "task": Task, "handoff": Handoff}


def _sees(entity: str, row: Any, user_id: str) -> bool:
    """Whether the user may see the record now (a task handed on is no longer the giver's)."""
    if entity == "task":
        return user_id in (row.owner_user_id, row.assignee_user_id)
    if entity == "handoff":
        return user_id in (row.from_user, row.to_user)
    return bool(row.owner_user_id == user_id)


def _changes(
    s: Session, org_id: str, user_id: str, feed: list[tuple[str, str, int]]
) -> list[Change]:
    rows: dict[tuple[str, str], Any] = {}
    for entity, model in _MODELS.items():
        ids = [i for t, i, _ in feed if t == entity]
        for start in range(0, len(ids), 500):
            for row in s.scalars(
                select(model).where(model.org_id == org_id, model.id.in_(ids[start : start + 500]))
            ):
                rows[(entity, row.id)] = row
    out = []
    for entity, ident, seq in feed:
        row = rows.get((entity, ident))
        if row is None:
            continue
        gone = not _sees(entity, row, user_id)  # say so once, and nothing more of it
        out.append(
            Change(
                entity=entity,
                id=ident,
                version=row.version,
                seq=seq,
                deleted=not gone and getattr(row, "deleted_at", None) is not None,
                gone=gone,
                record={} if gone else wire(entity, row),
            )
        )
    return out


# ---- one push's changes ----------------------------------------------------------------


def _record(kind: Kind, row: Any) -> Record:
    return Record(
        {name: getattr(row, name) for name in _COLUMNS[kind.name]},
        row.clock,  # merge.apply changes a copy, never this
        list(row.conflicts or []),
    )


def _flags(text: str | None) -> set[str]:
    return set(filter(None, (text or "").split(",")))


class Batch:
    """The changes of one push: the records written, who must see them, and the settling
    (running rule, overlap flags, feed numbers) at the end."""

    def __init__(self, s: Session, me: Caller, now: int, hlc: ServerClock) -> None:
        self.s, self.me, self.now, self.server_hlc = s, me, now, hlc
        self.org_id, self.user_id = me.org_id, me.user_id
        self.viewers: dict[tuple[str, str], set[str]] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.spans: list[tuple[int, int]] = []  # sessions' old and new spans, for overlaps
        self.touched_sessions = False
        # Every row this push has read or made, by (model, id): the session does not flush
        # on every read (autoflush is off), so rows made earlier in the push are found here.
        self.rows: dict[tuple[Any, str], Any] = {}
        self.logs: dict[int, MutationLog] = {}

    def prefetch(self, named: _Named) -> None:
        """Read and lock the sessions and tasks the push changes, one query each."""
        wanted: list[tuple[Any, set[str]]] = [(WorkSession, named.sessions), (Task, named.tasks)]
        for model, ids in wanted:
            if not ids:
                continue
            self.rows.update(dict.fromkeys(((model, i) for i in ids), None))
            for row in self.s.scalars(
                select(model)
                .where(model.org_id == self.org_id, model.id.in_(sorted(ids)))
                .with_for_update()
            ):
                self.rows[(model, row.id)] = row

    def row(self, model: Any, ident: str, lock: bool = True) -> Any:
        key = (model, ident)
        if key not in self.rows:
            self.rows[key] = self.s.get(model, (self.org_id, ident), with_for_update=lock)
        return self.rows[key]

    def add(self, row: Any) -> None:
        self.s.add(row)
        self.rows[(type(row), row.id)] = row

    def apply(self, m: Mutation, hlc: str) -> ItemResult:
        entity, _, op = m.type.partition(".")
        if m.type == "task.handoff":
            return self._handoff(m, hlc)
        kind = merge.KINDS.get(entity)
        if kind is None:
            raise Reject("unknown_type", f"unknown mutation type {m.type}")
        fields = merge.clean(kind, op, m.fields)
        if kind is SESSION:
            return self._session(m, op, fields, hlc)
        return self._task(m, op, fields, hlc)

    def _result(self, m: Mutation, entity: str, row: Any, outcome: Outcome) -> ItemResult:
        record = wire(entity, row)
        self.records[row.id] = record
        return ItemResult(
            seq=m.seq,
            status=outcome.status,
            entity_id=row.id,
            version=row.version,
            record=record,
            note=outcome.note,
        )

    def _write(self, row: Any, kind: Kind, rec: Record, changed: bool) -> None:
        if not changed:
            return
        for name in _COLUMNS[kind.name]:
            value = rec.values.get(name)
            if getattr(row, name, None) != value or row.version == 0:
                setattr(row, name, value)
        row.clock, row.conflicts = rec.clock, rec.conflicts
        row.version = (row.version or 0) + 1
        row.updated_at = self.now

    def see(self, entity: str, ident: str, *users: str | None) -> None:
        self.viewers.setdefault((entity, ident), set()).update(u for u in users if u)

    # ---- sessions

    def _session(self, m: Mutation, op: str, fields: dict[str, Any], hlc: str) -> ItemResult:
        row = self.row(WorkSession, m.entity_id)
        if row is not None and row.owner_user_id != self.user_id:
            raise Reject("not_found", f"no session {m.entity_id}")  # never say whose it is
        if row is None and op == "upsert":
            if fields.get("owner_user_id", self.user_id) != self.user_id:
                raise Reject("forbidden", "a session belongs to whoever worked it")
            fields = {
                "owner_user_id": self.user_id,
                "origin_device": self.me.device_id,
                **fields,
            }
        outcome = merge.apply(
            SESSION, _record(SESSION, row) if row else None, op, fields, hlc, m.entity_id
        )
        flags = _flags(row.needs_review if row else None)
        event = set()
        rec = outcome.record
        if "start_at" in fields and fields["start_at"] > self.now + FUTURE_MS:
            event.add("future")
        if m.clock_offset_ms is not None and abs(m.clock_offset_ms) > OFFSET_MS:
            event.add("clock_offset")
        if "task_id" in fields and self.row(Task, fields["task_id"], lock=False) is None:
            event.add("unknown_task")
        if row is None:
            row = WorkSession(org_id=self.org_id, id=m.entity_id, version=0, needs_review=None)
            self.add(row)
        else:
            self.spans.append((row.start_at, row.end_at or self.now))
        changed = outcome.changed or not event <= flags
        self._write(row, SESSION, rec, changed)
        if changed:
            if event:
                row.needs_review = ",".join(sorted(flags | event))
                row.client_clock_offset_ms = m.clock_offset_ms
            self.spans.append((row.start_at, row.end_at or self.now))
            self.touched_sessions = True
            self.see("session", row.id, self.user_id)
        return self._result(m, "session", row, outcome)

    # ---- tasks

    def _task(self, m: Mutation, op: str, fields: dict[str, Any], hlc: str) -> ItemResult:
        row = self.row(Task, m.entity_id)
        if row is not None and self.user_id not in (row.owner_user_id, row.assignee_user_id):
            raise Reject("not_found", f"no task {m.entity_id}")
        if row is None and op == "upsert":
            for name in ("owner_user_id", "assignee_user_id"):
                if fields.get(name, self.user_id) != self.user_id:
                    raise Reject("forbidden", f"a new task's {name} is its maker")
            fields = {
                "owner_user_id": self.user_id,
                "assignee_user_id": self.user_id,
                "origin_device": self.me.device_id,
                **fields,
            }
        elif row is not None and fields.get("assignee_user_id", row.assignee_user_id) != (
            row.assignee_user_id
        ):
            raise Reject("reassign_via_handoff", "a task changes hands by a handoff")
        outcome = merge.apply(
            TASK, _record(TASK, row) if row else None, op, fields, hlc, m.entity_id
        )
        if row is None:
            row = Task(org_id=self.org_id, id=m.entity_id, version=0)
            self.add(row)
        self._write(row, TASK, outcome.record, outcome.changed)
        if outcome.changed:
            self.see("task", row.id, row.owner_user_id, row.assignee_user_id)
        return self._result(m, "task", row, outcome)

    # ---- handoffs

    def _handoff(self, m: Mutation, hlc: str) -> ItemResult:
        f = m.fields
        if set(f) - {"task_id", "to_nip", "at", "note"} or not {"task_id", "to_nip"} <= set(f):
            raise Reject("invalid_field", "a handoff carries task_id, to_nip, at and note")
        task_id = merge.check_id(f["task_id"], "task_id")
        nip = f["to_nip"]
        if not (isinstance(nip, str) and len(nip) == 18 and nip.isascii() and nip.isdigit()):
            raise Reject("invalid_field", "to_nip: the colleague's 18-digit NIP")
        at = merge.parse_instant(f["at"], "at") if f.get("at") is not None else self.now
        note = merge.check_text(f.get("note"), "note", merge.MAX_TEXT, optional=True)
        existing = self.row(Handoff, m.entity_id, lock=False)
        if existing is not None:
            if existing.from_user != self.user_id:
                raise Reject("not_found", f"no handoff {m.entity_id}")
            return ItemResult(
                seq=m.seq,
                status="merged",
                entity_id=existing.id,
                version=existing.version,
                record=wire("handoff", existing),
                note="this handoff is already recorded",
            )
        task = self.row(Task, task_id)
        if task is None or self.user_id not in (task.owner_user_id, task.assignee_user_id):
            raise Reject("not_found", f"no task {task_id}")
        if task.deleted_at is not None:
            raise Reject("task_deleted", "the task is deleted")
        if m.base_version is None or m.base_version != task.version:
            raise Reject(
                "task_version_conflict",
                "the task was changed or handed over meanwhile",
                current=wire("task", task),
            )
        to = self.s.scalars(
            select(AppUser).where(
                AppUser.org_id == self.org_id,
                AppUser.nip == nip,
                AppUser.disabled_at.is_(None),
            )
        ).first()
        if to is None or to.user_id == self.user_id:
            raise Reject("unknown_colleague", "no active colleague with this NIP here")
        giver = task.assignee_user_id
        task.assignee_user_id = to.user_id
        task.clock = {**task.clock, "f": {**task.clock.get("f", {}), "assignee_user_id": hlc}}
        task.version += 1
        task.updated_at = self.now
        handoff = Handoff(
            org_id=self.org_id,
            id=m.entity_id,
            task_id=task_id,
            from_user=self.user_id,
            to_user=to.user_id,
            at=at,
            note=note,
            status="pending",
            version=1,
            origin_device=self.me.device_id,
            created_at=self.now,
            updated_at=self.now,
        )
        self.add(handoff)
        self._stop_running_on(task_id, at, f"handoff:{m.entity_id}")
        self.see("task", task.id, task.owner_user_id, giver, to.user_id)
        self.see("handoff", handoff.id, self.user_id, to.user_id)
        self.records[task.id] = wire("task", task)
        return self._result(m, "handoff", handoff, Outcome(Record({}), True, "applied"))

    def _stop_running_on(self, task_id: str, at: int, reason: str) -> None:
        """The giver's timer on a task handed over stops at the handoff."""
        self.s.flush()
        for row in self.s.scalars(self._running().where(WorkSession.task_id == task_id)):
            self._auto_stop(row, at, reason)

    # ---- settling the batch

    def _running(self) -> Any:
        return (
            select(WorkSession)
            .where(
                WorkSession.org_id == self.org_id,
                WorkSession.owner_user_id == self.user_id,
                WorkSession.end_at.is_(None),
                WorkSession.deleted_at.is_(None),
            )
            .with_for_update()
        )

    def _auto_stop(self, row: WorkSession, end: int, reason: str) -> None:
        rec = merge.auto_stop(_record(SESSION, row), end, reason, self.server_hlc.tick(self.now))
        self.spans.append((row.start_at, self.now))
        self._write(row, SESSION, rec, True)
        self.records[row.id] = wire("session", row)
        self.touched_sessions = True
        self.see("session", row.id, self.user_id)

    def settle(self) -> None:
        if not self.touched_sessions:
            return
        self.s.flush()
        running = sorted(
            self.s.scalars(self._running()),
            key=lambda r: (r.start_at, r.clock.get("f", {}).get("start_at", ""), r.id),
        )
        for row in running[:-1]:  # the newest start keeps running (SYNC.md, Toggl's rule)
            later = self.s.scalar(
                select(func.min(WorkSession.start_at)).where(
                    WorkSession.org_id == self.org_id,
                    WorkSession.owner_user_id == self.user_id,
                    WorkSession.deleted_at.is_(None),
                    WorkSession.start_at > row.start_at,
                )
            )
            self._auto_stop(
                row, later if later is not None else self.now, f"superseded_by:{running[-1].id}"
            )
        self.s.flush()
        self._flag_overlaps()

    def _near(self, lo: int, hi: int) -> list[WorkSession]:
        """The user's sessions overlapping [lo, hi): found by their end (the index on end_at:
        only recent ones), not their start, which would read a whole history before ``hi``."""
        mine = (
            WorkSession.org_id == self.org_id,
            WorkSession.owner_user_id == self.user_id,
            WorkSession.deleted_at.is_(None),
            (WorkSession.start_at + 0) < hi,  # "+ 0": not a way into the start_at index
        )
        ended = select(WorkSession).where(*mine, WorkSession.end_at > lo)
        running = select(WorkSession).where(*mine, WorkSession.end_at.is_(None))
        return [*self.s.scalars(ended), *self.s.scalars(running)]

    def _flag_overlaps(self) -> None:
        """Recompute the state flags of every session near the changed ones: overlaps (touching
        end to start is not one) and very long sessions. Flagged, never rewritten."""
        if not self.spans:
            return
        lo, hi = min(a for a, _ in self.spans), max(b for _, b in self.spans)
        near = self._near(lo, hi + 1)
        if not near:
            return
        # Everything that overlaps one of these lies within their own outer bounds.
        wider_lo = min(lo, *(r.start_at for r in near))
        wider_hi = max(hi, *((r.end_at or self.now) for r in near))
        if (wider_lo, wider_hi) != (lo, hi):
            near = self._near(wider_lo, wider_hi + 1)
        rows = sorted(near, key=lambda r: (r.start_at, r.id))
        overlapping: set[str] = set()
        reach_end, reach_id = -1, ""
        for r in rows:
            end = r.end_at if r.end_at is not None else max(self.now, r.start_at)
            if r.start_at < reach_end:  # it overlaps the one reaching furthest, at least
                overlapping.update((r.id, reach_id))
            if end > reach_end:
                reach_end, reach_id = end, r.id
        for r in rows:
            end = r.end_at if r.end_at is not None else self.now
            state = {"overlap"} if r.id in overlapping else set()
            if end - r.start_at > LONG_MS:
                state.add("long")
            flags = (_flags(r.needs_review) - STATE_FLAGS) | state
            if r.end_at is not None:  # stopped: its running is no longer in doubt
                flags.discard("running_unconfirmed")
            text = ",".join(sorted(flags)) or None
            if text != r.needs_review:
                r.needs_review = text
                r.version += 1
                r.updated_at = self.now
                self.records[r.id] = wire("session", r)
                self.see("session", r.id, self.user_id)

    def allocate(self, counters: dict[str, UserSyncState]) -> dict[str, int]:
        """Feed numbers for every change, from each viewer's counter row (locked at the start;
        one that became a viewer meanwhile is locked now); returns the caller's numbers."""
        by_user: dict[str, list[tuple[str, str]]] = {}
        for key, users in self.viewers.items():
            for user in users:
                by_user.setdefault(user, []).append(key)
        missing = by_user.keys() - counters.keys()
        if missing:
            counters = counters | lock_counters(self.s, self.org_id, set(missing))
        out: dict[str, int] = {}
        for user in sorted(by_user):
            keys = by_user[user]  # in the order of the changes: a task before its sessions
            counter = counters[user]
            base = counter.last_seq
            counter.last_seq = base + len(keys)
            existing = {
                (f.entity_type, f.entity_id): f
                for f in self.s.scalars(
                    select(UserFeed).where(
                        UserFeed.org_id == self.org_id,
                        UserFeed.user_id == user,
                        feed_keys(keys),
                    )
                )
            }
            for n, (entity, ident) in enumerate(keys, start=base + 1):
                feed = existing.get((entity, ident))
                if feed is None:
                    self.s.add(
                        UserFeed(
                            org_id=self.org_id,
                            user_id=user,
                            entity_type=entity,
                            entity_id=ident,
                            seq=n,
                        )
                    )
                else:
                    feed.seq = n
                if user == self.user_id:
                    out[ident] = n
        return out
