"""Signing in, token rotation, lockout and the directory, against the real server process on
loopback (``wfh-server serve``), on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import httpx
from sqlalchemy import select

from tests.server.served import ANI, BUDI, NEW_PASSWORD, SITI
from tests.server.served import problem as _problem
from wfh_server import admin
from wfh_server.db import transaction
from wfh_server.models import AppUser, RefreshToken
from wfh_server.tokens import hash_refresh


def test_sign_in_by_nip_or_email_and_see_only_colleagues(server):
    r = server.login(SITI, "dev-siti")
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens["user"]["name"] == "Siti Aminah" and tokens["user"]["unit"] == "Biro Umum"
    assert tokens["user"]["must_change_password"] is True
    # Nothing but changing the initial password until it is changed.
    _problem(server.directory(tokens["access_token"]), 403, "password_change_required")
    siti = server.ready(SITI, "dev-siti")
    assert server.login("SITI@contoh.go.id", "dev-siti", NEW_PASSWORD).status_code == 200
    people = server.directory(siti.access).json()["people"]
    assert people == [
        {"name": "Ani Lestari", "unit": "Biro Umum", "nip": ANI},
        {"name": "Budi Santoso", "unit": "Biro Keuangan", "nip": BUDI},
        {"name": "Siti Aminah", "unit": "Biro Umum", "nip": SITI},
    ]  # the other organisation's user is not there, and nothing more than these fields
    assert [p["nip"] for p in server.directory(siti.access, "keuangan").json()["people"]] == [BUDI]
    # Search characters are plain characters, the same on SQLite and PostgreSQL.
    for odd in ("\\", "%", "_"):
        assert server.directory(siti.access, odd).json()["people"] == [], odd
    admin.disable_user(server.engine, ANI)
    assert ANI not in [p["nip"] for p in server.directory(siti.access).json()["people"]]


def test_wrong_passwords_slow_down_then_lock(server):
    for _ in range(3):
        _problem(server.login(BUDI, "dev-budi", "salah"), 401, "invalid_credentials")
    locked = _problem(server.login(BUDI, "dev-budi"), 429, "login_locked")  # even the right one
    assert locked["detail"]
    assert int(server.login(BUDI, "dev-budi").headers["Retry-After"]) >= 1
    with transaction(server.engine) as s:  # four failures so far; the fifth locks
        user = s.scalars(select(AppUser).where(AppUser.nip == BUDI)).one()
        user.failed_logins, user.locked_until = 4, None
    _problem(server.login(BUDI, "dev-budi", "salah"), 401, "invalid_credentials")
    _problem(server.login(BUDI, "dev-budi"), 429, "login_locked")
    time.sleep(2.1)  # the lock (2 s in this test server) ends
    assert server.login(BUDI, "dev-budi").status_code == 200
    _problem(server.login("tidak-ada", "dev-x", "apa"), 401, "invalid_credentials")


def test_refresh_rotates_with_a_grace_period_and_reuse_ends_the_sign_in(server):
    first = server.login(SITI, "dev-siti").json()["refresh_token"]
    second = server.refresh(first, "dev-siti").json()["refresh_token"]
    # The answer with `second` was lost: `first` still works for a moment, once more.
    third = server.refresh(first, "dev-siti").json()["refresh_token"]
    fourth = server.refresh(third, "dev-siti").json()["refresh_token"]
    # `second` was replaced: whoever shows it may have stolen it. The sign-in ends.
    _problem(server.refresh(second, "dev-siti"), 401, "invalid_grant")
    _problem(server.refresh(fourth, "dev-siti"), 401, "invalid_grant")

    one = server.login(SITI, "dev-siti").json()["refresh_token"]
    two = server.refresh(one, "dev-siti").json()["refresh_token"]
    time.sleep(1.2)  # past the grace period (1 s in this test server)
    _problem(server.refresh(one, "dev-siti"), 401, "invalid_grant")  # reuse: stolen?
    _problem(server.refresh(two, "dev-siti"), 401, "invalid_grant")  # the family is revoked
    other = server.login(SITI, "dev-siti").json()["refresh_token"]
    _problem(server.refresh(other, "dev-lain"), 401, "invalid_grant")  # bound to its device
    with transaction(server.engine) as s:
        hashes = {t.token_hash for t in s.scalars(select(RefreshToken))}
    assert other not in hashes and hash_refresh(other) in hashes  # only hashes are kept


def test_a_password_reset_signs_out_every_device(server):
    tokens = server.login(SITI, "dev-siti").json()
    admin.reset_password(server.engine, SITI)
    _problem(server.refresh(tokens["refresh_token"], "dev-siti"), 401, "invalid_grant")
    _problem(server.login(SITI, "dev-siti"), 401, "invalid_credentials")  # the old password


def test_the_same_nip_in_two_organisations_signs_in_with_the_organisation_named(server):
    admin.create_unit(server.engine, "pemda", "Sekretariat")
    twin = admin.add_user(server.engine, "pemda", SITI, "Siti Aminah", "Sekretariat", None)
    _problem(server.login(SITI, "dev-siti"), 409, "login_ambiguous")
    r = httpx.post(
        f"{server.url}/v1/auth/login",
        json={"login": SITI, "password": twin.password, "device_id": "dev-twin", "org": "pemda"},
        timeout=10,
    )
    assert r.status_code == 200 and r.json()["user"]["org_id"] == "pemda"


def test_logout_revokes_and_access_tokens_expire(hasty_server):
    server = hasty_server
    server.ready(SITI, "dev-siti")
    tokens = server.login(SITI, "dev-siti").json()
    r = httpx.post(
        f"{server.url}/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, timeout=10
    )
    assert r.status_code == 204
    _problem(server.refresh(tokens["refresh_token"], "dev-siti"), 401, "invalid_grant")
    assert server.directory(tokens["access_token"]).status_code == 200
    time.sleep(2.1)  # access tokens last 2 s in this test server
    _problem(server.directory(tokens["access_token"]), 401, "token_invalid")
    forged = tokens["access_token"][:-4] + "AAAA"
    _problem(server.directory(forged), 401, "token_invalid")
    _problem(httpx.get(f"{server.url}/v1/directory", timeout=10), 401, "unauthorized")


def test_disabled_accounts_revoked_devices_and_taken_devices_are_refused(server):
    server.ready(SITI, "dev-siti")
    server.ready(BUDI, "dev-budi")
    siti = server.login(SITI, "dev-siti").json()
    budi = server.login(BUDI, "dev-budi").json()
    _problem(server.login(BUDI, "dev-siti"), 409, "device_taken")
    admin.revoke_device(server.engine, "dev-budi")
    _problem(server.directory(budi["access_token"]), 403, "device_revoked")
    _problem(server.refresh(budi["refresh_token"], "dev-budi"), 403, "device_revoked")
    _problem(server.login(BUDI, "dev-budi"), 403, "device_revoked")
    admin.disable_user(server.engine, SITI)
    _problem(server.directory(siti["access_token"]), 403, "account_disabled")
    _problem(server.login(SITI, "dev-siti"), 403, "account_disabled")


def test_malformed_requests_get_a_problem_not_a_crash(server):
    r = httpx.post(f"{server.url}/v1/auth/login", json={"login": SITI}, timeout=10)
    body = _problem(r, 422, "invalid_request")
    assert "password" in body["detail"]
    r = httpx.post(f"{server.url}/v1/auth/login", content=b"{not json", timeout=10,
                   headers={"content-type": "application/json"})  # fmt: skip
    _problem(r, 422, "invalid_request")
    _problem(httpx.get(f"{server.url}/v1/nothing-here", timeout=10), 404, "http_404")


def _at_once(n: int, call: Any) -> list[httpx.Response]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: call(), range(n)))


def test_wrong_passwords_at_once_are_each_counted(server):
    answers = _at_once(
        12,
        lambda: server.login(BUDI, "dev-budi", "salah"),
    )
    codes = [r.json()["code"] for r in answers]
    assert set(codes) <= {"invalid_credentials", "login_locked"}
    with transaction(server.engine) as s:
        user = s.scalars(select(AppUser).where(AppUser.nip == BUDI)).one()
    assert user.failed_logins == codes.count("invalid_credentials") >= 3  # none lost
    assert user.locked_until is not None


def test_one_refresh_token_used_twice_at_once_leaves_one_sign_in(server):
    first = server.login(SITI, "dev-siti").json()["refresh_token"]
    answers = _at_once(4, lambda: server.refresh(first, "dev-siti"))
    issued = [r.json()["refresh_token"] for r in answers if r.status_code == 200]
    assert issued
    with transaction(server.engine) as s:
        live = [
            t
            for t in s.scalars(select(RefreshToken).where(RefreshToken.revoked_at.is_(None)))
            if t.used_at is None
        ]
    assert len(live) == 1  # one chain goes on; every other token issued is already revoked
    assert live[0].token_hash in {hash_refresh(t) for t in issued}


def test_the_initial_password_is_changed_and_other_devices_signed_out(server):
    laptop = server.login(SITI, "dev-siti").json()
    phone = server.login(SITI, "dev-hp").json()

    def change(old: str, new: str) -> httpx.Response:
        return httpx.post(
            f"{server.url}/v1/auth/password",
            json={"old_password": old, "new_password": new},
            headers={"Authorization": f"Bearer {laptop['access_token']}"},
            timeout=10,
        )

    _problem(change("salah", "kata-sandi-baru-123"), 401, "invalid_credentials")
    _problem(change(server.passwords[SITI], "pendek"), 422, "invalid_request")
    assert change(server.passwords[SITI], "kata-sandi-baru-123").status_code == 204
    _problem(server.login(SITI, "dev-siti"), 401, "invalid_credentials")  # the old one
    again = server.login(SITI, "dev-siti", "kata-sandi-baru-123").json()
    assert again["user"]["must_change_password"] is False
    _problem(server.refresh(phone["refresh_token"], "dev-hp"), 401, "invalid_grant")
    assert server.refresh(laptop["refresh_token"], "dev-siti").status_code == 200
