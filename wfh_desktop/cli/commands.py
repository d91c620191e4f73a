"""What each ``wfh`` command does: parse the user's values, call the core, print the outcome."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from wfh_desktop import settings as settings_mod
from wfh_desktop.clock import Clock
from wfh_desktop.domain import Task, WorkSession, on_target
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.lookup import get_task, short_code
from wfh_desktop.paths import Paths
from wfh_desktop.profile import Profile
from wfh_desktop.settings import Settings
from wfh_desktop.timefmt import (
    LongDates,
    Zone,
    day_of,
    fmt_clock,
    fmt_date,
    fmt_date_long,
    fmt_datetime,
    fmt_hours_minutes,
    fmt_left_or_over,
    fmt_minutes,
    fmt_number,
    fmt_progress,
    iso_local,
    parse_date,
    parse_instant,
    parse_month,
    zone,
)


class Context:
    """What a command needs: the profile, the office zone and how to print."""

    def __init__(self, args: argparse.Namespace, paths: Paths, settings: Settings, clock: Clock):
        self.args = args
        self.paths = paths
        self.settings = settings
        self.clock = clock
        self.zone: Zone = zone(getattr(args, "zone", None) or settings.office_zone)
        self._profile: Profile | None = None

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            self._profile = Profile.open(self.paths.database, self.clock)
        return self._profile

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def today(self) -> date:
        return day_of(self.clock.now_ms(), self.zone)

    def instant(self, text: str) -> int:
        return parse_instant(text, self.zone, self.today())

    def close(self) -> None:
        if self._profile is not None:
            self._profile.close()


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def dump(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


# ---- JSON shapes ---------------------------------------------------------------------------


def task_json(t: Task, z: Zone, actual_ms: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": t.id,
        "code": short_code(t.id),
        "title": t.title,
        "target_minutes": t.target_minutes,
        "rhk": t.rhk,
        "output": t.output,
        "volume": t.volume,
        "unit": t.unit,
        "status": t.status,
        "done_at": None if t.done_at is None else iso_local(t.done_at, z),
        "created_at": iso_local(t.created_at, z),
        "deleted": t.deleted_at is not None,
    }
    if actual_ms is not None:
        data["actual_seconds"] = actual_ms // 1000
        data["on_target"] = on_target(t.status, actual_ms, t.target_minutes)
    return data


def session_json(s: WorkSession, z: Zone, now_ms: int) -> dict[str, Any]:
    return {
        "id": s.id,
        "code": short_code(s.id),
        "task_id": s.task_id,
        "start": iso_local(s.start_at, z),
        "end": None if s.end_at is None else iso_local(s.end_at, z),
        "running": s.end_at is None,
        "seconds": s.duration_ms(now_ms) // 1000,
        "source": s.source,
        "note": s.note,
        "needs_review": s.needs_review,
        "deleted": s.deleted_at is not None,
    }


# ---- tasks ---------------------------------------------------------------------------------


def _field_args(args: argparse.Namespace) -> dict[str, Any]:
    return {
        k: getattr(args, k)
        for k in ("rhk", "output", "volume", "unit")
        if getattr(args, k, None) is not None
    }


def _target_text(t: Task) -> str:
    return fmt_minutes(t.target_ms)


def task_command(ctx: Context) -> int:
    from wfh_desktop.tasks import TaskService

    args = ctx.args
    svc = TaskService(ctx.profile)
    sub = args.task_command
    if sub is None:
        sub = "list"
        args.status, args.deleted, args.json = None, False, False
    if sub == "add":
        target = args.target if args.target is not None else ctx.settings.default_target_minutes
        task = svc.add(args.title, target, **_field_args(args))
        if ctx.json:
            dump(task_json(task, ctx.zone, 0))
        else:
            out(
                tr(
                    "Task added: {title} (target {target}), id {code}.",
                    title=task.title,
                    target=_target_text(task),
                    code=short_code(task.id),
                )
            )
        return 0
    if sub == "list":
        tasks = svc.list_tasks(status=args.status, include_deleted=args.deleted)
        actual = svc.actual_ms([t.id for t in tasks])
        if ctx.json:
            dump([task_json(t, ctx.zone, actual[t.id]) for t in tasks])
            return 0
        if not tasks:
            out(tr('No tasks yet. Add one with: wfh task add "Menyusun laporan" --target 30'))
            return 0
        rows = [[tr("ID"), tr("Task"), tr("Target"), tr("Actual"), tr("Status")]]
        for t in tasks:
            status = tr("done") if t.is_done else tr("open")
            if t.deleted_at is not None:
                status = tr("deleted")
            rows.append(
                [short_code(t.id), t.title, _target_text(t), fmt_minutes(actual[t.id]), status]
            )
        print_table(rows)
        return 0
    if sub == "edit":
        changes = _field_args(args)
        if args.title is not None:
            changes["title"] = args.title
        if args.target is not None:
            changes["target_minutes"] = args.target
        if not changes:
            raise UserError("Say what to change, for example --title or --target.")
        task = svc.edit(args.task, **changes)
        if ctx.json:
            dump(task_json(task, ctx.zone))
        else:
            out(
                tr(
                    "Task changed: {title} (target {target}).",
                    title=task.title,
                    target=_target_text(task),
                )
            )
        return 0
    if sub == "done":
        change = svc.mark_done(args.task)
        task = change.task
        task_ms = svc.actual_ms([task.id])[task.id]
        if ctx.json:
            dump(task_json(task, ctx.zone, task_ms))
        else:
            out(tr("Task done: {title}.", title=task.title) + " " + _verdict(task, task_ms))
        return 0
    if sub == "reopen":
        task = svc.reopen(args.task)
        if ctx.json:
            dump(task_json(task, ctx.zone))
        else:
            out(tr("Task open again: {title}.", title=task.title))
        return 0
    if sub == "rm":
        change = svc.remove(args.task)
        if ctx.json:
            dump(task_json(change.task, ctx.zone))
        else:
            if change.stopped_session_id:
                out(tr("Its running timer was stopped."))
            out(
                tr(
                    "Task deleted: {title}. Restore it with: wfh task restore {code}",
                    title=change.task.title,
                    code=short_code(change.task.id),
                )
            )
        return 0
    if sub == "restore":
        task = svc.restore(args.task)
        if ctx.json:
            dump(task_json(task, ctx.zone))
        else:
            out(tr("Task restored: {title}.", title=task.title))
        return 0
    raise AssertionError(sub)


def _verdict(task: Task, actual_ms: int) -> str:
    if actual_ms <= task.target_ms:
        return tr(
            "Actual {actual} of {target}: on target.",
            actual=fmt_minutes(actual_ms),
            target=_target_text(task),
        )
    return tr(
        "Actual {actual} of {target}: {over} over target.",
        actual=fmt_minutes(actual_ms),
        target=_target_text(task),
        over=fmt_minutes(actual_ms - task.target_ms),
    )


# ---- timer ---------------------------------------------------------------------------------


def start_command(ctx: Context) -> int:
    from wfh_desktop.timer import TimerService

    args = ctx.args
    timer = TimerService(ctx.profile)
    if args.new:
        target = args.target if args.target is not None else ctx.settings.default_target_minutes
        result = timer.start_new(args.task, target, **_field_args(args))
    else:
        if args.target is not None or _field_args(args):
            raise UserError(
                "--target, --rhk, --output, --volume and --unit are for a new task (with --new); "
                "to change a task use 'wfh task edit'."
            )
        result = timer.start(args.task)
    if ctx.json:
        dump(status_json(ctx, timer))
        return 0
    if result.already_running:
        out(
            tr(
                "{title} has been running since {time}.",
                title=result.task.title,
                time=fmt_clock(result.session.start_at, ctx.zone),
            )
        )
        return 0
    if result.stopped is not None:
        stopped_task = get_task(ctx.profile.conn, result.stopped.task_id)
        out(tr("Stopped: {title}.", title=stopped_task.title))
    if result.reopened:
        out(tr("The task was done; it is open again."))
    out(
        tr(
            "Started: {title} at {time} (target {target}).",
            title=result.task.title,
            time=fmt_clock(result.session.start_at, ctx.zone),
            target=_target_text(result.task),
        )
    )
    if result.session.needs_review == "overlap":
        out(tr("Note: this session overlaps another one; check 'wfh log'."))
    return 0


def timer_command(ctx: Context) -> int:
    from wfh_desktop.timer import CLOCK_FLAG_MS, TimerService

    timer = TimerService(ctx.profile)
    name = ctx.args.command
    if name == "resume":
        result = timer.resume()
        if ctx.json:
            dump(status_json(ctx, timer))
        else:
            out(
                tr(
                    "Resumed: {title} at {time}.",
                    title=result.task.title,
                    time=fmt_clock(result.session.start_at, ctx.zone),
                )
            )
        return 0
    done = {"pause": timer.pause, "stop": timer.stop, "finish": timer.finish}[name]()
    now = ctx.clock.now_ms()
    if ctx.json:
        last = None if done.session is None else session_json(done.session, ctx.zone, now)
        dump(status_json(ctx, timer) | {"last_session": last})
        return 0
    from wfh_desktop.tasks import actual_ms

    total = actual_ms(ctx.profile.conn, [done.task.id], now)[done.task.id]
    message = {
        "pause": tr("Paused: {title}. Resume with: wfh resume"),
        "stop": tr("Stopped: {title}."),
        "finish": tr("Done: {title}."),
    }[name]
    out(message.format(title=done.task.title))
    progress = fmt_progress(total, done.task.target_minutes)
    if done.session is None:
        out(tr("The task so far: {progress}.", progress=progress))
    else:
        session_ms = done.session.duration_ms(now)
        out(
            tr(
                "This session: {session}; the task so far: {progress}.",
                session=fmt_minutes(session_ms),
                progress=progress,
            )
        )
    if done.clock_back_ms > CLOCK_FLAG_MS:
        out(
            tr(
                "This computer's clock reads {minutes} before this session began: it was set "
                "back while the timer ran. The session is kept at its start with no time and "
                "listed under 'Perlu ditinjau'; correct it with: wfh session edit",
                minutes=fmt_minutes(done.clock_back_ms),
            )
        )
    if name == "finish":
        out(_verdict(done.task, total))
    return 0


def status_json(ctx: Context, timer: Any) -> dict[str, Any]:
    st = timer.status()
    state = "running" if st.running else ("paused" if st.paused_task else "idle")
    return {
        "state": state,
        "now": iso_local(st.now_ms, ctx.zone),
        "zone": ctx.zone.name,
        "task": None if st.task is None else task_json(st.task, ctx.zone, st.task_actual_ms),
        "session": None if st.running is None else session_json(st.running, ctx.zone, st.now_ms),
        "actual_seconds": st.task_actual_ms // 1000,
        "target_minutes": None if st.task is None else st.task.target_minutes,
        "over_target_seconds": st.over_target_ms // 1000,
    }


def status_lines(ctx: Context, st: Any) -> list[str]:
    if st.task is None:
        return [tr("No timer is running. Start one with: wfh start {task}", task=tr("TASK"))]
    head = (
        tr("Running: {title}", title=st.task.title)
        if st.running
        else tr("Paused: {title}", title=st.task.title)
    )
    lines = [head, "  " + fmt_progress(st.task_actual_ms, st.task.target_minutes)]
    if st.running:
        lines.append("  " + tr("since {time}", time=fmt_clock(st.running.start_at, ctx.zone)))
    lines.append("  " + fmt_left_or_over(st.task_actual_ms, st.task.target_minutes))
    return lines


def status_command(ctx: Context) -> int:
    from wfh_desktop.timer import TimerService

    timer = TimerService(ctx.profile)
    if ctx.json:
        dump(status_json(ctx, timer))
        return 0
    for line in status_lines(ctx, timer.status()):
        out(line)
    return 0


# ---- periods, log, report --------------------------------------------------------------------


def period_from_args(ctx: Context) -> Any:
    from wfh_desktop.reports import period_for

    a = ctx.args
    today = ctx.today()
    kw: dict[str, Any] = {}
    if a.day is not None:
        kw["day"] = parse_date(a.day, today)
    if a.week is not None:
        kw["week"] = parse_date(a.week, today)
    if a.month is not None:
        kw["month"] = parse_month(a.month, today) if a.month else today.replace(day=1)
    if getattr(a, "all", False):
        kw["all_time"] = True
    if a.first is not None or a.last is not None:
        if kw:
            raise UserError("Use either --from/--to or one of --day, --week, --month, --all.")
        if a.first is not None:
            kw["first"] = parse_date(a.first, today)
        if a.last is not None:
            kw["last"] = parse_date(a.last, today)
        if "first" in kw and "last" in kw and kw["last"] < kw["first"]:
            raise UserError("The range ends before it starts.")
    return period_for(today, **kw)


def period_text(period: Any) -> str:
    if period.first is None and period.last is None:
        return tr("all time")
    if period.first is None:
        return tr("until {date}", date=fmt_date(period.last))
    if period.first == period.last:
        return fmt_date_long(period.first)
    return f"{fmt_date(period.first)} – {fmt_date(period.last)}"


def log_command(ctx: Context) -> int:
    from wfh_desktop.sessions import SessionService, review_text

    period = period_from_args(ctx)
    start, end = period.bounds(ctx.zone)
    entries = SessionService(ctx.profile).log(start, end)
    now = ctx.clock.now_ms()
    if ctx.json:
        dump([session_json(e.session, ctx.zone, now) | {"task": e.task.title} for e in entries])
        return 0
    out(tr("Sessions, {period} ({zone})", period=period_text(period), zone=ctx.zone.name))
    if not entries:
        out(tr("No sessions in this period."))
        return 0
    rows = [[tr("ID"), tr("Date"), tr("Start"), tr("End"), tr("Duration"), tr("Task"), ""]]
    total = 0
    for e in entries:
        s = e.session
        ms = s.duration_ms(now)
        total += s.ms_within(start, end, now)  # only the part inside the period
        flags = []
        if s.end_at is None:
            flags.append(tr("running"))
        if s.source == "manual":
            flags.append(tr("manual"))
        if s.needs_review:
            flags.append(review_text(s.needs_review))
        rows.append(
            [
                short_code(s.id),
                fmt_date(day_of(s.start_at, ctx.zone)),
                fmt_clock(s.start_at, ctx.zone),
                "…" if s.end_at is None else fmt_clock(s.end_at, ctx.zone),
                fmt_minutes(ms),
                e.task.title,
                ", ".join(flags),
            ]
        )
    print_table(rows)
    out(tr("Total: {total}", total=fmt_hours_minutes(total)))
    return 0


def report_command(ctx: Context) -> int:
    from wfh_desktop.reports import build_report

    period = period_from_args(ctx)
    if period.all_time and not ctx.json and not ctx.args.detail:
        return summary_report(ctx)
    rep = build_report(ctx.profile, period, ctx.zone)
    if ctx.json:
        dump(
            {
                "period": {
                    "from": None if period.first is None else period.first.isoformat(),
                    "to": None if period.last is None else period.last.isoformat(),
                    "zone": ctx.zone.name,
                },
                "total_seconds": rep.total_ms // 1000,
                "days": [
                    {"date": d.day.isoformat(), "seconds": d.worked_ms // 1000, "tasks": d.tasks}
                    for d in rep.days
                ],
                "tasks": [task_line_json(line, ctx.zone) for line in rep.tasks],
                "finished": rep.finished,
                "finished_on_target": rep.finished_on_target,
                "on_target_rate": rep.on_target_rate,
            }
        )
        return 0
    out(tr("Report, {period} ({zone})", period=period_text(period), zone=ctx.zone.name))
    if not rep.tasks:
        out(tr("No work recorded in this period."))
        return 0
    out()
    out(tr("Per day"))
    rows = [[tr("Date"), tr("Worked"), tr("Tasks")]]
    long_date = LongDates()  # names translated once: an all-time report has thousands
    rows += [[long_date(d.day), fmt_hours_minutes(d.worked_ms), str(d.tasks)] for d in rep.days]
    print_table(rows)
    out()
    out(tr("Per task"))
    write_task_table(rep.tasks)
    out()
    write_totals(rep)
    return 0


def write_totals(rep: Any) -> None:
    """The last lines of a report or a summary: time worked and the on-target rate."""
    out(tr("Total worked: {total}", total=fmt_hours_minutes(rep.total_ms)))
    rate = rep.on_target_rate
    if rate is None:
        out(tr("On-target rate: no task was finished in this period."))
    else:
        out(
            tr(
                "On-target rate: {hit} of {n} finished tasks ({pct}%).",
                hit=fmt_number(rep.finished_on_target),
                n=fmt_number(rep.finished),
                pct=fmt_number(100 * rate, 1),
            )
        )


def summary_report(ctx: Context) -> int:
    """All time, one line per month; ``--detail`` lists every day and task."""
    from wfh_desktop.reports import build_summary

    rep = build_summary(ctx.profile, ctx.zone)
    out(tr("Report, {period} ({zone})", period=tr("all time"), zone=ctx.zone.name))
    if not rep.months:
        out(tr("No work recorded in this period."))
        return 0
    out()
    out(tr("Per month"))
    long_date = LongDates()
    rows = [[tr("Month"), tr("Worked"), tr("Days worked"), tr("Finished"), tr("On target")]]
    for m in rep.months:
        rate = m.on_target_rate
        rows.append(
            [
                long_date.month(m.month),
                fmt_hours_minutes(m.worked_ms),
                str(m.days),
                fmt_number(m.finished),
                ""
                if rate is None
                else f"{fmt_number(m.finished_on_target)} ({fmt_number(100 * rate, 1)}%)",
            ]
        )
    print_table(rows)
    out()
    write_totals(rep)
    out(tr("Every day and every task: wfh report --all --detail"))
    return 0


def task_line_json(line: Any, z: Zone) -> dict[str, Any]:
    return {
        "id": line.id,
        "code": short_code(line.id),
        "title": line.title,
        "target_minutes": line.target_minutes,
        "rhk": line.rhk,
        "output": line.output,
        "volume": line.volume,
        "unit": line.unit,
        "status": line.status,
        "done_at": None if line.done_at is None else iso_local(line.done_at, z),
        "created_at": iso_local(line.created_at, z),
        "period_seconds": line.period_ms // 1000,
        "actual_seconds": line.actual_ms // 1000,
        "on_target": line.on_target,
    }


class MinuteTexts(dict[int, str]):
    """``25 mnt`` for a whole number of minutes, each made once (reports print many)."""

    def __missing__(self, m: int) -> str:
        text = self[m] = fmt_minutes(max(m, 0) * 60_000)
        return text

    def of_ms(self, ms: int) -> str:
        return self[(ms + 30_000) // 60_000]


def write_task_table(lines: list[Any]) -> None:
    """The per-task table, written in chunks. The title comes last so that no column has to be
    as wide as the longest title; an all-time report can have tens of thousands of rows."""
    minutes = MinuteTexts()
    head = [tr("ID"), tr("In period"), tr("Actual"), tr("Target"), tr("Status"), tr("On target")]
    done, open_, yes, no = tr("done"), tr("open"), tr("yes"), tr("no")
    w_min = max(
        len(minutes.of_ms(max((t.period_ms for t in lines), default=0))),
        len(minutes.of_ms(max((t.actual_ms for t in lines), default=0))),
        len(minutes[480]),
    )
    w = [
        max(len(head[0]), 6),
        max(len(head[1]), w_min),
        max(len(head[2]), w_min),
        max(len(head[3]), w_min),
        max(len(head[4]), len(done), len(open_)),
        max(len(head[5]), len(yes), len(no)),
    ]
    row = "  ".join(f"{{:<{width}}}" for width in w) + "  {}"
    chunk = [row.format(*head, tr("Task"))]
    for t in lines:
        chunk.append(
            row.format(
                t.id[-6:],
                minutes[(t.period_ms + 30_000) // 60_000],
                minutes[(t.actual_ms + 30_000) // 60_000],
                minutes[t.target_minutes],
                done if t.status == "done" else open_,
                (yes if t.on_target else no) if t.status == "done" else "",
                t.title,
            )
        )
        if len(chunk) >= 2000:
            sys.stdout.write("\n".join(chunk) + "\n")
            chunk.clear()
    sys.stdout.write("\n".join(chunk) + "\n")


# ---- manual sessions -------------------------------------------------------------------------


def session_command(ctx: Context) -> int:
    from wfh_desktop.sessions import SessionService
    from wfh_desktop.timer import LONG_SESSION_MS

    args = ctx.args
    svc = SessionService(ctx.profile)
    sub = args.session_command
    now = ctx.clock.now_ms()
    if sub is None:
        raise UserError("Say what to do: wfh session add, edit, rm or restore.")
    if sub == "add":
        start = ctx.instant(args.start)
        # A time alone for the end means the start's day ("kemarin 08.00" to "08.30").
        end = parse_instant(args.end, ctx.zone, day_of(start, ctx.zone))
        entry = svc.add(args.task, start, end, args.note)
    elif sub == "edit":
        if args.start is None and args.end is None and args.task is None and args.note is None:
            raise UserError("Say what to change: --start, --end, --task or --note.")
        from wfh_desktop.lookup import find_session

        # A time alone means the session's own day, not today.
        current = find_session(ctx.profile.conn, args.session)
        day = day_of(current.start_at, ctx.zone)
        entry = svc.edit(
            args.session,
            start_ms=None if args.start is None else parse_instant(args.start, ctx.zone, day),
            end_ms=None if args.end is None else parse_instant(args.end, ctx.zone, day),
            task_ref=args.task,
            note=args.note,
        )
    elif sub == "rm":
        entry = svc.remove(args.session)
    else:
        entry = svc.restore(args.session)
    s = entry.session
    if ctx.json:
        dump(session_json(s, ctx.zone, now) | {"task": entry.task.title})
        return 0
    span = f"{fmt_datetime(s.start_at, ctx.zone)} – " + (
        "…" if s.end_at is None else fmt_clock(s.end_at, ctx.zone)
    )
    message = {
        "add": tr("Session added: {task}, {span} ({minutes}), id {code}."),
        "edit": tr("Session changed: {task}, {span} ({minutes})."),
        "rm": tr("Session deleted: {task}, {span}. Restore it with: wfh session restore {code}"),
        "restore": tr("Session restored: {task}, {span} ({minutes})."),
    }[sub]
    out(
        message.format(
            task=entry.task.title,
            span=span,
            minutes=fmt_minutes(s.duration_ms(now)),
            code=short_code(s.id),
        )
    )
    if s.needs_review == "overlap" and sub != "rm":
        out(tr("Note: this session overlaps another one; check 'wfh log'."))
    if s.end_at is not None and s.end_at - s.start_at > LONG_SESSION_MS and sub != "rm":
        out(tr("Note: this session is longer than 16 hours; check it is right."))
    return 0


# ---- settings --------------------------------------------------------------------------------


def config_command(ctx: Context) -> int:
    args = ctx.args
    sub = args.config_command or "show"
    s = ctx.settings
    if sub == "show":
        data = s._asdict() | {
            "database": str(ctx.paths.database),
            "settings_file": str(ctx.paths.settings),
            "log_dir": str(ctx.paths.log_dir),
        }
        if getattr(args, "json", False):
            dump(data)
            return 0
        for key, value in data.items():
            out(f"{key}: {'' if value is None else value}")
        return 0
    key = args.key
    if key not in settings_mod.Settings._fields:
        raise UserError("Unknown setting {name!r}.", name=key)
    value = settings_mod.validate(key, args.value) if sub == "set" else None
    if sub == "unset":
        value = settings_mod.Settings._field_defaults[key]
    settings_mod.save(ctx.paths.settings, s._replace(**{key: value}))
    out(tr("Setting saved: {key} = {value}", key=key, value="" if value is None else value))
    return 0


# ---- helpers ---------------------------------------------------------------------------------


def print_table(rows: list[list[str]]) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [c.ljust(w) for c, w in zip(r[:-1], widths[:-1], strict=True)] + [r[-1]]
        lines.append("  ".join(cells).rstrip())
    sys.stdout.write("\n".join(lines) + "\n")


HANDLERS: dict[str, Callable[[Context], int]] = {
    "task": task_command,
    "start": start_command,
    "pause": timer_command,
    "resume": timer_command,
    "stop": timer_command,
    "finish": timer_command,
    "status": status_command,
    "log": log_command,
    "report": report_command,
    "session": session_command,
    "config": config_command,
    "login": lambda ctx: _sync_command("login_command", ctx),
    "logout": lambda ctx: _sync_command("logout_command", ctx),
    "sync": lambda ctx: _sync_command("sync_command", ctx),
    "review": lambda ctx: _sync_command("review_command", ctx),
    "handoff": lambda ctx: _handoff_command("handoff_command", ctx),
    "inbox": lambda ctx: _handoff_command("inbox_command", ctx),
    "accept": lambda ctx: _handoff_command("accept_command", ctx),
    "decline": lambda ctx: _handoff_command("decline_command", ctx),
    "colleagues": lambda ctx: _handoff_command("colleagues_command", ctx),
    "history": lambda ctx: _handoff_command("history_command", ctx),
    "import": lambda ctx: _import_command(ctx),
    "export": lambda ctx: _export_command("export_command", ctx),
    "export-profile": lambda ctx: _export_command("export_profile_command", ctx),
}


def _import_command(ctx: Context) -> int:
    from wfh_desktop.cli.import_commands import import_command  # csv, json: only when asked

    return import_command(ctx)


def _export_command(name: str, ctx: Context) -> int:
    from wfh_desktop.cli import export_commands

    handler: Callable[[Context], int] = getattr(export_commands, name)
    return handler(ctx)


def _handoff_command(name: str, ctx: Context) -> int:
    from wfh_desktop.cli import handoff_commands

    handler: Callable[[Context], int] = getattr(handoff_commands, name)
    return handler(ctx)


def _sync_command(name: str, ctx: Context) -> int:
    from wfh_desktop.cli import sync_commands  # imports httpx and pydantic: only when syncing

    handler: Callable[[Context], int] = getattr(sync_commands, name)
    return handler(ctx)


def run(args: argparse.Namespace, paths: Paths, settings: Settings, clock: Clock) -> int:
    if args.command == "watch":
        from wfh_desktop.cli.watch import watch

        ctx = Context(args, paths, settings, clock)
        try:
            return watch(ctx)
        finally:
            ctx.close()
    ctx = Context(args, paths, settings, clock)
    try:
        return HANDLERS[args.command](ctx)
    finally:
        ctx.close()
