"""The conflict rules of ``SYNC.md`` for one record, as pure functions (no database).

A record's state is its values plus its *clock*: the HLC of the last write of every field and the
registers behind the fields with special rules. Every rule is a commutative merge, so the same
mutations give the same state in whatever order they arrive (a property test proves it):

- ordinary fields are last-writer-wins registers ordered by HLC;
- ``end_at`` comes from two registers: the *first stop* (the stop with the lowest HLC: a second,
  later stop changes nothing) and the *last correction* (``session.edit`` of ``end_at``, by HLC);
  a correction newer than the first stop wins over it;
- a delete is sticky: the record is deleted while its newest delete is newer than its newest
  restore; edits that arrive meanwhile are kept (for a restore) and journaled, never shown;
- immutable fields (owner, origin device, creation time) refuse a different value.

Instants are UTC epoch milliseconds; HLC stamps are ``wfh_desktop.hlc`` strings, which sort in
HLC order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wfh_desktop.hlc import Hlc
from wfh_desktop.timefmt import epoch_ms

MAX_JOURNAL = 20  # the newest conflicts kept on a record
MAX_TEXT = 2000
MAX_TITLE = 500
MAX_VOLUME = 1e12


class Reject(Exception):
    """A mutation that cannot be applied, with its stable code."""

    def __init__(self, code: str, detail: str, current: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.current = code, detail, current


@dataclass(frozen=True)
class Kind:
    name: str
    lww: frozenset[str]
    immutable: frozenset[str]
    required: frozenset[str]
    ignored: frozenset[str] = frozenset({"deleted_at"})  # tombstones travel as deletes


SESSION = Kind(
    "session",
    lww=frozenset({"task_id", "start_at", "note", "source"}),
    immutable=frozenset({"owner_user_id", "origin_device", "created_at"}),
    required=frozenset({"task_id", "start_at"}),
)
TASK = Kind(
    "task",
    lww=frozenset(
        {"title", "target_minutes", "rhk", "output", "volume", "unit", "status", "done_at"}
    ),
    immutable=frozenset({"owner_user_id", "origin_device", "created_at", "assignee_user_id"}),
    required=frozenset({"title", "target_minutes"}),
)
KINDS = {"session": SESSION, "task": TASK}
OPERATIONS = {
    "session": ("upsert", "edit", "stop", "delete", "restore"),
    "task": ("upsert", "delete", "restore"),
}


@dataclass
class Record:
    values: dict[str, Any]
    clock: dict[str, Any] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def copy(self) -> Record:
        """A copy to change: values are plain scalars, the clock's registers small dicts and
        lists, and journal entries are never changed once written."""
        clock = {
            k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
            for k, v in self.clock.items()
        }
        return Record(dict(self.values), clock, list(self.conflicts))

    def state(self) -> tuple[Any, Any]:
        """What must be equal after any delivery order (the journal tells what happened)."""
        return self.values, self.clock


@dataclass
class Outcome:
    record: Record
    changed: bool  # the stored record differs: a new version, a feed entry
    status: str  # applied | merged
    note: str | None = None


# ---- checking a mutation's fields -------------------------------------------------------


def parse_instant(value: Any, name: str) -> int:
    """An ISO-8601 instant with its offset (``2026-08-24T01:00:00Z``) as epoch ms."""
    if not isinstance(value, str) or len(value) > 40:
        raise Reject("invalid_field", f"{name}: an ISO-8601 instant is needed")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise Reject("invalid_field", f"{name}: not an ISO-8601 instant") from None
    if dt.tzinfo is None:
        raise Reject("invalid_field", f"{name}: the instant needs its UTC offset")
    try:
        ms = epoch_ms(dt)
    except OverflowError:
        raise Reject("invalid_field", f"{name}: out of range") from None
    if not 0 <= ms < 253402300800000:  # 1970 to 9999
        raise Reject("invalid_field", f"{name}: out of range")
    return ms


def check_text(value: Any, name: str, limit: int, optional: bool) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise Reject("invalid_field", f"{name}: text of at most {limit} characters is needed")
    return value


def check_id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 36 or "\x00" in value:
        raise Reject("invalid_field", f"{name}: an id is needed")
    return value


def _check(kind: Kind, name: str, value: Any) -> Any:
    if name in ("start_at", "created_at") or (name == "end_at" and value is not None):
        return parse_instant(value, name)
    if name in ("end_at", "done_at"):
        return None if value is None else parse_instant(value, name)
    if name in ("task_id", "owner_user_id", "origin_device", "assignee_user_id"):
        return check_id(value, name)
    if name == "note":
        return check_text(value, name, MAX_TEXT, optional=True)
    if name == "source":
        if value not in ("timer", "manual"):
            raise Reject("invalid_field", "source: 'timer' or 'manual'")
        return value
    if name == "title":
        title = check_text(value, name, MAX_TITLE, optional=False)
        if not (title or "").strip():
            raise Reject("invalid_field", "title: may not be empty")
        return title
    if name == "target_minutes":
        if type(value) is not int or not 1 <= value <= 480:
            raise Reject("invalid_field", "target_minutes: a whole number from 1 to 480")
        return value
    if name in ("rhk", "output", "unit"):
        return check_text(value, name, MAX_TEXT, optional=True)
    if name == "volume":
        if value is None:
            return None
        if type(value) not in (int, float) or not 0 <= value <= MAX_VOLUME:
            raise Reject("invalid_field", f"volume: a number from 0 to {MAX_VOLUME:g}")
        return float(value)
    if name == "status":
        if value not in ("open", "done"):
            raise Reject("invalid_field", "status: 'open' or 'done'")
        return value
    raise Reject("unknown_field", f"{kind.name} has no field {name!r}")


def clean(kind: Kind, op: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A mutation's fields, checked and converted (instants to ms); refuses malformed data."""
    if op not in OPERATIONS[kind.name]:
        raise Reject("unknown_type", f"unknown mutation type {kind.name}.{op}")
    if op in ("delete", "restore"):
        return {}
    if op == "stop":
        if set(fields) != {"end_at"} or fields["end_at"] is None:
            raise Reject("invalid_field", "a stop carries end_at only")
        return {"end_at": parse_instant(fields["end_at"], "end_at")}
    out = {
        name: _check(kind, name, value)
        for name, value in fields.items()
        if name not in kind.ignored
    }
    start, end = out.get("start_at"), out.get("end_at")
    if start is not None and end is not None and end < start:
        raise Reject("invalid_span", "end_at is before start_at")
    return out


