"""The ROSE action plan: strategic lines, objectives, actions, indicators and transversal themes."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Plan: its tables and permission rules, its pages and menu entry, the import-plan and
    export-plan commands, and the shipped plan in the demo data."""
    from rosemeet.core.hooks import register_demo_step, register_template_hook
    from rosemeet.core.permissions import register_rules
    from rosemeet.plan import cli, demo, models, permissions, views  # noqa: F401

    register_rules(app, permissions.RULES)
    app.register_blueprint(views.bp)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
    # the last entry of the menu, after the meetings' and the follow-ups'
    register_template_hook(app, "nav", "plan/_nav.html", priority=60)
    register_demo_step(app, demo.load_demo)
