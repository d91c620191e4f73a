"""The desktop app benchmark: wfh-desktop's start-up to its tray icon, its memory and its idle CPU.

    make bench-app                                   # 10 repetitions, 120 s idle windows
    .venv/bin/python bench/app_bench.py --quick      # 3 repetitions, 20 s idle windows

Runs the app under its own Xvfb with fluxbox (whose toolbar hosts a system tray; Debian's
``xvfb`` and ``fluxbox``) and watches the tray from outside the app (see xtray.py). The app and
the floors run from a regular install of this tree in bench/.work/app/wfh-venv (see
peers.wfh_as_installed). Writes the section "## Desktop app benchmark" of docs/benchmarks.md and
the raw figures to bench/.work/app/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import mdreport
import peers
import run as cli_bench
import xtray
from histgen import WIB_OFFSET_S
from measure import STARTED, CommandFailed, home_env, logger, quiet_run

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.prefix) / "bin"  # run with the project's venv: .venv/bin/python
SECTION_TITLE = "## Desktop app benchmark"
APP_CLASS = "wfh-desktop"  # the WM_CLASS instance name of the app's windows (from argv[0])
FLOOR_CODE = "from PySide6 import QtWidgets"
MINI_CLASS = "bench-tray"
MINI_TRAY = """\
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
app = QApplication(["bench-tray"])
pixmap = QPixmap(22, 22)
pixmap.fill(QColor("seagreen"))
icon = QSystemTrayIcon(QIcon(pixmap))
icon.show()
app.exec()
"""
TIMER_TASK = ["--lang", "en", "start", "Bench", "--new", "--target", "30"]
SHOW_TIMEOUT_S = 30.0
PROFILED_WAIT_S = 3.0  # the database thread's imports end after the icon is shown
STARTUP_LIMIT = 1.5  # × the floor
CPU_LIMIT_PCT = 0.2
STEADY_LIMIT_MB = 120.0  # 10^6 bytes
CLK_TCK = os.sysconf("SC_CLK_TCK")

log = logger("bench-app")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="wfh-desktop's start-up, memory and idle CPU (see docs/benchmarks.md)."
    )
    p.add_argument("--quick", action="store_true", help="3 repetitions, 20 s idle windows")
    p.add_argument("--reps", type=int, default=None, help="start-up repetitions (default 10)")
    p.add_argument("--idle", type=float, default=None, help="idle window in s (default 120)")
    p.add_argument("--settle", type=float, default=10.0, help="s after start-up before idling")
    p.add_argument("--sessions", type=int, default=100_000, help="history size (default 100000)")
    p.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--work", type=Path, default=BENCH / ".work" / "app", help="work folder")
    p.add_argument(
        "--worktree",
        action="store_true",
        help="measure the working tree as it is (default: the committed HEAD)",
    )
    args = p.parse_args(argv)
    if args.reps is None:
        args.reps = 3 if args.quick else 10
    if args.idle is None:
        args.idle = 20.0 if args.quick else 120.0
    return args


# ---- /proc -----------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


# ---- set-up ----------------------------------------------------------------------------------


def source_tree(work: Path, worktree: bool) -> tuple[Path, str]:
    """The tree to install: the committed HEAD (``git archive``, so that edits in progress are
    not measured), or with ``worktree`` this folder as it is. Returns it and its description."""
    commit = quiet_run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]).strip()
    if worktree:
        dirty = quiet_run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "wfh_desktop", "pyproject.toml"]
        ).strip()
        return (
            ROOT,
            f"the working tree (HEAD {commit}{', with uncommitted changes' if dirty else ''})",
        )
    src = work / "src"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    archive = work / "src.tar"
    quiet_run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), "HEAD"])
    with tarfile.open(archive) as tar:
        tar.extractall(src, filter="data")
    archive.unlink()
    return src, f"commit {commit}"


def measured_bin(work: Path, tree: Path) -> Path:
    """wfh from a regular install of ``tree`` (peers.wfh_as_installed), with its
    dependencies, PySide6 among them (a reinstall there is ``--no-deps``)."""
    bin_dir = peers.wfh_as_installed(work, tree, log)
    if bin_dir is None:
        raise SystemExit("bench-app: could not install this tree (see the log in bench/.work/app)")
    py = str(bin_dir / "python")
    if subprocess.run([py, "-c", "import PySide6"], capture_output=True).returncode != 0:
        log("wfh: installing the dependencies into the measured venv …")
        log_file = work / "wfh-deps.log"
        if not peers._run([py, "-m", "pip", "install", "--quiet", str(tree)], log_file):
            raise SystemExit(f"bench-app: could not install the dependencies, see {log_file}")
    return bin_dir


def history(args: argparse.Namespace, bin_dir: Path) -> tuple[Path, dict[str, object]]:
    """The profile template ``work/h<N>/wfh`` (a database of N sessions up to yesterday and the
    settings the CLI benchmark uses), made once a day."""
    folder = args.work / f"h{args.sessions}"
    home = folder / "wfh"
    stamp = folder / "history.json"
    today = datetime.fromtimestamp(time.time() + WIB_OFFSET_S, UTC).date().isoformat()
    if stamp.exists() and (home / "data" / "wfh.db").exists():
        info: dict[str, object] = json.loads(stamp.read_text())
        if info.get("today") == today:
            log(f"history: reusing {folder} ({args.sessions:,} sessions, made today)")
            return home, info
    shutil.rmtree(folder, ignore_errors=True)
    log(f"history: generating {args.sessions:,} sessions …")
    gen = [str(VENV_BIN / "python"), str(BENCH / "histgen.py"), "--sessions", str(args.sessions)]
    gen += ["--out", str(folder), "--today", today, "--only", "wfh"]
    info = json.loads(quiet_run(gen).strip().splitlines()[-1])
    env = base_env(args.work) | {"WFH_HOME": str(home)}
    quiet_run([str(bin_dir / "wfh"), "config", "set", "language", "id"], env)
    quiet_run([str(bin_dir / "wfh"), "config", "set", "office_zone", "WIB"], env)
    info["today"] = today
    info["database"] = cli_bench.mib(home / "data" / "wfh.db")
    stamp.write_text(json.dumps(info), encoding="utf-8")
    log(f"history: {info['tasks']:,} tasks, {info['first_day']} to {info['last_day']}")
    return home, info


def base_env(work: Path, display: str = "") -> dict[str, str]:
    """The runs' environment (``measure.home_env``), on this display if one is given."""
    env = home_env(work)
    if display:
        env["DISPLAY"] = display  # and no QT_QPA_PLATFORM: Qt picks xcb
    return env


