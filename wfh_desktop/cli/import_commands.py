"""``wfh import``: time tracked with Watson, Timewarrior, Toggl Track or a spreadsheet, brought
in as manual sessions (``--dry-run`` shows what would be imported and stores nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfh_desktop.cli.commands import dump, out
from wfh_desktop.errors import UserError
from wfh_desktop.i18n import tr
from wfh_desktop.imports import ImportPlan, ImportService, kind_name, parse_mapping
from wfh_desktop.timefmt import Zone, day_of, fmt_date, fmt_minutes, fmt_number, iso_local, zone

if TYPE_CHECKING:
    from wfh_desktop.cli.commands import Context

SHOWN_TITLES = 10  # task titles listed in the summary; --json lists them all


def _titles(titles: list[str]) -> str:
    shown = "; ".join(titles[:SHOWN_TITLES])
    if len(titles) > SHOWN_TITLES:
        return tr("{titles} and {n} more", titles=shown, n=fmt_number(len(titles) - SHOWN_TITLES))
    return shown


def summary(plan: ImportPlan, z: Zone) -> list[str]:
    """What an import does (or did), in lines for the terminal; dates in the office zone."""
    lines = [tr("{file} ({kind}):", file=plan.file, kind=kind_name(plan.format))]
    count = fmt_number(len(plan.sessions))
    if plan.first_ms is not None and plan.last_ms is not None:
        first = fmt_date(day_of(plan.first_ms, z))
        last = fmt_date(day_of(plan.last_ms, z))
        if plan.applied:
            lines.append(
                tr(
                    "Sessions imported: {n}, from {first} to {last}.",
                    n=count,
                    first=first,
                    last=last,
                )
            )
        else:
            lines.append(
                tr(
                    "Sessions to import: {n}, from {first} to {last}.",
                    n=count,
                    first=first,
                    last=last,
                )
            )
    else:
        lines.append(tr("Sessions to import: none."))
    target = fmt_minutes(plan.target_minutes * 60_000)
    if plan.new_tasks:
        n = fmt_number(len(plan.new_tasks))
        titles = _titles(plan.new_tasks)
        if plan.applied:
            lines.append(
                tr(
                    "New tasks created ({n}, target {target} each): {titles}",
                    n=n,
                    target=target,
                    titles=titles,
                )
            )
        else:
            lines.append(
                tr(
                    "New tasks to create ({n}, target {target} each): {titles}",
                    n=n,
                    target=target,
                    titles=titles,
                )
            )
    if plan.existing_tasks:
        lines.append(
            tr(
                "Existing tasks used ({n}): {titles}",
                n=fmt_number(len(plan.existing_tasks)),
                titles=_titles(plan.existing_tasks),
            )
        )
    lines.append(
        tr(
            "Duplicates skipped: {n} (already stored: {stored}; twice in the file: {twice}).",
            n=fmt_number(plan.duplicates),
            stored=fmt_number(plan.duplicates_stored),
            twice=fmt_number(plan.duplicates_in_file),
        )
    )
    lines.append(
        tr(
            "Overlapping another session: {n} (imported all the same, marked to check in "
            "'wfh log').",
            n=fmt_number(plan.overlaps),
        )
    )
    if plan.running_skipped or plan.format in ("timewarrior", "toggl"):
        lines.append(tr("Still running there, skipped: {n}.", n=fmt_number(plan.running_skipped)))
    if plan.empty_skipped:
        lines.append(tr("Entries of no time, skipped: {n}.", n=fmt_number(plan.empty_skipped)))
    return lines


def plan_json(plan: ImportPlan, z: Zone, dry_run: bool) -> dict[str, Any]:
    return {
        "format": plan.format,
        "file": plan.file,
        "dry_run": dry_run,
        "imported": plan.applied,
        "sessions": len(plan.sessions),
        "first": None if plan.first_ms is None else iso_local(plan.first_ms, z),
        "last": None if plan.last_ms is None else iso_local(plan.last_ms, z),
        "new_tasks": plan.new_tasks,
        "target_minutes": plan.target_minutes,
        "existing_tasks": plan.existing_tasks,
        "duplicates_skipped": {
            "already_stored": plan.duplicates_stored,
            "in_file": plan.duplicates_in_file,
        },
        "overlaps": plan.overlaps,
        "running_skipped": plan.running_skipped,
        "empty_skipped": plan.empty_skipped,
    }


def import_command(ctx: Context) -> int:
    args = ctx.args
    mapping = None
    if getattr(args, "mapping", None):
        if args.format != "csv":
            raise UserError("--map is only for the csv format.")
        mapping = parse_mapping(args.mapping)
    source = getattr(args, "source_zone", None)
    source_zone = zone(source) if source else ctx.zone
    service = ImportService(ctx.profile)
    plan = service.parse(
        args.format,
        Path(args.file).expanduser(),
        source_zone,
        ctx.settings.default_target_minutes,
        mapping,
    )
    dry_run = bool(args.dry_run)
    if not dry_run and plan.sessions:
        plan = service.apply(plan)
    if ctx.json:
        dump(plan_json(plan, ctx.zone, dry_run))
        return 0
    for line in summary(plan, ctx.zone):
        out(line)
    if dry_run:
        out(tr("Dry run: nothing was stored. Run the same command without --dry-run to import."))
    elif plan.applied:
        out(tr("Imported."))
    else:
        out(tr("Nothing to import."))
    return 0
