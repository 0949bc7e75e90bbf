"""iCalendar: invitations (iTIP over iMIP), subscribable feeds and .ics downloads."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Calendar: the feed tokens' table and permission rule, the feeds and their management
    page, the calendar subscriptions on the profile page, and the "add to Google / Outlook.com"
    links on the meeting page."""
    from rosemeet.calendar import models, permissions, views  # noqa: F401 (tables)
    from rosemeet.core.hooks import register_template_hook
    from rosemeet.core.permissions import register_rules

    register_rules(app, permissions.RULES)
    app.register_blueprint(views.bp)
    app.context_processor(views.calendar_helpers)
    register_template_hook(app, "profile", "calendar/_profile_feeds.html")
    register_template_hook(app, "meeting-page", "calendar/_meeting_buttons.html", priority=40)
