"""Signing in, refresh-token rotation, signing out, and checking an access token.

Failed sign-ins first slow down (each next try waits 2 s, 4 s, ...) and then lock the account
for a while; a refresh token is rotated on every use, the previous one still works for a short
grace period (a lost answer must not sign the user out), and an old one used after that revokes
its whole family (``SYNC.md``: authentication).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from sqlalchemy import Engine, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wfh_desktop.ids import uuid7
from wfh_server.bulk import Query
from wfh_server.config import ServerConfig
from wfh_server.db import now_ms, revoke_tokens, transaction
from wfh_server.models import AppUser, Device, Org, RefreshToken, Unit, UserSyncState
from wfh_server.protocol import PROTOCOL_VERSION, Tokens, UserInfo
from wfh_server.tokens import BadToken, hash_refresh, new_refresh, sign, verify


class AuthError(Exception):
    """A refusal, with its HTTP status and stable code; ``retry_after_s`` for a wait."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        retry_after_s: int | None = None,
        extra: dict[str, int] | None = None,
    ):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.retry_after_s = retry_after_s
        self.extra = extra or {}


class Caller(NamedTuple):
    """Who sent a request: read in one primary-key join, with the user's feed counter (the
    "nothing new" pull needs nothing more)."""

    org_id: str
    user_id: str
    device_id: str
    must_change_password: bool
    last_seq: int
    gc_floor: int
    epoch: str = ""  # the organisation's (changed after a restore from backup)
    # False: only the token was checked (signature, expiry), not yet the account and the
    # device: a push reads them in its own transaction (``Auth.token_caller``).
    checked: bool = True


_CALLER = (
    select(
        AppUser.disabled_at,
        AppUser.must_change_password,
        Device.revoked_at,
        UserSyncState.last_seq,
        UserSyncState.gc_floor,
        Org.epoch,
    )
    .select_from(Device)
    .join(AppUser, (AppUser.org_id == Device.org_id) & (AppUser.user_id == Device.user_id))
    .join(Org, Org.org_id == Device.org_id)
    .outerjoin(
        UserSyncState,
        (UserSyncState.org_id == Device.org_id) & (UserSyncState.user_id == Device.user_id),
    )
    .where(
        Device.org_id == bindparam("org"),
        Device.device_id == bindparam("dev"),
        Device.user_id == bindparam("sub"),
    )
)
_CALLER_QUERY = Query(_CALLER)  # every request: on the driver's cursor


def check_protocol(protocol: int | str | None) -> None:
    """Refuses a client that speaks another protocol (``None``: it did not say)."""
    if protocol is not None and str(protocol).strip() != str(PROTOCOL_VERSION):
        raise AuthError(
            400,
            "protocol_unsupported",
            f"This server speaks protocol {PROTOCOL_VERSION}; update the app.",
            extra={"min_protocol": PROTOCOL_VERSION},
        )


