"""``rosemeet scheduler``."""

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the jobs (mail delivery, meeting horizon, reminders); one process at a time."""
    from rosemeet.scheduler.runner import run_forever

    click.echo("rosemeet scheduler: waiting for the lease (one process runs jobs at a time)")
    run_forever(current_app._get_current_object())


COMMANDS = [scheduler]