# ---- runs ------------------------------------------------------------------------------------


@dataclass
class IdleRun:
    label: str
    startup_ms: float
    window_s: float
    cpu_s: float
    display_cpu_s: float  # Xvfb and fluxbox over the same window
    rss_start_kib: int
    rss_end_kib: int
    hwm_kib: int
    rss_samples_kib: list[int] = field(default_factory=list)

    @property
    def cpu_pct(self) -> float:
        return self.cpu_s / self.window_s * 100

    @property
    def display_cpu_pct(self) -> float:
        return self.display_cpu_s / self.window_s * 100


class Bench:
    def __init__(self, args: argparse.Namespace, bin_dir: Path, template: Path) -> None:
        self.args = args
        self.bin = bin_dir
        self.template = template
        self.runs = args.work / "runs"
        self.runs.mkdir(parents=True, exist_ok=True)
        self.display: xtray.Display | None = None
        self.watch: xtray.TrayWatch | None = None

    def env(self) -> dict[str, str]:
        assert self.display is not None
        return base_env(self.args.work, self.display.name)

    def profile(self) -> Path:
        """A fresh WFH_HOME with a copy of the template's database and settings."""
        home = Path(tempfile.mkdtemp(prefix="run-", dir=self.runs))
        for sub in ("data", "config"):
            (home / sub).mkdir()
            for f in (self.template / sub).iterdir():
                shutil.copyfile(f, home / sub / f.name)
        (home / "runtime").mkdir(mode=0o700)
        return home

    def app_env(self, home: Path) -> dict[str, str]:
        # TMPDIR: the app's local socket (QLocalServer) goes there, and goes with the folder.
        return self.env() | {
            "WFH_HOME": str(home),
            "TMPDIR": str(home),
            "XDG_RUNTIME_DIR": str(home / "runtime"),
        }

    def time_floor(self) -> float:
        """Process start to exit of ``python -c "from PySide6 import QtWidgets"``, in ms."""
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(self.bin / "python"), "-c", FLOOR_CODE],
            env=self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
        ms = (time.perf_counter() - t0) * 1000
        if proc.returncode != 0:
            raise CommandFailed(f"floor: exit {proc.returncode}: {proc.stderr.decode()[-400:]}")
        return ms

    def launch(
        self, argv: list[str], env: dict[str, str], res_name: str, log_file: Path
    ) -> tuple[subprocess.Popen[bytes], float]:
        """Start ``argv``; return the process and the ms from just before Popen to the MapNotify
        of its icon in the tray. The caller stops the process (also on errors: it is returned
        through the exception's ``proc``)."""
        assert self.watch is not None
        self.watch.drain()
        with log_file.open("wb") as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            seen = self.watch.wait_icon(
                res_name, t0 + SHOW_TIMEOUT_S, gone=lambda: proc.poll() is not None
            )
        except BaseException:
            xtray.stop_process(proc)
            raise
        if seen is None:
            icons = self.watch.icons()
            xtray.stop_process(proc)
            tail = log_file.read_text(errors="replace")[-400:]
            raise CommandFailed(
                f"{argv[0]}: no tray icon after {SHOW_TIMEOUT_S:.0f} s "
                f"(exit {proc.returncode}; the tray holds {icons}): {tail}"
            )
        return proc, (seen - t0) * 1000

    def time_app(self) -> float:
        home = self.profile()
        try:
            argv = [str(self.bin / "wfh-desktop")]
            proc, ms = self.launch(argv, self.app_env(home), APP_CLASS, home / "app.log")
            xtray.stop_process(proc)
            return ms
        finally:
            shutil.rmtree(home, ignore_errors=True)

    def profile_imports(self) -> dict[str, object]:
        """One start with ``PYTHONPROFILEIMPORTTIME=1``: the imports done (written to stderr)
        by the time the icon was mapped, and those done in the few seconds after."""
        home = self.profile()
        try:
            env = self.app_env(home) | {"PYTHONPROFILEIMPORTTIME": "1"}
            log_file = home / "app.log"
            proc, ms = self.launch([str(self.bin / "wfh-desktop")], env, APP_CLASS, log_file)
            at_shown = log_file.stat().st_size
            time.sleep(PROFILED_WAIT_S)
            xtray.stop_process(proc)
            text = log_file.read_bytes()
            return {
                "startup_ms": ms,
                "before": import_times(text[:at_shown].decode(errors="replace")),
                "after": import_times(text[at_shown:].decode(errors="replace")),
            }
        finally:
            shutil.rmtree(home, ignore_errors=True)

    def time_mini(self) -> float:
        """The same for a minimal PySide6 program that shows a tray icon (for reference)."""
        log_file = self.runs / "mini.log"
        proc, ms = self.launch(
            [str(self.bin / "python"), "-c", MINI_TRAY], self.env(), MINI_CLASS, log_file
        )
        xtray.stop_process(proc)
        log_file.unlink(missing_ok=True)
        return ms

    def idle(self, label: str, *, timer: bool) -> IdleRun:
        """Start the app (with a task started first when ``timer``), let it settle, then read
        its CPU time at the start and the end of the idle window, and its memory."""
        assert self.display is not None
        home = self.profile()
        try:
            env = self.app_env(home)
            if timer:
                quiet_run([str(self.bin / "wfh"), *TIMER_TASK], env)
            proc, ms = self.launch(
                [str(self.bin / "wfh-desktop")], env, APP_CLASS, home / "app.log"
            )
            try:
                display_pids = [p.pid for p in self.display.procs]
                time.sleep(self.args.settle)
                if proc.poll() is not None:
                    raise CommandFailed(f"the app ended during start-up (exit {proc.returncode})")
                rss_start = memory_kib(proc.pid)["VmRSS"]
                samples = [rss_start]
                c0, d0 = cpu_seconds(proc.pid), sum(cpu_seconds(p) for p in display_pids)
                w0 = time.perf_counter()
                end = w0 + self.args.idle
                while (left := end - time.perf_counter()) > 0:
                    time.sleep(min(left, 5.0))
                    samples.append(memory_kib(proc.pid)["VmRSS"])
                c1, d1 = cpu_seconds(proc.pid), sum(cpu_seconds(p) for p in display_pids)
                w1 = time.perf_counter()
                mem = memory_kib(proc.pid)
            finally:
                xtray.stop_process(proc)
            return IdleRun(
                label=label,
                startup_ms=ms,
                window_s=w1 - w0,
                cpu_s=c1 - c0,
                display_cpu_s=d1 - d0,
                rss_start_kib=rss_start,
                rss_end_kib=mem["VmRSS"],
                hwm_kib=mem["VmHWM"],
                rss_samples_kib=samples,
            )
        finally:
            shutil.rmtree(home, ignore_errors=True)


