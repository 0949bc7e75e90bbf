"""``rosemeet import-plan`` and ``rosemeet export-plan``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from rosemeet.extensions import db
from rosemeet.plan import exporter, queries
from rosemeet.plan import operations as ops
from rosemeet.plan.importer import MAX_BYTES, parse


@click.command("import-plan")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help='Name of a new plan (default "Actieplan <first>-<last>").')
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@with_appcontext
def import_plan(path: Path, name: str | None, dry_run: bool) -> None:
    """Import an action plan from a tab-separated export: a file whose years (the header's
    span) are those of a plan updates it (upsert by stable keys); another span creates a plan."""
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    result = parse(data, queries.known_names())
    if not result.ok:
        for error in result.errors:
            where = f"{path}:{error.line}: " if error.line else f"{path}: "
            click.echo(f"error: {where}{error}", err=True)
        click.echo("Nothing was imported.", err=True)
        sys.exit(1)
    if sys.stdout.isatty():
        with click.progressbar(length=len(result.actions), label="Importing actions") as bar:
            report = _apply(result, name, dry_run, bar.update)
    else:
        report = _apply(result, name, dry_run, None)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(report.outcome())
    if report.older_warning:
        click.echo(f"warning: {report.older_warning}", err=True)
    for conflict in report.conflicts:
        app_status, app_note = conflict.app_value
        file_status, file_note = conflict.file_value
        click.echo(
            f"conflict: {conflict.action[:60]!r} {conflict.year}: kept {app_status.value!r} "
            f"{app_note[:40]!r} (edited in the app), the file says {file_status.value!r} "
            f"{file_note[:40]!r}"
        )
    for theme, references in report.unresolved_themes.items():
        click.echo(f"unresolved theme reference: {theme[:60]!r} -> {'; '.join(references)}")
    for change in report.changes:
        if change.outcome != ops.UNCHANGED:
            where = f" (line {change.line})" if change.line else ""
            click.echo(f"{change.outcome:<9} {change.kind:<8} {change.title[:80]}{where}")
    for name, places in sorted(report.unresolved.items(), key=lambda item: item[0].casefold()):
        lines = ", ".join(str(p.line) for p in places)
        click.echo(f"unresolved name: {name!r} (line {lines})")
    counts = report.counts
    prefix = "Dry run, nothing written: would be " if dry_run else ""
    click.echo(
        f"{prefix}{counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['removed']} removed, "
        f"{counts['kept']} kept; {len(report.unresolved)} unresolved names."
    )
    click.echo(
        f"The file holds {sum(1 for _ in result.iter_headings())} headings, "
        f"{len(result.actions)} actions, "
        f"{sum(len(a.indicators) for a in result.actions)} indicators, "
        f"{len(result.themes)} themes."
    )


def _apply(result, name: str | None, dry_run: bool, progress) -> ops.ImportReport:
    """Run the import; a refusal (a name taken) ends the command with its message."""
    try:
        return ops.apply_import(result, plan_name=name, dry_run=dry_run, progress=progress)
    except ops.PlanError as exc:
        click.echo(f"error: {exc.message}", err=True)
        click.echo("Nothing was imported.", err=True)
        sys.exit(1)


@click.command("export-plan")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: stdout).",
)
@click.option("--plan", "span", help="The plan's span, e.g. 2026-2031 (default: the current).")
@with_appcontext
def export_plan(fmt: str, output: Path | None, span: str | None) -> None:
    """Write a plan with its year entries as JSON, CSV or XLSX."""
    plan = _plan_of(span)
    if fmt == "json":
        data = (json.dumps(exporter.plan_json(plan), ensure_ascii=False, indent=2) + "\n").encode()
    elif fmt == "csv":
        data = exporter.plan_csv(plan).encode("utf-8")
    else:
        data = exporter.plan_xlsx(plan)
    if output is not None:
        output.write_bytes(data)
        return
    if fmt == "xlsx" and sys.stdout.isatty():
        click.echo("error: an XLSX file is binary; use --output FILE.", err=True)
        sys.exit(2)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _plan_of(span: str | None) -> queries.PlanTree:
    """The plan with the span ``first-last`` (or the current plan), loaded; exit 2 if none."""
    if span is None:
        plan = queries.current_plan()
        missing = "error: there is no current plan; name one with --plan FIRST-LAST."
    else:
        first, _dash, last = span.partition("-")
        found = first.isdigit() and last.isdigit()
        plan = queries.plan_by_span(int(first), int(last)) if found else None
        names = ", ".join(p.span for p in queries.plans()) or "none"
        missing = f"error: no plan spans {span!r} (plans: {names})."
    if plan is None:
        click.echo(missing, err=True)
        sys.exit(2)
    return queries.load_plan(plan)


COMMANDS = [import_plan, export_plan]
