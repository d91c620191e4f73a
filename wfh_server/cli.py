"""``wfh-server``: migrate the database, serve the API, and administer organisations, units,
users and devices. Messages in Indonesian by default (``--lang en`` for English)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from wfh_desktop.errors import UserError
from wfh_desktop.i18n import choose_language, set_language, tr
from wfh_server.config import ServerConfig

EXIT_OK, EXIT_ERROR = 0, 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wfh-server", description=tr("WFH Desktop's central server"))
    p.add_argument("--lang", choices=("id", "en"), help=tr("language of the messages"))
    sub = p.add_subparsers(dest="command", metavar=tr("COMMAND"))
    sub.add_parser("migrate", help=tr("create or upgrade the database"))
    sub.add_parser(
        "maintain", help=tr("daily housekeeping: old deletions, the mutation log, stale timers")
    )
    serve = sub.add_parser("serve", help=tr("serve the API"))
    serve.add_argument("--host", default="127.0.0.1", help=tr("address to listen on"))
    serve.add_argument("--port", type=int, default=8080, help=tr("port to listen on"))
    serve.add_argument("--workers", type=int, default=1, help=tr("worker processes"))
    serve.add_argument(
        "--access-log",
        action="store_true",
        help=tr("log every request (the reverse proxy usually does; it costs CPU)"),
    )

    org = sub.add_parser("org", help=tr("organisations")).add_subparsers(dest="action")
    p_org = org.add_parser("create", help=tr("add an organisation"))
    p_org.add_argument("name")
    p_org.add_argument("--id", help=tr("its id (default: made up)"))
    org.add_parser("list", help=tr("list the organisations"))
    p_epoch = org.add_parser(
        "new-epoch", help=tr("after restoring a backup: clients push their changes again")
    )
    p_epoch.add_argument("org", help=tr("the organisation (id or name)"))

    unit = sub.add_parser("unit", help=tr("work units")).add_subparsers(dest="action")
    p_unit = unit.add_parser("create", help=tr("add a work unit"))
    p_unit.add_argument("name")
    p_unit.add_argument("--org", required=True, help=tr("the organisation (id or name)"))

    user = sub.add_parser("user", help=tr("users")).add_subparsers(dest="action")
    p_add = user.add_parser("add", help=tr("add a user; prints an initial password"))
    p_add.add_argument("--org", required=True, help=tr("the organisation (id or name)"))
    p_add.add_argument("--nip", required=True, help=tr("the 18-digit NIP"))
    p_add.add_argument("--name", required=True, help=tr("the full name"))
    p_add.add_argument("--unit", required=True, help=tr("the work unit (id or name)"))
    p_add.add_argument("--email", help=tr("the e-mail address"))
    p_imp = user.add_parser("import", help=tr("add users from a CSV file (nip,name,unit,email)"))
    p_imp.add_argument("file", type=Path)
    p_imp.add_argument("--org", required=True, help=tr("the organisation (id or name)"))
    p_imp.add_argument("--dry-run", action="store_true", help=tr("check the file, store nothing"))
    for action, text in (
        ("reset-password", tr("give a user a new initial password")),
        ("disable", tr("stop a user from signing in and syncing")),
    ):
        q = user.add_parser(action, help=text)
        q.add_argument("user", help=tr("NIP or e-mail"))
        q.add_argument("--org", help=tr("the organisation, when the NIP is in several"))

    device = sub.add_parser("device", help=tr("devices")).add_subparsers(dest="action")
    p_list = device.add_parser("list", help=tr("list devices"))
    p_list.add_argument("--user", help=tr("only this user's (NIP or e-mail)"))
    p_list.add_argument("--org", help=tr("the organisation (id or name)"))
    p_rev = device.add_parser("revoke", help=tr("stop a device from syncing"))
    p_rev.add_argument("device_id")
    p_rev.add_argument("--org", help=tr("the organisation, when the id is in several"))
    return p


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    set_language(choose_language(args_list))
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None or (
        args.command not in ("migrate", "serve", "maintain")
        and getattr(args, "action", None) is None
    ):
        parser.print_help()
        return EXIT_OK
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return run(args, ServerConfig.resolve())
    except UserError as e:
        print(f"wfh-server: {e.render()}", file=sys.stderr)
    except SQLAlchemyError as e:  # unreachable, refused, or a URL it cannot use
        from wfh_server.db import error_text

        print(tr("wfh-server: the database cannot be used: {error}", error=error_text(e)),
              file=sys.stderr)  # fmt: skip
    except (ValueError, OSError) as e:
        print(tr("wfh-server: {error}", error=str(e)), file=sys.stderr)
    return EXIT_ERROR


def run(args: argparse.Namespace, config: ServerConfig) -> int:
    from wfh_server import admin
    from wfh_server.db import current_revision, make_engine, migrate

    engine = make_engine(config)
    if args.command == "migrate":
        revision = migrate(engine)
        out(tr("The database is at revision {rev} ({url}).", rev=revision, url=_safe(config)))
        return EXIT_OK
    if current_revision(engine) is None:
        raise UserError("The database is not set up yet: run 'wfh-server migrate' first.")
    if args.command == "serve":
        return serve(args, config)
    if args.command == "maintain":
        from wfh_server.maintain import maintain

        report = maintain(engine)
        out(
            tr(
                "Removed {removed} old deletions, pruned {pruned} mutation log rows, flagged "
                "{flagged} timers whose device has gone quiet.",
                removed=report.removed,
                pruned=report.pruned,
                flagged=report.flagged,
            )
        )
        return EXIT_OK
    if args.command == "org" and args.action == "new-epoch":
        org = admin.new_epoch(engine, args.org)
        out(tr("New epoch {epoch} for {name}.", epoch=org.epoch, name=org.name))
        return EXIT_OK
    if args.command == "org" and args.action == "create":
        org = admin.create_org(engine, args.name, args.id)
        out(tr("Organisation {name} added, id {id}.", name=org.name, id=org.org_id))
    elif args.command == "org":
        for org in admin.list_orgs(engine):
            out(f"{org.org_id}  {org.name}")
    elif args.command == "unit":
        unit = admin.create_unit(engine, args.org, args.name)
        out(tr("Unit {name} added, id {id}.", name=unit.name, id=unit.unit_id))
    elif args.command == "user" and args.action == "add":
        new = admin.add_user(engine, args.org, args.nip, args.name, args.unit, args.email)
        out(tr("User {name} ({nip}) added.", name=new.user.name, nip=new.user.nip))
        out(
            tr(
                "Initial password: {password}  (to be changed at first sign-in)",
                password=new.password,
            )
        )
    elif args.command == "user" and args.action == "import":
        return import_users(args, engine)
    elif args.command == "user" and args.action == "reset-password":
        new = admin.reset_password(engine, args.user, args.org)
        out(
            tr(
                "New initial password for {name}: {password}",
                name=new.user.name,
                password=new.password,
            )
        )
    elif args.command == "user" and args.action == "disable":
        user = admin.disable_user(engine, args.user, args.org)
        out(tr("{name} ({nip}) can no longer sign in or sync.", name=user.name, nip=user.nip))
    elif args.command == "device" and args.action == "list":
        rows = admin.list_devices(engine, args.user, args.org)
        if not rows:
            out(tr("No devices."))
        for device, user in rows:
            state = tr("revoked") if device.revoked_at is not None else tr("active")
            out(f"{device.device_id}  {user.nip}  {user.name}  {device.name or ''}  {state}")
    elif args.command == "device" and args.action == "revoke":
        device = admin.revoke_device(engine, args.device_id, args.org)
        out(tr("Device {id} can no longer sync.", id=device.device_id))
    return EXIT_OK


def import_users(args: argparse.Namespace, engine: object) -> int:
    from wfh_server import admin

    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError("Cannot read {path}: {error}", path=str(args.file), error=str(e)) from None
    result = admin.import_users(engine, args.org, text, dry_run=args.dry_run)  # type: ignore[arg-type]
    for err in result.errors:
        print(tr("line {n}: {message}", n=err.line, message=err.message), file=sys.stderr)
    if result.errors:
        print(
            tr("{n} lines are wrong; nothing was imported.", n=len(result.errors)), file=sys.stderr
        )
        return EXIT_ERROR
    if args.dry_run:
        out(
            tr(
                "The file is fine: {n} users would be added (dry run; nothing stored).",
                n=len(result.users),
            )
        )
        return EXIT_OK
    out(
        tr(
            "{n} users added. Their initial passwords (to be changed at first sign-in):",
            n=len(result.users),
        )
    )
    for new in result.users:
        out(f"{new.user.nip}  {new.password}  {new.user.name}")
    return EXIT_OK


def serve(args: argparse.Namespace, config: ServerConfig) -> int:
    import uvicorn

    from wfh_server.tokens import load_key

    load_key(config.home)  # made once here, before the workers start and read it
    uvicorn.run(
        "wfh_server.api:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=args.access_log,
    )
    return EXIT_OK


def _safe(config: ServerConfig) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(config.database_url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
