"""A profile's sync, put together: its server, its sign-in and the engine. The CLI, the tray
app and the background job all use this."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from wfh_desktop.clock import Clock
from wfh_desktop.handoffs import Colleague
from wfh_desktop.ids import uuid7
from wfh_desktop.profile import Profile
from wfh_desktop.sync import local
from wfh_desktop.sync.account import Account, Vault
from wfh_desktop.sync.engine import Db, Direct, Progress, Report, Syncer, reading, writing
from wfh_desktop.sync.errors import NotConfigured, SignInNeeded, SyncError
from wfh_desktop.sync.http import Transport, check_server_url
from wfh_desktop.sync.lock import one_sync
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
    """The sync of one profile with its server. ``where`` is the profile itself (used on this
    thread) or a :class:`~wfh_desktop.sync.engine.Db` that runs jobs where the profile lives."""

    def __init__(
        self,
        where: Profile | Db,
        *,
        clock: Clock | None = None,
        server_url: str | None = None,
        ca_file: str | None = None,
        vault: Vault | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        if isinstance(where, Profile):
            self.db: Db = Direct(where)
            clock = clock or where.clock
        else:
            self.db = where
        assert clock is not None
        self.clock = clock
        bound, device_id, account, signed, self.database = self.db(
            lambda p: (
                local.meta(p.conn, "server_url"),
                p.device_id,
                local.meta(p.conn, "account_user_id"),
                local.meta(p.conn, "signed_in") == "1",
                str(p.conn.execute("PRAGMA database_list").fetchone()[2]),
            )
        )
        url = server_url or bound
        if not url:
            raise NotConfigured(
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
        self.account = Account(self.transport, device_id, self.vault)
        self.progress = progress
        if account and signed:
            self.account.resume(account)

    def close(self) -> None:
        self.transport.close()

    @property
    def url(self) -> str:
        return self.transport.url

    def _write(self, fn: Callable[[sqlite3.Connection], object]) -> None:
        writing(self.db, fn)

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
        if reading(self.db, lambda c: local.meta(c, "device_conflict")) == "1":
            # Not while another program syncs: it pushes under the old device id and numbers.
            with one_sync(self.database, on_wait=self._waiting):
                self._new_device()
        was = self.account.user_id
        tokens, remembered = self.account.login(login, password, socket.gethostname(), org)
        if tokens.user.must_change_password:
            if not new_password:
                self.account.logout()
                raise PasswordChangeNeeded(
                    "This is your initial password: choose a new one (at least 10 characters)."
                )
            self.account.change_password(password, new_password)
        try:
            first = writing(self.db, lambda c: local.bind(c, self.url, tokens.user))
        except local.BoundElsewhere as e:
            self.account.logout()
            self.account.user_id = was  # this computer's own sign-in stays as it was
            raise SyncError(
                "This computer's data belongs to {name} ({nip}); sign in with that account, or "
                "use another data folder (WFH_HOME) for another person.",
                name=e.name,
                nip=e.nip,
            ) from e
        self.db(_reloaded)
        return SignedIn(tokens.user, remembered, first)

    def _new_device(self) -> None:
        """A copied profile (``device_conflict``): this computer gets a device id of its own,
        and its pending mutations are numbered from 1 again for it."""
        now = self.clock.now_ms()

        def renumber(w: sqlite3.Connection) -> None:
            first = w.execute("SELECT min(seq) FROM outbox WHERE status = 'pending'").fetchone()[0]
            last = w.execute("SELECT max(seq) FROM outbox").fetchone()[0] or 0
            local.set_meta(w, "device_id", uuid7(now))
            local.set_meta(w, "seq_base", (first - 1) if first else last)
            local.set_meta(w, "device_conflict", None)
            local.set_meta(w, "pull_cursor", 0)
            local.set_meta(w, "answered_seq", None)  # another device's numbers

        self._write(renumber)
        self.account.device_id = self.db(_reloaded)

    def sign_out(self) -> int:
        """Sign out; every local record stays. Returns how many changes are not yet sent."""
        self.account.logout()

        def out(c: sqlite3.Connection) -> int:
            local.set_meta(c, "signed_in", None)
            return local.count_pending(c)

        return writing(self.db, out)

    # ---- the directory

    def directory(self, search: str = "") -> list[Colleague]:
        """Search the organisation's directory on the server (kept here for offline use)."""
        if reading(self.db, lambda c: local.meta(c, "signed_in")) != "1":
            raise SignInNeeded("Sign in to sync ('wfh login'); your work is kept.")
        return Syncer(self.db, self.clock, self.transport, self.account).directory(search)

    # ---- syncing

    def sync(self) -> Report:
        if reading(self.db, lambda c: local.meta(c, "signed_in")) != "1":
            e = SignInNeeded("Sign in to sync ('wfh login'); your work is kept.")
            now = self.clock.now_ms()
            self._write(lambda c: local.record_outcome(c, now, e.kind, e.message, e.values))
            raise e
        with one_sync(self.database, on_wait=self._waiting):
            return Syncer(self.db, self.clock, self.transport, self.account, self.progress).sync()

    def _waiting(self) -> None:
        """Another program (the tray app, another ``wfh sync``) is syncing this profile."""
        if self.progress is not None:
            self.progress(Progress("waiting", 0, None))


def _reloaded(p: Profile) -> str:
    p.reload_identity()
    return p.device_id
