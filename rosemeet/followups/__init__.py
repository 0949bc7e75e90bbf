"""Decisions, follow-ups (opvolgpunten), referrals between bodies, the ROA loop and search."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def setup(app: Flask) -> None:
    """Follow-ups: their tables and permission rules, their pages and menu entries, the
    opvolglijst on agendas (pages and JSON), the history on a plan action's page, the ROA loop
    (approved minutes fed back), the search index, the search-reindex command, the due and
    overdue reminders, and the demo decision and follow-ups."""
    from rosemeet.agendas.queries import register_agenda_section
    from rosemeet.agendas.signals import minutes_approved
    from rosemeet.core.hooks import register_demo_step, register_template_hook
    from rosemeet.core.permissions import register_rules
    from rosemeet.followups import (  # noqa: F401 (models: tables)
        cli,
        demo,
        feedback,
        models,
        operations,
        permissions,
        queries,
        reminders,
        search,
        views,
    )
    from rosemeet.mail.reminders import register_reminder_kind

    register_rules(app, permissions.RULES)
    app.register_blueprint(views.bp)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
    app.context_processor(views.followup_helpers)
    minutes_approved.connect(feedback._on_minutes_approved, weak=False)
    register_agenda_section(queries.agenda_sections)
    register_agenda_section(feedback.reported_agenda_sections)
    search.track_changes()
    register_template_hook(app, "nav", "followups/_nav.html")
    register_template_hook(app, "home", "followups/_home.html", priority=20)
    register_template_hook(app, "body-page", "followups/_closing_report.html", priority=10)
    register_template_hook(app, "agenda-follow-ups", "followups/_meeting_followups.html")
    register_template_hook(app, "agenda-follow-ups", "followups/_reported_agendas.html", 60)
    register_template_hook(app, "agenda-item", "followups/_item_links.html")
    register_template_hook(app, "minutes-item", "followups/_minutes_outcomes.html", priority=40)
    register_template_hook(app, "plan-action", "followups/_action_history.html")
    register_reminder_kind(
        app,
        "followup_due",
        _l("My follow-ups due within a week"),
        reminders.follow_ups_due_soon,
    )
    register_reminder_kind(
        app, "followup_overdue", _l("My overdue follow-ups"), reminders.follow_ups_overdue
    )
    register_demo_step(app, demo.load_demo)
