"""A profile's sync, put together: its server, its sign-in and the engine. The CLI, the tray
app and the background job all use this."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

from wfh_desktop.ids import uuid7
from wfh_desktop.profile import Profile
from wfh_desktop.sync import local
from wfh_desktop.sync.account import Account, Vault
from wfh_desktop.sync.engine import Progress, Report, Syncer
from wfh_desktop.sync.errors import SignInNeeded, SyncError
from wfh_desktop.sync.http import Transport, check_server_url
from wfh_server.protocol import UserInfo


class PasswordChangeNeeded(SyncError):
    """The account still has its initial password: a new one is needed before syncing."""

    kind = "sign_in"
    retry = False


@dataclass(frozen=True)
class SignedIn:
    user: UserInfo
    remembered: bool  # kept in the keyring; False: asked again next time
    first: bool  # this sign-in bound the profile (its earlier history goes up now)


class SyncClient:
    """The sync of one profile with its server."""

    def __init__(
        self,
        profile: Profile,
        *,
        server_url: str | None = None,
        ca_file: str | None = None,
        vault: Vault | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.profile = profile
        bound = local.meta(profile.conn, "server_url")
        url = server_url or bound
        if not url:
            raise SyncError(
                "No server is set: this computer keeps your work locally. To sync, sign in "
                "with 'wfh login --server ADDRESS'."
            )
        url = check_server_url(url)
        if bound and url != bound:
            raise SyncError(
                "This computer's data syncs with {bound}, not {url}.", bound=bound, url=url
            )
        self.transport = Transport(url, ca_file=ca_file)
        self.vault = vault or Vault()
        self.account = Account(self.transport, profile.device_id, self.vault)
        self.progress = progress
        account = local.meta(profile.conn, "account_user_id")
        if account and local.meta(profile.conn, "signed_in") == "1":
            self.account.resume(account)

    def close(self) -> None:
        self.transport.close()

    @property
    def url(self) -> str:
        return self.transport.url

    # ---- signing in and out

    def sign_in(
        self,
        login: str,
        password: str,
        *,
        new_password: str | None = None,
        org: str | None = None,
    ) -> SignedIn:
        """Sign in; on the first sign-in the profile becomes the account's. The initial
        password must be changed first (``new_password``)."""
        if local.meta(self.profile.conn, "device_conflict") == "1":
            self._new_device()
        tokens, remembered = self.account.login(login, password, socket.gethostname(), org)
        if tokens.user.must_change_password:
            if not new_password:
                self.account.logout()
                raise PasswordChangeNeeded(
                    "This is your initial password: choose a new one (at least 10 characters)."
                )
            self.account.change_password(password, new_password)
        try:
            with self.profile.write() as (conn, _):
                first = local.bind(conn, self.url, tokens.user)
        except local.BoundElsewhere as e:
            self.account.logout()
            raise SyncError(
                "This computer's data belongs to {name} ({nip}); sign in with that account, or "
                "use another data folder (WFH_HOME) for another person.",
                name=e.name,
                nip=e.nip,
            ) from e
        self.profile.reload_identity()
        return SignedIn(tokens.user, remembered, first)

    def _new_device(self) -> None:
        """A copied profile (``device_conflict``): this computer gets a device id of its own,
        and its pending mutations are numbered from 1 again for it."""
        with self.profile.write() as (w, _):
            first = w.execute("SELECT min(seq) FROM outbox WHERE status = 'pending'").fetchone()[0]
            last = w.execute("SELECT max(seq) FROM outbox").fetchone()[0] or 0
            local.set_meta(w, "device_id", uuid7(self.profile.clock.now_ms()))
            local.set_meta(w, "seq_base", (first - 1) if first else last)
            local.set_meta(w, "device_conflict", None)
            local.set_meta(w, "pull_cursor", 0)
        self.profile.reload_identity()
        self.account.device_id = self.profile.device_id

    def sign_out(self) -> int:
        """Sign out; every local record stays. Returns how many changes are not yet sent."""
        self.account.logout()
        with self.profile.write() as (conn, _):
            local.set_meta(conn, "signed_in", None)
            return local.count_pending(conn)

    # ---- syncing

    def sync(self) -> Report:
        if local.meta(self.profile.conn, "signed_in") != "1":
            e = SignInNeeded("Sign in to sync ('wfh login'); your work is kept.")
            with self.profile.write() as (conn, _):
                local.record_outcome(conn, self.profile.clock.now_ms(), e.kind, e.message, e.values)
            raise e
        return Syncer(self.profile, self.transport, self.account, self.progress).sync()
