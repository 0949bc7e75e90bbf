"""``rosemeet scheduler``."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the jobs (mail delivery, meeting horizon, reminders); one process at a time.

    Exits 78 (EX_CONFIG) when the configuration cannot work, e.g. a database without
    rosemeet's tables; a database or SMTP server that is busy or away is waited for.
    """
    from rosemeet.scheduler.runner import EXIT_CONFIG, ConfigurationError, run_forever

    click.echo("rosemeet scheduler: waiting for the lease (one process runs jobs at a time)")
    try:
        run_forever(current_app._get_current_object())  # type: ignore[attr-defined]  # a LocalProxy, typed by Flask as the app
    except ConfigurationError as exc:
        click.echo(f"rosemeet scheduler: configuration error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)


COMMANDS = [scheduler]
