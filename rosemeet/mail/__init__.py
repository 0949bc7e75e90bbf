"""The outbox: every message is written in the transaction that caused it, then delivered."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Mail: the outbox tables, the registry of reminder kinds (the domains above fill it)
    and the admin's mail page with the reminder settings."""
    from rosemeet.mail import models, reminders, views  # noqa: F401 (models: the tables)

    reminders.init_app(app)
    app.register_blueprint(views.bp)
