"""The outbox: every message is written in the transaction that caused it, then delivered."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Mail: the outbox and inbound tables, the registry of reminder kinds (the domains above
    fill it), the admin's mail page with the reminder settings, and the fetch-replies command
    that reads the inbound mailbox (the domains above register what they read in it)."""
    from rosemeet.mail import cli, models, reminders, views  # noqa: F401 (models: the tables)

    reminders.init_app(app)
    app.register_blueprint(views.bp)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
