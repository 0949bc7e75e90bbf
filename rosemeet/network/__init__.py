"""The ROSE network: organisations, bodies, memberships and relations between bodies."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def setup(app: Flask) -> None:
    """Network: the tables and permission rules of organisations and bodies, their pages, and
    the reminder that an ad-hoc group's planned end is near."""
    from rosemeet.core.permissions import register_rules
    from rosemeet.mail.reminders import register_reminder_kind
    from rosemeet.network import models, permissions, reminders, views  # noqa: F401 (tables)

    register_rules(app, permissions.RULES)
    app.register_blueprint(views.bp)
    register_reminder_kind(
        app,
        "adhoc_end",
        _l("The planned end of an ad-hoc group is near"),
        reminders.adhoc_groups_ending,
    )
