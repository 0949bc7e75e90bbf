"""Commands of the mail domain."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from rosemeet.mail import imap


@click.command("fetch-replies")
@with_appcontext
def fetch_replies_command() -> None:
    """Read the inbound mailbox once: calendar answers are applied, other mail is listed."""
    if not imap.polling_enabled(current_app.config):
        click.echo("The inbound mailbox is not configured (ROSEMEET_IMAP_HOST): nothing read.")
        return
    try:
        result = imap.fetch_replies()
    except imap.ImapError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(
        f"{result.read} read: {result.processed} applied, {result.unusable} listed as not "
        f"usable, {result.skipped} read before (only moved)"
    )


#: commands added to ``rosemeet``
COMMANDS = [fetch_replies_command]
