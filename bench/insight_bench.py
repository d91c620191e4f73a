"""The insight benchmark (issue 7): the charts' statistics for a month and for a year, the
charts window's first draw, and an export of a year, over a history of 100,000 sessions.

    make bench-insight                                  # 100,000 sessions, 9 repetitions
    .venv/bin/python bench/insight_bench.py --quick     # 10,000 sessions, 3 repetitions

The history is bench/histgen.py's (office days of 15-60-minute sessions, about 25 years for
100,000 sessions). Every figure is measured in a fresh process of the project's venv, so that
the first call pays what a user's first click pays (imports, the database's pages read from
the OS cache); repeated calls in the same process are reported beside it. Goals: a month's
stats under 50 ms, a year's under 300 ms, the charts window drawn under 1 s including
pyqtgraph's import. Writes the section "## Insight benchmark" of docs/benchmarks.md and the raw
figures to bench/.work/insight/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import mdreport
import run as cli_bench

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work" / "insight"
VENV_PY = Path(sys.prefix) / "bin" / "python"
SECTION_TITLE = "## Insight benchmark"
TODAY = "2026-11-27"  # the history ends the workday before
NOW = "2026-11-27T12:00:00+07:00"
MONTH = ("2026-10-01", "2026-10-31")
YEAR = ("2025-11-27", "2026-11-26")
GOALS_MS = {"stats_month": 50.0, "stats_year": 300.0, "chart_window": 1000.0}

# One measurement in a child process: prints a JSON object.
STATS_CHILD = """
import json, sys, time
from datetime import date, datetime
from pathlib import Path
t0 = time.perf_counter()
from wfh_desktop.clock import FixedClock
from wfh_desktop.profile import Profile
from wfh_desktop.stats import build_stats
from wfh_desktop.timefmt import ZONES
from wfh_desktop.workcal import WorkCalendar
db, now, first, last, reps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
clock = FixedClock(int(datetime.fromisoformat(now).timestamp() * 1000))
profile = Profile.open(Path(db), clock)
t1 = time.perf_counter()
calendar = WorkCalendar.load(language="id")
s = build_stats(profile, date.fromisoformat(first), date.fromisoformat(last), ZONES["WIB"],
                calendar)
t2 = time.perf_counter()
again = []
for _ in range(reps):
    t = time.perf_counter()
    build_stats(profile, date.fromisoformat(first), date.fromisoformat(last), ZONES["WIB"],
                calendar)
    again.append((time.perf_counter() - t) * 1000)
print(json.dumps({"imports_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000,
                  "again_ms": again, "days": len(s.days), "tasks": len(s.tasks),
                  "sessions_ms": s.total_ms}))
"""

EXPORT_CHILD = """
import json, resource, sys, time
from datetime import date, datetime
from pathlib import Path
from wfh_desktop.clock import FixedClock
from wfh_desktop.i18n import set_language
from wfh_desktop.profile import Profile
set_language("id")
db, now, first, last, fmt, out = sys.argv[1:7]
clock = FixedClock(int(datetime.fromisoformat(now).timestamp() * 1000))
profile = Profile.open(Path(db), clock)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
from wfh_desktop import export
from wfh_desktop.activity_log import build_log
from wfh_desktop.timefmt import ZONES
log = build_log(profile, date.fromisoformat(first), date.fromisoformat(last), ZONES["WIB"])
t1 = time.perf_counter()
export.write_export(log, fmt, Path(out), export.ExportProfile("default"), overwrite=True)
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"log_ms": (t1 - t0) * 1000, "write_ms": (t2 - t1) * 1000,
                  "total_ms": (t2 - t0) * 1000, "lines": len(log.entries),
                  "bytes": Path(out).stat().st_size, "peak_mib": peak / 1024,
                  "before_mib": before / 1024}))
