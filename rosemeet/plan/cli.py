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
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@with_appcontext
def import_plan(path: Path, dry_run: bool) -> None:
    """Import the action plan from a tab-separated export (upsert by stable keys)."""
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
            report = ops.apply_import(result, dry_run=dry_run, progress=bar.update)
    else:
        report = ops.apply_import(result, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
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
@with_appcontext
def export_plan(fmt: str, output: Path | None) -> None:
    """Write the plan with its year entries as JSON, CSV or XLSX."""
    plan = queries.load_plan()
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


COMMANDS = [import_plan, export_plan]
