"""Commands of the meetings domain."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from rosemeet.extensions import db


@click.command("extend-meetings")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Pretend it is this day (YYYY-MM-DD); default: today in Brussels.",
)
@with_appcontext
def extend_meetings(today) -> None:
    """Generate every series' meetings up to the rolling horizon (safe to repeat)."""
    from rosemeet.meetings.operations import HORIZON_MONTHS, extend_all_series

    day: date | None = today.date() if today else None
    created = extend_all_series(day)
    db.session.commit()
    click.echo(f"{created} new meetings (horizon: {HORIZON_MONTHS} months)")


#: commands added to ``rosemeet``
COMMANDS = [extend_meetings]
