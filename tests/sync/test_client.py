"""The desktop's sync with the real server: sign-in binds the profile, the outbox goes up once,
the feed comes down, and two computers of one person converge."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import MINUTE, MONDAY_0800_WIB
from tests.server.served import SITI
from tests.sync.conftest import Desk
from wfh_desktop.clock import FixedClock
from wfh_desktop.sessions import SessionService
from wfh_desktop.sync import local
from wfh_desktop.tasks import TaskService
from wfh_desktop.timer import TimerService


def outbox(desk: Any) -> list[tuple[str, str]]:
    return desk.profile.conn.execute("SELECT type, status FROM outbox ORDER BY seq").fetchall()


def test_first_sign_in_makes_earlier_work_the_accounts_and_sends_it_once(desks):
    laptop = desks("laptop")
    local_user = laptop.profile.user_id
    TaskService(laptop.profile).add("Menyusun laporan", 30)
    TimerService(laptop.profile).start("Menyusun laporan")
    laptop.clock.advance(20 * MINUTE)
    TimerService(laptop.profile).stop()

    signed = laptop.sign_in()
    assert signed.first
    account = signed.user.user_id
    assert account != local_user and laptop.profile.user_id == account
    [(owner,)] = laptop.profile.conn.execute("SELECT owner_user_id FROM session").fetchall()
    assert owner == account
    report = laptop.sync()
    # the task, and the session with its stop folded in (outbox.fold)
    assert report.pushed == 2 and report.rejected == 0
    assert {status for _, status in outbox(laptop)} == {"acked"}
    assert local.status(laptop.profile.conn).state == "synced"

    # Nothing more goes up; the second sync is one pull answered "nothing new".
    again = laptop.sync()
    assert (again.pushed, again.pulled, again.requests) == (0, 0, 1)


def test_two_computers_of_one_person_converge(desks):
    laptop, pc = desks("laptop"), desks("pc")
    laptop.sign_in()
    pc.sign_in()
    task = TaskService(laptop.profile).add("Rapat koordinasi", 60)
    SessionService(laptop.profile).add(
        task.id, laptop.clock.now_ms() - 50 * MINUTE, laptop.clock.now_ms() - 10 * MINUTE, "pagi"
    )
    laptop.sync()
    pc.sync()
    assert pc.rows("task") == laptop.rows("task")
    assert pc.rows("session") == laptop.rows("session")

    # An edit on the PC and a deletion on the laptop travel back.
    TaskService(pc.profile).edit(task.id, title="Rapat koordinasi mingguan")
    pc.sync()
    laptop.sync()
    assert TaskService(laptop.profile).find(task.id).title == "Rapat koordinasi mingguan"
    [session_id] = [r[0] for r in laptop.rows("session")]
    SessionService(laptop.profile).remove(session_id)
    laptop.sync()
    pc.sync()
    laptop.sync()
    assert pc.rows("session") == laptop.rows("session")
    assert pc.rows("session")[0][-1] is not None  # deleted there too
    assert pc.rows("task") == laptop.rows("task")


def test_a_push_whose_answer_was_lost_is_answered_duplicate_and_stored_once(desks):
    laptop, pc = desks("laptop"), desks("pc")
    laptop.sign_in()
    TaskService(laptop.profile).add("Laporan bulanan", 30)
    laptop.sync()
    # As if the program died after the server committed and before the answer was written.
    with laptop.profile.write() as (conn, _):
        conn.execute("UPDATE outbox SET status = 'pending', result = NULL")
    report = laptop.sync()
    assert report.pushed == 1
    [(result,)] = laptop.profile.conn.execute("SELECT result FROM outbox").fetchall()
    assert '"duplicate"' in result
    pc.sign_in()
    pc.sync()
    assert len(pc.rows("task")) == 1 and pc.rows("task") == laptop.rows("task")


def test_no_token_is_written_to_the_database_or_settings(desks, memory_keyring, tmp_path):
    laptop = desks("laptop")
    laptop.sign_in()
    laptop.sync()
    [refresh] = memory_keyring.secrets.values()
    access = laptop.client.account.access
    assert refresh and access
    laptop.profile.conn.execute("PRAGMA wal_checkpoint(FULL)")
    for f in tmp_path.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert refresh.encode() not in data and access.encode() not in data, f


def test_an_expired_access_token_is_refreshed_without_the_user_noticing(
    tmp_path, hasty_server, memory_keyring
):
    desk = Desk(tmp_path / "d" / "wfh.db", FixedClock(MONDAY_0800_WIB), hasty_server)
    try:
        desk.sign_in()
        desk.sync()
        time.sleep(2.5)  # the server's access tokens last 2 s here
        TaskService(desk.profile).add("Setelah token kedaluwarsa", 15)
        assert desk.sync().pushed == 1
    finally:
        desk.close()


@pytest.mark.parametrize("answer", ["wrong password", "unreachable"])
def test_sign_in_failures_say_what_happened_and_keep_everything(desks, answer):
    from wfh_desktop.sync.client import SyncClient
    from wfh_desktop.sync.errors import NetworkError, SyncError

    laptop = desks("laptop")
    TaskService(laptop.profile).add("Tetap ada", 30)
    if answer == "wrong password":
        with pytest.raises(SyncError) as e:
            laptop.client.sign_in(SITI, "salah-sekali")
        assert str(e.value) == "Wrong NIP, e-mail or password."
    else:
        client = SyncClient(laptop.profile, server_url="http://127.0.0.1:9")
        with pytest.raises(NetworkError) as e:
            client.sign_in(SITI, "apa saja")
        client.close()
        assert "cannot be reached" in str(e.value)
    assert outbox(laptop) == [("task.upsert", "pending")]
    assert local.meta(laptop.profile.conn, "account_user_id") is None


def test_large_answers_come_gzip_compressed(desks):
    laptop = desks("laptop")
    laptop.sign_in()
    with laptop.profile.write() as (conn, outbox):
        for n in range(20):
            TaskService(laptop.profile).insert(
                conn, outbox, {"title": f"Tugas {n}", "target_minutes": 30}
            )
    laptop.sync()
    client = laptop.client
    answer = client.transport.send(
        "GET", "/v1/sync/pull", params={"since": 0}, headers=client.account.auth_headers()
    )
    assert answer.status == 200 and answer.headers["content-encoding"] == "gzip"
    assert len(answer.body) > 20 * 200  # read back whole, decompressed