def import_times(stderr: str) -> list[tuple[str, float]]:
    """``-X importtime`` lines summed per top-level package (self times, all threads), in ms.
    CPython's self time is the module's cumulative time less its children's, counted across
    threads: with the database thread importing at the same time it can come out negative, and
    is then counted as 0."""
    per: Counter[str] = Counter()
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _cumulative, name = line.split(":", 1)[1].split("|")
        per[name.strip().split(".")[0]] += max(int(own), 0)
    return [(k, v / 1000) for k, v in per.most_common()]


# ---- Markdown --------------------------------------------------------------------------------

METHOD = """\
Run it with `make bench-app` (10 repetitions and two 120 s idle windows; about five minutes) or
`.venv/bin/python bench/app_bench.py --quick` (3 repetitions, 20 s windows; about a minute). Every
run rewrites this section; the raw figures of the last run are in `bench/.work/app/results.json`. It
needs Debian's `xvfb` and `fluxbox` (and `libx11-6`, which they bring); nothing else is installed,
and the app's code is not changed.

How: the benchmark starts its own Xvfb (`-displayfd`, 1280x800) and fluxbox, whose toolbar hosts a
system tray, and stops both at the end. The app runs from `bench/.work/app/wfh-venv`, a regular
install of the committed tree (`git archive HEAD`, so edits in progress are not measured;
`--worktree` installs the working tree as it is), not from the editable `.venv`, whose import hook
costs every Python start there some time (`make bench` does the same for the CLI); with `DISPLAY`
set and `QT_QPA_PLATFORM` unset, and with a fresh `WFH_HOME` for every run holding a copy of one
generated history (`bench/histgen.py`, office days up to yesterday) and the CLI benchmark's settings
(Indonesian, WIB), so the app reads today's and the recent tasks from a real database at start.
**Start-up** is the time from just before `Popen` to the moment the app's tray icon is embedded in
fluxbox's tray and mapped, seen from outside: the benchmark asks the X server (Xlib through
`ctypes`) for the tray's SubstructureNotify events (the tray is the parent of the
`_NET_SYSTEM_TRAY_S0` selection owner) and waits in `select` for the MapNotify of a window of class
`wfh-desktop`; then the app is ended with SIGTERM (SIGKILL after 5 s). The **floor**, `python -c
"from PySide6 import QtWidgets"` from the same venv with the same environment, is timed from just
before `Popen` to its exit; floor, a minimal PySide6 program that shows a tray icon (a reference:
the least a tray app can do) and the app alternate, after one untimed run of each; times are
medians. **Memory and idle CPU:** the app is started again (once with nothing running, once with a
task started first with `wfh --lang en start "Bench" --new --target 30`, so that its timer runs and
the tray icon is redrawn every 5 s), left alone to settle, then `utime + stime` from
`/proc/<pid>/stat` (all threads; 10 ms ticks) is read at the start and the end of an idle window:
CPU % = CPU seconds / wall seconds × 100. Xvfb's and fluxbox's CPU over the same window are shown
for reference. Steady memory is VmRSS at the end of the window, peak memory VmHWM (from
`/proc/<pid>/status`); 1 MB = 10^6 bytes, 1 MiB = 2^20 bytes. The import times come from one more
start with `PYTHONPROFILEIMPORTTIME=1`, summed per top-level package over all threads (self times;
the app opens its database on a worker thread while the window and the tray are built), split at the
size its stderr had when the icon was mapped."""


