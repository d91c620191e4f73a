"""Handing a task over to a colleague (SYNC.md, "Handing a task over"): the giver's timer on it
stops, the colleague accepts or declines with a reason, and every minute stays with whoever
worked it. The organisation's directory is kept here for choosing a colleague offline.

Sessions are never moved: the handoff history is append-only, and a task's actual time counts
the colleagues' time as the server sums it (their sessions stay theirs), plus this profile's
own."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any, NamedTuple

from wfh_desktop.errors import UserError
from wfh_desktop.ids import uuid7
from wfh_desktop.lookup import _match_ids, _too_short, find_task
from wfh_desktop.profile import Profile, sync_meta
from wfh_desktop.tasks import colleagues_running_ms
from wfh_desktop.timer import TimerService

MAX_NOTE = 2000
NIP_LENGTH = 18
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"

HANDOFF_COLUMNS = (
    "h.id, h.task_id, t.title, h.from_user, h.from_nip, h.from_name, h.to_user, h.to_nip, "
    "h.to_name, h.at, h.note, h.status, h.answer_note, h.answered_at, h.shares, h.version"
)


class Colleague(NamedTuple):
    nip: str
    name: str
    unit: str


class Share(NamedTuple):
    """One person's time on a task."""

    nip: str | None
    name: str | None
    ms: int
    me: bool


class Handoff(NamedTuple):
    id: str
    task_id: str
    task_title: str | None
    from_user: str
    from_nip: str | None
    from_name: str | None
    to_user: str  # "" until the server has it
    to_nip: str | None
    to_name: str | None
    at: int
    note: str | None
    status: str
    answer_note: str | None
    answered_at: int | None
    shares_json: str | None
    version: int

    @property
    def shares(self) -> list[dict[str, Any]]:
        return list(json.loads(self.shares_json)) if self.shares_json else []


def who(name: str | None, nip: str | None) -> str:
    """A person as a handoff names them: ``Siti Aminah (1985…)``."""
    from wfh_desktop.i18n import tr

    if name and nip:
        return f"{name} ({nip})"
    return name or nip or tr("(not yet known)")


def clean_note(value: str) -> str | None:
    """A note or a reason as the user wrote it, on several lines if so: spaces tidied within
    each line, blank lines at either end dropped."""
    lines = [" ".join(line.split()) for line in str(value).splitlines()]
    text = "\n".join(lines).strip("\n")
    return text or None


def clean_nip(text: str) -> str:
    nip = "".join(str(text).split())
    if len(nip) != NIP_LENGTH or not nip.isascii() or not nip.isdigit():
        raise UserError("A NIP has 18 digits, not {value!r}.", value=text)
    return nip


def others_ms(shares: Iterable[dict[str, Any]] | None, me: str | None) -> int:
    """The colleagues' part of a handoff's shares: everyone's but this profile's user's."""
    return sum(int(s.get("ms") or 0) for s in shares or () if s.get("user") != me)


def others_running(shares: Iterable[dict[str, Any]] | None, me: str | None) -> tuple[int, int]:
    """The colleagues' timers still running on a task, from its shares: how many, and the sum
    of their starts."""
    starts = [
        int(s["since"])
        for s in shares or ()
        if s.get("user") != me and isinstance(s.get("since"), int)
    ]
    return len(starts), sum(starts)


