"""Why a sync did not happen, in words a user can act on. Each kind says what the sync job does
next: try again later (network, server trouble, rate limit), or wait for the user (sign in,
update the app, a refused account)."""

from __future__ import annotations

from typing import Any

from wfh_desktop.errors import UserError
from wfh_server.protocol import Problem


class SyncError(UserError):
    """A sync attempt that could not finish; nothing local was lost."""

    kind = "failed"  # the state the status line shows
    retry = True  # the job tries again by itself (with backoff)


class NotConfigured(SyncError):
    """No server is set: the profile works locally."""

    kind = "local"
    retry = False


class Stuck(SyncError):
    """Something only the agency's administrator can sort out; the work stays here."""

    retry = False


class NetworkError(SyncError):
    """No usable answer: offline, a timeout, a captive portal, a damaged answer."""

    kind = "offline"
    unsent = False  # the request surely never left (no connection was made)


class TlsError(NetworkError):
    """The server's certificate is not trusted, or TLS failed."""

    kind = "failed"
    retry = False


class UnknownServer(NetworkError):
    """No WFH server at this address."""

    kind = "failed"
    retry = False

    @classmethod
    def not_ours(cls) -> UnknownServer:
        return UnknownServer(
            "There is no WFH Desktop server at this address. Check the address your agency gave."
        )


class ServerTrouble(SyncError):
    """The server failed (5xx): tried again later."""

    def __init__(self, status: int, code: str | None = None) -> None:
        super().__init__(
            "The server had a problem (HTTP {status}); it will be tried again later.",
            status=status,
        )
        self.status, self.code = status, code


class SignInNeeded(SyncError):
    """No valid sign-in: the user must sign in again; the outbox is kept."""

    kind = "sign_in"
    retry = False


class UpdateNeeded(SyncError):
    """The server speaks a newer protocol: the app must be updated; work stays local."""

    kind = "update"
    retry = False


class AccountRefused(SyncError):
    """The account or this device may not sync (disabled, revoked, password to change)."""

    kind = "sign_in"
    retry = False


class Refused(SyncError):
    """A 4xx answer with its problem; callers turn the ones they expect into the above."""

    def __init__(self, problem: Problem, retry_after: float | None = None) -> None:
        super().__init__(
            "The server refused the request: {detail}",
            detail=problem.detail or problem.title or problem.code,
        )
        self.problem = problem
        self.retry_after = retry_after

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def status(self) -> int:
        return self.problem.status


class RateLimited(SyncError):
    def __init__(self, wait_s: float) -> None:
        super().__init__(
            "The server asked to wait {seconds} s before the next sync.", seconds=round(wait_s)
        )
        self.wait_s = wait_s


def from_refusal(e: Refused, **context: Any) -> SyncError:
    """What a refusal means for the user, by its stable code."""
    code, status = e.code, e.status
    if status == 429:
        return RateLimited(e.retry_after or 60.0)
    if code == "protocol_unsupported":
        return UpdateNeeded(
            "The server needs a newer WFH Desktop. Your work is kept on this computer; update "
            "the app to sync it."
        )
    if code in ("device_revoked", "device_unknown"):
        return AccountRefused(
            "This computer was signed out by your agency's administrator. Sign in again "
            "('wfh login'); your work is kept."
        )
    if code in ("account_disabled", "user_disabled"):
        return AccountRefused(
            "Your account is disabled. Ask your agency's administrator; your work is kept on "
            "this computer."
        )
    if code == "password_change_required":
        return AccountRefused(
            "You must change your initial password first: sign in again with 'wfh login'."
        )
    if status == 401:
        return SignInNeeded("Sign in again to sync ('wfh login'); your work is kept.")
    return e