"""


CHART_CHILD = """
import json, shutil, sys, tempfile, time
from datetime import datetime
from pathlib import Path
from PySide6.QtWidgets import QApplication
from wfh_desktop.autostart import XdgAutostart
from wfh_desktop.clock import FixedClock
from wfh_desktop.paths import Paths
from wfh_desktop.settings import Settings
from wfh_desktop.ui.app import App
db, now = sys.argv[1], sys.argv[2]
home = Path(tempfile.mkdtemp(prefix="wfh-insight-"))
(home / "data").mkdir()
shutil.copy(db, home / "data" / "wfh.db")
qapp = QApplication(["wfh-desktop"])
clock = FixedClock(int(datetime.fromisoformat(now).timestamp() * 1000))
app = App(Paths.resolve({"WFH_HOME": str(home)}), clock, Settings(), qapp,
          XdgAutostart({"XDG_CONFIG_HOME": str(home / "xdg")}))
deadline = time.monotonic() + 60
while app.model.today is None and time.monotonic() < deadline:
    qapp.processEvents()
    time.sleep(0.005)
assert "pyqtgraph" not in sys.modules
t0 = time.perf_counter()
app.open_charts()  # the click: imports pyqtgraph, builds the window, reads on the db thread
window = app.charts_window
while window.data is None and time.monotonic() < deadline:
    qapp.processEvents()
    time.sleep(0.001)
t1 = time.perf_counter()
window.grab()  # everything painted once
t2 = time.perf_counter()
app.shutdown()
shutil.rmtree(home, ignore_errors=True)
print(json.dumps({"first_ms": (t2 - t0) * 1000, "data_ms": (t1 - t0) * 1000,
                  "paint_ms": (t2 - t1) * 1000}))
