"""``wfh-server`` run for real: its commands in a subprocess, and ``serve`` on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from wfh_server.db import head_revision

EXE = str(Path(sys.executable).with_name("wfh-server"))
NIP_SITI = "198501012010011001"


def _env(config) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env["WFH_SERVER_HOME"] = str(config.home)
    env["WFH_SERVER_DATABASE_URL"] = config.database_url
    return env


def _run(config, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "--lang", lang, *args],
        env=_env(config),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_administrator_sets_up_an_agency(server_config, tmp_path):
    r = _run(server_config, "org", "create", "Kementerian Contoh", "--id", "kemen")
    assert r.returncode == 1 and "run 'wfh-server migrate' first" in r.stderr
    assert _run(server_config, "migrate").returncode == 0
    assert (
        _run(server_config, "org", "create", "Kementerian Contoh", "--id", "kemen").returncode == 0
    )
    assert _run(server_config, "unit", "create", "Biro Umum", "--org", "kemen").returncode == 0
    users = tmp_path / "users.csv"
    users.write_text(
        f"nip,name,unit,email\n{NIP_SITI},Siti Aminah,Biro Umum,\n123,Budi,Biro Umum,\n",
        encoding="utf-8",
    )
    r = _run(server_config, "user", "import", str(users), "--org", "kemen", "--dry-run")
    assert r.returncode == 1
    assert "line 3: A NIP must be 18 digits" in r.stderr
    assert "nothing was imported" in r.stderr
    r = _run(server_config, "user", "import", str(users), "--org", "kemen", lang="id")
    assert r.returncode == 1 and "baris 3" in r.stderr and "tidak ada yang diimpor" in r.stderr
    users.write_text(f"nip,name,unit,email\n{NIP_SITI},Siti Aminah,Biro Umum,\n", encoding="utf-8")
    r = _run(server_config, "user", "import", str(users), "--org", "kemen", "--dry-run")
    assert r.returncode == 0 and "1 users would be added" in r.stdout
    r = _run(server_config, "user", "import", str(users), "--org", "kemen")
    assert r.returncode == 0 and NIP_SITI in r.stdout
    r = _run(server_config, "user", "disable", NIP_SITI)
    assert r.returncode == 0 and "can no longer sign in" in r.stdout
    r = _run(server_config, "user", "add", "--org", "kemen", "--nip", "1", "--name", "X",
             "--unit", "Biro Umum")  # fmt: skip
    assert r.returncode == 1 and r.stderr.count("\n") == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _served(server_config, tmp_path, *flags: str) -> tuple[dict, dict, str]:
    """``wfh-server serve`` on loopback: its health, its OpenAPI description and what it
    printed while answering them."""
    port = _free_port()
    printed = tmp_path / f"serve{len(flags)}.log"
    with printed.open("w") as out:
        proc = subprocess.Popen(
            [EXE, "serve", "--host", "127.0.0.1", "--port", str(port), *flags],
            env=_env(server_config),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert health.status_code == 200
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).json()
    finally:
        proc.terminate()
        proc.wait(20)
    return health.json(), spec, printed.read_text()


def test_serve_answers_on_loopback(server_config, tmp_path):
    assert _run(server_config, "migrate").returncode == 0
    body, spec, printed = _served(server_config, tmp_path)
    assert body["status"] == "ok" and body["schema_revision"] == head_revision()
    assert body["database"] in ("sqlite", "postgresql")
    assert "/healthz" in spec["paths"]
    assert "Uvicorn running" in printed and "GET /healthz" not in printed  # no access log
    _, _, printed = _served(server_config, tmp_path, "--access-log")
    assert '"GET /healthz HTTP/1.1" 200' in printed


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path):
    from wfh_server.config import ServerConfig

    config = ServerConfig(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    r = _run(config, "migrate")
    assert r.returncode == 1
    assert r.stderr.startswith("wfh-server: the database cannot be used:")
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1
