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

import base64
import hashlib
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from wfh_desktop.hlc import Hlc, tick
from wfh_desktop.timefmt import iso_utc
from wfh_server import bulk, merge
from wfh_server.auth import AuthError, Caller, check_account
from wfh_server.bulk import Bulk, Query
from wfh_server.db import now_ms, reading, writing
from wfh_server.merge import SESSION, TASK, Kind, Outcome, Record, Reject
from wfh_server.models import (
    AppUser,
    Device,
    Handoff,
    MutationLog,
    Org,
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
# Deadlock detected, serialization failure, and a prepared statement gone (``bulk.GONE``).
RETRY_STATES = frozenset({"40P01", "40001", bulk.GONE})
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
_INSTANTS = frozenset(
    {"start_at", "end_at", "created_at", "deleted_at", "done_at", "at", "answered_at"}
)

# A push reads and writes records as plain dicts through these tables (SQLAlchemy Core): the
# ORM's unit of work cost more than all the rules together (docs/benchmarks.md).
log = logging.getLogger("wfh.server")

_TABLES: dict[str, Table] = {
    "session": cast(Table, WorkSession.__table__),
    "task": cast(Table, Task.__table__),
    "handoff": cast(Table, Handoff.__table__),
}
_SESSIONS = _TABLES["session"]
_WIRE = {
    entity: tuple(c.name for c in table.columns if c.name not in ("org_id", "clock", "updated_at"))
    for entity, table in _TABLES.items()
}
_MUTABLE = {
    entity: tuple(c.name for c in table.columns if c.name not in ("org_id", "id"))
    for entity, table in _TABLES.items()
}
_EMPTY: dict[str, dict[str, Any]] = {
    entity: dict.fromkeys(table.columns.keys()) for entity, table in _TABLES.items()
}


# The push's statements, built once (building one costs more than running it on SQLite); the
# values come as bound parameters.
def _p(name: str, expanding: bool = False) -> Any:
    return bindparam(name, expanding=expanding)


# One statement per table for all the rows a push changed (executemany): the key comes in
# k_org and k_id, every other column is set from the row.
_UPDATES = {
    entity: Bulk(update(table).where(table.c.org_id == _p("k_org"), table.c.id == _p("k_id")))
    for entity, table in _TABLES.items()
}
_COUNTERS = cast(Table, UserSyncState.__table__)
_DEVICES = cast(Table, Device.__table__)
_FEED = cast(Table, UserFeed.__table__)
_LOG = cast(Table, MutationLog.__table__)
_LOG_INSERT = Bulk(insert(_LOG))
_FEED_AFTER = (
    select(
        _FEED.c.entity_type,
        _FEED.c.entity_id,
        _FEED.c.seq,
        _FEED.c.by_device,
        _FEED.c.by_seq,
        _FEED.c.by_feed,
    )
    .where(_FEED.c.org_id == _p("org"), _FEED.c.user_id == _p("user"), _FEED.c.seq > _p("since"))
    .order_by(_FEED.c.seq)
    .limit(_p("n"))
)
# A pull that leaves out a device's own answered changes reads up to this many times its
# page of the feed: after a long offline backlog nearly every change is its own.
ANSWERED_SCAN = 10

_S = _SESSIONS.c
_BY_IDS = {  # the records of these ids
    entity: select(table).where(
        table.c.org_id == _p("org"), table.c.id.in_(_p("ids", expanding=True))
    )
    for entity, table in _TABLES.items()
}
_ROWS = {entity: query.with_for_update() for entity, query in _BY_IDS.items()}  # and locked
_ROW = {  # one record, locked (True) or only read (False)
    (entity, lock): query.with_for_update() if lock else query
    for entity, table in _TABLES.items()
    for query in [select(table).where(table.c.org_id == _p("org"), table.c.id == _p("id"))]
    for lock in (True, False)
}
_INSERTS = {entity: Bulk(insert(table)) for entity, table in _TABLES.items()}
_MINE = select(_SESSIONS).where(_S.org_id == _p("org"), _S.owner_user_id == _p("user"))
_RUNNING = _MINE.where(_S.end_at.is_(None), _S.deleted_at.is_(None)).with_for_update()
_RUNNING_ON = _RUNNING.where(_S.task_id == _p("task"))
# Stopped sessions overlapping [lo, hi), found by their end (the index on end_at: only recent
# ones), not by their start, which would read a whole history before hi; "+ 0" keeps the
# planner off the start index.
_ENDED_NEAR = _MINE.where(
    _S.deleted_at.is_(None), (_S.start_at + 0) < _p("hi"), _S.end_at > _p("lo")
)
_NEXT_START = select(func.min(_S.start_at)).where(
    _S.org_id == _p("org"),
    _S.owner_user_id == _p("user"),
    _S.deleted_at.is_(None),
    _S.start_at > _p("after"),
    _S.id.not_in(_p("known", expanding=True)),
)
_LOCK_COUNTERS = (
    select(_COUNTERS)
    .where(_COUNTERS.c.org_id == _p("org"), _COUNTERS.c.user_id.in_(_p("users", expanding=True)))
    .order_by(_COUNTERS.c.user_id)
    .with_for_update()
)
_SAVE_COUNTERS = update(_COUNTERS).where(
    _COUNTERS.c.org_id == _p("k_org"), _COUNTERS.c.user_id == _p("k_user")
)
# The pushing device, locked, with what the sign-in check reads (``auth._CALLER``): a push
# checks its caller here, in its own transaction (``Auth.token_caller``).
_DEVICE = (
    select(_DEVICES, AppUser.disabled_at, AppUser.must_change_password, Org.epoch)
    .join(
        AppUser,
        (AppUser.org_id == _DEVICES.c.org_id) & (AppUser.user_id == _DEVICES.c.user_id),
    )
    .join(Org, Org.org_id == _DEVICES.c.org_id)
    .where(
        _DEVICES.c.org_id == _p("org"),
        _DEVICES.c.device_id == _p("device"),
        _DEVICES.c.user_id == _p("user"),
    )
    .with_for_update(of=_DEVICES)
)
_DEVICE_SEEN = update(_DEVICES).where(
    _DEVICES.c.org_id == _p("k_org"), _DEVICES.c.device_id == _p("k_device")
)
_LOGS = select(_LOG).where(
    _LOG.c.org_id == _p("org"),
    _LOG.c.device_id == _p("device"),
    _LOG.c.seq.in_(_p("seqs", expanding=True)),
)
_PEOPLE_OF_TASKS = select(Task.owner_user_id, Task.assignee_user_id, Task.participants).where(
    Task.org_id == _p("org"), Task.id.in_(_p("ids", expanding=True))
)
_PEOPLE_OF_HANDOFFS = select(Handoff.from_user, Handoff.to_user, Handoff.task_id).where(
    Handoff.org_id == _p("org"), Handoff.id.in_(_p("ids", expanding=True))
)
_USERS_BY_NIP = select(AppUser.user_id).where(
    AppUser.org_id == _p("org"), AppUser.nip.in_(_p("nips", expanding=True))
)
_COLLEAGUE = select(AppUser.user_id, AppUser.name).where(
    AppUser.org_id == _p("org"), AppUser.nip == _p("nip"), AppUser.disabled_at.is_(None)
)
# The people of the tasks these sessions are on, as stored. No DISTINCT (the caller keeps a
# set): with it SQLite walked ix_session_task, every session of the organisation, for each
# push (a 100,000-session backlog slowed down as it went up).
_PEOPLE_OF_SESSIONS = (
    select(Task.owner_user_id, Task.assignee_user_id, Task.participants)
    .select_from(WorkSession)
    .join(Task, (Task.org_id == WorkSession.org_id) & (Task.id == WorkSession.task_id))
    .where(WorkSession.org_id == _p("org"), WorkSession.id.in_(_p("sessions", expanding=True)))
)
# Both in one statement: a round trip fewer a push.
_PEOPLE_OF_BOTH = union_all(_PEOPLE_OF_TASKS, _PEOPLE_OF_SESSIONS)
_HANDOFFS_OF = select(Handoff.id).where(Handoff.org_id == _p("org"), Handoff.task_id == _p("task"))
_LATEST_HANDOFF = (
    select(Handoff.id)
    .where(Handoff.org_id == _p("org"), Handoff.task_id == _p("task"))
    .order_by(Handoff.at.desc(), Handoff.created_at.desc(), Handoff.id.desc())
    .limit(1)
)
_SHARED_TASKS = select(Task.id).where(
    Task.org_id == _p("org"), Task.id.in_(_p("ids", expanding=True)), Task.participants.is_not(None)
)
_NAMES = select(AppUser.user_id, AppUser.nip, AppUser.name).where(
    AppUser.org_id == _p("org"), AppUser.user_id.in_(_p("ids", expanding=True))
)
_ON_TASK = select(
    _TABLES["session"].c.id,
    _TABLES["session"].c.owner_user_id,
    _TABLES["session"].c.start_at,
    _TABLES["session"].c.end_at,
    _TABLES["session"].c.deleted_at,
).where(_TABLES["session"].c.org_id == _p("org"), _TABLES["session"].c.task_id == _p("task"))
_UPSERT_FEED: dict[str, Bulk] = {}
_DEVICE_SEEN_BULK = Bulk(_DEVICE_SEEN)
_SAVE_COUNTERS_BULK = Bulk(_SAVE_COUNTERS)
_QUERIES: dict[int, Query] = {}


def _q(statement: Any) -> Query:
    """One of this module's statements, run on the driver's cursor (``bulk.Query``)."""
    found = _QUERIES.get(id(statement))  # module constants: they live as long as the process
    if found is None:
        found = _QUERIES[id(statement)] = Query(statement)
    return found


class SyncError(AuthError):
    """A refusal of a whole request (a gap, a device conflict, an expired cursor)."""


def password_changed(must_change: bool) -> None:
    """Refuses to sync an account whose initial password is not changed yet."""
    if must_change:
        raise SyncError(403, "password_change_required", "Change your initial password first.")


class Plan(NamedTuple):
    """A push worked out: its changes (to write), its answers, the device's new state."""

    batch: Batch
    results: list[ItemResult]
    high: int  # the device's high-water mark after it
    device_row: dict[str, Any]
    me: Caller  # the caller, checked in the push's transaction


def content_hash(m: Mutation) -> str:
    """What a mutation says, hashed: a replay at the same ``seq`` must say the same (else it
    comes from another install using this device id). The mutation's fields with sorted keys as
    compact JSON (orjson), SHA-256, written ``2:`` and URL-safe base64 (45 characters)."""
    try:
        body = orjson.dumps(m.model_dump(), option=orjson.OPT_SORT_KEYS, default=str)
    except orjson.JSONEncodeError:  # text orjson refuses (a lone surrogate): the first form
        return _content_hash_v1(m)
    return "2:" + base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode()[:43]


def _hashes(request: PushRequest) -> list[str]:
    """A push's content hashes, worked out before it waits for the write lock."""
    return [content_hash(m) for m in request.mutations]


def _content_hash_v1(m: Mutation) -> str:
    """The first form (64 hex digits), still in the log of mutations pushed before 2026-12-07,
    and for what orjson refuses. Five times slower: a tenth of a push went on it."""
    body = json.dumps(m.model_dump(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def same_content(logged: str, m: Mutation) -> bool:
    """Whether ``m`` says what the logged mutation said, in the form its hash was written."""
    return logged == (content_hash(m) if logged.startswith("2:") else _content_hash_v1(m))


def wire(entity: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    """A record as it travels: every column but the merge clock, instants as ISO-8601."""
    return {
        name: iso_utc(row[name]) if name in _INSTANTS and row[name] is not None else row[name]
        for name in _WIRE[entity]
    }


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


class Statistics:
    """PostgreSQL finds a push's records by id well only with statistics: without them it reads
    ``org_id = …`` as rare and filters every session of the organisation by id (12 ms a
    statement at 12,000 sessions, growing with each push) instead of looking up the ids by the
    primary key (1 ms). Autovacuum analyses a new table only after its nap (a minute) and then
    at each tenth of growth, so a fresh server taking a first backlog runs blind for minutes.
    This process analyses the growing tables when it has made 1,000, 2,000, 4,000, … records
    (a few times in all; ``ANALYZE`` reads a sample and blocks neither reads nor writes), and
    then only the tables whose statistics are missing or stale by autovacuum's own measure (a
    tenth changed since the last analysis): a large database already analysed is left alone
    (each ``ANALYZE`` of a multi-gigabyte table reads 30,000 pages). The counts include other
    connections' writes once they report them (within a second or so); one missed is caught at
    the next doubling."""

    FIRST = 1000
    TABLES = ("session", "task", "handoff", "user_feed")
    STALE = text(
        "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()"
        f" AND relname IN ({', '.join(repr(t) for t in TABLES)})"
        " AND (coalesce(last_analyze, last_autoanalyze) IS NULL"
        " OR n_mod_since_analyze > 50 + n_live_tup / 10)"
    )

    def __init__(self) -> None:
        self.made, self.next = 0, self.FIRST
        self._lock = threading.Lock()

    def count(self, engine: Engine, made: int) -> None:
        if engine.dialect.name != "postgresql" or not made:
            return
        with self._lock:
            self.made += made
            if self.made < self.next:
                return
            self.next = max(self.next * 2, self.made)
        try:
            with engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                stale = list(conn.scalars(self.STALE))  # some of TABLES, no other name
                if stale:
                    conn.exec_driver_sql(f"ANALYZE {', '.join(sorted(stale))}")
        except DBAPIError:  # statistics are a help, never a reason to fail a push
            log.warning("ANALYZE of the sync tables failed", exc_info=True)


class _Job:
    """One push waiting for, or in, a group's transaction."""

    __slots__ = ("answer", "done", "error", "hashes", "me", "now", "plan", "request")

    def __init__(self, me: Caller, request: PushRequest, now: int, hashes: list[str]) -> None:
        self.me, self.request, self.now, self.hashes = me, request, now, hashes
        self.plan: Plan | None = None
        self.answer: PushResponse | None = None
        self.error: BaseException | None = None
        self.done = False


class Group:
    """Group commit for SQLite. Its one writer holds the lock for a push's whole transaction,
    and a commit with its fsync took a third of that hold under load (docs/benchmarks.md).
    The pushes that arrive in this process while a transaction runs wait here; the first of
    them to wake when it ends takes every push then waiting (its own among them) and writes
    them in one transaction (``Sync._write_group``); the others are answered when it commits.
    Nothing is answered before its commit, and each push is worked out on what the ones before
    it wrote, as when they queued for the lock one at a time."""

    def __init__(self, write: Callable[[list[_Job]], None]) -> None:
        self._write = write
        self._cond = threading.Condition()
        self._waiting: list[_Job] = []
        self._busy = False

    def waiting(self) -> int:
        """How many pushes wait for the transaction that runs now to end."""
        with self._cond:
            return len(self._waiting)

    def run(self, job: _Job) -> PushResponse:
        with self._cond:
            self._waiting.append(job)
            while self._busy and not job.done:
                self._cond.wait()
            if not job.done:
                self._busy = True
                jobs, self._waiting = self._waiting, []
        if not job.done:
            try:
                self._write(jobs)
            except BaseException as e:  # the transaction failed: every push in it did
                for other in jobs:
                    other.error, other.answer = e, None
                raise
            finally:
                with self._cond:
                    for other in jobs:
                        other.done = True
                    self._busy = False
                    self._cond.notify_all()
        if job.error is not None:
            raise job.error
        assert job.answer is not None
        return job.answer


class Sync:
    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], int] = now_ms,
        pause: Callable[[str], None] | None = None,
    ) -> None:
        self.engine, self.clock = engine, clock
        self.pause = pause or (lambda _stage: None)  # tests hold a push at a stage here
        self.held = pause is not None
        self.hlc = ServerClock()
        self.statistics = Statistics()
        self.group = Group(self._write_group) if engine.dialect.name == "sqlite" else None

    # ---- push --------------------------------------------------------------------------

    def push(self, me: Caller, request: PushRequest) -> PushResponse:
        """One push, one transaction on PostgreSQL, retried when PostgreSQL chose it as a
        deadlock's victim (two users' pushes touching a shared task and each other's feed
        counters). On SQLite the pushes waiting in this process share a transaction and its
        commit (:class:`Group`)."""
        if self.group is not None:
            return self.group.run(_Job(me, request, self.clock(), _hashes(request)))
        for attempt in range(1, RETRIES + 1):
            try:
                return self._push(me, request)
            except DBAPIError as e:
                if getattr(e.orig, "sqlstate", None) not in RETRY_STATES or attempt == RETRIES:
                    raise
                time.sleep(random.uniform(0.005, 0.05) * attempt)
        raise AssertionError("unreachable")

    def _push(self, me: Caller, request: PushRequest) -> PushResponse:
        now, hashes = self.clock(), _hashes(request)
        with writing(self.engine) as conn:
            plan = self._write(conn, me, request, now, hashes)
        return self._answer(plan, now)

    def _write(
        self, conn: Connection, me: Caller, request: PushRequest, now: int, hashes: list[str]
    ) -> Plan:
        plan = self._plan(conn, me, request, now, hashes)
        writes = [*plan.batch.writes(), (_DEVICE_SEEN_BULK, [plan.device_row])]
        # On PostgreSQL the commit goes with the writes (a round trip fewer), unless a test
        # holds the push before it, or SQLite's group commit has more pushes to write.
        bulk.write(conn, writes, commit=not self.held and self.group is None)
        self.pause("commit")
        return plan

    def _answer(self, plan: Plan, now: int) -> PushResponse:
        """A committed push's answer."""
        self.statistics.count(self.engine, len(plan.batch.made))
        return PushResponse(
            server_time=iso_utc(now),
            server_hlc=self.hlc.tick(now),
            epoch=plan.me.epoch,
            device_last_seq=plan.high,
            results=plan.results,
        )

    def _write_group(self, jobs: list[_Job]) -> None:
        """Several pushes in one SQLite transaction, one after another as if each had the
        lock to itself, each in a savepoint so that a refusal or a failure undoes only its own
        writes. Each job gets its answer or its error once the transaction has committed."""
        with writing(self.engine) as conn:
            if len(jobs) == 1:  # alone: no savepoint, as before there were groups
                job = jobs[0]
                job.plan = self._write(conn, job.me, job.request, job.now, job.hashes)
            else:  # savepoints on the driver's cursor: SQLAlchemy's cost a tenth of the lock
                raw, cursor = conn.connection.dbapi_connection, conn.connection.cursor()
                assert raw is not None
                try:
                    for job in jobs:
                        cursor.execute("SAVEPOINT push")
                        try:
                            job.plan = self._write(conn, job.me, job.request, job.now, job.hashes)
                        except Exception as e:  # this push's own refusal or fault only
                            if not raw.in_transaction:  # SQLite ended it (a full disk): all fail
                                raise
                            cursor.execute("ROLLBACK TO push")
                            job.error = e
                        cursor.execute("RELEASE push")
                finally:
                    cursor.close()
        for job in jobs:  # committed: each answered on its own
            if job.plan is not None:
                try:
                    job.answer = self._answer(job.plan, job.now)
                except Exception as e:
                    job.error = e

    def _plan(
        self, conn: Connection, me: Caller, request: PushRequest, now: int, hashes: list[str]
    ) -> Plan:
        """What the push does, read and worked out on ``conn``; nothing is written yet.
        ``hashes``: the mutations' content hashes, in the request's order."""
        org_id = me.org_id
        named = _named(request.mutations)
        batch = Batch(conn, me, now, self.hlc)
        # The reads go in two round trips (``bulk.read``). First the device, locked (its
        # pushes one at a time), and the people of the tasks the push names. Besides its
        # pushes, only a sign-in and an administrator's revoke lock a device's row, neither
        # holding a row a push locks: held while waiting for the counters below, it makes
        # no deadlock. (A counter row made below for an account from before the sync tables
        # waits on its user's row, which a sign-in may hold while it waits on the device:
        # PostgreSQL then refuses one of the two, and a push is tried again. Accounts made
        # since come with their counter row.)
        device_read = (_q(_DEVICE), {"org": org_id, "device": me.device_id, "user": me.user_id})
        people = _people_read(me, named)
        found, *seen = bulk.read(conn, [device_read, *([people] if people else [])])
        # Disabled or revoked since the request's sign-in check, or not checked before (a
        # push's caller from its token alone): refused here, nothing of the push kept.
        device = check_account(next(iter(bulk.dicts(found)), None))
        if not me.checked:
            password_changed(device["must_change_password"])
            me = me._replace(epoch=device["epoch"], checked=True)
        users = _viewers(conn, me, named, seen[0] if seen else None)
        hashed = sorted(zip(request.mutations, hashes, strict=True), key=lambda p: p[0].seq)
        mutations = [m for m, _ in hashed]
        high = first = device["last_seq"]
        seqs = [m.seq for m in mutations if m.seq <= high]
        # Then every viewer's counter row, locked first (one order for all: no deadlocks),
        # the push's own records, and the outcomes of the mutations already pushed.
        reads = [_counters_read(org_id, users), *batch.prefetch_reads(named)]
        if seqs:
            reads.append((_q(_LOGS), {"org": org_id, "device": me.device_id, "seqs": seqs}))
        counted, *records = bulk.read(conn, reads)
        counters = _counters_locked(conn, org_id, users, counted)
        batch.prefetched(named, records)
        logs = {row["seq"]: row for row in bulk.dicts(records[-1])} if seqs else {}
        results: list[ItemResult] = []
        for m, digest in hashed:
            if m.seq > high + 1:  # nothing of this push is kept
                raise SyncError(
                    409,
                    "seq_gap",
                    f"Mutation {high + 1} is missing; push from {first + 1}.",
                    extra={"expected_seq": first + 1},
                )
            if m.seq <= high:
                results.append(_duplicate(m, logs.get(m.seq)))
                continue
            result = self._one(batch, m, now, digest)
            logs[m.seq] = batch.logs[-1]
            results.append(result)
            high = m.seq
        self.pause("applied")
        batch.settle()
        feed = batch.allocate(counters)
        for m, r in zip(mutations, results, strict=True):
            if r.status in ("applied", "merged") and r.entity_id:
                r.feed_seq = feed.get(r.entity_id)
                r.record = batch.shown(r.entity_id)
                r.version = r.record["version"]
                batch.answered(r.entity_id, high)
            elif r.status == "duplicate" and r.entity_id and r.original_status != "rejected":
                r.record = batch.current(_entity_of(m.type), r.entity_id)
            elif r.status == "duplicate" and r.original_status == "rejected":
                r.current = batch.refused_now(m)
        device_row: dict[str, Any] = {
            "k_org": org_id,
            "k_device": me.device_id,
            "last_seen_at": now,
        }
        if high > first:
            last_id = next(m.mutation_id for m in mutations if m.seq == high)
            device_row |= {"last_seq": high, "last_mutation_id": last_id}
        return Plan(batch, results, high, device_row, me)

    def _one(self, batch: Batch, m: Mutation, now: int, digest: str) -> ItemResult:
        """The next mutation: applied by the rules, and logged whatever its outcome."""
        original_hlc = None
        hlc = m.hlc
        try:
            stamp = merge.check_hlc(m.hlc)
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
        batch.logs.append(
            {
                "org_id": batch.org_id,
                "device_id": batch.me.device_id,
                "seq": m.seq,
                "mutation_id": m.mutation_id,
                "content_hash": digest,
                "result": {
                    "status": result.status,
                    "entity_id": result.entity_id,
                    "version": result.version,
                    "code": result.code,
                    "detail": result.detail,
                },
                "hlc": hlc,
                "original_hlc": original_hlc,
                "at": now,
            }
        )
        return result

    # ---- pull --------------------------------------------------------------------------

    def pull(
        self, me: Caller, since: int, limit: int = PULL_LIMIT, answered: int | None = None
    ) -> PullResponse:
        """Up to ``limit`` changes after ``since``. ``answered``: the highest ``seq`` of this
        device whose push answer it has written; the changes whose record it got in such an
        answer, as it still is, are left out (up to ``ANSWERED_SCAN`` times ``limit`` of them a
        page), and ``next`` goes past them."""
        org_id, user_id = me.org_id, me.user_id
        now = self.clock()
        scan = limit if answered is None else limit * ANSWERED_SCAN
        with reading(self.engine) as s:
            found = s.execute(
                _FEED_AFTER, {"org": org_id, "user": user_id, "since": since, "n": scan + 1}
            )
            feed: list[tuple[str, str, int]] = []
            last, has_more = since, False
            for n, (entity, ident, seq, by_device, by_seq, by_feed) in enumerate(found):
                had = (  # this device has the record as it is, from a push answer it wrote
                    answered is not None
                    and by_device == me.device_id
                    and by_seq is not None
                    and by_seq <= answered
                    and by_feed == seq  # and nothing has changed the row since
                )
                if n == scan or (len(feed) == limit and not had):
                    has_more = True
                    break
                if not had:
                    feed.append((entity, ident, seq))
                last = seq
            found.close()  # read no further (SQLite steps the rows as they are taken)
            changes = _changes(s, org_id, user_id, feed)
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
            next=last,
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
    handoffs: set[str]
    session_tasks: set[str]  # the tasks sessions are put on


def _named(mutations: list[Mutation]) -> _Named:
    named = _Named(set(), set(), set(), set(), set())
    for m in mutations:
        if m.type.startswith("handoff."):
            named.handoffs.add(m.entity_id)
        elif m.type == "task.handoff":
            if _plain(m.fields.get("task_id"), 36):
                named.tasks.add(m.fields["task_id"])
            if _plain(m.fields.get("to_nip"), 18):
                named.nips.add(m.fields["to_nip"])
        elif m.type.startswith("task."):
            named.tasks.add(m.entity_id)
        elif m.type.startswith("session."):
            named.sessions.add(m.entity_id)
            if _plain(m.fields.get("task_id"), 36):
                named.session_tasks.add(m.fields["task_id"])
    return named


def _people_read(me: Caller, named: _Named) -> bulk.Read | None:
    """The read of the people of the tasks a push names and of the tasks its sessions are on
    (:func:`_viewers`); None if it names neither."""
    task_ids = set(named.tasks) | named.session_tasks
    if not task_ids and not named.sessions:
        return None
    query: dict[str, Any] = {"org": me.org_id}
    if task_ids:
        query["ids"] = sorted(task_ids)
    if named.sessions:  # as stored: a session moved off a task leaves its people a change
        query["sessions"] = sorted(named.sessions)
    statement = (
        _PEOPLE_OF_BOTH
        if task_ids and named.sessions
        else _PEOPLE_OF_TASKS
        if task_ids
        else _PEOPLE_OF_SESSIONS
    )
    return _q(statement), query


def _viewers(conn: Connection, me: Caller, named: _Named, people: bulk.Rows | None) -> set[str]:
    """Everyone whose feed this push may touch, as far as can be known before it runs (their
    counter rows are locked first, in one order, against deadlocks): the caller, the people
    of the tasks it names and of the tasks its sessions are on (``people``, read by
    :func:`_people_read`; a handed-over task's shares), of the handoffs it answers, and the
    colleagues handed to."""
    users = {me.user_id}
    nips = named.nips
    for owner, assignee, others in people[1] if people else ():
        users.update((owner, assignee, *participants(others)))
    if named.handoffs:
        handed: set[str] = set()
        for giver, taker, task in conn.execute(
            _PEOPLE_OF_HANDOFFS, {"org": me.org_id, "ids": sorted(named.handoffs)}
        ):
            users.update((giver, taker))
            handed.add(task)
        for owner, assignee, others in conn.execute(
            _PEOPLE_OF_TASKS, {"org": me.org_id, "ids": sorted(handed)}
        ):
            users.update((owner, assignee, *participants(others)))
    if nips:
        users.update(conn.scalars(_USERS_BY_NIP, {"org": me.org_id, "nips": sorted(nips)}))
    return users


def _entity_of(mutation_type: str) -> str:
    return "handoff" if mutation_type == "task.handoff" else mutation_type.partition(".")[0]


def _duplicate(m: Mutation, log: Mapping[str, Any] | None) -> ItemResult:
    """A mutation at or below the device's high-water mark: answered from the log (pruned
    after the retention period: then still a duplicate, answered with its record as it is)."""
    if log is not None and (
        log["mutation_id"] != m.mutation_id or not same_content(log["content_hash"], m)
    ):
        raise SyncError(
            409,
            "device_conflict",
            "Another install uses this device id: register a new device and push again.",
        )
    # A log pruned after its retention: the mutation still names its record, whose state the
    # answer then carries (the first answer, lost, may have been the device's only copy).
    original: dict[str, Any] = log["result"] if log is not None else {"entity_id": m.entity_id}
    return ItemResult(
        seq=m.seq,
        status="duplicate",
        entity_id=original.get("entity_id"),
        version=original.get("version"),
        original_status=original.get("status"),
        code=original.get("code"),  # a refusal's reason, replayed with it (SYNC.md)
        detail=original.get("detail"),
    )


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


def lock_counters(conn: Connection, org_id: str, users: set[str]) -> dict[str, dict[str, Any]]:
    """The users' counter rows, locked in user_id order, as every writer locks them: two
    pushes sharing a task wait for each other instead of deadlocking. Whoever changes one
    writes it back with :func:`save_counters`."""
    (found,) = bulk.read(conn, [_counters_read(org_id, users)])
    return _counters_locked(conn, org_id, users, found)


def _counters_read(org_id: str, users: set[str]) -> bulk.Read:
    return _q(_LOCK_COUNTERS), {"org": org_id, "users": sorted(users)}


def _counters_locked(
    conn: Connection, org_id: str, users: set[str], found: bulk.Rows
) -> dict[str, dict[str, Any]]:
    """The counter rows :func:`_counters_read` found, and those of users without one, made."""
    rows = {row["user_id"]: row for row in bulk.dicts(found)}
    missing = [
        {"org_id": org_id, "user_id": user, "last_seq": 0, "gc_floor": 0}
        for user in sorted(users - rows.keys())  # a user from before the sync tables
    ]
    if missing:
        conn.execute(insert(_COUNTERS), missing)
        rows.update((row["user_id"], row) for row in missing)
    return rows


def save_counters(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _SAVE_COUNTERS_BULK.run(conn, counter_rows(rows))


def counter_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Counter rows as :data:`_SAVE_COUNTERS` writes them back."""
    return [
        {
            "k_org": r["org_id"],
            "k_user": r["user_id"],
            "last_seq": r["last_seq"],
            "gc_floor": r["gc_floor"],
        }
        for r in rows
    ]


def participants(text: str | None) -> list[str]:
    return [u for u in (text or "").split(",") if u]


def task_people(row: Mapping[Any, Any]) -> set[str]:
    """Who sees a task: its owner, its assignee, and everyone it was handed from or to (they
    keep its history, and the time they worked on it)."""
    return {row["owner_user_id"], row["assignee_user_id"], *participants(row["participants"])}


def _sees(entity: str, row: Mapping[Any, Any], user_id: str) -> bool:
    """Whether the user may see the record now."""
    if entity == "task":
        return user_id in task_people(row)
    if entity == "handoff":
        return user_id in (row["from_user"], row["to_user"])
    return bool(row["owner_user_id"] == user_id)


def _changes(
    s: Session, org_id: str, user_id: str, feed: list[tuple[str, str, int]]
) -> list[Change]:
    rows: dict[tuple[str, str], Mapping[Any, Any]] = {}
    for entity in _TABLES:
        ids = [i for t, i, _ in feed if t == entity]
        for start in range(0, len(ids), 500):
            params = {"org": org_id, "ids": ids[start : start + 500]}
            for found in s.execute(_BY_IDS[entity], params).mappings():
                rows[(entity, found["id"])] = found
    # A handoff is seen by everyone who had its task (the history of a task handed on).
    handed = sorted(
        {
            str(row["task_id"])
            for (entity, _), row in rows.items()
            if entity == "handoff" and not _sees(entity, row, user_id)
        }
    )
    had = (
        {
            str(t["id"])
            for t in s.execute(_BY_IDS["task"], {"org": org_id, "ids": handed}).mappings()
            if user_id in task_people(t)
        }
        if handed
        else set()
    )
    out = []
    for entity, ident, seq in feed:
        row = rows.get((entity, ident))
        if row is None:
            continue
        gone = not (_sees(entity, row, user_id) or (entity == "handoff" and row["task_id"] in had))
        out.append(
            Change(
                entity=entity,
                id=ident,
                version=row["version"],
                seq=seq,
                deleted=not gone and row.get("deleted_at") is not None,
                gone=gone,
                record={} if gone else wire(entity, row),
            )
        )
    return out


def _feed_upsert(conn: Connection) -> Bulk:
    """INSERT … ON CONFLICT DO UPDATE of a feed row's seq, in the database's own dialect."""
    name = conn.dialect.name
    if name not in _UPSERT_FEED:
        stmt = (pg_insert if name == "postgresql" else sqlite_insert)(_FEED)
        _UPSERT_FEED[name] = Bulk(
            stmt.on_conflict_do_update(
                index_elements=[c.name for c in _FEED.primary_key.columns],
                set_={
                    "seq": stmt.excluded.seq,
                    "by_device": stmt.excluded.by_device,
                    "by_seq": stmt.excluded.by_seq,
                    "by_feed": stmt.excluded.by_feed,
                },
            )
        )
    return _UPSERT_FEED[name]


# ---- one push's changes ----------------------------------------------------------------


Row = dict[str, Any]


def _record(kind: Kind, row: Row) -> Record:
    return Record(
        {name: row[name] for name in _COLUMNS[kind.name]},
        row["clock"],  # merge.apply changes a copy, never this
        list(row["conflicts"] or []),
    )


def _flags(text: str | None) -> set[str]:
    return set(filter(None, (text or "").split(",")))


def _running(row: Row) -> bool:
    return row["end_at"] is None and row["deleted_at"] is None


class Batch:
    """The changes of one push: the records read and written (plain dicts, written back at the
    end by :meth:`write` in a few statements), who must see them, and the settling (running
    rule, overlap flags, feed numbers) at the end."""

    def __init__(self, conn: Connection, me: Caller, now: int, hlc: ServerClock) -> None:
        self.conn, self.me, self.now, self.server_hlc = conn, me, now, hlc
        self.org_id, self.user_id = me.org_id, me.user_id
        self.viewers: dict[tuple[str, str], set[str]] = {}
        self.spans: list[tuple[int, int]] = []  # sessions' old and new spans, for overlaps
        self.touched_sessions = False
        # Every row this push has read or made, by (entity, id); None: looked for, not there.
        self.rows: dict[tuple[str, str], Row | None] = {}
        self.made: dict[tuple[str, str], Row] = {}  # inserted at the end
        self.changed: dict[tuple[str, str], Row] = {}  # updated at the end
        self.logs: list[Row] = []
        self.feed: list[Row] = []
        self.own_feed: dict[str, Row] = {}  # the pushing user's feed rows, by record id
        self.counters: list[Row] = []
        self.entities: dict[str, str] = {}  # id -> entity of the records the results show
        self.before: dict[tuple[str, str], int] = {}  # versions as the push found them
        self.people: dict[str, tuple[str, str]] = {}  # user id -> (NIP, name), as read
        self.unlocked: set[tuple[str, str]] = set()  # rows read without FOR UPDATE
        self.left_tasks: set[str] = set()  # tasks a session of this push was moved off
        self.running_read = False  # the user's running sessions are among ``rows``

    def prefetch_reads(self, named: _Named) -> list[bulk.Read]:
        """The reads of the records the push names, as :meth:`prefetched` takes their rows:
        the sessions and tasks it changes, locked; the tasks its sessions are put on, only
        read; and, if it changes sessions, the user's running ones, locked (the running rule
        settles them at the end: :meth:`settle`). The user's sessions are written by the
        user's pushes alone, each holding the user's counter row: read now, they are as the
        end of the push would find them."""
        reads: list[bulk.Read] = [
            (_q((_ROWS if lock else _BY_IDS)[entity]), {"org": self.org_id, "ids": ids})
            for entity, ids, lock in self._named_rows(named)
        ]
        if named.sessions:
            reads.append((_q(_RUNNING), {"org": self.org_id, "user": self.user_id}))
        return reads

    @staticmethod
    def _named_rows(named: _Named) -> list[tuple[str, list[str], bool]]:
        """The records a push names, by entity, and whether they are locked (changed) or
        only looked at (the tasks its sessions are put on)."""
        seen = named.session_tasks - named.tasks
        found = (
            ("session", named.sessions, True),
            ("task", named.tasks, True),
            ("task", seen, False),
        )
        return [(entity, sorted(ids), lock) for entity, ids, lock in found if ids]

    def prefetched(self, named: _Named, found: list[bulk.Rows]) -> None:
        """The rows of :meth:`prefetch_reads`, in its order (more may follow: not taken)."""
        by_ids = self._named_rows(named)
        for (entity, ids, lock), rows in zip(by_ids, found, strict=False):
            keys = [(entity, i) for i in ids]
            self.rows.update(dict.fromkeys(keys, None))
            self.before.update(dict.fromkeys(keys, 0))
            if not lock:  # only looked at: to change one, it is read again
                self.unlocked.update(keys)
            for row in bulk.dicts(rows):
                self.rows[(entity, row["id"])] = row
                self.before[(entity, row["id"])] = row["version"]
        if named.sessions:
            self.running_read = True
            for stored in bulk.dicts(found[len(by_ids)]):
                key = ("session", stored["id"])
                if self.rows.get(key) is None:
                    self.rows[key] = stored

    def row(self, entity: str, ident: str, lock: bool = True) -> Row | None:
        key = (entity, ident)
        if lock and key in self.unlocked:  # read only to look at it; now to change it
            self.unlocked.discard(key)
            del self.rows[key]
        if key not in self.rows:
            if not lock:
                self.unlocked.add(key)
            params = {"org": self.org_id, "id": ident}
            found = _q(_ROW[(entity, lock)]).rows(self.conn, params)
            row = found[0] if found else None
            self.rows[key] = row
            self.before[key] = 0 if row is None else row["version"]
        return self.rows[key]

    def add(self, entity: str, row: Row) -> Row:
        """A new record, with every column (an executemany insert takes one shape)."""
        full: Row = _EMPTY[entity] | row
        key = (entity, str(row["id"]))
        self.before.setdefault(key, 0)
        self.rows[key] = self.made[key] = full
        return full

    def mark(self, entity: str, row: Row) -> None:
        key = (entity, row["id"])
        if key not in self.made:
            self.changed[key] = row

    def _sessions(self, query: Any, keep: Callable[[Row], bool], **params: Any) -> list[Row]:
        """The user's sessions that ``query`` finds, as this push has left them: the database's
        (read through this push's rows) and this push's own, ``keep`` being the query's
        condition in Python. In (start, id) order."""
        found: dict[str, Row] = {}
        params |= {"org": self.org_id, "user": self.user_id}
        for stored in _q(query).rows(self.conn, params):
            key = ("session", stored["id"])
            row = self.rows.get(key)
            if row is None:
                row = self.rows[key] = stored
            if keep(row):
                found[row["id"]] = row
        for row in self._own_sessions():
            if row["id"] not in found and keep(row):
                found[row["id"]] = row
        return sorted(found.values(), key=lambda r: (r["start_at"], r["id"]))

    def _own_sessions(self) -> Iterator[Row]:
        """The user's sessions this push has read or made, as it leaves them."""
        for (entity, _), row in self.rows.items():
            if entity == "session" and row is not None and row["owner_user_id"] == self.user_id:
                yield row

    def apply(self, m: Mutation, hlc: str) -> ItemResult:
        entity, _, op = m.type.partition(".")
        if m.type == "task.handoff":
            return self._handoff(m, hlc)
        if entity == "handoff" and op in ("accept", "decline"):
            return self._answer(m, op, hlc)
        kind = merge.KINDS.get(entity)
        if kind is None:
            raise Reject("unknown_type", f"unknown mutation type {m.type}")
        fields = merge.clean(kind, op, m.fields)
        if kind is SESSION:
            return self._session(m, op, fields, hlc)
        return self._task(m, op, fields, hlc)

    def _result(self, m: Mutation, entity: str, row: Row, outcome: Outcome) -> ItemResult:
        """The answer to one mutation; its record, as the push leaves it, comes at the end."""
        self.entities[row["id"]] = entity
        return ItemResult(
            seq=m.seq,
            status=outcome.status,
            entity_id=row["id"],
            version=row["version"],
            note=outcome.note,
        )

    def current(self, entity: str, ident: str) -> dict[str, Any] | None:
        """A record as it is now, if the caller may see it: a duplicate's answer carries it,
        since the first answer, lost, was the client's only way to learn the server's outcome
        (a change that lost to a newer one leaves the version as it was)."""
        if entity not in _TABLES:
            return None
        row = self.row(entity, ident, lock=False)
        if row is None or not _sees(entity, row, self.user_id):
            return None
        return wire(entity, row)

    def refused_now(self, m: Mutation) -> dict[str, Any] | None:
        """For a refused mutation asked again (its first answer lost): what its refusal carried,
        as it is now (the task a handoff was of; an answered handoff and its task)."""
        if m.type == "task.handoff":
            task_id = m.fields.get("task_id")
            return self.current("task", str(task_id)) if _plain(task_id, 36) else None
        if m.type in ("handoff.accept", "handoff.decline"):
            handoff = self.current("handoff", m.entity_id)
            if handoff is not None:
                handoff["task"] = self.current("task", str(handoff["task_id"]))
            return handoff
        return None

    def shown(self, ident: str) -> dict[str, Any]:
        entity = self.entities[ident]
        row = self.rows[(entity, ident)]
        assert row is not None
        return wire(entity, row)

    def _write(self, entity: str, row: Row, kind: Kind, rec: Record, changed: bool) -> None:
        if not changed:
            return
        for name in _COLUMNS[kind.name]:
            row[name] = rec.values.get(name)
        row["clock"], row["conflicts"] = rec.clock, rec.conflicts
        row["version"] = (row["version"] or 0) + 1
        row["updated_at"] = self.now
        if entity == "task":
            row["content_version"] = None  # a real change: the version itself
        self.mark(entity, row)

    def see(self, entity: str, ident: str, *users: str | None) -> None:
        self.viewers.setdefault((entity, ident), set()).update(u for u in users if u)

    # ---- sessions

    def _session(self, m: Mutation, op: str, fields: dict[str, Any], hlc: str) -> ItemResult:
        row = self.row("session", m.entity_id)
        if row is not None and row["owner_user_id"] != self.user_id:
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
        flags = _flags(row["needs_review"] if row else None)
        event = set()
        rec = outcome.record
        if "start_at" in fields and fields["start_at"] > self.now + FUTURE_MS:
            event.add("future")
        if m.clock_offset_ms is not None and abs(m.clock_offset_ms) > OFFSET_MS:
            event.add("clock_offset")
        if "task_id" in fields and self.row("task", fields["task_id"], lock=False) is None:
            event.add("unknown_task")
        if row is None:
            row = self.add("session", {"org_id": self.org_id, "id": m.entity_id, "version": 0})
        else:
            self.spans.append((row["start_at"], row["end_at"] or self.now))
            self.left_tasks.add(row["task_id"])
        changed = outcome.changed or not event <= flags
        self._write("session", row, SESSION, rec, changed)
        if changed:
            if event:
                row["needs_review"] = ",".join(sorted(flags | event))
                row["client_clock_offset_ms"] = m.clock_offset_ms
            self.spans.append((row["start_at"], row["end_at"] or self.now))
            self.touched_sessions = True
            self.see("session", row["id"], self.user_id)
        return self._result(m, "session", row, outcome)

    # ---- tasks

    def _task(self, m: Mutation, op: str, fields: dict[str, Any], hlc: str) -> ItemResult:
        row = self.row("task", m.entity_id)
        if row is not None and self.user_id not in (row["owner_user_id"], row["assignee_user_id"]):
            if self.user_id in participants(row["participants"]):
                raise Reject("handed_over", "the task is with a colleague now; only they change it")
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
        elif (
            row is not None
            and fields.get("assignee_user_id", row["assignee_user_id"]) != (row["assignee_user_id"])
        ):
            raise Reject("reassign_via_handoff", "a task changes hands by a handoff")
        outcome = merge.apply(
            TASK, _record(TASK, row) if row else None, op, fields, hlc, m.entity_id
        )
        if row is None:
            row = self.add("task", {"org_id": self.org_id, "id": m.entity_id, "version": 0})
        self._write("task", row, TASK, outcome.record, outcome.changed)
        if outcome.changed:
            self.see("task", row["id"], *task_people(row))
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
        existing = self.row("handoff", m.entity_id, lock=False)
        if existing is not None:
            if existing["from_user"] != self.user_id:
                raise Reject("not_found", f"no handoff {m.entity_id}")
            return self._result(
                m,
                "handoff",
                existing,
                Outcome(Record({}), False, "merged", "this handoff is already recorded"),
            )
        task = self.row("task", task_id)
        if task is None or self.user_id not in task_people(task):
            raise Reject("not_found", f"no task {task_id}")
        if task["assignee_user_id"] != self.user_id:
            raise Reject(
                "handed_over",
                "only whoever has the task now hands it on",
                current=wire("task", task),
            )
        if task["deleted_at"] is not None:
            raise Reject("task_deleted", "the task is deleted")
        # The version the device knew: now, or before this push (the changes since are the
        # device's own, in this push: a task made offline and handed over at once).
        before = self.before.get(("task", task_id), task["version"])
        # Its time summed again (shares) is not a change of the task: a version from since its
        # last real change is current.
        real = task["content_version"] or task["version"]
        if m.base_version is None or not (
            real <= m.base_version <= task["version"] or m.base_version == before
        ):
            raise Reject(
                "task_version_conflict",
                "the task was changed or handed over meanwhile",
                current=wire("task", task),
            )
        colleague = self.conn.execute(_COLLEAGUE, {"org": self.org_id, "nip": nip}).first()
        if colleague is None:
            raise Reject("unknown_colleague", "no active colleague with this NIP here")
        to, to_name = colleague
        if to == self.user_id:
            raise Reject("handoff_to_self", "a task cannot be handed to oneself")
        giver = task["assignee_user_id"]
        task["participants"] = ",".join(
            sorted({*participants(task["participants"]), giver, self.user_id, to})
        )
        clock = task["clock"]
        task["assignee_user_id"] = to
        task["clock"] = {**clock, "f": {**clock.get("f", {}), "assignee_user_id": hlc}}
        task["version"] += 1
        task["content_version"] = None
        task["updated_at"] = self.now
        self.mark("task", task)
        self.before[("task", task_id)] = task["version"]  # a second handoff in this push
        handoff = self.add(
            "handoff",
            {
                "org_id": self.org_id,
                "id": m.entity_id,
                "task_id": task_id,
                "from_user": self.user_id,
                "to_user": to,
                "at": at,
                "note": note,
                "status": "pending",
                "version": 1,
                "origin_device": self.me.device_id,
                "created_at": self.now,
                "updated_at": self.now,
                "to_nip": nip,
                "to_name": to_name,
            },
        )
        self._stop_running_on(task_id, at, f"handoff:{m.entity_id}")
        self._name_parties(handoff, task, at)
        self.see("task", task_id, *task_people(task))
        self.see("handoff", m.entity_id, *task_people(task))
        for earlier in self.conn.scalars(_HANDOFFS_OF, {"org": self.org_id, "task": task_id}):
            self.see("handoff", earlier, to)  # the task's history, to whoever has it now
        return self._result(m, "handoff", handoff, Outcome(Record({}), True, "applied"))

    def _shares(self, task: Row, at: int | None) -> list[dict[str, Any]]:
        """Everyone's time on a task as this push leaves it, [{"user", "nip", "name", "ms"}]
        by name; a running session counted up to ``at``, or (``at`` None) named by its start
        as ``"since"`` beside the stopped sessions' ``ms``, so that the task's other people
        count it as it runs. Only the task's people count: a session someone put on a task
        they never had tells nothing here."""
        task_id = task["id"]
        people_of = task_people(task)
        worked: dict[str, int] = {}
        stored = self.conn.execute(_ON_TASK, {"org": self.org_id, "task": task_id}).mappings()
        rows: dict[str, Mapping[Any, Any]] = {r["id"]: r for r in stored}
        for (entity, ident), row in self.rows.items():  # this push's own, as it leaves them
            if entity == "session" and row is not None:
                if row["task_id"] == task_id:
                    rows[ident] = row
                else:
                    rows.pop(ident, None)  # moved to another task in this push
        running: dict[str, int] = {}  # a timer still running on it: since when
        for r in rows.values():
            if r["deleted_at"] is not None or r["owner_user_id"] not in people_of:
                continue
            end = r["end_at"] if r["end_at"] is not None else at
            if end is None:
                running[r["owner_user_id"]] = r["start_at"]
                worked.setdefault(r["owner_user_id"], 0)
                continue
            worked[r["owner_user_id"]] = worked.get(r["owner_user_id"], 0) + max(
                0, end - r["start_at"]
            )
        people = {
            uid: (nip, name)
            for uid, nip, name in self.conn.execute(
                _NAMES, {"org": self.org_id, "ids": sorted({*worked, self.user_id})}
            )
        }
        self.people.update(people)
        return [
            {"user": uid, "nip": people[uid][0], "name": people[uid][1], "ms": ms}
            | ({"since": running[uid]} if uid in running else {})
            for uid, ms in sorted(worked.items(), key=lambda kv: people.get(kv[0], ("", ""))[1])
            if uid in people
        ]

    def _name_parties(self, handoff: Row, task: Row, at: int) -> None:
        """The giver by name and NIP, and everyone's time on the task (the giver's running
        session counted up to the handoff)."""
        handoff["shares"] = self._shares(task, at)
        handoff["from_nip"], handoff["from_name"] = self.people.get(self.user_id, (None, None))
        task["shares"] = self._shares(task, None)

    def _answer(self, m: Mutation, op: str, hlc: str) -> ItemResult:
        """The colleague's answer to a handoff: accepted, or declined with a reason, which
        gives the task back to whoever handed it."""
        f = m.fields
        if set(f) - {"reason", "at"}:
            raise Reject("invalid_field", "an answer carries a reason and at")
        handoff = self.row("handoff", m.entity_id)
        if handoff is None or self.user_id not in (handoff["from_user"], handoff["to_user"]):
            raise Reject("not_found", f"no handoff {m.entity_id}")
        if handoff["to_user"] != self.user_id:
            raise Reject("forbidden", "only the colleague a task was handed to answers")
        status = "accepted" if op == "accept" else "declined"
        task = self.row("task", handoff["task_id"])
        # A refusal carries the handoff and its task as they are: the client undoes its answer.
        now_is = wire("handoff", handoff) | {
            "task": wire("task", task)
            if task is not None and _sees("task", task, self.user_id)
            else None
        }
        if handoff["status"] != "pending":
            if handoff["status"] == status:
                return self._result(
                    m, "handoff", handoff, Outcome(Record({}), False, "merged", "already answered")
                )
            raise Reject(
                "handoff_answered", f"this handoff was already {handoff['status']}", current=now_is
            )
        reason = merge.check_text(f.get("reason"), "reason", merge.MAX_TEXT, optional=True)
        at = merge.parse_instant(f["at"], "at") if f.get("at") is not None else self.now
        if status == "declined":
            if not reason:
                raise Reject("invalid_field", "reason: say why the task is declined")
            latest = (
                None
                if task is None
                else self.conn.scalar(_LATEST_HANDOFF, {"org": self.org_id, "task": task["id"]})
            )
            if task is None or task["assignee_user_id"] != self.user_id or latest != handoff["id"]:
                raise Reject(
                    "task_moved_on",
                    "the task has moved on since it was handed over",
                    current=now_is,
                )
            clock = task["clock"]
            task["assignee_user_id"] = handoff["from_user"]
            task["clock"] = {**clock, "f": {**clock.get("f", {}), "assignee_user_id": hlc}}
            task["version"] += 1
            task["content_version"] = None
            task["updated_at"] = self.now
            self.mark("task", task)
            self._stop_running_on(task["id"], at, f"handoff_declined:{m.entity_id}")
        handoff["status"] = status
        handoff["answer_note"] = reason
        handoff["answered_at"] = at
        handoff["version"] += 1
        handoff["updated_at"] = self.now
        self.mark("handoff", handoff)
        people = {handoff["from_user"], handoff["to_user"]}
        if task is not None:
            people |= task_people(task)
            self.see("task", task["id"], *people)
        self.see("handoff", handoff["id"], *people)
        return self._result(m, "handoff", handoff, Outcome(Record({}), True, "applied"))

    def _stop_running_on(self, task_id: str, at: int, reason: str) -> None:
        """The giver's timer on a task handed over stops at the handoff."""
        for row in self._sessions(
            _RUNNING_ON, lambda r: r["task_id"] == task_id and _running(r), task=task_id
        ):
            self._auto_stop(row, at, reason)

    # ---- settling the batch

    def _auto_stop(self, row: Row, end: int, reason: str) -> None:
        rec = merge.auto_stop(_record(SESSION, row), end, reason, self.server_hlc.tick(self.now))
        self.spans.append((row["start_at"], self.now))
        self._write("session", row, SESSION, rec, True)
        self.touched_sessions = True
        self.see("session", row["id"], self.user_id)

    def settle(self) -> None:
        if not self.touched_sessions:
            return
        self._settle_sessions()
        self._share_tasks()

    def _share_tasks(self) -> None:
        """A task handed over keeps each participant's time on it current: its sessions
        changed in this push, its shares are summed again (and its participants told). Whether
        a task was handed over is read from the database, or from the row this push read and
        left as it is (a push on a task that is not shared then reads nothing more)."""
        keys = (*self.made, *self.changed)
        task_ids = self.left_tasks | {
            row["task_id"]
            for key in keys
            if key[0] == "session" and (row := self.rows.get(key)) is not None
        }
        shared, unknown = [], []
        for task_id in sorted(task_ids):
            key = ("task", task_id)
            if key in self.made:  # new in this push: never handed over before it
                continue
            if key in self.rows and key not in self.changed:  # as stored: no need to ask
                row = self.rows[key]
                if row is not None and row["participants"] is not None:
                    shared.append(task_id)
            else:
                unknown.append(task_id)
        if unknown:
            query = {"org": self.org_id, "ids": unknown}
            shared += (t for (t,) in _q(_SHARED_TASKS).tuples(self.conn, query))
        for task_id in sorted(shared):
            task = self.row("task", task_id)
            if task is None:
                continue
            shares = self._shares(task, None)
            if shares != task["shares"]:
                task["shares"] = shares
                task["content_version"] = task["content_version"] or task["version"]
                task["version"] += 1
                task["updated_at"] = self.now
                self.mark("task", task)
                self.see("task", task_id, *task_people(task))

    def _settle_sessions(self) -> None:
        stored = (
            [r for r in self._own_sessions() if _running(r)]
            if self.running_read
            else self._sessions(_RUNNING, _running)
        )
        running = sorted(
            stored,
            key=lambda r: (r["start_at"], r["clock"].get("f", {}).get("start_at", ""), r["id"]),
        )
        for row in running[:-1]:  # the newest start keeps running (SYNC.md, Toggl's rule)
            later = self._next_start(row["start_at"])
            self._auto_stop(
                row, later if later is not None else self.now, f"superseded_by:{running[-1]['id']}"
            )
        self._flag_overlaps()

    def _next_start(self, after: int) -> int | None:
        """The first start after ``after`` of the user's sessions, as this push leaves them."""
        known = [i for entity, i in self.rows if entity == "session"]
        starts = [
            r["start_at"]
            for r in self._own_sessions()
            if r["deleted_at"] is None and r["start_at"] > after
        ]
        params = {"org": self.org_id, "user": self.user_id, "after": after, "known": known}
        stored = self.conn.scalar(_NEXT_START, params)
        if stored is not None:
            starts.append(stored)
        return min(starts, default=None)

    def _near(self, lo: int, hi: int) -> list[Row]:
        """The user's sessions overlapping [lo, hi), as this push leaves them. The running ones
        are all among this push's rows already: :meth:`settle` read them first."""

        def keep(r: Row) -> bool:
            return (
                r["deleted_at"] is None
                and r["start_at"] < hi
                and (r["end_at"] is None or r["end_at"] > lo)
            )

        return self._sessions(_ENDED_NEAR, keep, lo=lo, hi=hi)

    def _flag_overlaps(self) -> None:
        """Recompute the state flags of every session near the changed ones: overlaps (touching
        end to start is not one) and very long sessions. Flagged, never rewritten."""
        if not self.spans:
            return
        # A session of this push stopped at its very start has no time: it overlaps nothing
        # and so is "near" nothing, yet its flags are worked out again too (a stale 'long').
        no_time = [
            row
            for (entity, _), row in self.rows.items()
            if entity == "session"
            and row is not None
            and row["deleted_at"] is None
            and row["owner_user_id"] == self.user_id
            and row["end_at"] == row["start_at"]
        ]
        lo, hi = min(a for a, _ in self.spans), max(b for _, b in self.spans)
        near = self._near(lo, hi + 1)
        if near:
            # Everything that overlaps one of these lies within their own outer bounds.
            wider_lo = min(lo, *(r["start_at"] for r in near))
            wider_hi = max(hi, *((r["end_at"] or self.now) for r in near))
            if (wider_lo, wider_hi) != (lo, hi):
                near = self._near(wider_lo, wider_hi + 1)
        found = {r["id"] for r in near}
        near += [row for row in no_time if row["id"] not in found]
        if not near:
            return
        rows = sorted(near, key=lambda r: (r["start_at"], r["id"]))
        overlapping: set[str] = set()
        reach_end, reach_id = -1, ""
        for r in rows:
            end = r["end_at"] if r["end_at"] is not None else max(self.now, r["start_at"])
            if r["end_at"] == r["start_at"]:  # no time: overlaps nothing, whatever the order
                continue
            if r["start_at"] < reach_end:  # it overlaps the one reaching furthest, at least
                overlapping.update((r["id"], reach_id))
            if end > reach_end:
                reach_end, reach_id = end, r["id"]
        for r in rows:
            end = r["end_at"] if r["end_at"] is not None else self.now
            state = {"overlap"} if r["id"] in overlapping else set()
            if end - r["start_at"] > LONG_MS:
                state.add("long")
            flags = (_flags(r["needs_review"]) - STATE_FLAGS) | state
            if r["end_at"] is not None:  # stopped: its running is no longer in doubt
                flags.discard("running_unconfirmed")
            text = ",".join(sorted(flags)) or None
            if text != r["needs_review"]:
                r["needs_review"] = text
                r["version"] += 1
                r["updated_at"] = self.now
                self.mark("session", r)
                self.see("session", r["id"], self.user_id)

    def allocate(self, counters: dict[str, Row]) -> dict[str, int]:
        """Feed numbers for every change, from each viewer's counter row (locked at the start;
        one that became a viewer meanwhile is locked now); returns the caller's numbers. The
        rows are written by :meth:`write`."""
        by_user: dict[str, list[tuple[str, str]]] = {}
        for key, users in self.viewers.items():
            for user in users:
                by_user.setdefault(user, []).append(key)
        missing = by_user.keys() - counters.keys()
        if missing:
            counters = counters | lock_counters(self.conn, self.org_id, set(missing))
        out: dict[str, int] = {}
        for user in sorted(by_user):
            keys = by_user[user]  # in the order of the changes: a task before its sessions
            counter = counters[user]
            base = counter["last_seq"]
            counter["last_seq"] = base + len(keys)
            self.counters.append(counter)
            for n, (entity, ident) in enumerate(keys, start=base + 1):
                row = {
                    "org_id": self.org_id,
                    "user_id": user,
                    "entity_type": entity,
                    "entity_id": ident,
                    "seq": n,
                    "by_device": None,
                    "by_seq": None,
                    "by_feed": None,
                }
                self.feed.append(row)
                if user == self.user_id:
                    out[ident] = n
                    self.own_feed[ident] = row
        return out

    def answered(self, ident: str, high: int) -> None:
        """The push's answer carries this record as it now is: the pushing device has it, and
        its pulls may leave this change out (``pull?answered=``)."""
        row = self.own_feed.get(ident)
        if row is not None:
            row["by_device"], row["by_seq"], row["by_feed"] = self.me.device_id, high, row["seq"]

    def write(self, conn: Connection) -> None:
        """Everything the push changed (:meth:`writes`), written."""
        bulk.write(conn, self.writes())

    def writes(self) -> list[bulk.Step]:
        """Everything the push changed, a statement per table and kind of change. A changed
        row is written whole: safe because whoever writes a user's records holds that user's
        feed counter row (``lock_counters``) from before reading them."""
        out: list[bulk.Step] = []
        for entity in _TABLES:
            out.append(
                (_INSERTS[entity], [row for (e, _), row in self.made.items() if e == entity])
            )
            changed = [
                {"k_org": row["org_id"], "k_id": row["id"]}
                | {name: row[name] for name in _MUTABLE[entity]}
                for (e, _), row in self.changed.items()
                if e == entity
            ]
            out.append((_UPDATES[entity], changed))
        out.append((_LOG_INSERT, self.logs))
        out.append((_feed_upsert(self.conn), self.feed))
        out.append((_SAVE_COUNTERS_BULK, counter_rows(self.counters)))
        return out
