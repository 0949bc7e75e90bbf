"""People, login, passwords, invitations and personal API tokens."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Accounts: the people's tables and permission rules, who a session cookie belongs to,
    the login, password, invitation and profile pages, and the reset and invitation links
    made when their mails are sent."""
    from rosemeet.accounts import models, operations, permissions, views  # noqa: F401 (tables)
    from rosemeet.core.permissions import register_rules
    from rosemeet.extensions import login_manager
    from rosemeet.mail.links import register_link_maker

    register_rules(app, permissions.RULES)
    register_link_maker(app, operations.account_links, "reset", "invite")
    login_manager.user_loader(views.load_user)
    app.register_blueprint(views.bp)