def _mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def _range(xs: list[float]) -> str:
    return f"{min(xs):.0f}–{max(xs):.0f}"


def goals(result: dict[str, object]) -> list[tuple[str, str, str, str]]:
    floor_ms = statistics.median(result["floor_ms"])  # type: ignore[arg-type]
    app_ms = statistics.median(result["app_ms"])  # type: ignore[arg-type]
    idle = result["idle"]
    assert isinstance(idle, list)
    quiet, busy = (IdleRun(**r) for r in idle)
    ratio = app_ms / floor_ms
    steady_mb = quiet.rss_end_kib * 1024 / 1e6

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "**FAIL**"

    return [
        (
            "start-up to the tray icon / floor",
            f"{ratio:.2f}× ({app_ms:.0f} / {floor_ms:.0f} ms)",
            f"≤ {STARTUP_LIMIT:g}×",
            verdict(ratio <= STARTUP_LIMIT),
        ),
        (
            "idle CPU, no task running",
            f"{quiet.cpu_pct:.3f} % ({quiet.cpu_s:.2f} s in {quiet.window_s:.0f} s)",
            f"< {CPU_LIMIT_PCT:g} %",
            verdict(quiet.cpu_pct < CPU_LIMIT_PCT),
        ),
        (
            "steady memory (VmRSS after the idle window, no task running)",
            f"{steady_mb:.1f} MB ({_mib(quiet.rss_end_kib)} MiB)",
            f"< {STEADY_LIMIT_MB:g} MB",
            verdict(steady_mb < STEADY_LIMIT_MB),
        ),
        (
            "idle CPU with a task running (icon redrawn every 5 s)",
            f"{busy.cpu_pct:.3f} % ({busy.cpu_s:.2f} s in {busy.window_s:.0f} s)",
            f"< {CPU_LIMIT_PCT:g} %",
            "for reference: "
            + ("under the limit" if busy.cpu_pct < CPU_LIMIT_PCT else "over the limit"),
        ),
    ]


