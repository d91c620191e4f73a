"""The CLI benchmark: wfh against Watson and Timewarrior on the same history, with two floors.

    make bench                              # 10,000 and 100,000 sessions
    .venv/bin/python bench/run.py --quick   # 10,000 sessions, 3 repetitions

Measures ``wfh start``, ``wfh stop``, ``wfh status``, ``wfh report --month`` and
``wfh report --all``, the same work done by Watson and Timewarrior, ``python -c "import
sqlite3"`` and a raw-SQL aggregate of the report; writes medians, peak memory and the goals'
ratios to docs/benchmarks.md (see the section it writes there for how it works). Its work folder
is bench/.work/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import mdreport
import peers
from histgen import BENCH_TITLE, WIB_OFFSET_S
from measure import (
    STARTED,
    CommandFailed,
    Result,
    Runner,
    home_env,
    logger,
    quiet_run,
    wait_next_second,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.prefix) / "bin"  # run with the project's venv: .venv/bin/python
# What is timed: wfh and the Python floors from a regular install (see peers.wfh_as_installed);
# main() points this at that venv, or leaves it at the project's venv if the install fails.
MEASURED_BIN = VENV_BIN
MS_PER_DAY = 86_400_000

# The raw-SQL floor: what the report needs, as plain aggregates (sum per day, sum per task).
# With "full", also what the report prints beside the sums: each day's number of tasks and each
# task's title, target and status.
RAW_SQL = """\
import sqlite3, sys
db, full = sys.argv[1], sys.argv[5]
lo, hi, off = (int(x) for x in sys.argv[2:5])
c = sqlite3.connect(db)
where = "deleted_at IS NULL AND end_at IS NOT NULL AND start_at >= ? AND start_at < ?"
if full == "full":
    days = c.execute(
        "SELECT (start_at + ?) / 86400000 AS d, SUM(end_at - start_at), COUNT(DISTINCT task_id) "
        f"FROM session WHERE {where} GROUP BY d",
        (off, lo, hi),
    ).fetchall()
    tasks = c.execute(
        "SELECT t.id, t.title, t.target_minutes, t.status, SUM(s.end_at - s.start_at) "
        "FROM session s JOIN task t ON t.id = s.task_id "
        f"WHERE s.{where.replace(' AND ', ' AND s.')} GROUP BY s.task_id",
        (lo, hi),
    ).fetchall()
else:
    days = c.execute(
        f"SELECT (start_at + ?) / 86400000 AS d, SUM(end_at - start_at) FROM session "
        f"WHERE {where} GROUP BY d",
        (off, lo, hi),
    ).fetchall()
    tasks = c.execute(
        f"SELECT task_id, SUM(end_at - start_at) FROM session WHERE {where} GROUP BY task_id",
        (lo, hi),
    ).fetchall()
