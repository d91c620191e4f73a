"""Shared fixtures: real SQLite files in tmp_path, an injected clock, the real ``wfh`` entry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from wfh_desktop.clock import FixedClock
from wfh_desktop.i18n import set_language
from wfh_desktop.profile import Profile

pytest_plugins = ["tests.server_fixtures"]

# 2026-11-02 08:00 WIB (a Monday)
MONDAY_0800_WIB = int(datetime.fromisoformat("2026-11-02T08:00:00+07:00").timestamp() * 1000)
MINUTE = 60_000


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Core tests read messages in English; the CLI tests choose their language explicitly."""
    set_language("en")
    yield
    set_language("id")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_0800_WIB)


@pytest.fixture
def memory_keyring() -> Iterator[Any]:
    """The OS keyring, which tests cannot have for real: one in memory, for this test."""
    import keyring

    from tests.helpers.memory_keyring import MemoryKeyring

    old = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(old)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "wfh.db"


@pytest.fixture
def profile(db_path: Path, clock: FixedClock) -> Iterator[Profile]:
    p = Profile.open(db_path, clock)
    yield p
    p.close()


class Wfh:
    """Runs the real ``wfh`` console script in a subprocess against one profile folder."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.exe = str(Path(sys.executable).with_name("wfh"))

    def env(self, now: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
        env["WFH_HOME"] = str(self.home)
        env.pop("WFH_FAKE_NOW", None)
        if now is not None:
            env["WFH_FAKE_NOW"] = now
        env.update(extra or {})
        return env

    def __call__(
        self,
        *args: str,
        now: str | None = "2026-11-02T08:00:00+07:00",
        lang: str | None = "en",
        env: dict[str, str] | None = None,
        input: str | None = None,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        argv = [self.exe, *(["--lang", lang] if lang else []), *args]
        return subprocess.run(
            argv,
            input=input,
            capture_output=True,
            text=True,
            env=self.env(now, env),
            cwd=cwd,
            timeout=60,
            check=False,
        )

    def ok(self, *args: str, **kw: Any) -> str:
        r = self(*args, **kw)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r.stdout

    def json(self, *args: str, **kw: Any) -> Any:
        return json.loads(self.ok(*args, "--json", **kw))

    @property
    def db(self) -> Path:
        return self.home / "data" / "wfh.db"


@pytest.fixture
def wfh(tmp_path: Path) -> Wfh:
    return Wfh(tmp_path / "home")
