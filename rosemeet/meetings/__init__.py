"""Meetings: series (RRULE-based recurrence), single meetings and attendance."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Meetings: their tables and permission rules, their pages and menu entries, the meetings
    on the home and body pages, the one-click answer links of the invitations, the
    extend-meetings command, the CANCEL to someone who leaves a body, the count of meetings
    held (a plan action's cadence), the calendar answers read from the inbound mailbox, and the
    demo cycles."""
    from rosemeet.core.hooks import register_demo_step, register_template_hook
    from rosemeet.core.permissions import register_rules
    from rosemeet.mail.inbound import register_inbound_handler
    from rosemeet.mail.links import register_link_maker
    from rosemeet.meetings import (  # noqa: F401
        cli,
        demo,
        models,
        operations,
        permissions,
        queries,
        replies,
        views,
    )
    from rosemeet.network.signals import membership_ended
    from rosemeet.plan.queries import register_meeting_counter

    register_rules(app, permissions.RULES)
    register_link_maker(app, operations.rsvp_links, "rsvp")
    register_inbound_handler(app, replies.handle_calendar_mail)
    app.register_blueprint(views.bp)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
    app.context_processor(views.meeting_helpers)
    membership_ended.connect(operations.uninvite, weak=False)
    register_meeting_counter(app, queries.held_meetings_per_year)
    register_template_hook(app, "nav", "meetings/_nav.html")
    register_template_hook(app, "home", "meetings/_home.html", priority=10)
    register_template_hook(app, "body-page", "meetings/_body_meetings.html")
    register_template_hook(app, "minutes-top", "meetings/_minutes_attendance.html")
    register_demo_step(app, demo.load_demo)
