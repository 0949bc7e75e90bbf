"""Commands of the documents domain."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from rosemeet.documents import operations
from rosemeet.extensions import db


@click.command("documents-clean")
@with_appcontext
def documents_clean() -> None:
    """Remove stored files that no document version uses any more (the scheduler does this
    every night; files younger than an hour are left to uploads still under way)."""
    count = operations.remove_unused_files()
    db.session.commit()
    click.echo(f"{count} unused files removed")


COMMANDS = [documents_clean]
