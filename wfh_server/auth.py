"""Signing in, refresh-token rotation, signing out, and checking an access token.

Failed sign-ins first slow down (each next try waits 2 s, 4 s, ...) and then lock the account
for a while; a refresh token is rotated on every use, the previous one still works for a short
grace period (a lost answer must not sign the user out), and an old one used after that revokes
its whole family (``SYNC.md``: authentication).
"""

from __future__ import annotations

import time
from typing import NamedTuple

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from wfh_desktop.ids import uuid7
from wfh_server.config import ServerConfig
from wfh_server.db import transaction
from wfh_server.models import AppUser, Device, RefreshToken, Unit
from wfh_server.protocol import PROTOCOL_VERSION, Tokens, UserInfo
from wfh_server.tokens import BadToken, hash_refresh, new_refresh, sign, verify


class AuthError(Exception):
    """A refusal, with its HTTP status and stable code; ``retry_after_s`` for a wait."""

    def __init__(self, status: int, code: str, detail: str, retry_after_s: int | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.retry_after_s = (
            status,
            code,
            detail,
            retry_after_s,
        )


class Caller(NamedTuple):
    user: AppUser
    device: Device


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def _verify_password(user: AppUser, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerifyMismatchError

    try:
        return PasswordHasher().verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _find_login(s: Session, login: str) -> AppUser | None:
    text = login.strip()
    found = list(
        s.scalars(
            select(AppUser).where(
                (AppUser.nip == text) | (func.lower(AppUser.email) == text.lower())
            )
        )
    )
    return found[0] if len(found) == 1 else None


class Auth:
    def __init__(self, engine: Engine, config: ServerConfig, key: bytes) -> None:
        self.engine, self.config, self.key = engine, config, key

    # ---- signing in --------------------------------------------------------------------

    def login(self, login: str, password: str, device_id: str, device_name: str | None,
              protocol: int) -> Tokens:  # fmt: skip
        if protocol != PROTOCOL_VERSION:
            raise AuthError(426, "protocol_unsupported", "This server speaks protocol 1.")
        now = now_ms()
        with transaction(self.engine) as s:
            user = _find_login(s, login)
            if user is None:
                raise AuthError(401, "invalid_credentials", "Wrong NIP, e-mail or password.")
            if user.locked_until is not None and user.locked_until > now:
                wait = (user.locked_until - now + 999) // 1000
                raise AuthError(429, "login_locked", "Too many failed sign-ins.", wait)
            ok = _verify_password(user, password)
            if not ok:
                user.failed_logins += 1
                if user.failed_logins >= self.config.lock_after:
                    user.locked_until = now + self.config.lock_s * 1000
                elif user.failed_logins >= self.config.slow_after:
                    step = 2 ** (user.failed_logins - self.config.slow_after + 1)
                    user.locked_until = now + step * 1000
        # The failure's count is stored (committed above) before the refusal.
        if not ok:
            raise AuthError(401, "invalid_credentials", "Wrong NIP, e-mail or password.")
        with transaction(self.engine) as s:
            user = s.get(AppUser, (user.org_id, user.user_id))
            assert user is not None
            if user.disabled_at is not None:
                raise AuthError(403, "account_disabled", "This account is disabled.")
            user.failed_logins, user.locked_until = 0, None
            device = s.get(Device, (user.org_id, device_id))
            if device is None:
                device = Device(
                    org_id=user.org_id,
                    device_id=device_id,
                    user_id=user.user_id,
                    name=device_name,
                    last_seq=0,
                    protocol=protocol,
                    registered_at=now,
                    last_seen_at=now,
                )
                s.add(device)
            elif device.user_id != user.user_id:
                raise AuthError(409, "device_taken", "This device is registered to someone else.")
            elif device.revoked_at is not None:
                raise AuthError(403, "device_revoked", "This device may no longer sync.")
            else:
                device.last_seen_at = now
            return self._issue(s, user, device, family=uuid7(now), now=now)

    def _issue(self, s: Session, user: AppUser, device: Device, family: str, now: int) -> Tokens:
        refresh = new_refresh()
        s.add(
            RefreshToken(
                org_id=user.org_id,
                token_hash=hash_refresh(refresh),
                user_id=user.user_id,
                device_id=device.device_id,
                family_id=family,
                created_at=now,
                expires_at=now + self.config.refresh_ttl_s * 1000,
            )
        )
        unit = s.get(Unit, (user.org_id, user.unit_id))
        access = sign(
            {
                "org": user.org_id,
                "sub": user.user_id,
                "dev": device.device_id,
                "exp": (now // 1000) + self.config.access_ttl_s,
            },
            self.key,
        )
        return Tokens(
            access_token=access,
            expires_in=self.config.access_ttl_s,
            refresh_token=refresh,
            user=UserInfo(
                org_id=user.org_id,
                user_id=user.user_id,
                nip=user.nip,
                name=user.name,
                unit=unit.name if unit else "",
                must_change_password=user.must_change_password,
            ),
        )

    # ---- refreshing and signing out ------------------------------------------------------

    def refresh(self, token: str, device_id: str) -> Tokens:
        now = now_ms()
        invalid = AuthError(401, "invalid_grant", "Sign in again.")
        with transaction(self.engine) as s:
            row = s.scalars(
                select(RefreshToken).where(RefreshToken.token_hash == hash_refresh(token))
            ).first()
            if row is None or row.device_id != device_id:
                raise invalid
            if row.revoked_at is not None or row.expires_at <= now:
                raise invalid
            user, device = self._live(s, row.org_id, row.user_id, row.device_id)
            if row.used_at is not None:
                successor = s.get(RefreshToken, (row.org_id, row.replaced_by or ""))
                in_grace = now - row.used_at <= self.config.refresh_grace_s * 1000
                if not in_grace or successor is None or successor.used_at is not None:
                    # An old token came back: probably stolen. End the whole sign-in.
                    self._revoke_family(s, row.org_id, row.family_id, now)
                    revoked = True
                else:
                    successor.revoked_at = now  # the lost answer's token is replaced
                    revoked = False
            else:
                revoked = False
            if not revoked:
                tokens = self._issue(s, user, device, row.family_id, now)
                row.used_at = row.used_at or now
                row.replaced_by = hash_refresh(tokens.refresh_token)
                return tokens
        raise invalid

    def logout(self, token: str) -> None:
        now = now_ms()
        with transaction(self.engine) as s:
            row = s.scalars(
                select(RefreshToken).where(RefreshToken.token_hash == hash_refresh(token))
            ).first()
            if row is not None:
                self._revoke_family(s, row.org_id, row.family_id, now)

    @staticmethod
    def _revoke_family(s: Session, org_id: str, family_id: str, now: int) -> None:
        s.execute(
            update(RefreshToken)
            .where(
                RefreshToken.org_id == org_id,
                RefreshToken.family_id == family_id,
                RefreshToken.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )

    # ---- every request -----------------------------------------------------------------

    def caller(self, authorization: str | None) -> Caller:
        """The user and device behind ``Authorization: Bearer …``; refused when the token is
        missing, forged or expired, the account disabled or the device revoked."""
        if not authorization or not authorization.startswith("Bearer "):
            raise AuthError(401, "unauthorized", "Sign in first.")
        try:
            claims = verify(authorization.removeprefix("Bearer ").strip(), self.key, now_ms())
        except BadToken:
            raise AuthError(401, "token_invalid", "The access token is not valid.") from None
        with transaction(self.engine) as s:
            user, device = self._live(s, claims["org"], claims["sub"], claims["dev"])
            s.expunge_all()
        return Caller(user, device)

    @staticmethod
    def _live(s: Session, org_id: str, user_id: str, device_id: str) -> tuple[AppUser, Device]:
        user = s.get(AppUser, (org_id, user_id))
        device = s.get(Device, (org_id, device_id))
        if user is None or device is None or device.user_id != user_id:
            raise AuthError(401, "token_invalid", "The access token is not valid.")
        if user.disabled_at is not None:
            raise AuthError(403, "account_disabled", "This account is disabled.")
        if device.revoked_at is not None:
            raise AuthError(403, "device_revoked", "This device may no longer sync.")
        return user, device