assert days and tasks
"""

log = logger("bench")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="wfh against Watson and Timewarrior on one history (see docs/benchmarks.md)."
    )
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=None,
        metavar="N",
        help="history sizes in sessions (default: 10000 100000)",
    )
    p.add_argument(
        "--reps", type=int, default=None, help="most repetitions per command (default 10)"
    )
    p.add_argument(
        "--min-reps", type=int, default=3, help="fewest repetitions per command (default 3)"
    )
    p.add_argument(
        "--budget",
        type=float,
        default=20.0,
        help="seconds of repetitions per command; slow commands get fewer (default 20)",
    )
    p.add_argument("--quick", action="store_true", help="10,000 sessions only, 3 repetitions")
    p.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "benchmarks.md",
        help="the Markdown file to write the results into (default docs/benchmarks.md)",
    )
    p.add_argument("--work", type=Path, default=BENCH / ".work", help="work folder")
    p.add_argument(
        "--no-peers", action="store_true", help="measure wfh and the floors only (no Watson/timew)"
    )
    args = p.parse_args(argv)
    if args.sizes is None:
        args.sizes = [10_000] if args.quick else [10_000, 100_000]
    if args.reps is None:
        args.reps = 3 if args.quick else 10
    return args


# ---- machine ---------------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": nproc or str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "kernel": platform.release(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def mib(path: Path) -> str:
    if path.is_dir():
        total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    else:
        total = path.stat().st_size if path.exists() else 0
    return f"{total / 2**20:,.1f} MiB"


# ---- one size --------------------------------------------------------------------------------


def month_bounds_ms(today: date) -> tuple[int, int]:
    """This month in WIB, as UTC epoch ms."""
    first = today.replace(day=1)
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)

    def start(d: date) -> int:
        return (d.toordinal() - 719163) * MS_PER_DAY - WIB_OFFSET_S * 1000

    return start(first), start(nxt)


def tool_commands(tools: dict[str, Path]) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for name in ("wfh", "watson"):  # the same command line for both
        if name in tools:
            w = str(tools[name])
            out[name] = {
                "start": [w, "start", BENCH_TITLE],
                "stop": [w, "stop"],
                "status": [w, "status"],
                "month": [w, "report", "--month"],
                "all": [w, "report", "--all"],
            }
    if "wfh" in out:  # wfh's all-time report lists every day and task only when asked to
        out["wfh"]["detail"] = [str(tools["wfh"]), "report", "--all", "--detail"]
    if "timew" in tools:
        t = str(tools["timew"])
        out["timew"] = {
            "start": [t, "start", BENCH_TITLE],
            "stop": [t, "stop"],
            "status": [t],
            "month": [t, "summary", ":month"],
            "all": [t, "summary", ":all"],
        }
    return out


def bench_size(
    n: int, args: argparse.Namespace, runner: Runner, programs: dict[str, Path]
) -> mdreport.SizeRun:
    t0 = time.perf_counter()
    folder = args.work / f"h{n}"
    wanted: list[str] = [t for t in ("wfh", "watson", "timew") if t in programs]
    log(f"{n:,} sessions: generating the history for {', '.join(wanted)} …")
    today = datetime.fromtimestamp(time.time() + WIB_OFFSET_S, UTC).date()
    gen = [str(VENV_BIN / "python"), str(BENCH / "histgen.py"), "--sessions", str(n)]
    gen += ["--out", str(folder), "--today", today.isoformat()]
    for t in wanted:
        gen += ["--only", t]
    history = json.loads(quiet_run(gen).strip().splitlines()[-1])
    log(
        f"{n:,} sessions: {history['tasks']:,} tasks over {history['workdays']:,} workdays "
        f"({history['first_day']} to {history['last_day']}), written in {history['seconds']} s"
    )
    db = folder / "wfh" / "data" / "wfh.db"
    sizes = {"wfh database": mib(db)}
    if "watson" in programs:
        sizes["Watson frames"] = mib(folder / "watson" / "frames")
    if "timew" in programs:
        files = len(list((folder / "timew" / "data").glob("*-*.data")))
        sizes["Timewarrior data"] = f"{mib(folder / 'timew' / 'data')} in {files} month files"

    # TZ in POSIX form, UTC+7: the peers' days are the office days wfh uses.
    base = home_env(args.work) | {"TZ": "WIB-7"}
    envs = {
        "wfh": base | {"WFH_HOME": str(folder / "wfh")},
        "watson": base | {"WATSON_DIR": str(folder / "watson")},
        "timew": base | {"TIMEWARRIORDB": str(folder / "timew")},
    }
    cmds = tool_commands(programs)
    wfh = str(programs["wfh"])
    quiet_run([wfh, "config", "set", "language", "id"], envs["wfh"])
    quiet_run([wfh, "config", "set", "office_zone", "WIB"], envs["wfh"])

    run = mdreport.SizeRun(n, history, sizes)
    results: dict[str, dict[str, Result]] = {t: {} for t in cmds}
    run.tools = results

    # First runs (byte-compiling, Timewarrior's tag index) are not measured.
    for t, c in cmds.items():
        try:
            quiet_run(c["month"], envs[t])
        except CommandFailed as e:
            log(f"  {t}: first run failed: {e}")

    log(f"{n:,} sessions: status, with a timer running …")
    running: list[str] = []
    for t, c in cmds.items():
        try:
            quiet_run(c["start"], envs[t])
            running.append(t)
        except CommandFailed as e:
            results[t]["status"] = Result(c["status"], error=f"could not start a timer: {e}")
    for t in running:
        results[t]["status"] = r = runner.series(cmds[t]["status"], envs[t])
        log(f"  {t:6} status: {mdreport.fmt_ms(r)} ms, {mdreport.fmt_mib(r)} MiB")
    wait_next_second()
    for t in running:
        try:
            quiet_run(cmds[t]["stop"], envs[t])
        except CommandFailed as e:
            log(f"  {t}: stop after status failed: {e}")

    log(f"{n:,} sessions: start and stop, alternately …")
    for t, c in cmds.items():
        r_start, r_stop = runner.pairs(c["start"], c["stop"], envs[t])
        results[t]["start"], results[t]["stop"] = r_start, r_stop
        log(
            f"  {t:6} start: {mdreport.fmt_ms(r_start)} ms, {mdreport.fmt_mib(r_start)} MiB; "
            f"stop: {mdreport.fmt_ms(r_stop)} ms, {mdreport.fmt_mib(r_stop)} MiB"
        )

    lo, hi = month_bounds_ms(today)
    py = str(MEASURED_BIN / "python")
    off = str(WIB_OFFSET_S * 1000)
    for key, label, floors, bounds in (
        ("month", "report of this month", ("sql_month",), (lo, hi)),
        ("all", "report of all time", ("sql_all", "sql_all_full"), (-(2**62), 2**62)),
        ("detail", "report of all time, every day and task", (), (0, 0)),
    ):
        log(f"{n:,} sessions: {label} …")
        for t, c in cmds.items():
            if key not in c:
                continue
            results[t][key] = r = runner.series(c[key], envs[t])
            log(f"  {t:6} {key}: {mdreport.fmt_ms(r)} ms, {mdreport.fmt_mib(r)} MiB")
        for floor in floors:
            kind = "full" if floor.endswith("_full") else "sums"
            argv = [py, "-c", RAW_SQL, str(db), str(bounds[0]), str(bounds[1]), off, kind]
            run.floors[floor] = r = runner.series(argv, base)
            log(f"  floor  raw SQL ({kind}): {mdreport.fmt_ms(r)} ms, {mdreport.fmt_mib(r)} MiB")

    log(f"{n:,} sessions: Python floor …")
    run.floors["python"] = r = runner.series([py, "-c", "import sqlite3"], base)
    log(f"  floor  python -c 'import sqlite3': {mdreport.fmt_ms(r)} ms")
    run.seconds = time.perf_counter() - t0
    for g in mdreport.goals(run):
        log(f"  goal: {g.text}: {g.measured} (limit {g.limit}) {g.verdict}")
    return run


# ---- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    global MEASURED_BIN
    if not (VENV_BIN / "wfh").exists():
        print(
            f"bench: {VENV_BIN / 'wfh'} is missing; run with the project's venv (.venv/bin/python)"
        )
        return 2
    MEASURED_BIN = peers.wfh_as_installed(args.work, ROOT, log) or VENV_BIN
    wfh = MEASURED_BIN / "wfh"
    log(f"wfh: measuring {wfh}")
    machine = machine_info()
    log(f"machine: {machine['nproc']} cores, {machine['cpu']}, load {machine['load']}")

    programs: dict[str, Path] = {"wfh": wfh}
    peer_versions = {"watson": "not measured (--no-peers)", "timew": "not measured (--no-peers)"}
    if not args.no_peers:
        for name, get in (("watson", peers.watson), ("timew", peers.timewarrior)):
            peer = get(args.work, log)
            if peer.program is None:
                peer_versions[name] = f"**not measured**: {peer.version}"
                log(f"{name}: not available: {peer.version}")
            else:
                programs[name] = peer.program
                peer_versions[name] = peer.version
                log(f"{name}: {peer.program} ({peer.version})")

    runner = Runner(
        MEASURED_BIN / "python",
        args.work / "scratch",
        max_reps=args.reps,
        min_reps=args.min_reps,
        budget_s=args.budget,
        log=log,
    )
    spawn_floor = runner.series(["/bin/true"], {"PATH": "/usr/bin:/bin"})
    log(
        f"measurement floor (/bin/true): {mdreport.fmt_ms(spawn_floor)} ms, "
        f"{mdreport.fmt_mib(spawn_floor)} MiB"
    )

    runs = [bench_size(n, args, runner, programs) for n in args.sizes]
    total_s = time.perf_counter() - STARTED
    settings = {
        "reps": args.reps,
        "min_reps": min(args.min_reps, args.reps),
        "budget": args.budget,
        "total_s": total_s,
    }
    section = mdreport.render(runs, machine, peer_versions, spawn_floor, settings)
    mdreport.update_doc(args.output, section)
    raw = {
        "machine": machine,
        "peers": peer_versions,
        "settings": settings,
        "spawn_floor": spawn_floor.as_json(),
        "runs": [
            {
                "sessions": r.sessions,
                "history": r.history,
                "stores": r.store_sizes,
                "tools": {
                    t: {c: x.as_json() for c, x in per.items()} for t, per in r.tools.items()
                },
                "floors": {f: x.as_json() for f, x in r.floors.items()},
                "goals": [g.__dict__ for g in mdreport.goals(r)],
            }
            for r in runs
        ],
    }
    (args.work / "results.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
    log(f"done in {total_s / 60:.1f} min; results in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
