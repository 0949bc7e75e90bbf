"""People, login, passwords, invitations and personal API tokens."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Accounts: the people's tables and permission rules, who a session cookie belongs to,
    and the login, password, invitation and profile pages."""
    from rosemeet.accounts import models, permissions, views  # noqa: F401 (tables, rules)
    from rosemeet.extensions import login_manager

    login_manager.user_loader(views.load_user)
    app.register_blueprint(views.bp)
