"""Signing in: the access token in memory only, the rotating refresh token in the OS keyring only
(never in SQLite, a settings file or a log). Where no keyring exists, the sign-in lasts as long
as the program, and the user is asked again next time: never a plaintext fallback.

A ``401`` refreshes once, one refresh at a time; a refresh the server refuses pauses sync and
keeps the outbox (SYNC.md, "Authentication").
"""

from __future__ import annotations

import logging
import threading

from wfh_desktop.sync.errors import (
    AccountRefused,
    NetworkError,
    Refused,
    SignInNeeded,
    SyncError,
    from_refusal,
)
from wfh_desktop.sync.http import Transport
from wfh_server.protocol import PROTOCOL_VERSION, Tokens

log = logging.getLogger("wfh.sync")

KEYRING_SERVICE = "wfh-desktop"


def _key(server_url: str, user_id: str, device_id: str) -> str:
    return f"{server_url}|{user_id}|{device_id}"


class Vault:
    """The refresh token in the OS keyring; ``usable`` is False where there is none."""

    def __init__(self) -> None:
        self._memory: dict[str, str] = {}  # this program's sign-in, where no keyring exists

    @property
    def usable(self) -> bool:
        try:
            import keyring
            from keyring.backends import fail

            return not isinstance(keyring.get_keyring(), fail.Keyring)
        except Exception:  # a broken backend is no backend
            log.exception("no usable keyring")
            return False

    def get(self, key: str) -> str | None:
        if key in self._memory:
            return self._memory[key]
        if not self.usable:
            return None
        import keyring

        try:
            return keyring.get_password(KEYRING_SERVICE, key)
        except Exception:
            log.exception("keyring read failed")
            return None

    def put(self, key: str, token: str) -> bool:
        """Keep the token; True when it outlives this program."""
        if self.usable:
            import keyring

            try:
                keyring.set_password(KEYRING_SERVICE, key, token)
                self._memory.pop(key, None)
                return True
            except Exception:
                log.exception("keyring write failed")
        self._memory[key] = token
        return False

    def forget(self, key: str) -> None:
        self._memory.pop(key, None)
        if not self.usable:
            return
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(KEYRING_SERVICE, key)
        except PasswordDeleteError:
            pass
        except Exception:
            log.exception("keyring delete failed")


class Account:
    """One device's sign-in to one server."""

    def __init__(self, transport: Transport, device_id: str, vault: Vault) -> None:
        self.transport = transport
        self.device_id = device_id
        self.vault = vault
        self.user_id: str | None = None
        self._access: str | None = None
        self._lock = threading.Lock()

    def _store(self, tokens: Tokens) -> bool:
        self.user_id = tokens.user.user_id
        self._access = tokens.access_token
        return self.vault.put(
            _key(self.transport.url, tokens.user.user_id, self.device_id), tokens.refresh_token
        )

    def login(
        self, login: str, password: str, device_name: str | None, org: str | None = None
    ) -> tuple[Tokens, bool]:
        body = {
            "login": login,
            "password": password,
            "device_id": self.device_id,
            "device_name": device_name,
            "org": org,
            "protocol": PROTOCOL_VERSION,
        }
        answer = self.transport.send("POST", "/v1/auth/login", body=body)
        try:
            tokens = self.transport.model(answer, Tokens)
        except Refused as e:
            raise _login_refusal(e) from e
        return tokens, self._store(tokens)

    def change_password(self, old: str, new: str) -> None:
        answer = self.transport.send(
            "POST",
            "/v1/auth/password",
            body={"old_password": old, "new_password": new},
            headers=self.auth_headers(),
        )
        if answer.status != 204:
            e = self.transport.refusal(answer)
            if isinstance(e, Refused) and e.code == "weak_password":
                raise SyncError(
                    "The new password is too weak: {detail}", detail=e.problem.detail or ""
                ) from e
            if isinstance(e, Refused) and e.code == "invalid_credentials":
                raise SyncError("The current password is wrong.") from e
            raise e

    def resume(self, user_id: str) -> None:
        """Use the sign-in kept for ``user_id`` (from the keyring), if any."""
        self.user_id = user_id

    @property
    def can_refresh(self) -> bool:
        return self.user_id is not None and self._refresh_token() is not None

    def _refresh_token(self) -> str | None:
        if self.user_id is None:
            return None
        return self.vault.get(_key(self.transport.url, self.user_id, self.device_id))

    def auth_headers(self) -> dict[str, str]:
        if self._access is None:
            self.refresh(None)
        return {"Authorization": f"Bearer {self._access}", "X-Device-Id": self.device_id}

    def refresh(self, stale: str | None) -> None:
        """A new access token; one refresh at a time, and none if another thread has just
        replaced ``stale``."""
        with self._lock:
            if self._access is not None and self._access != stale:
                return
            token = self._refresh_token()
            if token is None:
                raise SignInNeeded("Sign in to sync ('wfh login'); your work is kept.")
            answer = self.transport.send(
                "POST",
                "/v1/auth/refresh",
                body={"refresh_token": token, "device_id": self.device_id},
            )
            try:
                tokens = self.transport.model(answer, Tokens)
            except Refused as e:
                if e.status == 401:
                    self.vault.forget(_key(self.transport.url, self.user_id or "", self.device_id))
                    self._access = None
                    raise SignInNeeded(
                        "Your sign-in has expired. Sign in again to sync ('wfh login'); your "
                        "work is kept."
                    ) from e
                raise from_refusal(e) from e
            self._store(tokens)

    @property
    def access(self) -> str | None:
        return self._access

    def logout(self) -> None:
        """Revoke the refresh token on the server when it can be reached; forget it here
        whatever happens."""
        token = self._refresh_token()
        if self.user_id is not None:
            self.vault.forget(_key(self.transport.url, self.user_id, self.device_id))
        self._access = None
        if token is None:
            return
        try:
            self.transport.send("POST", "/v1/auth/logout", body={"refresh_token": token})
        except NetworkError:
            log.info("logout: server not reached; the token was forgotten here")


def _login_refusal(e: Refused) -> SyncError:
    code = e.code
    if code == "invalid_credentials":
        return SyncError("Wrong NIP, e-mail or password.")
    if code == "login_locked":
        return SyncError(
            "Too many failed sign-ins: wait {seconds} s and try again.",
            seconds=round(e.retry_after or 60),
        )
    if code == "login_ambiguous":
        return SyncError(
            "This NIP or e-mail is in more than one organisation: give yours with --org."
        )
    if code == "device_taken":
        return AccountRefused(
            "This computer's data is registered to another account on this server; sign in "
            "with that account."
        )
    return from_refusal(e)