"""


def child(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    r = subprocess.run(
        [str(VENV_PY), "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    if r.returncode != 0:
        raise SystemExit(f"the measurement failed:\n{r.stderr}")
    return dict(json.loads(r.stdout.strip().splitlines()[-1]))


def history(n: int) -> Path:
    folder = WORK / f"h{n}"
    db = folder / "wfh" / "data" / "wfh.db"
    if not db.exists():
        subprocess.run(
            [str(VENV_PY), str(BENCH / "histgen.py"), "--sessions", str(n), "--out", str(folder),
             "--only", "wfh", "--today", TODAY],
            check=True,
        )  # fmt: skip
    return db


def measure_stats(db: Path, first: str, last: str, reps: int) -> dict[str, object]:
    runs = [child(STATS_CHILD, str(db), NOW, first, last, str(reps)) for _ in range(reps)]
    firsts = [float(r["first_ms"]) for r in runs]  # type: ignore[arg-type]
    again = [x for r in runs for x in r["again_ms"]]  # type: ignore[attr-defined]
    return {
        "first_ms": statistics.median(firsts),
        "first_max_ms": max(firsts),
        "again_ms": statistics.median(again),
        "imports_ms": statistics.median(float(r["imports_ms"]) for r in runs),  # type: ignore[arg-type]
        "days": runs[0]["days"],
        "tasks": runs[0]["tasks"],
    }


def measure_chart_window(db: Path, reps: int) -> dict[str, object]:
    env = {"QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    runs = [child(CHART_CHILD, str(db), NOW, env=env) for _ in range(reps)]
    firsts = [float(r["first_ms"]) for r in runs]  # type: ignore[arg-type]
    return {
        "first_ms": statistics.median(firsts),
        "first_max_ms": max(firsts),
        "data_ms": statistics.median(float(r["data_ms"]) for r in runs),  # type: ignore[arg-type]
        "paint_ms": statistics.median(float(r["paint_ms"]) for r in runs),  # type: ignore[arg-type]
    }


def measure_export(db: Path, fmt: str, reps: int) -> dict[str, object]:
    out = WORK / f"year.{fmt}"
    runs = [child(EXPORT_CHILD, str(db), NOW, *YEAR, fmt, str(out)) for _ in range(reps)]
    return {
        "total_ms": statistics.median(float(r["total_ms"]) for r in runs),  # type: ignore[arg-type]
        "log_ms": statistics.median(float(r["log_ms"]) for r in runs),  # type: ignore[arg-type]
        "write_ms": statistics.median(float(r["write_ms"]) for r in runs),  # type: ignore[arg-type]
        "lines": runs[0]["lines"],
        "bytes": runs[0]["bytes"],
        "peak_mib": max(float(r["peak_mib"]) for r in runs),  # type: ignore[arg-type]
        "before_mib": runs[0]["before_mib"],
    }


def machine() -> str:
    info = cli_bench.machine_info()
    return f"{info['cpu']}, {info['nproc']} cores, Python {info['python']}"


def verdict(ms: float, goal: float) -> str:
    return "met" if ms < goal else "**not met**"


def render(results: dict[str, object]) -> str:
    r = results
    stats_m, stats_y = r["stats_month"], r["stats_year"]
    assert isinstance(stats_m, dict) and isinstance(stats_y, dict)
    lines = [
        SECTION_TITLE,
        "",
        "Run it with `make bench-insight` (100,000 sessions; about two minutes) or",
        "`.venv/bin/python bench/insight_bench.py --quick` (10,000 sessions). Every run rewrites",
        "this section; the raw figures are in `bench/.work/insight/results.json`.",
        "",
        "How: `bench/histgen.py` writes a history of office days (about 15 sessions a workday;",
        "100,000 sessions go back about 25 years). Each figure is taken in a fresh process of the",
        "project's venv, so a first call pays what a user's first click pays; \"again\" is the",
        "median of repeated calls in the same process. The stats include the working calendar",
        "(loaded once, counted in the first call). The export is of the last 12 months",
        "(`wfh_desktop.activity_log.build_log` then `export.write_export`, as `wfh export` runs",
        "them); its memory is the process's peak RSS.",
        "",
        f"### Results of {r['when']}",
        "",
        f"- Machine: {r['machine']}; {r['sessions']:,} sessions ({r['commit']}).",
        "",
        "| measurement | first call | again | goal | verdict |",
        "|---|---:|---:|---:|---|",
        f"| stats of a month ({stats_m['days']} days, {stats_m['tasks']} tasks) | "
        f"{stats_m['first_ms']:.1f} ms | {stats_m['again_ms']:.1f} ms | < 50 ms | "
        f"{verdict(float(stats_m['first_ms']), GOALS_MS['stats_month'])} |",
        f"| stats of a year ({stats_y['days']} days, {stats_y['tasks']} tasks) | "
        f"{stats_y['first_ms']:.1f} ms | {stats_y['again_ms']:.1f} ms | < 300 ms | "
        f"{verdict(float(stats_y['first_ms']), GOALS_MS['stats_year'])} |",
    ]
    window = r.get("chart_window")
    if isinstance(window, dict):
        lines.append(
            f"| charts window, first draw (pyqtgraph's import, the month's and the trend's "
            f"stats, painting; worst {window['first_max_ms']:.0f} ms) | "
            f"{window['first_ms']:.0f} ms | – | < 1,000 ms | "
            f"{verdict(float(window['first_ms']), GOALS_MS['chart_window'])} |"
        )
    lines += [
        "",
        "| export of a year | lines | time | of which writing | file | peak memory |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    exports = r["exports"]
    assert isinstance(exports, dict)
    for fmt, e in exports.items():
        lines.append(
            f"| {fmt.upper()} | {e['lines']:,} | {e['total_ms']:.0f} ms | {e['write_ms']:.0f} ms"
            f" | {e['bytes'] / 1024:,.0f} KiB | {e['peak_mib']:.0f} MiB |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="10,000 sessions, 3 repetitions")
    p.add_argument("--sessions", type=int, default=None)
    p.add_argument("--reps", type=int, default=None)
    p.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = p.parse_args(argv)
    n = args.sessions or (10_000 if args.quick else 100_000)
    reps = args.reps or (3 if args.quick else 9)
    WORK.mkdir(parents=True, exist_ok=True)
    db = history(n)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    results: dict[str, object] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "sessions": n,
        "commit": f"commit {commit}" if commit else "no commit",
        "stats_month": measure_stats(db, *MONTH, reps),
        "stats_year": measure_stats(db, *YEAR, reps),
        "chart_window": measure_chart_window(db, reps),
        "exports": {
            fmt: measure_export(db, fmt, max(1, reps // 3)) for fmt in ("xlsx", "csv", "pdf")
        },
    }
    (WORK / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    section = render(results)
    print(section)
    mdreport.update_doc(args.output, section, SECTION_TITLE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
