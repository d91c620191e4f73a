"""“Perlu ditinjau”: what the server (or this computer) decided that the user should look at:
a timer stopped because another one started on a second computer, a value of theirs that lost
to a newer one, an overlap, a session that is unusually long or odd, and a change the server
refused. Nothing is resolved silently: each stays in the list until the user marks it seen,
and a new decision about the same record shows again (an item's key names the record's
version)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from wfh_desktop.handoffs import who
from wfh_desktop.i18n import tr
from wfh_desktop.sync.local import meta


def _flag_text(flag: str) -> str:
    # Each text through tr() with its literal, so the translation check finds it.
    texts = {
        "overlap": tr("This session overlaps another of your sessions."),
        "long": tr("This session is longer than 16 hours."),
        "future": tr("This session started in the future by the server's clock."),
        "clock_offset": tr(
            "This computer's clock was more than 2 minutes off when this was recorded."
        ),
        "unknown_task": tr("The server did not know this session's task when it arrived."),
        "running_unconfirmed": tr(
            "This timer runs on a computer the server has not heard from for over 12 hours: "
            "is it still running?"
        ),
    }
    return texts.get(flag, flag)


@dataclass(frozen=True)
class ReviewItem:
    key: str  # what "seen" remembers
    kind: str  # auto_stopped | conflict | rejected | declined | a needs_review flag
    entity: str  # session | task | outbox
    entity_id: str
    task_title: str | None
    start_at: int | None
    end_at: int | None
    text: str  # in the user's language


def _seen(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT key FROM review_seen")}


def items(
    conn: sqlite3.Connection, zone: Any = None, *, include_seen: bool = False
) -> list[ReviewItem]:
    """Every item to review, newest first; instants shown in ``zone`` (default: WIB)."""
    from wfh_desktop.timefmt import zone as zone_of

    z = zone or zone_of("WIB")
    seen = set() if include_seen else _seen(conn)
    out: list[ReviewItem] = []
    rows = conn.execute(
        "SELECT s.id, s.version, s.start_at, s.end_at, s.needs_review, s.auto_stop_reason, "
        "s.conflicts, t.title FROM session s LEFT JOIN task t ON t.id = s.task_id "
        "WHERE s.deleted_at IS NULL AND (s.needs_review IS NOT NULL "
        "OR s.auto_stop_reason IS NOT NULL OR s.conflicts IS NOT NULL) "
        "ORDER BY s.start_at DESC"
    ).fetchall()
    for sid, version, start, end, flags, stopped, conflicts, title in rows:
        found: list[tuple[str, str, str]] = []  # kind, what the key adds, text
        if stopped and stopped.startswith("superseded_by:"):
            found.append(
                (
                    "auto_stopped",
                    "auto_stopped",
                    tr(
                        "This timer was stopped because you started another one on another "
                        "computer."
                    ),
                )
            )
        found += [(flag, flag, _flag_text(flag)) for flag in (flags or "").split(",") if flag]
        found += [
            ("conflict", f"conflict:{e.get('field')}:{e.get('hlc')}", _conflict_text(e, z))
            for e in json.loads(conflicts or "[]")
            if not str(e.get("reason", "")).startswith("superseded_by:")  # said above
        ]
        for kind, part, text in found:
            key = f"session:{sid}:{version}:{part}"
            if key not in seen:
                out.append(ReviewItem(key, kind, "session", sid, title, start, end, text))
    for tid, version, title, conflicts in conn.execute(
        "SELECT id, version, title, conflicts FROM task WHERE conflicts IS NOT NULL "
        "AND deleted_at IS NULL"
    ).fetchall():
        for entry in json.loads(conflicts or "[]"):
            key = f"task:{tid}:{version}:conflict:{entry.get('field')}:{entry.get('hlc')}"
            if key not in seen:
                out.append(
                    ReviewItem(
                        key, "conflict", "task", tid, title, None, None, _conflict_text(entry, z)
                    )
                )
    for seq, type_, entity_id, result in conn.execute(
        "SELECT seq, type, entity_id, result FROM outbox WHERE status = 'rejected' ORDER BY seq"
    ).fetchall():
        key = f"outbox:{seq}"
        if key in seen:
            continue
        detail = json.loads(result or "{}")
        title = _title_of(conn, type_, entity_id)
        out.append(
            ReviewItem(
                key,
                "rejected",
                "outbox",
                entity_id,
                title,
                None,
                None,
                _refusal_text(conn, detail),
            )
        )
    # A task I handed over that the colleague declined: back with me, and why.
    for hid, title, to_name, to_nip, reason, answered_at in conn.execute(
        "SELECT h.id, t.title, h.to_name, h.to_nip, h.answer_note, h.answered_at FROM handoff h "
        "LEFT JOIN task t ON t.id = h.task_id WHERE h.from_user = ? AND h.status = 'declined' "
        "ORDER BY h.answered_at DESC",
        (meta(conn, "account_user_id"),),
    ).fetchall():
        key = f"handoff:{hid}:declined"
        if key in seen:
            continue
        text = tr(
            "{who} declined this task: {reason}. It is back with you.",
            who=who(to_name, to_nip),
            reason=reason,
        )
        out.append(ReviewItem(key, "declined", "handoff", hid, title, answered_at, None, text))
    return out


def _holder(conn: sqlite3.Connection, current: Any) -> str:
    """Who has a task now, by name as the handoffs here tell it."""
    user = (current or {}).get("assignee_user_id")
    if user is None:
        return tr("(not yet known)")
    if user == meta(conn, "account_user_id"):
        return tr("you")
    row = (
        conn.execute(
            "SELECT to_name, to_nip FROM handoff WHERE to_user = ? AND to_name IS NOT NULL LIMIT 1",
            (user,),
        ).fetchone()
        or conn.execute(
            "SELECT from_name, from_nip FROM handoff WHERE from_user = ? AND from_name IS NOT NULL "
            "LIMIT 1",
            (user,),
        ).fetchone()
    )
    return who(row[0], row[1]) if row else tr("a colleague")


def _refusal_text(conn: sqlite3.Connection, detail: dict[str, Any]) -> str:
    code = detail.get("code", "?")
    if code == "task_version_conflict" or (code == "handed_over" and detail.get("current")):
        return tr(
            "Not handed over: the task was changed or handed over first by someone else; it is "
            "with {who} now. Look at it again, and hand it over anew if still needed.",
            who=_holder(conn, detail.get("current")),
        )
    plain = {
        "unknown_colleague": tr(
            "Not handed over: no active colleague with this NIP in your organisation (outside "
            "it, or the account is disabled). The task stays with you."
        ),
        "handoff_to_self": tr("Not handed over: a task cannot be handed to yourself."),
        "handed_over": tr("The task is with a colleague now; only they can change it."),
        "task_moved_on": tr("Your answer came after the task had moved on; it stays as it is."),
        "handoff_answered": tr("This handoff was already answered, on another of your computers."),
        "task_deleted": tr("Not handed over: the task was deleted."),
    }
    if code in plain:
        return plain[code]
    return tr(
        "The server refused this change ({code}): {detail}",
        code=code,
        detail=detail.get("detail", ""),
    )


def _title_of(conn: sqlite3.Connection, type_: str, entity_id: str) -> str | None:
    if type_.startswith("task."):
        row = conn.execute("SELECT title FROM task WHERE id = ?", (entity_id,)).fetchone()
    else:
        row = conn.execute(
            "SELECT t.title FROM session s JOIN task t ON t.id = s.task_id WHERE s.id = ?",
            (entity_id,),
        ).fetchone()
    return None if row is None else str(row[0])


def _field_name(name: str) -> str:
    return {
        "start_at": tr("the start"),
        "end_at": tr("the end"),
        "note": tr("the note"),
        "task_id": tr("the task"),
        "title": tr("the title"),
        "target_minutes": tr("the target"),
    }.get(name, name)


def _conflict_text(entry: dict[str, Any], z: Any) -> str:
    """What the server's journal entry means (SYNC.md's conflict rules)."""
    name = str(entry.get("field", "?"))
    reason = entry.get("reason")
    lost, won = _shown(name, entry.get("lost"), z), _shown(name, entry.get("won"), z)
    if reason == "second_stop":
        return tr(
            "This session was already stopped at {won} on another computer; your stop at {lost} "
            "was not used.",
            won=won,
            lost=lost,
        )
    if reason == "earlier_stop":
        return tr(
            "An earlier stop from another computer won: the session ends at {won}, not {lost}.",
            won=won,
            lost=lost,
        )
    if reason == "edit_of_deleted":
        return tr(
            "This session was deleted on another computer; your change to it is kept in case "
            "it is restored."
        )
    return tr(
        "A newer change from another computer won: {field} is {won}; yours was {lost}.",
        field=_field_name(name),
        lost=lost,
        won=won,
    )


def _shown(name: str, value: Any, z: Any) -> str:
    from wfh_desktop.timefmt import fmt_datetime

    if value is None:
        return tr("empty")
    if name.endswith("_at") and isinstance(value, int):
        return fmt_datetime(value, z)
    return str(value)


def mark_seen(conn: sqlite3.Connection, keys: list[str], now: int) -> int:
    """Mark items seen (inside a write transaction); returns how many were new."""
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO review_seen(key, seen_at) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
        [(k, now) for k in keys],
    )
    return conn.total_changes - before


def count(conn: sqlite3.Connection) -> int:
    return len(items(conn))