_HLC = re.compile(r"[0-9a-f]{16}-[0-9a-f]{4}-[\x21-\x7e]{1,58}")


def check_hlc(text: Any) -> Hlc:
    """A stamp in its one canonical form: registers compare stamps as strings, so ``0_0…`` or
    `` 0…`` (which ``int()`` would read) must not sort above or below every real one."""
    if not isinstance(text, str) or not _HLC.fullmatch(text):
        raise Reject("invalid_hlc", "hlc: not a stamp (16 + 4 lower-case hex digits, a device)")
    return Hlc.decode(text)


# ---- the rules ------------------------------------------------------------------------


def _journal(rec: Record, field_name: str, lost: Any, won: Any, reason: str, hlc: str) -> None:
    rec.conflicts.append(
        {"field": field_name, "lost": lost, "won": won, "reason": reason, "hlc": hlc}
    )
    del rec.conflicts[:-MAX_JOURNAL]


def is_deleted(clock: dict[str, Any]) -> bool:
    deleted, restored = clock.get("del"), clock.get("res")
    return deleted is not None and (restored is None or deleted > restored)


def _derive(rec: Record) -> None:
    """The values that follow from the registers: end_at, auto_stop_reason and deleted_at."""
    c, v = rec.clock, rec.values
    stop, fix = c.get("stop"), c.get("end")
    if "stop" in c or "end" in c:
        if fix is not None and (stop is None or fix[0] > stop[0]):
            v["end_at"], v["auto_stop_reason"] = fix[1], None
        else:
            assert stop is not None
            v["end_at"], v["auto_stop_reason"] = stop[1], stop[2]
    v["deleted_at"] = Hlc.decode(c["del"]).physical_ms if is_deleted(c) else None


