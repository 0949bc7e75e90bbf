"""Agendas, proposals between bodies, and minutes."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def setup(app: Flask) -> None:
    """Agendas: their tables and permission rules, their pages, the agenda on the meeting page
    and in the invitations, the links on the home and body pages, a new meeting's standard
    items, and the agenda and write-the-minutes reminders."""
    from rosemeet.agendas import (  # noqa: F401
        models,
        operations,
        permissions,
        remark_views,
        remarks,
        reminders,
        views,
    )
    from rosemeet.core.hooks import register_template_hook
    from rosemeet.core.permissions import register_rules
    from rosemeet.mail.reminders import register_reminder_kind
    from rosemeet.meetings.signals import meetings_created

    register_rules(app, permissions.RULES)
    app.register_blueprint(views.bp)
    app.context_processor(views.agenda_helpers)
    app.context_processor(remark_views.remark_helpers)
    register_template_hook(app, "minutes-item", "agendas/_remarks.html", priority=70)
    meetings_created.connect(operations.prepare_agendas, weak=False)
    register_template_hook(app, "home", "agendas/_home.html", priority=30)
    register_template_hook(app, "body-page", "agendas/_body_links.html")
    register_template_hook(app, "meeting-page", "agendas/_meeting_agenda.html")
    register_template_hook(app, "meeting-mail", "agendas/_mail_agenda.html")
    register_template_hook(app, "meeting-mail-text", "agendas/_mail_agenda.txt")
    register_reminder_kind(
        app, "agenda", _l("The agenda, some days before a meeting"), reminders.agendas_due
    )
    register_reminder_kind(
        app,
        "minutes",
        _l("Write the minutes (secretaries, 3 days after a meeting)"),
        reminders.minutes_due,
    )
