"""Getting the peers: Watson (``td-watson`` from PyPI, in its own venv) and Timewarrior
(Debian's ``timewarrior``). Each returns the program, or None and the reason it is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple


class Peer(NamedTuple):
    program: Path | None
    version: str  # the version, or why the peer is missing


def _run(argv: list[str], log_file: Path, env: dict[str, str] | None = None) -> bool:
    with log_file.open("a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(argv)}\n")
        log.flush()
        try:
            proc = subprocess.run(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                timeout=900,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            log.write(f"{e}\n")
            return False
    return proc.returncode == 0


def _tail(log_file: Path) -> str:
    lines = [
        line.strip()
        for line in log_file.read_text(errors="replace").splitlines()
        if line.strip() and not line.startswith("WARNING: Location")
    ]
    return lines[-1][:200] if lines else "no output"


def _version(argv: list[str]) -> str:
    try:
        out = subprocess.run(
            argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unknown ({e})"
    return (out.stdout or out.stderr).strip().splitlines()[-1] if out.stdout or out.stderr else ""


def wfh_as_installed(work: Path, root: Path, log: Callable[[str], None]) -> Path | None:
    """wfh installed the way users get it (a regular, non-editable install of this tree) in
    ``work/wfh-venv``; returns that venv's bin folder. The project's own .venv has an editable
    install whose import hook adds about 10 ms to every Python start there, the floor's too."""
    venv = work / "wfh-venv"
    log_file = work / "wfh-install.log"
    log_file.unlink(missing_ok=True)
    py = venv / "bin" / "python"
    if not py.exists():
        log("wfh: creating the measured venv and installing this tree into it …")
        base = shutil.which("python3.11") or sys.executable
        if not _run([base, "-m", "venv", str(venv)], log_file) or not _run(
            [str(py), "-m", "pip", "install", "--quiet", str(root)], log_file
        ):
            log(f"wfh: could not install: {_tail(log_file)}")
            return None
    else:
        log("wfh: reinstalling this tree into the measured venv …")
        if not _run(
            [str(py), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps",
             str(root)],
            log_file,
        ):  # fmt: skip
            log(f"wfh: could not install: {_tail(log_file)}")
            return None
    return venv / "bin"


def watson(work: Path, log: Callable[[str], None]) -> Peer:
    """Watson in ``work/watson-venv``, made with python3.11 (or this python) when missing."""
    venv = work / "watson-venv"
    program = venv / "bin" / "watson"
    log_file = work / "watson-install.log"
    if not program.exists():
        log("Watson: creating its venv and installing td-watson …")
        log_file.unlink(missing_ok=True)
        base = shutil.which("python3.11") or sys.executable
        if venv.exists():
            shutil.rmtree(venv)
        ok = _run([base, "-m", "venv", str(venv)], log_file) and _run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "td-watson"],
            log_file,
        )
        if not ok or not program.exists():
            return Peer(None, f"td-watson could not be installed: {_tail(log_file)}")
    return Peer(program, _version([str(program), "--version"]).removeprefix("Watson, version "))


def timewarrior(work: Path, log: Callable[[str], None]) -> Peer:
    """Debian's ``timew``; installed with apt-get when missing (apt-get update if needed)."""
    found = shutil.which("timew")
    if found is None:
        log_file = work / "timewarrior-install.log"
        log_file.unlink(missing_ok=True)
        apt = shutil.which("apt-get")
        if apt is None:
            return Peer(None, "timew is missing and there is no apt-get to install it")
        if os.geteuid() != 0:
            return Peer(None, "timew is missing and installing it needs root (apt-get)")
        log("Timewarrior: apt-get install -y timewarrior …")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = [apt, "install", "-y", "timewarrior"]
        if not _run(install, log_file, env):
            log("Timewarrior: apt-get update, then install again …")
            _run([apt, "update"], log_file, env)
            _run(install, log_file, env)
        found = shutil.which("timew")
        if found is None:
            return Peer(None, f"timewarrior could not be installed: {_tail(log_file)}")
    return Peer(Path(found), _version([found, "--version"]))
