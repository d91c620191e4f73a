"""The argument parser of ``wfh``, with every string translated (argparse's own ones too)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

from wfh_desktop.i18n import tr


class Parser(argparse.ArgumentParser):
    """argparse, with errors as one translated line and exit code 2."""

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse makes a formatter for every add_argument; given a width it does not import
        # shutil to ask the terminal (a few ms on every command).
        try:
            columns = int(os.environ.get("COLUMNS", "0")) or os.get_terminal_size().columns
        except (OSError, ValueError):
            columns = 80
        return argparse.HelpFormatter(prog=self.prog, width=max(columns - 2, 40))

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"wfh: {message}\n")
        sys.stderr.write(tr("Run '{prog} --help' to see what you can type.", prog=self.prog) + "\n")
        sys.exit(2)


def _install_argparse_translation() -> None:
    # argparse looks its own messages up through a module-level gettext function.
    argparse._ = tr  # type: ignore[attr-defined]
    argparse.ngettext = lambda s, p, n: tr(s if n == 1 else p)  # type: ignore[attr-defined]


def _period_options(p: argparse.ArgumentParser, *, all_time: bool) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--day", metavar=tr("DATE"), help=tr("one day (default: today)"))
    g.add_argument(
        "--week",
        nargs="?",
        const="today",
        metavar=tr("DATE"),
        help=tr("the week (Monday to Sunday) holding DATE (default: this week)"),
    )
    g.add_argument(
        "--month",
        nargs="?",
        const="",
        metavar=tr("MONTH"),
        help=tr("a month, as 2026-11 or 11/2026 (default: this month)"),
    )
    if all_time:
        g.add_argument("--all", action="store_true", help=tr("all time"))
    p.add_argument("--from", dest="first", metavar=tr("DATE"), help=tr("first day of a range"))
    p.add_argument("--to", dest="last", metavar=tr("DATE"), help=tr("last day of a range"))


def _task_fields(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rhk", metavar="RHK", help=tr("the planned work result (RHK) this task serves")
    )
    p.add_argument(
        "--output",
        metavar=tr("OUTPUT"),
        help=tr("the output (hasil kerja), such as 'Laporan bulanan'"),
    )
    p.add_argument("--volume", metavar=tr("NUMBER"), help=tr("volume of the output, such as 1"))
    p.add_argument(
        "--unit", metavar=tr("UNIT"), help=tr("the unit of the output, such as 'dokumen'")
    )


def build_parser() -> Parser:
    _install_argparse_translation()
    json_help = tr("print JSON, for scripts")
    common = Parser(add_help=False)
    # SUPPRESS: an option given before the command is not reset by the command's own parser.
    common.add_argument(
        "--lang", choices=("id", "en"), default=argparse.SUPPRESS, help=tr("language: id or en")
    )
    common.add_argument(
        "--zone",
        metavar="WIB|WITA|WIT",
        default=argparse.SUPPRESS,
        help=tr("office time zone for this command"),
    )

    root = Parser(
        prog="wfh",
        description=tr("WFH Desktop: time tracking for tasks with time targets."),
        parents=[common],
    )
    root.add_argument("--version", action="store_true", help=tr("show the version and exit"))
    # An explicit prog keeps argparse from making a help formatter (and importing shutil) on
    # every run.
    sub = root.add_subparsers(dest="command", metavar=tr("COMMAND"), prog="wfh")

    def cmd(name: str, help_text: str, parent: Any = sub) -> Parser:
        p: Parser = parent.add_parser(name, help=help_text, description=help_text, parents=[common])
        return p

    # tasks
    task = cmd("task", tr("add, list, edit, finish and delete tasks"))
    tsub = task.add_subparsers(dest="task_command", metavar=tr("COMMAND"), prog="wfh task")
    p = cmd("add", tr("add a task with a time target"), tsub)
    p.add_argument("title", metavar=tr("TITLE"), help=tr("the task's title"))
    p.add_argument(
        "--target",
        metavar=tr("MINUTES"),
        help=tr("target in minutes: 15, 30, 60 or any whole number 1-480"),
    )
    _task_fields(p)
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("list", tr("list tasks"), tsub)
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--open", dest="status", action="store_const", const="open", help=tr("only open tasks")
    )
    g.add_argument(
        "--done", dest="status", action="store_const", const="done", help=tr("only finished tasks")
    )
    p.add_argument("--deleted", action="store_true", help=tr("include deleted tasks"))
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("edit", tr("change a task"), tsub)
    p.add_argument("task", metavar=tr("TASK"), help=tr("the task: its title or id"))
    p.add_argument("--title", metavar=tr("TITLE"), help=tr("new title"))
    p.add_argument("--target", metavar=tr("MINUTES"), help=tr("new target in minutes (1-480)"))
    _task_fields(p)
    p.add_argument("--json", action="store_true", help=json_help)
    for name, text in (
        ("done", tr("mark a task done")),
        ("reopen", tr("open a finished task again")),
        ("rm", tr("delete a task (it can be restored)")),
        ("restore", tr("restore a deleted task")),
    ):
        p = cmd(name, text, tsub)
        p.add_argument("task", metavar=tr("TASK"), help=tr("the task: its title or id"))
        p.add_argument("--json", action="store_true", help=json_help)

    # timer
    p = cmd("start", tr("start the timer on a task"))
    p.add_argument("task", metavar=tr("TASK"), help=tr("the task: its title or id"))
    p.add_argument(
        "--new", action="store_true", help=tr("create a new task with this title, then start it")
    )
    p.add_argument("--target", metavar=tr("MINUTES"), help=tr("target in minutes for a new task"))
    _task_fields(p)
    p.add_argument("--json", action="store_true", help=json_help)
    for name, text in (
        ("pause", tr("pause the running task")),
        ("resume", tr("resume the paused task")),
        ("stop", tr("stop the timer")),
        ("finish", tr("stop the timer and mark the task done")),
    ):
        p = cmd(name, text)
        p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("status", tr("show the running task against its target"))
    p.add_argument("--json", action="store_true", help=json_help)
    cmd("watch", tr("show the running task live, with keys to pause, resume, stop and finish"))

    # sessions
    p = cmd("log", tr("list work sessions of a day or a range"))
    _period_options(p, all_time=False)
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("report", tr("time per task and per day against targets"))
    _period_options(p, all_time=True)
    p.add_argument(
        "--detail",
        action="store_true",
        help=tr("with --all: every day and every task, not one line per month"),
    )
    p.add_argument("--json", action="store_true", help=json_help)
    session = cmd("session", tr("add, correct or delete work sessions by hand"))
    ssub = session.add_subparsers(dest="session_command", metavar=tr("COMMAND"), prog="wfh session")
    p = cmd("add", tr("add a session done without the timer"), ssub)
    p.add_argument("task", metavar=tr("TASK"), help=tr("the task: its title or id"))
    p.add_argument(
        "--start",
        required=True,
        metavar=tr("WHEN"),
        help=tr("start, as '2026-11-02 08.00' or '02/11/2026 08:00'"),
    )
    p.add_argument("--end", required=True, metavar=tr("WHEN"), help=tr("end, the same way"))
    p.add_argument("--note", metavar=tr("NOTE"), help=tr("a note"))
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("edit", tr("correct a session"), ssub)
    p.add_argument("session", metavar=tr("SESSION"), help=tr("the session id (see 'wfh log')"))
    p.add_argument("--start", metavar=tr("WHEN"), help=tr("new start"))
    p.add_argument("--end", metavar=tr("WHEN"), help=tr("new end"))
    p.add_argument("--task", metavar=tr("TASK"), help=tr("move the session to another task"))
    p.add_argument("--note", metavar=tr("NOTE"), help=tr("a note"))
    p.add_argument("--json", action="store_true", help=json_help)
    for name, text in (
        ("rm", tr("delete a session (it can be restored)")),
        ("restore", tr("restore a deleted session")),
    ):
        p = cmd(name, text, ssub)
        p.add_argument("session", metavar=tr("SESSION"), help=tr("the session id (see 'wfh log')"))
        p.add_argument("--json", action="store_true", help=json_help)

    # sync
    p = cmd("login", tr("sign in to your agency's server and sync"))
    p.add_argument("--server", metavar=tr("ADDRESS"), help=tr("the server, as https://…"))
    p.add_argument("--login", metavar=tr("NIP"), help=tr("your NIP or e-mail (asked if not given)"))
    p.add_argument(
        "--org", metavar=tr("ORG"), help=tr("your organisation, when your NIP is in several")
    )
    p.add_argument(
        "--ca-file",
        metavar=tr("FILE"),
        help=tr("your agency's certificate authority file, besides the system's"),
    )
    cmd("logout", tr("sign out; everything tracked stays on this computer"))
    p = cmd("sync", tr("sync with the server now"))
    p.add_argument(
        "--status", action="store_true", help=tr("show the sync state without connecting")
    )
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("review", tr("what the server decided that you should look at (Perlu ditinjau)"))
    p.add_argument(
        "--seen",
        nargs="+",
        metavar=tr("KEY"),
        help=tr("mark these items as looked at ('all': every item listed)"),
    )
    p.add_argument("--json", action="store_true", help=json_help)

    # handing tasks over
    p = cmd("handoff", tr("hand a task over to a colleague (Serah terima tugas)"))
    p.add_argument("task", metavar=tr("TASK"), help=tr("the task: its title or id"))
    p.add_argument(
        "--to",
        required=True,
        metavar=tr("NIP"),
        help=tr("the colleague's NIP (see 'wfh colleagues')"),
    )
    p.add_argument(
        "--note", required=True, metavar=tr("TEXT"), help=tr("what the colleague should know")
    )
    p = cmd("inbox", tr("tasks handed to you (Tugas masuk)"))
    p.add_argument("--all", action="store_true", help=tr("also those already answered"))
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("accept", tr("accept a task handed to you"))
    p.add_argument("handoff", metavar=tr("ID"), help=tr("the handoff (see 'wfh inbox')"))
    p = cmd("decline", tr("decline a task handed to you; it goes back"))
    p.add_argument("handoff", metavar=tr("ID"), help=tr("the handoff (see 'wfh inbox')"))
    p.add_argument(
        "--reason", required=True, metavar=tr("TEXT"), help=tr("why: the colleague is told")
    )
    p = cmd("colleagues", tr("find colleagues in your organisation (name, unit or NIP)"))
    p.add_argument(
        "search", nargs="*", metavar=tr("SEARCH"), help=tr("part of a name, unit or NIP")
    )
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("history", tr("a task's handoffs and each person's time on it"))
    p.add_argument("task", metavar=tr("TASK"), help=tr("the task: its title or id"))
    p.add_argument("--json", action="store_true", help=json_help)

    # importing another tracker's history
    p = cmd(
        "import",
        tr("import time tracked with Watson, Timewarrior, Toggl Track or a spreadsheet (CSV)"),
    )
    p.add_argument(
        "format",
        choices=("watson", "timewarrior", "toggl", "csv"),
        metavar=tr("FORMAT"),
        help=tr("watson, timewarrior, toggl or csv"),
    )
    p.add_argument(
        "file",
        metavar=tr("FILE"),
        help=tr(
            "the file: Watson's frames file, a Timewarrior data file or its data folder, "
            "a Toggl Track detailed report as CSV, or a CSV from a spreadsheet"
        ),
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help=tr("show what would be imported, and store nothing"),
    )
    p.add_argument(
        "--map",
        dest="mapping",
        metavar="title=…,start=…,end=…",
        help=tr(
            "csv: which column holds what: title, start, and end or minutes; date and note "
            "if there are such columns (default: columns named like Kegiatan, Mulai, Selesai)"
        ),
    )
    p.add_argument(
        "--source-zone",
        metavar="WIB|WITA|WIT",
        help=tr("toggl and csv: the time zone the file's times are in (default: your office zone)"),
    )
    p.add_argument("--json", action="store_true", help=json_help)

    # exports
    p = cmd("export", tr("export the activity log to CSV, XLSX or PDF"))
    _period_options(p, all_time=False)
    p.add_argument(
        "--format",
        choices=("csv", "xlsx", "pdf"),
        help=tr("the file format (default: from the output file's name, else xlsx)"),
    )
    p.add_argument(
        "--output",
        "-o",
        metavar=tr("FILE"),
        help=tr("the file to write (default: kegiatan-PERIOD.FORMAT here)"),
    )
    p.add_argument(
        "--profile",
        metavar=tr("NAME"),
        help=tr("the columns to use, saved with 'wfh export-profile save'"),
    )
    p.add_argument("--force", action="store_true", help=tr("replace the file if it exists"))
    p.add_argument("--json", action="store_true", help=json_help)
    xp = cmd("export-profile", tr("save which columns an export has, in which order and named how"))
    xsub = xp.add_subparsers(
        dest="profile_command", metavar=tr("COMMAND"), prog="wfh export-profile", required=True
    )
    p = cmd("save", tr("save a profile (or change a saved one)"), xsub)
    p.add_argument("name", metavar=tr("NAME"), help=tr("the profile's name, such as ekinerja"))
    p.add_argument(
        "--columns",
        metavar=tr("COLUMNS"),
        help=tr("the columns in order, comma-separated (see 'wfh export-profile columns')"),
    )
    p.add_argument(
        "--header",
        action="append",
        metavar=tr("COLUMN=TEXT"),
        help=tr("a column's heading, such as task='Uraian kegiatan' (repeatable)"),
    )
    p.add_argument(
        "--date-style",
        choices=("dmy", "iso"),
        help=tr("dates as 02/11/2026 (dmy) or 2026-11-02 (iso)"),
    )
    p.add_argument(
        "--time-style",
        choices=("dot", "colon"),
        help=tr("times as 08.30 (dot) or 08:30 (colon)"),
    )
    p.add_argument(
        "--delimiter",
        choices=(";", ",", "tab"),
        help=tr("the CSV field separator (default ';', as Excel in Indonesian expects)"),
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--raw-text",
        dest="formula_guard",
        action="store_false",
        default=None,
        help=tr(
            "CSV: write text beginning with = + - or @ as it is (by default it gets an "
            "apostrophe, so that a spreadsheet does not run it as a formula)"
        ),
    )
    g.add_argument(
        "--guard-text",
        dest="formula_guard",
        action="store_true",
        help=tr("CSV: the apostrophe again (the default)"),
    )
    p = cmd("list", tr("list the saved profiles"), xsub)
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("columns", tr("list the columns an export can have"), xsub)
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("rm", tr("remove a saved profile"), xsub)
    p.add_argument("name", metavar=tr("NAME"), help=tr("the profile's name"))

    # settings
    config = cmd("config", tr("show or change settings"))
    csub = config.add_subparsers(dest="config_command", metavar=tr("COMMAND"), prog="wfh config")
    p = cmd("show", tr("show the settings and where the files are"), csub)
    p.add_argument("--json", action="store_true", help=json_help)
    p = cmd("set", tr("change a setting"), csub)
    p.add_argument(
        "key",
        metavar=tr("SETTING"),
        help=tr("the setting: language, office_zone, default_target_minutes, server_url, ca_file"),
    )
    p.add_argument("value", metavar=tr("VALUE"), help=tr("the new value"))
    p = cmd("unset", tr("return a setting to its default"), csub)
    p.add_argument("key", metavar=tr("SETTING"), help=tr("the setting"))
    return root
