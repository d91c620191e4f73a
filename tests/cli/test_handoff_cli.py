"""``wfh colleagues``, ``wfh handoff``, ``wfh inbox``, ``wfh accept``, ``wfh decline`` and
``wfh history`` as a user types them: the real ``wfh`` console script in subprocesses, two
computers (Siti's and Budi's) and the real server on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_sync_cli import YESTERDAY, Computer
from tests.server.served import BUDI, NEW_PASSWORD, SITI


def signed_in(root: Path, server: Any, nip: str) -> Computer:
    pc = Computer(root)
    initial = server.passwords[nip]
    lines = "".join(f"{x}\n" for x in (initial, NEW_PASSWORD, NEW_PASSWORD))
    r = pc("login", "--server", server.url, "--login", nip, input=lines)
    assert r.returncode == 0, (r.stdout, r.stderr)
    server.passwords[nip] = NEW_PASSWORD
    return pc


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the CLI's side
def test_a_task_handed_over_from_the_command_line(server, tmp_path):
    siti = signed_in(tmp_path / "siti", server, SITI)
    budi = signed_in(tmp_path / "budi", server, BUDI)
    siti.ok("task", "add", "Laporan bulanan", "--target", "60")
    siti.ok(
        "session", "add", "Laporan bulanan",
        "--start", f"{YESTERDAY} 08.00", "--end", f"{YESTERDAY} 08.45",
    )  # fmt: skip
    found = siti.ok("colleagues", "keuangan")
    assert BUDI in found and "Budi Santoso" in found and SITI not in found

    r = siti("handoff", "Laporan bulanan", "--to", BUDI, "--note", "  ")
    assert r.returncode == 1 and "note" in r.stderr  # refused, nothing stored
    r = siti("handoff", "Laporan bulanan", "--to", SITI, "--note", "x")
    assert r.returncode == 1 and "yourself" in r.stderr
    out = siti.ok("handoff", "Laporan bulanan", "--to", BUDI, "--note", "Tinggal anggaran")
    assert "Handed over: Laporan bulanan to Budi Santoso" in out and "The server has it." in out

    budi.ok("sync")
    inbox = budi.ok("inbox")
    assert "Laporan bulanan: from Siti Aminah" in inbox
    assert "Note: Tinggal anggaran" in inbox and "Time already spent on it: 45 min" in inbox
    [item] = budi.json("inbox")
    code = item["id"][-6:]
    out = budi.ok("decline", code, "--reason", "Sedang dinas luar")
    assert "Declined: Laporan bulanan; it goes back to Siti Aminah" in out
    assert budi.ok("inbox").startswith("No task handed to you")
    r = budi("accept", code)
    assert r.returncode == 1 and "already answered" in r.stderr

    siti.ok("sync")
    history = siti.ok("history", "Laporan bulanan")
    assert "Answer: declined" in history and "Reason: Sedang dinas luar" in history
    assert "Siti Aminah (" + SITI + ") (you): 45 min" in history
    # In Indonesian, as the user reads it by default.
    assert "Alasan: Sedang dinas luar" in siti.ok("history", "Laporan bulanan", lang="id")
    data = siti.json("history", "Laporan bulanan")
    assert [h["status"] for h in data["handoffs"]] == ["declined"]
    assert json.dumps(data, ensure_ascii=False).count("Sedang dinas luar") == 1


def test_a_handoff_needs_a_signed_in_account(tmp_path):
    pc = Computer(tmp_path / "pc")
    pc.ok("task", "add", "Laporan", "--target", "30")
    r = pc("handoff", "Laporan", "--to", BUDI, "--note", "Tolong")
    assert r.returncode == 1 and "wfh login" in r.stderr
    assert pc.query("SELECT count(*) FROM handoff") == [(0,)]
