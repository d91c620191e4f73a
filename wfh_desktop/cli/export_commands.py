"""``wfh export`` and ``wfh export-profile``: the activity log to CSV, XLSX or PDF, with the
columns a target system wants saved as a profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wfh_desktop.cli.commands import dump, out
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr


def export_command(ctx: Any) -> int:
    from wfh_desktop import export
    from wfh_desktop.activity_log import build_log
    from wfh_desktop.cli.commands import period_from_args

    args = ctx.args
    period = period_from_args(ctx)
    if period.first is None or period.last is None:
        raise UserError("Give both --from and --to, or a --day, --week or --month.")
    if (period.last - period.first).days > 366 * 5:
        raise UserError("An export covers at most five years; choose a shorter range.")
    output = Path(args.output).expanduser() if args.output else None
    fmt = export.format_for(args.format, output)
    profile = export.find_profile(ctx.paths.config_dir, args.profile)
    log = build_log(ctx.profile, period.first, period.last, ctx.zone)
    if output is None:
        output = Path(export.default_name(log, fmt))
    elif output.is_dir():  # a folder: the file goes in it, named for the period
        output = output / export.default_name(log, fmt)
    elif not output.suffix:
        output = output.with_name(f"{output.name}.{fmt}")
    path = export.write_export(log, fmt, output, profile, overwrite=args.force)
    if ctx.json:
        dump(
            {
                "file": str(path.resolve()),
                "format": fmt,
                "profile": profile.name,
                "lines": len(log.entries),
                "minutes": log.total_minutes,
                "days": log.days_worked,
                "first": log.first.isoformat(),
                "last": log.last.isoformat(),
            }
        )
        return 0
    out(tr("Exported to {path}: {what}", path=str(path), what=export.describe(log)))
    if not log.entries:
        out(tr("No work was tracked in this period; the file holds the headings only."))
    if fmt == "pdf":
        missing = export.unprintable(log)
        if missing:
            out(
                tr(
                    "The PDF's font has no letters for {chars}: they are printed as '?'. "
                    "The XLSX and CSV exports keep them.",
                    chars=" ".join(sorted(missing)[:20]),
                )
            )
    return 0


def export_profile_command(ctx: Any) -> int:
    from wfh_desktop import export

    args = ctx.args
    config = ctx.paths.config_dir
    which = args.profile_command
    if which == "columns":
        names = export.headers()
        if ctx.json:
            dump(names)
            return 0
        for key in export.COLUMNS:
            mark = "*" if key in export.DEFAULT_COLUMNS else " "
            out(f"{mark} {key:<12} {names[key]}")
        out(tr("* in the default profile"))
        return 0
    if which == "list":
        profiles = export.load_profiles(config)
        if ctx.json:
            dump({n: p.as_json() for n, p in sorted(profiles.items())})
            return 0
        broken = export.broken_profiles(config)
        if not profiles and not broken:
            out(tr("No export profiles saved; exports use the default columns."))
            return 0
        for name, p in sorted(profiles.items()):
            out(f"{name}: {', '.join(p.columns)}")
        for name in broken:
            out(tr("{name}: not valid (edited by hand?); save it again to replace it", name=name))
        return 0
    if which == "rm":
        name = export.check_profile_name(args.name)
        export.remove_profile(config, name)
        out(tr("Export profile {name!r} removed.", name=name))
        return 0
    # save
    name = export.check_profile_name(args.name)
    if name == export.DEFAULT_PROFILE:
        raise UserError("'default' is the built-in profile; choose another name.")
    existing = export.load_profiles(config).get(name)
    base = existing or export.ExportProfile(name)
    profile = base._replace(
        columns=export.parse_columns(args.columns) if args.columns else base.columns,
        headers={**base.headers, **export.parse_headers(args.header or [])},
        date_style=args.date_style or base.date_style,
        time_style=args.time_style or base.time_style,
        delimiter=export.DELIMITERS[args.delimiter] if args.delimiter else base.delimiter,
        formula_guard=base.formula_guard if args.formula_guard is None else args.formula_guard,
    )
    export.save_profile(config, profile)
    out(
        tr(
            "Export profile {name!r} saved: {columns}.",
            name=name,
            columns=", ".join(profile.columns),
        )
    )
    return 0
