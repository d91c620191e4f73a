"""The real server process on loopback, with an organisation of four people, and a small client
of its API for the tests."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import httpx

from wfh_desktop.hlc import Hlc
from wfh_desktop.ids import uuid7
from wfh_server import admin
from wfh_server.config import ServerConfig

EXE = str(Path(sys.executable).with_name("wfh-server"))
SITI, BUDI, ANI, LAIN = (
    "198501012010011001",
    "199002152015031002",
    "199107202019032003",
    "198811112012121004",
)
NEW_PASSWORD = "kata-sandi-baru-123"


def problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["code"] == code and body["status"] == status
    return body


@dataclass
class Device:
    """One signed-in desktop: its access token and its outbox numbering."""

    server: Server
    device_id: str
    access: str
    user_id: str
    seq: Iterator[int] = field(default_factory=lambda: count(1))
    last_ms: int = 0

    def headers(self) -> dict[str, str]:
        signed = {"Authorization": f"Bearer {self.access}"} if self.access else {}
        return signed | {"X-Sync-Protocol": "1"}

    def hlc(self, at_ms: int | None = None) -> str:
        self.last_ms = max(self.last_ms + 1, at_ms or int(time.time() * 1000))
        return Hlc(self.last_ms, 0, self.device_id).encode()

    def mutation(
        self, type_: str, entity_id: str, fields: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        return {
            "seq": next(self.seq),
            "mutation_id": uuid7(),
            "type": type_,
            "entity_id": entity_id,
            "hlc": extra.pop("hlc", None) or self.hlc(),
            "fields": fields or {},
            **extra,
        }

    def push(self, *mutations: dict[str, Any], gzipped: bool = False) -> httpx.Response:
        body = json.dumps({"mutations": list(mutations)}).encode()
        return self.push_bytes(gzip.compress(body) if gzipped else body, gzipped)

    def push_bytes(self, body: bytes, gzipped: bool) -> httpx.Response:
        """A push of this body as it is (a damaged one, say)."""
        headers = self.headers() | {"Content-Type": "application/json"}
        if gzipped:
            headers |= {"Content-Encoding": "gzip"}
        return httpx.post(
            f"{self.server.url}/v1/sync/push", content=body, headers=headers, timeout=30
        )

    def pushed(self, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
        r = self.push(*mutations)
        assert r.status_code == 200, r.text
        results: list[dict[str, Any]] = r.json()["results"]
        return results

    def pull(self, since: int = 0, limit: int = 500) -> httpx.Response:
        return httpx.get(
            f"{self.server.url}/v1/sync/pull",
            params={"since": since, "limit": limit},
            headers=self.headers(),
            timeout=30,
        )

    def pull_all(self, since: int = 0, limit: int = 500) -> tuple[list[dict[str, Any]], int]:
        """Every change after ``since``, page by page; and the last cursor."""
        changes: list[dict[str, Any]] = []
        while True:
            r = self.pull(since, limit)
            if r.status_code == 304:
                return changes, since
            assert r.status_code == 200, r.text
            page = r.json()
            changes += page["changes"]
            since = page["next"]
            if not page["has_more"]:
                return changes, since


@dataclass
class Server:
    url: str
    passwords: dict[str, str]
    engine: Any
    restart: Any = field(default=None, repr=False)  # kill -9 the process, start it again

    def login(self, nip: str, device: str, password: str | None = None) -> httpx.Response:
        return httpx.post(
            f"{self.url}/v1/auth/login",
            json={
                "login": nip,
                "password": self.passwords[nip] if password is None else password,
                "device_id": device,
                "device_name": "Laptop",
            },
            timeout=10,
        )

    def directory(self, access: str, q: str = "") -> httpx.Response:
        return httpx.get(
            f"{self.url}/v1/directory",
            params={"q": q},
            headers={"Authorization": f"Bearer {access}"} if access else {},
            timeout=10,
        )

    def refresh(self, token: str, device: str) -> httpx.Response:
        return httpx.post(
            f"{self.url}/v1/auth/refresh",
            json={"refresh_token": token, "device_id": device},
            timeout=10,
        )

    def change_password(self, access: str, old: str, new: str) -> httpx.Response:
        return httpx.post(
            f"{self.url}/v1/auth/password",
            json={"old_password": old, "new_password": new},
            headers={"Authorization": f"Bearer {access}"},
            timeout=10,
        )

    def ready(self, nip: str, device: str) -> Device:
        """Signed in on ``device``, the initial password changed: ready to sync."""
        r = self.login(nip, device)
        assert r.status_code == 200, r.text
        tokens = r.json()
        if tokens["user"]["must_change_password"]:
            changed = self.change_password(
                tokens["access_token"], self.passwords[nip], NEW_PASSWORD
            )
            assert changed.status_code == 204, changed.text
            self.passwords[nip] = NEW_PASSWORD
        return Device(self, device, tokens["access_token"], tokens["user"]["user_id"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def people(engine: Any) -> dict[str, str]:
    """Two organisations: Siti, Budi and Ani in one, another person in the other."""
    admin.create_org(engine, "Kementerian Contoh", "kemen")
    admin.create_unit(engine, "kemen", "Biro Umum")
    admin.create_unit(engine, "kemen", "Biro Keuangan")
    admin.create_org(engine, "Pemda Lain", "pemda")
    admin.create_unit(engine, "pemda", "Dinas")
    return {
        SITI: admin.add_user(
            engine, "kemen", SITI, "Siti Aminah", "Biro Umum", "siti@contoh.go.id"
        ).password,
        BUDI: admin.add_user(engine, "kemen", BUDI, "Budi Santoso", "Biro Keuangan", None).password,
        ANI: admin.add_user(engine, "kemen", ANI, "Ani Lestari", "Biro Umum", None).password,
        LAIN: admin.add_user(engine, "pemda", LAIN, "Orang Lain", "Dinas", None).password,
    }


@contextmanager
def serve(engine: Any, config: ServerConfig, **env: str) -> Iterator[Server]:
    """``wfh-server serve`` on a free loopback port, stopped at the end."""
    port = free_port()
    environ = dict(
        os.environ,
        WFH_SERVER_HOME=str(config.home),
        WFH_SERVER_DATABASE_URL=config.database_url,
        **(
            {
                "WFH_SERVER_ACCESS_TTL_S": "60",
                "WFH_SERVER_REFRESH_GRACE_S": "1",
                "WFH_SERVER_LOCK_S": "2",
                "WFH_SERVER_RATE_BURST": "10000",
            }
            | env
        ),
    )
    url = f"http://127.0.0.1:{port}"

    def launch() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [EXE, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(proc: subprocess.Popen[bytes] | None = None) -> subprocess.Popen[bytes]:
        proc = proc or launch()
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                return proc
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError("wfh-server did not start") from None
                time.sleep(0.1)

    # The people are made (four password hashes) while the server process starts (imports).
    launched = launch()
    try:
        passwords = people(engine)
    except BaseException:
        launched.kill()
        launched.wait(20)
        raise
    procs = [start(launched)]

    def restart() -> None:
        """The server process killed (``kill -9``: mid-transaction, if one is open) and started
        again on the same port, as after a crash."""
        procs[0].kill()
        procs[0].wait(20)
        procs[0] = start()

    try:
        yield Server(url, passwords, engine, restart)
    finally:
        procs[0].terminate()
        procs[0].wait(20)
