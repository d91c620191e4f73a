"""Timing commands as separate processes: medians of wall time, peak RSS, repetition policy."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SPAWN_CHILD = Path(__file__).resolve().parent / "spawn_child.py"


class CommandFailed(Exception):
    pass


@dataclass
class Sample:
    ms: float
    rss_kib: int


@dataclass
class Result:
    """The repetitions of one command by one tool."""

    argv: list[str]
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    @property
    def median_ms(self) -> float | None:
        return statistics.median(s.ms for s in self.samples) if self.samples else None

    @property
    def peak_mib(self) -> float | None:
        """The highest peak RSS over the repetitions, in MiB."""
        return max(s.rss_kib for s in self.samples) / 1024 if self.samples else None

    def as_json(self) -> dict[str, object]:
        return {
            "argv": self.argv,
            "error": self.error,
            "median_ms": self.median_ms,
            "peak_mib": self.peak_mib,
            "samples_ms": [round(s.ms, 3) for s in self.samples],
            "samples_rss_kib": [s.rss_kib for s in self.samples],
        }


STARTED = time.perf_counter()  # when the benchmark began (this module loads first)


def logger(name: str) -> Callable[[str], None]:
    """``log(message)`` printing ``[name   12s] message``: seconds since the benchmark began."""

    def log(message: str) -> None:
        print(f"[{name} {time.perf_counter() - STARTED:6.0f}s] {message}", flush=True)

    return log


def wait_next_second() -> None:
    """Sleep into the next wall-clock second (Timewarrior refuses a stop in the start's second;
    every tool gets the same pause so the protocol is the same for all)."""
    time.sleep(1.02 - time.time() % 1.0)


class Runner:
    """Runs commands through :data:`SPAWN_CHILD` with the venv's own python.

    ``budget_s`` caps the time spent on one command's repetitions: a command whose warm-up run
    took ``t`` gets ``budget_s / t`` repetitions, at least ``min_reps`` and at most ``max_reps``.
    """

    def __init__(
        self,
        python: Path,
        scratch: Path,
        *,
        max_reps: int,
        min_reps: int = 3,
        budget_s: float = 20.0,
        log: Callable[[str], None] = print,
    ) -> None:
        self.python = python
        self.scratch = scratch
        self.max_reps = max_reps
        self.min_reps = min(min_reps, max_reps)
        self.budget_s = budget_s
        self.log = log
        scratch.mkdir(parents=True, exist_ok=True)
        self.stdout_file = scratch / "last.stdout"
        self.stderr_file = scratch / "last.stderr"

    def once(self, argv: Sequence[str], env: dict[str, str]) -> Sample:
        """Run a command once; raise CommandFailed (with its stderr) when it fails."""
        proc = subprocess.run(
            [
                str(self.python),
                "-I",
                "-S",
                str(SPAWN_CHILD),
                str(self.stdout_file),
                str(self.stderr_file),
                *argv,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise CommandFailed(f"measuring helper failed: {proc.stderr.strip()[-500:]}")
        ms, rss, rc = proc.stdout.split()
        if int(rc) != 0:
            err = self.stderr_file.read_text(errors="replace").strip()
            out = self.stdout_file.read_text(errors="replace").strip()
            raise CommandFailed(f"exit {rc}: {(err or out)[-400:]}")
        return Sample(float(ms), int(rss))

    def reps_for(self, warm_ms: float) -> int:
        n = int(self.budget_s * 1000 / max(warm_ms, 1.0))
        return max(self.min_reps, min(self.max_reps, n))

    def series(self, argv: Sequence[str], env: dict[str, str]) -> Result:
        """One warm-up run, then as many timed runs as the budget allows."""
        result = Result(list(argv))
        try:
            warm = self.once(argv, env)
            for _ in range(self.reps_for(warm.ms)):
                result.samples.append(self.once(argv, env))
        except CommandFailed as e:
            result.error = str(e)
        return result

    def pairs(
        self, start: Sequence[str], stop: Sequence[str], env: dict[str, str]
    ) -> tuple[Result, Result]:
        """Start then stop, alternately (so that each runs in the state it expects), with a
        pause into the next second before each stop. One untimed warm-up pair first."""
        r_start, r_stop = Result(list(start)), Result(list(stop))
        try:
            w1 = self.once(start, env)
            wait_next_second()
            w2 = self.once(stop, env)
            for _ in range(self.reps_for(w1.ms + w2.ms)):
                try:
                    r_start.samples.append(self.once(start, env))
                except CommandFailed as e:
                    r_start.error = str(e)
                    raise
                wait_next_second()
                try:
                    r_stop.samples.append(self.once(stop, env))
                except CommandFailed as e:
                    r_stop.error = str(e)
                    raise
        except CommandFailed as e:
            if r_start.error is None and r_stop.error is None:
                r_start.error = r_stop.error = f"warm-up: {e}"
        return r_start, r_stop


def quiet_run(argv: Sequence[str], env: dict[str, str] | None = None) -> str:
    """Run a set-up command (not timed); return its stdout, raise CommandFailed on failure."""
    proc = subprocess.run(
        list(argv), env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    if proc.returncode != 0:
        raise CommandFailed(
            f"{' '.join(argv)}: exit {proc.returncode}: {(proc.stderr or proc.stdout)[-400:]}"
        )
    return proc.stdout


if __name__ == "__main__":  # pragma: no cover - a quick manual check
    r = Runner(Path(sys.executable), Path("/tmp/bench-measure"), max_reps=5)
    print(r.series(["/bin/true"], {}).as_json())


def home_env(work: Path) -> dict[str, str]:
    """A clean environment with one HOME under ``work`` for every run (a user's warm home:
    caches such as fontconfig's persist) and a UTF-8 C locale."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
