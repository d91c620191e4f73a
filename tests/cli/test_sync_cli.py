"""``wfh login``, ``wfh logout`` and ``wfh sync`` as a user types them: the real ``wfh`` console
script in subprocesses, against the real server process on loopback (on SQLite and on
PostgreSQL). The one stand-in is the OS keyring, which tests cannot have: a file-backed keyring
shared by the processes of one computer (or the "no keyring" backend)."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Wfh
from tests.server.served import NEW_PASSWORD, SITI

REPO = Path(__file__).resolve().parents[2]
FILE_KEYRING = "tests.helpers.memory_keyring.FileKeyring"
NO_KEYRING = "keyring.backends.fail.Keyring"
# Yesterday in the office zone (WIB): a manual session there has ended by the real clock, which
# the server and the client use here (sync is against a real server, so no fake "now").
YESTERDAY = (datetime.now(ZoneInfo("Asia/Jakarta")) - timedelta(days=1)).date().isoformat()


class Computer(Wfh):
    """One computer: a profile folder (WFH_HOME) and its own keyring file; the real clock; and
    standard input that is never a terminal (empty unless given), so nothing waits for a
    keyboard."""

    def __init__(self, root: Path, backend: str = FILE_KEYRING) -> None:
        super().__init__(root / "home")
        self.keyring = root / "keyring.json"
        self.extra = {
            "PYTHON_KEYRING_BACKEND": backend,
            "WFH_TEST_KEYRING": str(self.keyring),
            "PYTHONPATH": str(REPO),
        }

    def env(self, now: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
        return super().env(now, self.extra | (extra or {}))

    def __call__(self, *args: str, **kw: Any) -> Any:
        kw.setdefault("now", None)
        kw.setdefault("input", "")
        return super().__call__(*args, **kw)

    def login(self, url: str, password: str, *more: str, **kw: Any) -> Any:
        """``wfh login`` for Siti, the password (and any new ones) typed one per line."""
        lines = "".join(f"{line}\n" for line in (password, *more))
        return self("login", "--server", url, "--login", SITI, input=lines, **kw)

    def first_login(self, server: Any, url: str | None = None) -> Any:
        """The first sign-in of the account: the initial password, then the new one twice."""
        initial = server.passwords[SITI]
        r = self.login(url or server.url, initial, NEW_PASSWORD, NEW_PASSWORD)
        assert r.returncode == 0, (r.stdout, r.stderr)
        server.passwords[SITI] = NEW_PASSWORD
        return r

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def meta(self) -> dict[str, str]:
        return dict(self.query("SELECT key, value FROM sync_meta"))

    def outbox(self) -> list[str]:
        return [status for (status,) in self.query("SELECT status FROM outbox ORDER BY seq")]

    def tokens(self) -> list[str]:
        """The secrets in this computer's keyring."""
        if not self.keyring.exists():
            return []
        return list(json.loads(self.keyring.read_text()).values())

    def saved_server(self) -> str | None:
        """The server in the settings file, if one was saved."""
        settings = self.home / "config" / "settings.json"
        if not settings.exists():
            return None
        value: str | None = json.loads(settings.read_text()).get("server_url")
        return value

    def status(self) -> dict[str, Any]:
        s: dict[str, Any] = self.json("sync", "--status")
        return s


class Cable:
    """A TCP relay to the server that can be unplugged and plugged in again on the same port:
    the server goes out of reach for the computer while it keeps running."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "", parts.port or 80)
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.plug()
        self.url = f"http://127.0.0.1:{self.port}"

    def plug(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def unplug(self) -> None:
        """Connections are refused from now on; open ones are cut."""
        assert self.listener is not None
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked on it
        self.listener.close()
        self.listener = None
        for s in self.sockets:
            s.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                near, _ = listener.accept()
            except OSError:
                return
            far = socket.create_connection(self.target)
            self.sockets += [near, far]
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            a.close()
            b.close()


@pytest.fixture
def cable(server: Any) -> Iterator[Cable]:
    relay = Cable(server.url)
    yield relay
    if relay.listener is not None:
        relay.unplug()


@pytest.fixture
def nowhere() -> Iterator[str]:
    """A loopback address where nothing listens: its port is held by a socket that never
    listens, so connections are refused and no other program takes the port meanwhile."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"


def signed_in_line(url: str) -> str:
    return f"Signed in as Siti Aminah (NIP {SITI}), Biro Umum, at {url}."


def a_day_of_work(pc: Computer) -> None:
    pc.ok("task", "add", "Menyusun laporan", "--target", "30")
    pc.ok(
        "session", "add", "Menyusun laporan",
        "--start", f"{YESTERDAY} 08.00", "--end", f"{YESTERDAY} 09.00",
    )  # fmt: skip


# ---- with the server --------------------------------------------------------------------------