def render(result: dict[str, object]) -> str:
    m = result["machine"]
    h = result["history"]
    s = result["settings"]
    assert isinstance(m, dict) and isinstance(h, dict) and isinstance(s, dict)
    floor = result["floor_ms"]
    mini = result["mini_ms"]
    app = result["app_ms"]
    assert isinstance(floor, list) and isinstance(mini, list) and isinstance(app, list)
    idle = result["idle"]
    assert isinstance(idle, list)
    runs = [IdleRun(**r) for r in idle]
    out = [SECTION_TITLE, "", METHOD, "", f"### Results of {m['date']}", ""]
    out += [
        f"- Machine: {m['nproc']} cores (`nproc`), {m['cpu']}, {m['memory']} memory, Linux "
        f"{m['kernel']}; load average at start {m['load']}.",
        f"- Measured: {result['measured']}.",
        f"- Python {m['python']}, PySide6 {result['pyside']}; Xvfb {result['xvfb']}, fluxbox "
        f"{result['fluxbox']}.",
        f"- History: {h['sessions']:,} sessions on {h['tasks']:,} tasks, {h['first_day']} to "
        f"{h['last_day']}; database {h['database']}, copied into every run's `WFH_HOME`.",
        f"- Run: {s['reps']} repetitions after one untimed run of each; idle windows of "
        f"{s['idle']:.0f} s after {s['settle']:.0f} s to settle. Whole run: "
        f"{s['total_s'] / 60:.1f} min.",
        "",
        "| process start to … | median ms | range ms | runs |",
        "|---|---:|---:|---:|",
        f'| `python -c "{FLOOR_CODE}"` exits (the floor) | {statistics.median(floor):.0f} '
        f"| {_range(floor)} | {len(floor)} |",
        f"| a minimal PySide6 tray icon shown (reference) | {statistics.median(mini):.0f} "
        f"| {_range(mini)} | {len(mini)} |",
        f"| **wfh-desktop's tray icon shown** | **{statistics.median(app):.0f}** "
        f"| {_range(app)} | {len(app)} |",
        "",
        "| idle window | app CPU % | Xvfb + fluxbox CPU % | RSS at start, MiB | steady RSS "
        "(end), MiB | peak RSS (VmHWM), MiB | this run's start-up ms (one sample) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        out.append(
            f"| {r.label} | {r.cpu_pct:.3f} | {r.display_cpu_pct:.3f} | {_mib(r.rss_start_kib)} "
            f"| {_mib(r.rss_end_kib)} | {_mib(r.hwm_kib)} | {r.startup_ms:.0f} |"
        )
    out += ["", "Goals:", "", "| goal | measured | limit | result |", "|---|---:|---:|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in goals(result)]
    imports = result["imports"]
    assert isinstance(imports, dict)

    def listing(rows: list[tuple[str, float]]) -> str:
        total = sum(ms for _, ms in rows)
        top = ", ".join(f"{name} {ms:.0f}" for name, ms in rows[:8] if ms >= 0.5)
        return f"{total:.0f} ms ({top})" if rows else "none"

    out += [
        "",
        f"Import time in one more start with `PYTHONPROFILEIMPORTTIME=1` (its tray icon after "
        f"{imports['startup_ms']:.0f} ms), summed per top-level package, in ms: finished by the "
        f"time the icon was mapped: {listing(imports['before'])}; finished in the "
        f"{PROFILED_WAIT_S:g} s after: {listing(imports['after'])}.",
    ]
    return "\n".join(out) + "\n"


def update_section(path: Path, section: str) -> None:
    """Put ``section`` in place of this benchmark's previous one in ``path``."""
    mdreport.update_doc(path, section, SECTION_TITLE)


def package_version(name: str) -> str:
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", name], capture_output=True, text=True
    )
    return out.stdout.strip() or "?"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    tree, measured = source_tree(args.work, args.worktree)
    bin_dir = measured_bin(args.work, tree)
    log(f"wfh-desktop: measuring {measured}, installed in {bin_dir}")
    template, hist = history(args, bin_dir)
    machine = cli_bench.machine_info()
    log(f"machine: {machine['nproc']} cores, {machine['cpu']}, load {machine['load']}")
    pyside = quiet_run(
        [str(bin_dir / "python"), "-c", "import PySide6; print(PySide6.__version__)"]
    ).strip()
    bench = Bench(args, bin_dir, template)
    floor: list[float] = []
    mini: list[float] = []
    app: list[float] = []
    with xtray.display(args.work) as display:
        assert display.watch is not None
        bench.display, bench.watch = display, display.watch
        log(f"display {display.name}: fluxbox's tray is window {display.watch.tray:#x}")
        bench.time_floor(), bench.time_mini(), bench.time_app()  # untimed first runs
        for i in range(args.reps):
            floor.append(bench.time_floor())
            time.sleep(0.3)
            mini.append(bench.time_mini())
            time.sleep(0.3)
            app.append(bench.time_app())
            time.sleep(0.3)
            log(
                f"  {i + 1}/{args.reps}: floor {floor[-1]:.0f} ms, minimal tray "
                f"{mini[-1]:.0f} ms, wfh-desktop {app[-1]:.0f} ms"
            )
        log(
            f"start-up medians: floor {statistics.median(floor):.0f} ms, minimal tray "
            f"{statistics.median(mini):.0f} ms, wfh-desktop {statistics.median(app):.0f} ms"
        )
        imports = bench.profile_imports()
        idle = []
        for label, timer in (("no task running", False), ("a task running", True)):
            log(f"idle, {label}: {args.settle:.0f} s to settle, then {args.idle:.0f} s …")
            r = bench.idle(label, timer=timer)
            log(
                f"  CPU {r.cpu_pct:.3f} % ({r.cpu_s:.2f} s), Xvfb+fluxbox {r.display_cpu_pct:.3f}"
                f" %, RSS {_mib(r.rss_start_kib)} -> {_mib(r.rss_end_kib)} MiB, peak "
                f"{_mib(r.hwm_kib)} MiB"
            )
            idle.append(r)
    shutil.rmtree(bench.runs, ignore_errors=True)
    result: dict[str, object] = {
        "machine": machine,
        "measured": measured,
        "pyside": pyside,
        "xvfb": package_version("xvfb"),
        "fluxbox": package_version("fluxbox"),
        "history": hist,
        "settings": {
            "reps": args.reps,
            "idle": args.idle,
            "settle": args.settle,
            "total_s": time.perf_counter() - STARTED,
        },
        "floor_ms": floor,
        "mini_ms": mini,
        "app_ms": app,
        "imports": imports,
        "idle": [asdict(r) for r in idle],
    }
    for g in goals(result):
        log(f"goal: {g[0]}: {g[1]} (limit {g[2]}) {g[3]}")
    update_section(args.output, render(result))
    (args.work / "results.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    log(f"done in {time.perf_counter() - STARTED:.0f} s; results in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