def check_account(row: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """``row`` (with ``disabled_at`` and ``revoked_at``), or a refusal of a token whose device
    is not found as its user's (``row`` None), whose account is disabled or whose device is
    revoked."""
    if row is None:
        raise AuthError(401, "token_invalid", "The access token is not valid.")
    _refuse(row["disabled_at"] is not None, row["revoked_at"] is not None)
    return row


def _refuse(disabled: bool, revoked: bool) -> None:
    if disabled:
        raise AuthError(403, "account_disabled", "This account is disabled.")
    if revoked:
        raise AuthError(403, "device_revoked", "This device may no longer sync.")


_DUMMY_HASH: list[str] = []


def _verify_password(password_hash: str | None, password: str) -> bool:
    """argon2id; with no user, a fixed hash is checked all the same, so that the answer takes
    as long whether or not the NIP or e-mail exists."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = PasswordHasher()
    if password_hash is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hasher.hash("not anyone's password"))
        password_hash = _DUMMY_HASH[0]
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _find_login(s: Session, login: str, org_id: str | None) -> list[AppUser]:
    """The users a NIP or e-mail names (in one organisation when given), locked for update:
    two sign-ins at once count their failures one after the other."""
    text = login.strip()
    query = (
        select(AppUser)
        .where((AppUser.nip == text) | (func.lower(AppUser.email) == text.lower()))
        .with_for_update()
    )
    if org_id:
        query = query.where(AppUser.org_id == org_id)
    return list(s.scalars(query))


class Auth:
    def __init__(self, engine: Engine, config: ServerConfig, key: bytes) -> None:
        self.engine, self.config, self.key = engine, config, key
        # One statement needs no transaction: on PostgreSQL no BEGIN and ROLLBACK round trips
        # (a "nothing new" pull is this one read); on SQLite a read that never waits.
        self._one_read: dict[str, Any] = (
            {"read_only": True}
            if engine.dialect.name == "sqlite"
            else {"isolation_level": "AUTOCOMMIT"}
        )

    # ---- signing in --------------------------------------------------------------------

    def login(
        self,
        login: str,
        password: str,
        device_id: str,
        device_name: str | None,
        protocol: int,
        org_id: str | None = None,
    ) -> Tokens:
        check_protocol(protocol)
        now = now_ms()
        wrong = AuthError(401, "invalid_credentials", "Wrong NIP, e-mail or password.")
        refusal: AuthError | None = None
        with transaction(self.engine) as s:
            users = _find_login(s, login, org_id)
            user = users[0] if len(users) == 1 else None
            ok = _verify_password(user.password_hash if user else None, password)
            if len(users) > 1:
                raise AuthError(
                    409,
                    "login_ambiguous",
                    "This NIP or e-mail is in more than one organisation: choose yours.",
                )
            if user is None:
                raise wrong
            if user.locked_until is not None and user.locked_until > now:
                wait = (user.locked_until - now + 999) // 1000
                raise AuthError(429, "login_locked", "Too many failed sign-ins.", wait)
            if not ok:
                # Counted under the row lock, and stored before the refusal is sent.
                user.failed_logins += 1
                if user.failed_logins >= self.config.lock_after:
                    user.locked_until = now + self.config.lock_s * 1000
                elif user.failed_logins >= self.config.slow_after:
                    step = 2 ** (user.failed_logins - self.config.slow_after + 1)
                    user.locked_until = now + step * 1000
                refusal = wrong
            elif user.disabled_at is not None:
                raise AuthError(403, "account_disabled", "This account is disabled.")
            else:
                user.failed_logins, user.locked_until = 0, None
                device = self._device(s, user, device_id, device_name, protocol, now)
                return self._issue(s, user, device, family=uuid7(now), now=now)
        assert refusal is not None
        raise refusal

    @staticmethod
    def _device(
        s: Session, user: AppUser, device_id: str, name: str | None, protocol: int, now: int
    ) -> Device:
        device = s.get(Device, (user.org_id, device_id), with_for_update=True)
        if device is None:
            device = Device(
                org_id=user.org_id,
                device_id=device_id,
                user_id=user.user_id,
                name=name,
                last_seq=0,
                protocol=protocol,
                registered_at=now,
                last_seen_at=now,
            )
            s.add(device)
            try:
                s.flush()  # two first sign-ins at once: one registers, the other is told
            except IntegrityError:
                raise AuthError(
                    409, "device_taken", "This device was registered just now; try again."
                ) from None
        elif device.user_id != user.user_id:
            raise AuthError(409, "device_taken", "This device is registered to someone else.")
        elif device.revoked_at is not None:
            raise AuthError(403, "device_revoked", "This device may no longer sync.")
        else:
            device.last_seen_at = now
        return device

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
            # Locked: two refreshes of one token at once are served one after the other.
            row = s.scalars(
                select(RefreshToken)
                .where(RefreshToken.token_hash == hash_refresh(token))
                .with_for_update()
            ).first()
            if row is None or row.device_id != device_id or row.expires_at <= now:
                raise invalid
            # A disabled account or a revoked device is said as such, first.
            user, device = self._live(s, row.org_id, row.user_id, row.device_id)
            if self._reused(s, row, now):
                # The other holder of this token may be a thief: end the whole sign-in.
                self._revoke_family(s, row.org_id, row.family_id, now)
            else:
                tokens = self._issue(s, user, device, row.family_id, now)
                row.used_at = row.used_at or now
                row.replaced_by = hash_refresh(tokens.refresh_token)
                return tokens
        raise invalid  # after the revocation is stored

    def _reused(self, s: Session, row: RefreshToken, now: int) -> bool:
        """Whether this token may not be used (again). A used one still may within the grace
        period while its successor is unused (the answer carrying it was lost); the successor
        is then revoked."""
        if row.revoked_at is not None:
            return True
        if row.used_at is None:
            return False
        successor = s.get(RefreshToken, (row.org_id, row.replaced_by or ""), with_for_update=True)
        in_grace = now - row.used_at <= self.config.refresh_grace_s * 1000
        if not in_grace or successor is None or successor.used_at is not None:
            return True
        successor.revoked_at = now
        return False

    def change_password(self, me: Caller, old: str, new: str) -> None:
        """A new password (the initial one is meant to be changed at once); every other device
        of the user is signed out."""
        from wfh_server.admin import hash_password

        if new == old:
            raise AuthError(400, "weak_password", "The new password must differ from the old one.")
        with transaction(self.engine) as s:
            user = s.get(AppUser, (me.org_id, me.user_id), with_for_update=True)
            assert user is not None
            if not _verify_password(user.password_hash, old):
                raise AuthError(401, "invalid_credentials", "The current password is wrong.")
            user.password_hash = hash_password(new)
            user.must_change_password = False
            revoke_tokens(
                s,
                user.org_id,
                (RefreshToken.user_id == user.user_id) & (RefreshToken.device_id != me.device_id),
            )

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
        revoke_tokens(s, org_id, RefreshToken.family_id == family_id, now)

    # ---- every request -----------------------------------------------------------------

    def caller(self, authorization: str | None) -> Caller:
        """The user and device behind ``Authorization: Bearer …``; refused when the token is
        missing, forged or expired, the account disabled or the device revoked."""
        claims = self._claims(authorization)
        with self.engine.connect().execution_options(**self._one_read) as conn:
            found = _CALLER_QUERY.rows(
                conn, {"org": claims["org"], "dev": claims["dev"], "sub": claims["sub"]}
            )
        row = check_account(found[0] if found else None)
        return Caller(
            claims["org"],
            claims["sub"],
            claims["dev"],
            bool(row["must_change_password"]),
            row["last_seq"] or 0,
            row["gc_floor"] or 0,
            row["epoch"],
        )

    def token_caller(self, authorization: str | None) -> Caller:
        """The user and device a valid ``Authorization: Bearer …`` names, from the token alone
        (refused when missing, forged or expired). The account and the device are not read
        (``checked`` False): for a push, which reads them in its own transaction anyway, where
        it locks the device (``Sync._plan``). That read in a request of its own cost about a
        tenth of a push on PostgreSQL (``docs/benchmarks.md``)."""
        claims = self._claims(authorization)
        return Caller(claims["org"], claims["sub"], claims["dev"], False, 0, 0, checked=False)

    def _claims(self, authorization: str | None) -> dict[str, Any]:
        if not authorization or not authorization.startswith("Bearer "):
            raise AuthError(401, "unauthorized", "Sign in first.")
        try:
            return verify(authorization.removeprefix("Bearer ").strip(), self.key, now_ms())
        except BadToken:
            raise AuthError(401, "token_invalid", "The access token is not valid.") from None

    @staticmethod
    def _live(s: Session, org_id: str, user_id: str, device_id: str) -> tuple[AppUser, Device]:
        user = s.get(AppUser, (org_id, user_id))
        device = s.get(Device, (org_id, device_id))
        if user is None or device is None or device.user_id != user_id:
            raise AuthError(401, "token_invalid", "The access token is not valid.")
        _refuse(user.disabled_at is not None, device.revoked_at is not None)
        return user, device
