"""Meetings: series (RRULE-based recurrence), single meetings and attendance."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Meetings: their tables and permission rules, their pages and menu entries, the meetings
    on the home and body pages, the extend-meetings command, the CANCEL to someone who leaves
    a body, and the demo cycles."""
    from rosemeet.core.hooks import register_demo_step, register_template_hook
    from rosemeet.meetings import cli, demo, models, operations, permissions, views  # noqa: F401
    from rosemeet.network.signals import membership_ended

    app.register_blueprint(views.bp)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
    app.context_processor(views.meeting_helpers)
    membership_ended.connect(operations.uninvite, weak=False)
    register_template_hook(app, "nav", "meetings/_nav.html")
    register_template_hook(app, "home", "meetings/_home.html")
    register_template_hook(app, "body-page", "meetings/_body_meetings.html")
    register_demo_step(app, demo.load_demo)
