"""``wfh login``, ``wfh logout`` and ``wfh sync``: signing in to the agency's server and
syncing, from the command line."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from wfh_desktop import settings as settings_mod
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.timefmt import fmt_datetime

PROGRESS_OVER = 200  # an upload longer than this shows its progress


def _ask(prompt: str, secret: bool = True) -> str:
    """A line typed by the user; from standard input when it is not a terminal (scripts)."""
    if sys.stdin.isatty():
        value = getpass.getpass(prompt) if secret else input(prompt)
    else:
        line = sys.stdin.readline()
        if not line:
            raise UserError("No password was given.")
        value = line.rstrip("\n")
    return value


class _Progress:
    def __init__(self) -> None:
        self.shown = False

    def __call__(self, p: Any) -> None:
        if p.phase == "push" and p.total and p.total > PROGRESS_OVER:
            sys.stderr.write(
                "\r" + tr("Sending changes: {done} of {total}", done=p.done, total=p.total)
            )
            sys.stderr.flush()
            self.shown = True
        elif p.phase == "waiting":
            sys.stderr.write(
                tr("Another program is syncing this computer's data; waiting for it to finish…")
                + "\n"
            )
            sys.stderr.flush()
        elif p.phase == "snapshot":
            sys.stderr.write("\r" + tr("Downloading everything again: {done} records", done=p.done))
            sys.stderr.flush()
            self.shown = True

    def end(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def _client(ctx: Any, server_url: str | None = None, progress: Any = None) -> Any:
    from wfh_desktop.sync.client import SyncClient

    return SyncClient(
        ctx.profile,
        server_url=server_url,
        ca_file=ctx.settings.ca_file,
        progress=progress,
    )


def _sync(ctx: Any, client: Any) -> int:
    progress = _Progress()
    client.progress = progress
    try:
        report = client.sync()
    finally:
        progress.end()
    out(
        tr(
            "Synced: {sent} changes sent, {received} received.",
            sent=report.pushed + report.rejected,
            received=report.pulled,
        )
    )
    if report.rejected:
        out(
            tr(
                "The server refused {n} changes; see 'wfh sync --status' and fix them.",
                n=report.rejected,
            )
        )
    return 0


def out(text: str) -> None:
    sys.stdout.write(text + "\n")


def login_command(ctx: Any) -> int:
    args = ctx.args
    server = args.server or ctx.settings.server_url
    from wfh_desktop.sync import local

    server = server or local.meta(ctx.profile.conn, "server_url")
    if not server:
        raise UserError("Give the server's address: wfh login --server https://…")
    server = settings_mod.server_address(server)
    if args.ca_file:
        ca = settings_mod.validate("ca_file", args.ca_file)
        ctx.settings = ctx.settings._replace(ca_file=ca)
    client = _client(ctx, server)
    try:
        login = args.login or _ask(tr("NIP or e-mail: "), secret=False).strip()
        password = _ask(tr("Password: "))
        from wfh_desktop.sync.client import PasswordChangeNeeded

        try:
            signed = client.sign_in(login, password, org=args.org)
        except PasswordChangeNeeded as e:
            out(e.render())
            new = _ask(tr("New password: "))
            again = _ask(tr("New password again: "))
            if new != again:
                raise UserError("The two new passwords differ; nothing was changed.") from e
            signed = client.sign_in(login, password, new_password=new, org=args.org)
        settings_mod.save(ctx.paths.settings, ctx.settings._replace(server_url=client.url))
        user = signed.user
        out(
            tr(
                "Signed in as {name} (NIP {nip}), {unit}, at {server}.",
                name=user.name,
                nip=user.nip,
                unit=user.unit,
                server=client.url,
            )
        )
        if not signed.remembered:
            out(
                tr(
                    "This computer has no keyring to keep the sign-in safely, so you will be "
                    "asked for your password again next time."
                )
            )
        if signed.first and local.count_pending(ctx.profile.conn):
            out(tr("This computer's earlier work now belongs to your account and is sent now."))
        return _sync(ctx, client)
    finally:
        client.close()


def logout_command(ctx: Any) -> int:
    client = _client(ctx)
    try:
        waiting = client.sign_out()
    finally:
        client.close()
    out(tr("Signed out. Everything you tracked stays on this computer."))
    if waiting:
        out(
            tr(
                "Warning: {n} changes are not yet on the server; they are sent after you sign "
                "in again.",
                n=waiting,
            )
        )
    return 0


def sync_command(ctx: Any) -> int:
    if ctx.args.status:
        return _status(ctx)
    client = _client(ctx)
    try:
        return _sync(ctx, client)
    finally:
        client.close()


def _status(ctx: Any) -> int:
    from wfh_desktop.sync import local

    s = local.status(ctx.profile.conn)
    if ctx.json:
        import json

        sys.stdout.write(json.dumps(s.__dict__, ensure_ascii=False, indent=2) + "\n")
        return 0
    out(local.state_text(s, ctx.zone))
    if s.server_url:
        out(tr("Server: {url}", url=s.server_url))
    if s.account:
        out(tr("Account: {account}", account=s.account))
    if s.last_sync_ms and s.state != "synced":
        out(tr("Last synced: {when}", when=fmt_datetime(s.last_sync_ms, ctx.zone)))
    out(tr("Changes waiting to be sent: {n}", n=s.pending))
    if s.rejected:
        out(tr("Changes the server refused: {n}", n=s.rejected))
    if s.review:
        out(tr("Sessions to review: {n}", n=s.review))
    if s.error:
        out(tr("Last problem: {error}", error=s.error))
    if abs(s.clock_offset_ms) > 120_000:
        out(
            tr(
                "This computer's clock is {minutes} minutes off the server's; correct it.",
                minutes=round(abs(s.clock_offset_ms) / 60_000),
            )
        )
    return 0


def review_command(ctx: Any) -> int:
    from wfh_desktop.sync import review

    conn = ctx.profile.conn
    found = review.items(conn, ctx.zone)
    if ctx.args.seen:
        keys = [i.key for i in found] if ctx.args.seen == ["all"] else ctx.args.seen
        unknown = sorted(set(keys) - {i.key for i in found})
        if unknown:
            raise UserError(
                "No item to review has the key {key}; see 'wfh review'.", key=unknown[0]
            )
        with ctx.profile.write() as (w, _):
            n = review.mark_seen(w, keys, ctx.clock.now_ms())
        out(tr("Marked as looked at: {n}", n=n))
        return 0
    if ctx.json:
        import json

        sys.stdout.write(
            json.dumps([i.__dict__ for i in found], ensure_ascii=False, indent=2) + "\n"
        )
        return 0
    if not found:
        out(tr("Nothing to review."))
        return 0
    for item in found:
        when = fmt_datetime(item.start_at, ctx.zone) if item.start_at is not None else ""
        head = " · ".join(x for x in (when, item.task_title or "") if x)
        out(f"{head}\n  {item.text}\n  {tr('key')}: {item.key}")
    out(tr("Correct a session with 'wfh session edit'; then: wfh review --seen KEY (or all)."))
    return 0