def test_first_sign_in_sends_the_earlier_work_and_a_second_computer_gets_it(server, tmp_path):
    desk = Computer(tmp_path / "desk")
    a_day_of_work(desk)
    assert desk.outbox() == ["pending", "pending"]
    # A connection held open here keeps the WAL file the wfh processes write (the last one to
    # close would fold it into the database and delete it), so that its bytes are searched too.
    holder = sqlite3.connect(desk.db)
    holder.execute("SELECT count(*) FROM sync_meta").fetchall()

    r = desk.first_login(server)
    lines = r.stdout.splitlines()
    assert signed_in_line(server.url) in lines
    assert "This is your initial password" in r.stdout
    assert lines[-1] == "Synced: 2 changes sent, 0 received."
    assert r.stderr == ""
    assert desk.outbox() == ["acked", "acked"]
    status = desk.status()
    assert status["state"] == "synced" and status["pending"] == 0
    assert status["server_url"] == server.url
    assert status["account"] == f"Siti Aminah ({SITI})"
    # The server is remembered for the next commands, in the settings too.
    assert desk.saved_server() == server.url

    # A later sync, in a new process: the sign-in comes from the keyring, nothing is asked.
    [signed] = desk.tokens()
    assert desk.ok("sync") == "Synced: 0 changes sent, 0 received.\n"

    # The refresh token is in the keyring only: in no file of the profile (the database and
    # its WAL, the settings, the logs), neither the sign-in's nor the one a refresh gave.
    tokens = [signed, *desk.tokens()]
    assert all(len(t) >= 20 for t in tokens)
    wal = desk.db.with_name("wfh.db-wal")
    assert b"Siti Aminah" in wal.read_bytes()  # it holds what the sign-in wrote
    files = [f for f in desk.home.rglob("*") if f.is_file()]
    assert {desk.db, wal, desk.home / "config" / "settings.json"} <= set(files)
    for f in files:
        data = f.read_bytes()
        for token in tokens:
            assert token.encode() not in data, f
    holder.close()

    # Another computer of Siti's signs in with the new password and gets the work.
    laptop = Computer(tmp_path / "laptop")
    r = laptop.login(server.url, NEW_PASSWORD)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert signed_in_line(server.url) in r.stdout.splitlines()
    assert r.stdout.splitlines()[-1] == "Synced: 0 changes sent, 2 received."
    tasks = laptop.json("task", "list")
    assert [(t["title"], t["target_minutes"]) for t in tasks] == [("Menyusun laporan", 30)]
    sessions = laptop.json("log", "--day", YESTERDAY)
    assert [(s["task"], s["seconds"], s["source"]) for s in sessions] == [
        ("Menyusun laporan", 3600, "manual")
    ]


def test_failed_sign_ins_say_why_and_keep_everything_as_it_was(server, tmp_path):
    desk = Computer(tmp_path / "desk")
    desk.ok("task", "add", "Rapat koordinasi", "--target", "15")

    r = desk.login(server.url, "not-the-password")
    assert r.returncode == 1
    assert r.stderr == "wfh: Wrong NIP, e-mail or password.\n"
    assert "Signed in" not in r.stdout

    # The initial password is right, but the new one is typed differently the second time.
    r = desk.login(server.url, server.passwords[SITI], NEW_PASSWORD, NEW_PASSWORD + "x")
    assert r.returncode == 1
    assert "This is your initial password: choose a new one" in r.stdout
    assert r.stderr == "wfh: The two new passwords differ; nothing was changed.\n"

    # Nothing is stored: no account, no server, no token; the task still waits to be sent.
    assert "account_user_id" not in desk.meta()
    assert desk.saved_server() is None
    assert desk.tokens() == []
    assert desk.outbox() == ["pending"]
    assert desk.status()["state"] == "local"
    assert [t["title"] for t in desk.json("task", "list")] == ["Rapat koordinasi"]
    # ... and on the server the initial password is still the one to change.
    answer = server.login(SITI, "01000000-0000-7000-8000-000000000001")
    assert answer.status_code == 200, answer.text
    assert answer.json()["user"]["must_change_password"] is True


def test_without_a_keyring_the_sign_in_lasts_one_command(server, tmp_path):
    desk = Computer(tmp_path / "desk", backend=NO_KEYRING)
    desk.ok("task", "add", "Rapat koordinasi", "--target", "15")

    r = desk.first_login(server)
    assert signed_in_line(server.url) in r.stdout.splitlines()
    assert (
        "This computer has no keyring to keep the sign-in safely, so you will be asked for your "
        "password again next time." in r.stdout.splitlines()
    )
    assert r.stdout.splitlines()[-1] == "Synced: 1 changes sent, 0 received."
    assert desk.outbox() == ["acked"]
    assert not desk.keyring.exists()  # the file-backed stand-in was not used at all

    desk.ok("task", "add", "Menyusun laporan")
    r = desk("sync")
    assert r.returncode == 1
    assert r.stderr == "wfh: Sign in to sync ('wfh login'); your work is kept.\n"
    status = desk.status()
    assert status["state"] == "sign_in" and status["pending"] == 1
    assert desk.ok("sync", "--status").startswith("Sign-in needed\n")


