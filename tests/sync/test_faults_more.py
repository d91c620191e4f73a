"""More of SYNC.md's fault table, against the real server: F9 (small pages), F16 (a new
computer pulls first and sends nothing), F17 (a protocol the server no longer speaks), F20
(two refreshes at once, and a refresh whose answer was lost)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import MINUTE
from tests.sync import faults
from tests.sync.conftest import add_tasks
from tests.sync.test_faults import PUSH, on_server, results, some_work
from wfh_desktop.sessions import SessionService
from wfh_desktop.sync import engine, http, local
from wfh_desktop.sync.errors import NetworkError, UpdateNeeded
from wfh_desktop.tasks import TaskService


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f9_pages_of_seven_bring_everything_once(desk, proxy, monkeypatch):
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    add_tasks(laptop, (f"Tugas {n:02}" for n in range(60)), 15)
    laptop.sync()
    monkeypatch.setattr(engine, "PULL_LIMIT", 7)
    pc.sign_in()
    report = pc.sync()
    assert report.pulled == 60
    pulls = [s for s in proxy.requests("/v1/sync/pull") if s.upstream_status == 200]
    assert len(pulls) >= 60 // 7
    assert pc.rows("task") == laptop.rows("task")


def test_f16_a_new_computer_pulls_first_and_sends_nothing(desk, proxy):
    laptop, fresh = desk("laptop"), desk("fresh")
    laptop.sign_in()
    TaskService(laptop.profile).add("Sudah ada", 30)
    laptop.sync()
    fresh.sign_in()
    before = len(proxy.requests("/v1/sync/push"))
    report = fresh.sync()
    assert (report.pushed, report.pulled) == (0, 1)
    assert len(proxy.requests("/v1/sync/push")) == before  # no deletes, no overwrites sent
    assert fresh.rows("task") == laptop.rows("task")


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f17_a_protocol_the_server_does_not_speak_keeps_everything(desk, monkeypatch):
    laptop = desk("laptop")
    laptop.sign_in()
    TaskService(laptop.profile).add("Menunggu pembaruan", 30)
    monkeypatch.setattr(http, "PROTOCOL_VERSION", 99)  # an app newer than the server
    with pytest.raises(UpdateNeeded) as e:
        laptop.sync()
    assert "needs a newer WFH Desktop" in str(e.value)
    status = local.status(laptop.profile.conn)
    assert (status.state, status.pending) == ("update", 1)


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f20_two_refreshes_at_once_make_one_request(desk, proxy):
    laptop = desk("laptop")
    laptop.sign_in()
    account = laptop.client.account
    account._access = "expired"
    before = len(proxy.requests("/v1/auth/refresh"))
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            account.refresh("expired")
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(proxy.requests("/v1/auth/refresh")) - before == 1
    assert account.access != "expired"


@pytest.mark.parametrize("server_config", ["sqlite"], indirect=True)  # the client's side
def test_f20_a_refresh_whose_answer_was_lost_does_not_sign_out(desk, proxy, memory_keyring):
    laptop = desk("laptop")
    laptop.sign_in()
    account: Any = laptop.client.account
    account._access = None  # the access token expired
    proxy.queue(faults.drop_response("/v1/auth/refresh"))
    TaskService(laptop.profile).add("Tetap masuk", 30)
    with pytest.raises(NetworkError):
        laptop.sync()
    # The server rotated the token, but its answer never came: the old one works within the
    # grace period, so the user stays signed in and nothing is lost.
    assert laptop.sync().pushed == 1
    assert local.status(laptop.profile.conn).state == "synced"


def test_f1_a_change_that_lost_and_whose_answer_was_lost_ends_as_the_server_has_it(
    desk, server, proxy
):
    """The laptop pulls a colleague computer's newer change before its own older one is
    answered (a sync on another thread, a retry): its own looks applied here, at the server's
    version. The server keeps the newer change, and the answer is lost: the retry's
    ``duplicate`` must bring the record as the server has it, or this computer keeps its own
    value at the same version, for ever (I3)."""
    laptop, pc = desk("laptop"), desk("pc")
    laptop.sign_in()
    _, session_id = some_work(laptop)
    laptop.sync()
    pc.sign_in()
    pc.sync()
    SessionService(laptop.profile).edit(session_id, note="dari laptop")  # the older stamp
    pc.clock.advance(30 * MINUTE)
    SessionService(pc.profile).edit(session_id, note="dari pc")
    pc.sync()
    client = laptop.client
    pulling = engine.Syncer(
        engine.Direct(laptop.profile), laptop.clock, client.transport, client.account
    )
    pulling.pull_all()
    here = laptop.profile.conn.execute("SELECT note, version FROM session").fetchone()
    there = pc.profile.conn.execute("SELECT note, version FROM session").fetchone()
    assert here == ("dari laptop", there[1])  # rebased: its pending change on the pulled record
    proxy.queue(faults.drop_response(PUSH))
    with pytest.raises(NetworkError):
        laptop.sync()
    laptop.sync()
    assert results(laptop)[-1] == "duplicate"
    assert [r["note"] for r in on_server(server, "session")] == ["dari pc"]  # newer won
    pc.sync()
    assert laptop.rows("session") == pc.rows("session")