class HandoffService:
    def __init__(self, profile: Profile) -> None:
        self._p = profile

    # ---- the directory ---------------------------------------------------------------------

    def colleagues(self, search: str = "", limit: int = 50) -> list[Colleague]:
        """The directory as last fetched, without the user: colleagues handed to before come
        first (the most recent first), then by name; ``search`` matches a name, a unit or a
        NIP, in any case."""
        conn = self._p.conn
        me = sync_meta(conn, "account_nip")
        needle = " ".join(search.split()).casefold()
        rows = conn.execute(
            "SELECT nip, name, unit FROM colleague WHERE nip IS NOT ? "
            "ORDER BY used_at IS NULL, used_at DESC, name COLLATE NOCASE, nip",
            (me,),
        ).fetchall()
        found = [
            Colleague(*r) for r in rows if not needle or any(needle in str(v).casefold() for v in r)
        ]
        return found[:limit]

    def directory_fetched_at(self) -> int | None:
        row = self._p.conn.execute("SELECT MAX(fetched_at) FROM colleague").fetchone()
        return None if row[0] is None else int(row[0])

    def store_directory(self, people: Iterable[Colleague]) -> int:
        """Colleagues as the server just sent them (a search's answer: at most a page of the
        directory), kept for choosing offline; when each was last handed to stays."""
        now = self._p.clock.now_ms()
        got = list(people)
        with self._p.write() as (conn, _):
            conn.executemany(
                "INSERT INTO colleague(nip, name, unit, fetched_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(nip) DO UPDATE SET name = excluded.name, unit = excluded.unit, "
                "fetched_at = excluded.fetched_at",
                [(p.nip, p.name, p.unit, now) for p in got],
            )
        return len(got)

    # ---- reading ---------------------------------------------------------------------------

    def _rows(self, where: str, args: tuple[Any, ...]) -> list[Handoff]:
        rows = self._p.conn.execute(
            f"SELECT {HANDOFF_COLUMNS} FROM handoff h LEFT JOIN task t ON t.id = h.task_id "
            f"WHERE {where} ORDER BY h.at, h.id",
            args,
        ).fetchall()
        return [Handoff._make(r) for r in rows]

    def inbox(self, *, answered: bool = False) -> list[Handoff]:
        """Tasks handed to me: waiting for my answer (with ``answered``, all of them)."""
        me = self._p.user_id
        if answered:
            return self._rows("h.to_user = ?", (me,))
        return self._rows("h.to_user = ? AND h.status = 'pending'", (me,))

    def sent(self) -> list[Handoff]:
        return self._rows("h.from_user = ?", (self._p.user_id,))

    def history(self, task_ref: str) -> list[Handoff]:
        """Every handoff of a task, oldest first."""
        task = find_task(self._p.conn, task_ref)
        return self._rows("h.task_id = ?", (task.id,))

    def find(self, ref: str) -> Handoff:
        conn = self._p.conn
        rows = _match_ids(conn, "handoff", "id", "", ref)
        if len(rows) == 1:
            return self._rows("h.id = ?", (str(rows[0][0]),))[0]
        if len(rows) > 1:
            raise UserError("More than one handoff matches {ref!r}; give more of its id.", ref=ref)
        _too_short(ref)
        raise UserError("No handoff matches {ref!r}.", ref=ref)

    def shares(self, task_ref: str) -> list[Share]:
        """Each person's time on a task: the colleagues' as the server sums it, and mine from
        my own sessions (a running timer, theirs or mine, counted until now)."""
        conn = self._p.conn
        task = find_task(conn, task_ref)
        me = self._p.user_id
        last = conn.execute("SELECT shares FROM task WHERE id = ?", (task.id,)).fetchone()
        now = self._p.clock.now_ms()
        out = [
            Share(
                s.get("nip"),
                s.get("name"),
                int(s.get("ms") or 0)
                + (
                    colleagues_running_ms(1, s["since"], now)
                    if isinstance(s.get("since"), int)
                    else 0
                ),
                False,
            )
            for s in (json.loads(last[0]) if last and last[0] else [])
            if s.get("user") != me
        ]
        mine = conn.execute(
            "SELECT COALESCE(SUM(MAX(COALESCE(end_at, ?) - start_at, 0)), 0) FROM session "
            "WHERE task_id = ? AND owner_user_id = ? AND deleted_at IS NULL",
            (now, task.id, me),
        ).fetchone()[0]
        if mine:
            nip, name = sync_meta(conn, "account_nip"), sync_meta(conn, "account_name")
            out.append(Share(nip, name, int(mine), True))
        return out

    # ---- writing ---------------------------------------------------------------------------

    def _signed_in_user(self, conn: sqlite3.Connection) -> tuple[str, str | None, str | None]:
        user = sync_meta(conn, "account_user_id")
        if user is None:
            raise UserError(
                "Sign in to your agency's server first: a task is handed over through it."
            )
        return user, sync_meta(conn, "account_nip"), sync_meta(conn, "account_name")

    def give(self, task_ref: str, to_nip: str, note: str) -> Handoff:
        """Hand a task over: my timer on it stops now, and the colleague is told after both
        computers have synced. The server checks the task's version (someone else may have
        changed it or handed it meanwhile) and the colleague."""
        text = clean_note(note)
        if not text:
            raise UserError("Say in a note what the colleague should know: it is required.")
        if len(text) > MAX_NOTE:
            raise UserError("A note can have at most {n} characters.", n=MAX_NOTE)
        nip = clean_nip(to_nip)
        now = self._p.clock.now_ms()
        with self._p.write() as (conn, outbox):
            me, my_nip, my_name = self._signed_in_user(conn)
            if nip == my_nip:
                raise UserError("A task cannot be handed to yourself.")
            task = find_task(conn, task_ref)
            if task.deleted_at is not None:
                raise UserError("The task {title!r} is deleted.", title=task.title)
            if task.assignee_user_id != me:
                raise UserError(
                    "The task {title!r} is with a colleague now; only they can hand it on.",
                    title=task.title,
                )
            colleague = conn.execute("SELECT name FROM colleague WHERE nip = ?", (nip,)).fetchone()
            TimerService(self._p).stop_running_in(conn, outbox, at_ms=now, only_task=task.id)
            ident = uuid7(now)
            conn.execute(
                "INSERT INTO handoff(id, task_id, from_user, to_user, at, note, status, version, "
                "origin_device, created_at, from_nip, from_name, to_nip, to_name) "
                "VALUES (?, ?, ?, '', ?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?)",
                (
                    ident,
                    task.id,
                    me,
                    now,
                    text,
                    self._p.device_id,
                    now,
                    my_nip,
                    my_name,
                    nip,
                    colleague[0] if colleague else None,
                ),
            )
            # Until the server says who it is, the task is no longer mine to work on here.
            conn.execute(
                "UPDATE task SET assignee_user_id = ?, updated_at = ? WHERE id = ?",
                (f"nip:{nip}", now, task.id),
            )
            conn.execute("UPDATE colleague SET used_at = ? WHERE nip = ?", (now, nip))
            outbox.append(
                now,
                "task.handoff",
                ident,
                {"task_id": task.id, "to_nip": nip, "at": now, "note": text},
                task.version,
            )
        return self._rows("h.id = ?", (ident,))[0]

    def _answerable(self, conn: sqlite3.Connection, ref: str) -> Handoff:
        me, _, _ = self._signed_in_user(conn)
        handoff = self.find(ref)
        if handoff.to_user != me:
            raise UserError("Only the colleague a task was handed to can answer it.")
        if handoff.status != PENDING:
            raise UserError("This handoff was already answered ({status}).", status=handoff.status)
        return handoff

    def accept(self, ref: str) -> Handoff:
        """Accept a task handed to me; it starts nothing ("Lanjutkan tugas rekan" does)."""
        now = self._p.clock.now_ms()
        with self._p.write() as (conn, outbox):
            handoff = self._answerable(conn, ref)
            conn.execute(
                "UPDATE handoff SET status = 'accepted', answered_at = ? WHERE id = ?",
                (now, handoff.id),
            )
            outbox.append(now, "handoff.accept", handoff.id, {"at": now}, handoff.version)
        return self._rows("h.id = ?", (handoff.id,))[0]

    def decline(self, ref: str, reason: str) -> Handoff:
        """Decline a task handed to me, saying why: it goes back to whoever handed it, and
        my timer on it, if running, stops."""
        text = clean_note(reason)
        if not text:
            raise UserError("Say why you decline: the colleague who handed it is told.")
        if len(text) > MAX_NOTE:
            raise UserError("A reason can have at most {n} characters.", n=MAX_NOTE)
        now = self._p.clock.now_ms()
        with self._p.write() as (conn, outbox):
            handoff = self._answerable(conn, ref)
            TimerService(self._p).stop_running_in(
                conn, outbox, at_ms=now, only_task=handoff.task_id
            )
            conn.execute(
                "UPDATE handoff SET status = 'declined', answer_note = ?, answered_at = ? "
                "WHERE id = ?",
                (text, now, handoff.id),
            )
            conn.execute(
                "UPDATE task SET assignee_user_id = ?, updated_at = ? WHERE id = ?",
                (handoff.from_user, now, handoff.task_id),
            )
            outbox.append(
                now, "handoff.decline", handoff.id, {"reason": text, "at": now}, handoff.version
            )
        return self._rows("h.id = ?", (handoff.id,))[0]
