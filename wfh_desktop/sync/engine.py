"""One sync: push the outbox until it is empty, then pull until there is nothing more
(SYNC.md). Every answer is written in one local transaction with what it acknowledges, so a
kill at any instant loses nothing: an unacknowledged mutation is sent again and the server
answers ``duplicate``; a page not yet written is pulled again.

The engine has no timers or Qt (one helper thread sends the next push while an answer is written,
:meth:`Syncer.push_all`): the CLI calls :meth:`Syncer.sync` directly, and the
background job (and the tray, through it) calls the same method.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, TypeVar

from wfh_desktop.clock import Clock
from wfh_desktop.handoffs import Colleague, HandoffService
from wfh_desktop.profile import Profile
from wfh_desktop.sync import local
from wfh_desktop.sync.account import Account
from wfh_desktop.sync.errors import (
    AccountRefused,
    NetworkError,
    Refused,
    Stuck,
    SyncError,
    from_refusal,
)
from wfh_desktop.sync.http import Answer, Encoded, Transport, encode, parse
from wfh_server.protocol import (
    MAX_BATCH,
    PULL_LIMIT,
    Directory,
    PullResponse,
    PushResponse,
    SnapshotResponse,
)

log = logging.getLogger("wfh.sync")

T = TypeVar("T")


class Db(Protocol):
    """Where the profile's database is used: directly (the CLI), or on the app's one database
    thread (the tray app), so the sync job writes through the same single writer as the UI."""

    def __call__(self, job: Callable[[Profile], T]) -> T: ...


class Direct:
    """The profile used on the caller's thread."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    def __call__(self, job: Callable[[Profile], T]) -> T:
        return job(self.profile)


def writing(db: Db, fn: Callable[[sqlite3.Connection], T]) -> T:
    """``fn(conn)`` in one write transaction of the profile."""

    def job(p: Profile) -> T:
        with p.write() as (conn, _):
            return fn(conn)

    return db(job)


def reading(db: Db, fn: Callable[[sqlite3.Connection], T]) -> T:
    return db(lambda p: fn(p.conn))


# What the status line says after a failure that is not one of the expected ones (logged).
BUG = SyncError(
    "Something went wrong while syncing; nothing you stored was lost. It is tried again later."
).message
PUSH_BYTES = 256 * 1024  # uncompressed, per push (SYNC.md)
MAX_GAP_RETRIES = 3


@dataclass
class _Next:
    """A push read and marked (local.take), not sent yet."""

    sent: list[local.Pending]
    mark: int  # the sent mark before it
    body: Encoded


@dataclass
class _Flight(_Next):
    """A push sent, its answer to come."""

    answer: Future[Answer]


@dataclass
class Progress:
    phase: str  # push | pull | snapshot | waiting (for another program's sync of this profile)
    done: int
    total: int | None


@dataclass
class Report:
    pushed: int = 0  # acknowledged (applied, merged or duplicate)
    rejected: int = 0
    pulled: int = 0  # records written here
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    resynced: bool = False


