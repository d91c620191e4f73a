"""``wfh handoff``, ``wfh inbox``, ``wfh accept``, ``wfh decline``, ``wfh colleagues`` and
``wfh history``: handing a task to a colleague, from the command line."""

from __future__ import annotations

import json
import sys
from typing import Any

from wfh_desktop.handoffs import Colleague, Handoff, HandoffService, who
from wfh_desktop.i18n import tr
from wfh_desktop.lookup import short_code
from wfh_desktop.timefmt import fmt_datetime, fmt_minutes


def out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _status(status: str) -> str:
    words = {
        "pending": tr("waiting for an answer"),
        "accepted": tr("accepted"),
        "declined": tr("declined"),
    }
    return words.get(status, status)


def _describe(ctx: Any, h: Handoff) -> list[str]:
    lines = [
        tr(
            "{code}  {title}: from {giver} to {taker}, {when}",
            code=short_code(h.id),
            title=h.task_title or "?",
            giver=who(h.from_name, h.from_nip),
            taker=who(h.to_name, h.to_nip),
            when=fmt_datetime(h.at, ctx.zone),
        ),
        "    " + tr("Note: {note}", note=h.note or ""),
        "    " + tr("Answer: {status}", status=_status(h.status)),
    ]
    if h.answer_note:
        lines.append("    " + tr("Reason: {reason}", reason=h.answer_note))
    spent = sum(int(s.get("ms") or 0) for s in h.shares)
    if spent:
        lines.append(
            "    " + tr("Time already spent on it: {minutes} min", minutes=fmt_minutes(spent))
        )
    return lines


def _as_json(h: Handoff) -> dict[str, Any]:
    return {
        "id": h.id,
        "task_id": h.task_id,
        "task_title": h.task_title,
        "from": {"nip": h.from_nip, "name": h.from_name},
        "to": {"nip": h.to_nip, "name": h.to_name},
        "at": h.at,
        "note": h.note,
        "status": h.status,
        "answer_note": h.answer_note,
        "answered_at": h.answered_at,
        "shares": h.shares,
    }


def _send(ctx: Any, done: str) -> None:
    """Sync now if signed in, so that the colleague hears soon; offline it waits for the next
    sync, and nothing is lost."""
    from wfh_desktop.sync import local
    from wfh_desktop.sync.errors import SyncError

    if local.meta(ctx.profile.conn, "signed_in") != "1":
        out(done + " " + tr("It is sent when you sign in and sync ('wfh login')."))
        return
    from wfh_desktop.cli.sync_commands import _client

    client = _client(ctx)
    try:
        report = client.sync()
    except SyncError as e:
        out(done + " " + tr("It is sent on the next sync: {reason}", reason=e.render()))
        return
    finally:
        client.close()
    if report.rejected:
        out(
            done
            + " "
            + tr("The server refused it; see 'wfh review' for what it said and what to do.")
        )
        return
    out(done + " " + tr("The server has it."))


def handoff_command(ctx: Any) -> int:
    from wfh_desktop.errors import UserError
    from wfh_desktop.sync import local

    args = ctx.args
    if local.meta(ctx.profile.conn, "account_user_id") is None:
        raise UserError(
            "Sign in first with 'wfh login': a task is handed over through your agency's server."
        )
    h = HandoffService(ctx.profile).give(args.task, args.to, args.note)
    _send(
        ctx, tr("Handed over: {title} to {who}.", title=h.task_title, who=who(h.to_name, h.to_nip))
    )
    return 0


def inbox_command(ctx: Any) -> int:
    found = HandoffService(ctx.profile).inbox(answered=ctx.args.all)
    if ctx.args.json:
        out(json.dumps([_as_json(h) for h in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        out(tr("No task handed to you is waiting for an answer."))
        return 0
    out(tr("Tasks handed to you (Tugas masuk):"))
    for h in found:
        for line in _describe(ctx, h):
            out(line)
    if any(h.status == "pending" for h in found):
        out(tr('Answer with: wfh accept ID, or wfh decline ID --reason "…"'))
    return 0


def accept_command(ctx: Any) -> int:
    h = HandoffService(ctx.profile).accept(ctx.args.handoff)
    _send(
        ctx,
        tr(
            "Accepted: {title}. Start its timer with 'wfh start' when you continue it.",
            title=h.task_title,
        ),
    )
    return 0


def decline_command(ctx: Any) -> int:
    h = HandoffService(ctx.profile).decline(ctx.args.handoff, ctx.args.reason)
    _send(
        ctx,
        tr(
            "Declined: {title}; it goes back to {who}.",
            title=h.task_title,
            who=who(h.from_name, h.from_nip),
        ),
    )
    return 0


def colleagues_command(ctx: Any) -> int:
    from wfh_desktop.sync import local
    from wfh_desktop.sync.errors import SyncError

    service = HandoffService(ctx.profile)
    search = " ".join(ctx.args.search or [])
    people: list[Colleague] | None = None
    if local.meta(ctx.profile.conn, "signed_in") == "1":
        from wfh_desktop.cli.sync_commands import _client

        client = _client(ctx)
        try:
            client.directory(search)
        except SyncError as e:
            fetched = service.directory_fetched_at()
            when = fmt_datetime(fetched, ctx.zone) if fetched else tr("never")
            sys.stderr.write(
                tr(
                    "The directory could not be fetched ({reason}); shown as kept here "
                    "(fetched {when}).",
                    reason=e.render(),
                    when=when,
                )
                + "\n"
            )
        finally:
            client.close()
    people = service.colleagues(search)
    if ctx.args.json:
        out(json.dumps([p._asdict() for p in people], ensure_ascii=False, indent=2))
        return 0
    if not people:
        out(tr("No colleague found. Sign in and search by name, unit or NIP."))
        return 0
    from wfh_desktop.cli.commands import print_table

    print_table(
        [[tr("NIP"), tr("Name"), tr("Work unit")]] + [[p.nip, p.name, p.unit] for p in people]
    )
    return 0


def history_command(ctx: Any) -> int:
    service = HandoffService(ctx.profile)
    handoffs = service.history(ctx.args.task)
    shares = service.shares(ctx.args.task)
    if ctx.args.json:
        out(
            json.dumps(
                {
                    "handoffs": [_as_json(h) for h in handoffs],
                    "shares": [s._asdict() for s in shares],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not handoffs:
        out(tr("This task was never handed over."))
    for h in handoffs:
        for line in _describe(ctx, h):
            out(line)
    if shares:
        out(tr("Time on this task, by person:"))
        for s in shares:
            person = who(s.name, s.nip) + (" " + tr("(you)") if s.me else "")
            out("    " + tr("{who}: {minutes} min", who=person, minutes=fmt_minutes(s.ms)))
    return 0
