"""rosemeet: the meeting life of the ROSE network, as a Flask app."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask, jsonify
from flask_babel import format_date, format_datetime
from flask_login import current_user
from sqlalchemy import text

from config import load_config
from rosemeet.core.errors import register_errorhandlers
from rosemeet.core.i18n import (
    LANGUAGES,
    html_lang,
    select_locale,
    select_timezone,
    translation_directories,
)
from rosemeet.core.permissions import can
from rosemeet.core.security import register_security
from rosemeet.extensions import babel, csrf, db, login_manager, migrate

#: Blueprints, as "module:attribute"; each domain's views module owns one.
BLUEPRINTS = [
    "rosemeet.network.views:bp",
    "rosemeet.accounts.views:bp",
    "rosemeet.mail.views:bp",
    "rosemeet.api.views:bp",
]
#: Modules that register permission rules.
PERMISSION_MODULES = [
    "rosemeet.accounts.permissions",
    "rosemeet.network.permissions",
]
#: Every model module, so metadata and migrations see all tables.
MODEL_MODULES = [
    "rosemeet.accounts.models",
    "rosemeet.network.models",
    "rosemeet.mail.models",
]

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, errors, commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    app.config.from_mapping(load_config())
    if config:
        app.config.from_mapping(config)
    app.instance_path = app.config["INSTANCE_PATH"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for module in MODEL_MODULES + PERMISSION_MODULES:
        importlib.import_module(module)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def register_blueprints(app: Flask) -> None:
    """Register each domain's blueprint, and /healthz."""
    for target in BLUEPRINTS:
        module, attribute = target.split(":")
        app.register_blueprint(getattr(importlib.import_module(module), attribute))

    @app.get("/healthz")
    def healthz():
        """Liveness and database check for load balancers."""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # any database failure means unhealthy
            logging.getLogger(__name__).exception("health check failed")
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok")


def register_template_helpers(app: Flask) -> None:
    """Globals and filters every template may use."""
    app.jinja_env.globals.update(
        can=can, LANGUAGES=LANGUAGES, current_user=current_user, html_lang=html_lang
    )
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )


def register_commands(app: Flask) -> None:
    """Attach the CLI commands (the ``rosemeet`` group adds them too)."""
    from rosemeet.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
