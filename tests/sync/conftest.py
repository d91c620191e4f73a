"""The sync client against the real server on loopback: profiles are real SQLite files, the
keyring is the in-memory stand-in (the one fake: tests cannot have the OS keyring)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MONDAY_0800_WIB
from tests.helpers.memory_keyring import MemoryKeyring
from tests.server.served import NEW_PASSWORD, SITI
from tests.sync import faults
from tests.sync.faults import FaultProxy
from wfh_desktop.clock import FixedClock
from wfh_desktop.profile import Profile
from wfh_desktop.sync.client import SyncClient


class Desk:
    """One computer: a profile of its own and its sync client."""

    def __init__(self, path: Path, clock: FixedClock, server: Any) -> None:
        self.path, self.clock, self.server = path, clock, server
        self.profile = Profile.open(path, clock)
        self._client: SyncClient | None = None

    @property
    def client(self) -> SyncClient:
        if self._client is None:
            self._client = SyncClient(self.profile, server_url=self.server.url)
        return self._client

    def sign_in(self, nip: str = SITI) -> Any:
        initial = self.server.passwords[nip]
        signed = self.client.sign_in(
            nip, initial, new_password=NEW_PASSWORD if initial != NEW_PASSWORD else None
        )
        self.server.passwords[nip] = NEW_PASSWORD
        return signed

    def sync(self) -> Any:
        return self.client.sync()

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """The records as synced state (local bookkeeping left out), ordered by id."""
        cols = {
            "task": "id, title, target_minutes, rhk, output, volume, unit, status, done_at, "
            "assignee_user_id, owner_user_id, version, deleted_at",
            "session": "id, task_id, owner_user_id, start_at, end_at, source, origin_device, "
            "auto_stop_reason, needs_review, note, version, deleted_at",
        }[table]
        return self.profile.conn.execute(f"SELECT {cols} FROM {table} ORDER BY id").fetchall()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self.profile.close()


def add_tasks(d: Desk, titles: Iterable[str], target_minutes: int = 30) -> None:
    """Many tasks made in one transaction (a task.upsert each), as a long offline backlog."""
    from wfh_desktop.tasks import TaskService, clean_fields

    tasks = TaskService(d.profile)
    with d.profile.write() as (conn, writer):
        for title in titles:
            fields = {"title": title, "target_minutes": target_minutes}
            tasks.insert(conn, writer, clean_fields(fields))


@pytest.fixture
def desks(
    tmp_path: Path, server: Any, memory_keyring: MemoryKeyring
) -> Iterator[Callable[[str], Desk]]:
    made: list[Desk] = []

    def make(name: str, at_ms: int = MONDAY_0800_WIB) -> Desk:
        desk = Desk(tmp_path / name / "wfh.db", FixedClock(at_ms), server)
        made.append(desk)
        return desk

    yield make
    for d in made:
        d.close()


@dataclass
class Routed:
    """The server as the desks see it: through the proxy."""

    url: str
    passwords: dict[str, str]
    engine: Any


@pytest.fixture
def proxy(server: Any) -> Iterator[FaultProxy]:
    with faults.running(server.url) as p:
        yield p


@pytest.fixture
def desk(proxy: FaultProxy, desks: Callable[..., Desk], server: Any) -> Callable[..., Desk]:
    """A computer that syncs through the proxy, signed in through it from the start (the
    profile binds to the address it first signs in with). The same name again: the same
    database file opened by a new program."""

    def make(name: str, at_ms: int = MONDAY_0800_WIB) -> Desk:
        d = desks(name, at_ms)
        d.server = Routed(proxy.url, server.passwords, server.engine)
        return d

    return make