def test_changes_made_offline_are_kept_through_sign_out_and_sent_at_the_next_sign_in(
    server, cable, tmp_path
):
    desk = Computer(tmp_path / "desk")
    desk.first_login(server, cable.url)
    device = desk.meta()["device_id"]
    [token] = desk.tokens()
    desk.ok("task", "add", "Rapat koordinasi", "--target", "15")

    # The server goes out of reach after the sign-in.
    cable.unplug()
    r = desk("sync")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (
        "wfh: The server cannot be reached (offline?); your work is kept and will be sent later.\n"
    )
    text = desk.ok("sync", "--status").splitlines()
    assert text[0] == "Offline: 1 changes wait to be sent"
    assert "Changes waiting to be sent: 1" in text
    assert desk.outbox() == ["pending"]
    assert desk.tokens() == [token]  # an unreachable server signs no one out

    # Signing out, in Indonesian as most users see it, with the change still unsent.
    cable.plug()
    r = desk("logout", lang="id")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "Anda sudah keluar. Semua yang Anda catat tetap ada di komputer ini.",
        "Perhatian: 1 perubahan belum ada di server; perubahan itu dikirim setelah Anda masuk "
        "lagi.",
    ]
    assert desk.tokens() == []
    assert server.refresh(token, device).status_code == 401  # revoked on the server too
    assert [t["title"] for t in desk.json("task", "list")] == ["Rapat koordinasi"]
    assert desk.outbox() == ["pending"]

    r = desk("sync", lang="id")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (
        "wfh: Masuk untuk menyinkronkan ('wfh login'); pekerjaan Anda tetap tersimpan.\n"
    )
    assert desk.ok("sync", "--status", lang="id").startswith("Perlu masuk\n")

    # Signing in again sends it: the server is remembered, the NIP is typed in too, and there
    # is no initial password to change any more.
    r = desk("login", input=f"{SITI}\n{NEW_PASSWORD}\n")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert signed_in_line(cable.url) in r.stdout.splitlines()
    assert r.stdout.splitlines()[-1] == "Synced: 1 changes sent, 0 received."
    assert desk.outbox() == ["acked"]


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's words only
def test_a_computer_with_nothing_tracked_is_not_told_its_earlier_work_is_sent(server, tmp_path):
    desk = Computer(tmp_path / "desk")
    r = desk.first_login(server)
    lines = r.stdout.splitlines()
    assert signed_in_line(server.url) in lines
    assert lines[-1] == "Synced: 0 changes sent, 0 received."
    assert "This computer's earlier work now belongs to your account and is sent now." not in lines


# ---- without a server -------------------------------------------------------------------------


def test_sync_without_a_server_says_how_to_set_one(tmp_path):
    desk = Computer(tmp_path / "desk")
    desk.ok("task", "add", "Rapat koordinasi")
    r = desk("sync")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (
        "wfh: No server is set: this computer keeps your work locally. To sync, sign in with "
        "'wfh login --server ADDRESS'.\n"
    )
    assert desk.ok("sync", "--status") == (
        "Local only: no server is set.\nChanges waiting to be sent: 1\n"
    )
    status = desk.status()
    assert status["state"] == "local" and status["pending"] == 1
    assert status["server_url"] is None


def test_an_unreachable_server_loses_nothing(tmp_path, nowhere):
    desk = Computer(tmp_path / "desk")
    a_day_of_work(desk)
    r = desk("login", "--server", nowhere, "--login", SITI, input="kata-sandi-apa-saja\n")
    assert r.returncode == 1
    assert "Signed in" not in r.stdout
    assert r.stderr == (
        "wfh: The server cannot be reached (offline?); your work is kept and will be sent later.\n"
    )
    assert desk.outbox() == ["pending", "pending"]
    assert "account_user_id" not in desk.meta()
    assert desk.saved_server() is None
    assert [t["title"] for t in desk.json("task", "list")] == ["Menyusun laporan"]
    assert len(desk.json("log", "--day", YESTERDAY)) == 1


def test_plain_http_is_refused_for_a_server_elsewhere(tmp_path):
    desk = Computer(tmp_path / "desk")
    r = desk("login", "--server", "http://example.go.id", "--login", SITI, input="rahasia\n")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (
        "wfh: The server address must start with https://; plain http:// is only for a server "
        "on this computer.\n"
    )
    assert desk.saved_server() is None


def test_a_login_with_no_password_given_stops_at_once(tmp_path, nowhere):
    desk = Computer(tmp_path / "desk")
    r = desk("login", "--server", nowhere, "--login", SITI, input="")
    assert r.returncode == 1
    assert r.stderr == "wfh: No password was given.\n"
