"""The server's housekeeping (``wfh-server maintain``, daily from cron or a systemd timer):

- records deleted and untouched for the retention period (90 days, the longest supported
  offline time) are removed with their feed rows; each user's ``gc_floor`` rises past them, so
  an older cursor gets 410 and a full resync instead of missing a delete;
- the mutation log is pruned to the same period (a replay of a pruned ``seq`` is still a
  duplicate: the device's high-water mark says so);
- a running session whose device has not been seen for 12 hours is flagged
  ``running_unconfirmed`` for its owner to confirm. It is never stopped on a guess.

Each organisation and user is its own transaction: nothing crosses organisations.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from wfh_server.auth import Caller
from wfh_server.db import now_ms, reading, transaction, writing
from wfh_server.models import (
    Device,
    Handoff,
    MutationLog,
    Task,
    UserFeed,
    UserSyncState,
    WorkSession,
)
from wfh_server.sync import Batch, ServerClock, feed_keys, lock_counters, save_counters

RETENTION_MS = 90 * 24 * 3600_000
STALE_RUNNING_MS = 12 * 3600_000
UNCONFIRMED = "running_unconfirmed"


class Report(NamedTuple):
    removed: int  # tombstones removed
    pruned: int  # mutation log rows pruned
    flagged: int  # running sessions flagged unconfirmed


def maintain(engine: Engine, now: int | None = None, retention_ms: int = RETENTION_MS) -> Report:
    now = now_ms() if now is None else now
    with reading(engine) as s:
        users = s.execute(select(UserSyncState.org_id, UserSyncState.user_id)).all()
    removed = flagged = 0
    for org_id, user_id in users:
        removed += _collect(engine, org_id, user_id, now - retention_ms)
        flagged += _flag_stale(engine, org_id, user_id, now)
    with reading(engine) as s:
        orgs = list(s.scalars(select(MutationLog.org_id).distinct()))
    pruned = 0
    for org_id in orgs:
        with transaction(engine) as s:
            result: Any = s.execute(
                delete(MutationLog).where(
                    MutationLog.org_id == org_id, MutationLog.at < now - retention_ms
                )
            )
            pruned += result.rowcount or 0
    return Report(removed, pruned, flagged)


def _collect(engine: Engine, org_id: str, user_id: str, cutoff: int) -> int:
    """Remove the user's own old tombstones (sessions; tasks they own, with their handoffs) and
    their feed rows in every viewer's feed, raising each viewer's gc_floor past them."""
    removed = 0
    for model in (WorkSession, Task):
        old_enough = (
            (model.org_id == org_id)
            & (model.owner_user_id == user_id)
            & model.deleted_at.is_not(None)
            & (model.updated_at < cutoff)
        )
        with transaction(engine) as s:
            candidates = list(s.scalars(select(model.id).where(old_enough)))
            if not candidates:
                continue
            # The viewers' counters first, in user_id order as pushes lock them; then the rows,
            # checked again: a restore pushed meanwhile keeps its record.
            keys = _keys(s, model, org_id, candidates)
            viewers = set(s.scalars(select(UserFeed.user_id).where(_feed_of(org_id, keys))))
            counters = lock_counters(s.connection(), org_id, viewers | {user_id})
            old = list(
                s.scalars(
                    select(model.id).where(old_enough, model.id.in_(candidates)).with_for_update()
                )
            )
            if not old:
                continue
            keys = _keys(s, model, org_id, old)
            floors: dict[str, int] = {}
            for viewer, seq in s.execute(
                select(UserFeed.user_id, UserFeed.seq).where(_feed_of(org_id, keys))
            ):
                floors[viewer] = max(floors.get(viewer, 0), seq)
            missing = floors.keys() - counters.keys()  # a viewer since the look above (rare)
            if missing:
                counters |= lock_counters(s.connection(), org_id, set(missing))
            for viewer, floor in floors.items():
                counters[viewer]["gc_floor"] = max(counters[viewer]["gc_floor"], floor)
            save_counters(s.connection(), [counters[viewer] for viewer in floors])
            s.execute(delete(UserFeed).where(_feed_of(org_id, keys)))
            s.execute(delete(model).where(model.org_id == org_id, model.id.in_(old)))
            handoffs = [ident for entity, ident in keys if entity == "handoff"]
            if handoffs:
                s.execute(delete(Handoff).where(Handoff.org_id == org_id, Handoff.id.in_(handoffs)))
            removed += len(old)
    return removed


def _keys(s: Session, model: Any, org_id: str, ids: list[str]) -> list[tuple[str, str]]:
    """The feed keys of these records, and of a task's handoffs (they go with it)."""
    keys = [(model.__tablename__, i) for i in ids]
    if model is Task:
        handoffs = s.scalars(
            select(Handoff.id).where(Handoff.org_id == org_id, Handoff.task_id.in_(ids))
        )
        keys += [("handoff", h) for h in handoffs]
    return keys


def _feed_of(org_id: str, keys: list[tuple[str, str]]) -> Any:
    return (UserFeed.org_id == org_id) & feed_keys(keys)


def _flag_stale(engine: Engine, org_id: str, user_id: str, now: int) -> int:
    with writing(engine) as conn:
        counters = lock_counters(conn, org_id, {user_id})
        sessions = WorkSession.__table__
        rows = conn.execute(
            select(sessions, Device.last_seen_at.label("device_seen_at"))
            .outerjoin(
                Device,
                (Device.org_id == sessions.c.org_id)
                & (Device.device_id == sessions.c.origin_device),
            )
            .where(
                sessions.c.org_id == org_id,
                sessions.c.owner_user_id == user_id,
                sessions.c.end_at.is_(None),
                sessions.c.deleted_at.is_(None),
            )
            .with_for_update(of=sessions)
        ).mappings()
        me = Caller(org_id, user_id, "server", False, 0, 0)
        batch = Batch(conn, me, now, ServerClock())
        for found in rows:
            session = {k: v for k, v in found.items() if k != "device_seen_at"}
            seen = found["device_seen_at"]
            flags = set(filter(None, (session["needs_review"] or "").split(",")))
            if UNCONFIRMED in flags or (seen is not None and now - seen <= STALE_RUNNING_MS):
                continue
            session["needs_review"] = ",".join(sorted(flags | {UNCONFIRMED}))
            session["version"] += 1
            session["updated_at"] = now
            batch.rows[("session", session["id"])] = session
            batch.mark("session", session)
            batch.see("session", session["id"], user_id)
        batch.allocate(counters)
        batch.write(conn)
    return len(batch.changed)