def _new_record(kind: Kind, entity_id: str, fields: dict[str, Any]) -> Record:
    missing = kind.required - fields.keys()
    if missing:
        raise Reject(
            "unknown_entity",
            f"no {kind.name} {entity_id}; to create it send {', '.join(sorted(missing))}",
        )
    values: dict[str, Any] = {name: None for name in kind.lww | kind.immutable}
    values |= {"end_at": None, "auto_stop_reason": None} if kind is SESSION else {}
    if kind is TASK:
        values["status"] = "open"
    return Record(values, {"f": {}})


def apply(
    kind: Kind, rec: Record | None, op: str, fields: dict[str, Any], hlc: str, entity_id: str = ""
) -> Outcome:
    """One checked mutation (``clean``) on a record's state (``None``: not there yet)."""
    created = rec is None
    if rec is None:
        if op != "upsert":
            raise Reject("unknown_entity", f"no {kind.name} {entity_id}")
        rec = _new_record(kind, entity_id, fields)
    before, rec = rec, rec.copy()
    lost: list[str] = []
    if op in ("upsert", "edit"):
        for name in sorted(fields.keys() & kind.immutable):
            if not created and fields[name] != rec.values.get(name):
                raise Reject("immutable_field", f"{name} cannot change")
        running = rec.values.get("end_at") is None
        if "end_at" in fields and fields["end_at"] is None and not created and not running:
            raise Reject("resume_unsupported", "a stopped session cannot run again")
        _write_fields(kind, rec, fields, hlc, lost)
    elif op == "stop":
        end = fields["end_at"]
        stop = rec.clock.get("stop")
        if stop is None or hlc < stop[0]:
            if stop is not None and stop[1] != end:
                _journal(rec, "end_at", stop[1], end, "earlier_stop", hlc)
            rec.clock["stop"] = [hlc, end, None]
        elif stop[0] != hlc:
            lost.append("end_at")
            if stop[1] != end:
                _journal(rec, "end_at", end, stop[1], "second_stop", hlc)
    elif op == "delete":
        if rec.clock.get("del") is None or hlc > rec.clock["del"]:
            rec.clock["del"] = hlc
        if not is_deleted(rec.clock):  # a newer restore stands
            lost.append("deleted")
    elif op == "restore":
        if rec.clock.get("res") is None or hlc > rec.clock["res"]:
            rec.clock["res"] = hlc
        if is_deleted(rec.clock):
            lost.append("restored")
    _derive(rec)
    start, end_at = rec.values.get("start_at"), rec.values.get("end_at")
    if start is not None and end_at is not None and end_at < start:
        raise Reject("invalid_span", "end_at would be before start_at")
    note = None
    if is_deleted(rec.clock) and op in ("upsert", "edit", "stop") and not created:
        note = "deleted: the change is kept for a restore"
        _journal(rec, "deleted", fields, None, "edit_of_deleted", hlc)
    elif lost:
        note = f"a newer change won: {', '.join(lost)}"
    changed = created or rec.state() != before.state() or rec.conflicts != before.conflicts
    status = "merged" if note else "applied"
    return Outcome(rec, changed, status, note)


def _write_fields(
    kind: Kind, rec: Record, fields: dict[str, Any], hlc: str, lost: list[str]
) -> None:
    clocks: dict[str, str] = rec.clock.setdefault("f", {})
    for name, value in sorted(fields.items()):
        if name in kind.immutable:
            rec.values[name] = value
        elif name == "end_at":
            fix = rec.clock.get("end")
            if value is None:
                continue
            if fix is None or hlc > fix[0]:
                rec.clock["end"] = [hlc, value]
            elif hlc < fix[0]:
                lost.append(name)
        elif hlc > clocks.get(name, ""):
            rec.values[name], clocks[name] = value, hlc
        elif hlc < clocks[name]:
            lost.append(name)
            if name == "note" and value != rec.values.get(name):
                _journal(rec, name, value, rec.values.get(name), "older_edit", hlc)


def auto_stop(rec: Record, end: int, reason: str, server_hlc: str) -> Record:
    """The server stops a running session that a newer one supersedes (``SYNC.md``: one running
    session per user); it is a stop like any other, so a user's earlier stop still wins."""
    out = rec.copy()
    out.clock["stop"] = [server_hlc, max(end, out.values["start_at"]), reason]
    _journal(out, "end_at", None, end, reason, server_hlc)
    _derive(out)
    return out