class Syncer:
    """Syncs one profile with its server."""

    def __init__(
        self,
        db: Db,
        clock: Clock,
        transport: Transport,
        account: Account,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.db = db
        self.now = clock.now_ms
        self.t = transport
        self.account = account
        self.progress = progress or (lambda _p: None)
        self.report = Report()

    # ---- one request, signed

    def _call(self, method: str, path: str, **kw: Any) -> Answer:
        """A signed request; a 401 refreshes the access token once and tries again."""
        headers = self.account.auth_headers()
        answer = self._send(method, path, headers, **kw)
        if answer.status == 401:
            self.account.refresh(headers["Authorization"].removeprefix("Bearer "))
            answer = self._send(method, path, self.account.auth_headers(), **kw)
        return answer

    def _send(self, method: str, path: str, headers: dict[str, str], **kw: Any) -> Answer:
        answer = self.t.send(method, path, headers=headers, **kw)
        self.report.requests += 1
        self.report.bytes_received += len(answer.body)
        return answer

    def _refused(self, answer: Answer) -> Exception:
        e = self.t.refusal(answer)
        return from_refusal(e) if isinstance(e, Refused) else e

    # ---- the whole sync

    def sync(self) -> Report:
        try:
            self.push_all()
            self.pull_all()
        except SyncError as e:
            failed = partial(local.record_outcome, now=self.now(), kind=e.kind, message=e.message)
            writing(self.db, partial(failed, values=e.values))
            raise
        except Exception:
            log.exception("sync failed")
            with contextlib.suppress(Exception):  # the database itself may be what failed
                writing(
                    self.db,
                    partial(
                        local.record_outcome,
                        now=self.now(),
                        kind="failed",
                        message=BUG,
                        values={},
                    ),
                )
            raise
        writing(self.db, lambda c: local.record_outcome(c, self.now(), None, None, None))
        return self.report

    # ---- the directory

    def directory(self, search: str) -> list[Colleague]:
        """Colleagues in the organisation whose name, unit or NIP holds ``search`` (a page of
        them), kept here for working offline."""
        answer = self._call("GET", "/v1/directory", params={"q": search[:100]})
        if answer.status != 200:
            raise self._refused(answer)
        people = [Colleague(p.nip, p.name, p.unit) for p in parse(answer, Directory).people]
        self.db(lambda p: HandoffService(p).store_directory(people))
        return people

    # ---- push

    def push_all(self) -> None:
        """The outbox, in pushes of at most ``MAX_BATCH``, one at a time and in order. While a
        push travels (a helper thread only sends), the answer before it is written and the push
        after it is read; that one goes out as soon as this one's answer is in. A long backlog
        then waits for the server or for the disk, not for both in turn. A push holding a
        handoff is read only after the answers before it are written: they may move its base
        version (``rebase_handoffs``)."""
        total = reading(self.db, local.count_pending)
        self.progress(Progress("push", 0, total))
        done = 0
        with ThreadPoolExecutor(1, thread_name_prefix="wfh-push") as sender:
            flight = self._go(sender, self._take(after=0, limit=MAX_BATCH))
            batch, gaps = MAX_BATCH, 0
            while flight is not None:
                sent = flight.sent
                following = self._take(sent[-1].seq, batch, early=True)
                try:
                    answer = flight.answer.result()
                except NetworkError as lost:
                    if lost.unsent and sent[-1].seq > flight.mark:
                        with contextlib.suppress(sqlite3.Error):  # the network error is the news
                            writing(
                                self.db,
                                partial(local.unsent, back_to=flight.mark, moved_to=sent[-1].seq),
                            )
                    raise
                self.report.bytes_sent += sum(p.size for p in sent)
                if answer.status == 413 and batch > 1:
                    batch = max(1, len(sent) // 2)
                    flight = self._go(sender, self._take(after=0, limit=batch))
                    continue
                if answer.status == 409:
                    again = self._conflict(answer, gaps)
                    gaps += 1
                    total += again
                    flight = self._go(sender, self._take(after=0, limit=batch))
                    continue
                if answer.status != 200:
                    raise self._refused(answer)
                # The next push leaves now; if this answer turns out unreadable, it is only
                # sent twice (answered "duplicate" the next time).
                ahead = self._go(sender, following)
                reply = parse(answer, PushResponse)
                got = {r.seq for r in reply.results}
                if not got or not {p.mutation["seq"] for p in sent} >= got:
                    raise NetworkError(
                        "The server's answer was not understood; nothing was marked as sent."
                    )
                acked, rejected = writing(
                    self.db, partial(self._acknowledge, answer=answer, reply=reply, sent=sent)
                )
                self.report.pushed += acked
                self.report.rejected += rejected
                done += acked + rejected
                self.progress(Progress("push", done, max(total, done)))
                if acked + rejected == 0:
                    break  # nothing moved: do not loop on the same batch
                flight = ahead or self._go(sender, self._take(after=0, limit=batch))
        if done:
            writing(self.db, partial(local.purge_acked, now=self.now()))

    def _take(self, after: int, limit: int, early: bool = False) -> _Next | None:
        """The next push: the pending mutations above ``after``. ``early``: an answer before
        it is not written yet; a push holding a handoff then waits (None)."""
        sent, mark = writing(
            self.db,
            partial(local.take, limit=limit, max_bytes=PUSH_BYTES, after=after, early=early),
        )
        if not sent:
            return None
        # encoded here, while the push before travels: the sending thread then only sends
        return _Next(sent, mark, encode({"mutations": [p.mutation for p in sent]}))

    def _go(self, sender: ThreadPoolExecutor, push: _Next | None) -> _Flight | None:
        if push is None:
            return None
        answer = sender.submit(self._call, "POST", "/v1/sync/push", body=push.body)
        return _Flight(push.sent, push.mark, push.body, answer)

    def _conflict(self, answer: Answer, gaps: int) -> int:
        """A push answered ``409``: after a ``seq_gap``, the mutations the server lacks are
        made pending again (returns how many); anything else raises."""
        e = self.t.refusal(answer)
        if isinstance(e, Refused) and e.code == "seq_gap" and gaps < MAX_GAP_RETRIES:
            expected = e.problem.expected_seq or 1
            again = writing(self.db, partial(local.resend_from, wire_seq=expected))
            if again == 0:  # the server wants changes no longer kept here
                raise Stuck(
                    "The server is missing changes that this computer no longer keeps (a "
                    "server restored from an old backup, or a damaged local database?). Tell "
                    "your agency's administrator; your work is kept."
                )
            log.warning("seq_gap: sending again from %s (%s mutations)", expected, again)
            return int(again)
        if isinstance(e, Refused) and e.code == "device_conflict":
            writing(self.db, local.device_conflict)
            raise AccountRefused(
                "Another computer uses a copy of this computer's data. Sign in again "
                "('wfh login') to register this one anew; your work is kept."
            )
        raise self._refused(answer)

    def _acknowledge(
        self, w: sqlite3.Connection, answer: Answer, reply: PushResponse, sent: list[local.Pending]
    ) -> tuple[int, int]:
        """A push's answer, written: each mutation acked or rejected, the canonical records
        stored, the clocks merged; one transaction."""
        now = self.now()
        acked, rejected = local.mark_results(
            w, sent, [r.model_dump(exclude={"record"}) for r in reply.results], now
        )
        if reply.results:  # a pull may leave out what these answers hold (engine.pull_all)
            local.raise_meta(w, "answered_seq", max(r.seq for r in reply.results))
        by_seq = {p.mutation["seq"]: p.mutation for p in sent}
        records = [
            (_entity_of(by_seq[r.seq]["type"]), r.record)
            for r in reply.results
            if r.record is not None and r.seq in by_seq
        ]
        run = local.Applying(w, records)
        for r in reply.results:
            if r.record is not None:
                entity = _entity_of(by_seq[r.seq]["type"])
                local.apply_record(w, entity, r.record, now, answered=True, run=run)
            elif "rejected" in (r.status, r.original_status) and r.seq in by_seq:
                # Refused now, or at first with that answer lost: what it changed here goes.
                local.undo_refused(w, by_seq[r.seq], r.current, now)
                run.forget()
        for r in reply.results:
            mutation = by_seq.get(r.seq)
            if (
                mutation
                and mutation["type"].startswith("task.")
                and r.status == "applied"  # as it was sent: no one else's change in it
                and r.version is not None
            ):
                local.rebase_handoffs(w, str(mutation["entity_id"]), r.version)
        local.retry_parked(w, now)
        self._answered(w, answer, reply.server_hlc, reply.server_time, reply.epoch)
        return acked, rejected

    @staticmethod
    def _answered(
        w: sqlite3.Connection, answer: Answer, server_hlc: str, server_time: str, epoch: str
    ) -> None:
        local.merge_server_clock(
            w, server_hlc, server_time, int(answer.sent_at * 1000), int(answer.received_at * 1000)
        )
        local.set_meta(w, "epoch", epoch)

    # ---- pull

    def pull_all(self) -> None:
        pulled = 0
        restored = False
        while True:
            cursor, answered = reading(self.db, _cursors)
            params = {"since": cursor, "limit": PULL_LIMIT}
            if answered:  # leave out what this device's push answers brought (SYNC.md)
                params["answered"] = answered
            answer = self._call("GET", "/v1/sync/pull", params=params)
            if answer.status == 304:
                return
            if answer.status == 410:
                self.snapshot()
                continue
            if answer.status == 409 and not restored:
                e = self.t.refusal(answer)
                if isinstance(e, Refused) and e.code == "epoch_mismatch":
                    # The server was restored from a backup: the retained mutations go up again
                    # (the server answers those it has as duplicates), then the feed from 0.
                    restored = True
                    writing(self.db, local.server_restored)
                    self.push_all()
                    continue
            if answer.status != 200:
                raise self._refused(answer)
            page = parse(answer, PullResponse)
            pulled += writing(self.db, partial(self._page, answer=answer, page=page))
            self.report.pulled = pulled
            self.progress(Progress("pull", pulled, None))
            if not page.has_more or page.next <= cursor:
                return

    def _page(self, w: sqlite3.Connection, answer: Answer, page: PullResponse) -> int:
        """One page written with its cursor, in one transaction (I5); returns how many records
        changed here."""
        now = self.now()
        changed = 0
        records = []
        for change in page.changes:
            record = dict(change.record)
            record.setdefault("id", change.id)
            record["version"] = change.version
            records.append((change.entity, record))
        run = local.Applying(w, records)
        for entity, record in records:
            if local.apply_record(w, entity, record, now, run=run) in ("applied", "parked"):
                changed += 1
        local.retry_parked(w, now)
        local.save_cursor(w, page.next)
        self._answered(w, answer, page.server_hlc, page.server_time, page.epoch)
        return changed

    def snapshot(self) -> None:
        """After ``410``: every live record again, page by page; the cursor then goes to the
        snapshot's first ``as_of_seq`` (the outbox was pushed first and stays)."""
        self.report.resynced = True
        after: str | None = None
        as_of: int | None = None
        done = 0
        while True:
            params: dict[str, Any] = {"limit": PULL_LIMIT}
            if after:
                params["after"] = after
            answer = self._call("GET", "/v1/sync/snapshot", params=params)
            if answer.status != 200:
                raise self._refused(answer)
            page = parse(answer, SnapshotResponse)
            as_of = page.as_of_seq if as_of is None else as_of
            done += writing(self.db, partial(self._snapshot_page, page=page, as_of=as_of))
            self.progress(Progress("snapshot", done, None))
            if not page.has_more or not page.next_after:
                return
            after = page.next_after

    def _snapshot_page(self, w: sqlite3.Connection, page: SnapshotResponse, as_of: int) -> int:
        now = self.now()
        run = local.Applying(w)
        for change in page.records:
            record = dict(change.record)
            record.setdefault("id", change.id)
            record["version"] = change.version
            local.apply_record(w, change.entity, record, now, run=run)
        local.retry_parked(w, now)
        if not page.has_more or not page.next_after:  # the last page
            local.set_meta(w, "pull_cursor", as_of)
        return len(page.records)


def _cursors(conn: sqlite3.Connection) -> tuple[int, int]:
    """Where the pull goes on from, and the highest seq of this device whose push answer is
    written here (what those answers brought need not come again)."""
    return local.meta_int(conn, "pull_cursor"), local.meta_int(conn, "answered_seq")


def _entity_of(mutation_type: str) -> str:
    if mutation_type == "task.handoff":
        return "handoff"
    return mutation_type.split(".", 1)[0]
