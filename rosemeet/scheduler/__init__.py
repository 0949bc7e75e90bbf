"""The single scheduler process: a database lease, APScheduler, and the periodic jobs."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def setup(app: Flask) -> None:
    """Scheduler: the lease's and the jobs' tables, the scheduler command and the
    administrators' weekly digest."""
    from rosemeet.mail.reminders import register_reminder_kind
    from rosemeet.scheduler import cli, models, reminders  # noqa: F401 (models: the tables)

    for command in cli.COMMANDS:
        app.cli.add_command(command)
    register_reminder_kind(
        app, "digest", _l("Weekly digest (administrators)"), reminders.weekly_digest
    )
