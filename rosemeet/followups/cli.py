"""Commands of the follow-ups domain."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from rosemeet.extensions import db
from rosemeet.followups import search


@click.command("search-reindex")
@with_appcontext
def search_reindex() -> None:
    """Rewrite the search documents of every agenda item, decision and follow-up."""
    count = search.reindex_all()
    db.session.commit()
    click.echo(f"{count} search documents written")


COMMANDS = [search_reindex]
