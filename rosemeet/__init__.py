"""rosemeet: the meeting life of the ROSE network, as a Flask app."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
from pathlib import Path
from types import ModuleType

from flask import Flask, jsonify
from flask_babel import format_date, format_datetime
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from config import load_config
from rosemeet.core.errors import register_errorhandlers, storage_problem
from rosemeet.core.i18n import (
    LANGUAGES,
    html_lang,
    select_locale,
    select_timezone,
    translation_directories,
)
from rosemeet.core.logging import install_token_redaction
from rosemeet.core.markdown import render_markdown
from rosemeet.core.permissions import can
from rosemeet.core.security import register_security
from rosemeet.core.web import App, IdConverter
from rosemeet.extensions import babel, csrf, db, login_manager, migrate

#: The domain packages, lowest first. Each may have models, permissions, views (``bp``),
#: cli (``COMMANDS``) and demo modules; create_app loads the ones that exist.
DOMAINS = (
    "accounts",
    "network",
    "mail",
    "plan",
    "meetings",
    "agendas",
    "followups",
    "calendar",
    "scheduler",
    "api",
)


def domain_modules(role: str) -> list[ModuleType]:
    """The ``rosemeet.<domain>.<role>`` modules that exist, in domain order."""
    modules = []
    for domain in DOMAINS:
        package = f"rosemeet.{domain}"
        if importlib.util.find_spec(package) is None:
            continue
        if importlib.util.find_spec(f"{package}.{role}") is not None:
            modules.append(importlib.import_module(f"{package}.{role}"))
    return modules


ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, errors, commands."""
    app = App(
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
    if app.config.get("PROXY_FIX"):  # behind N trusted proxies: their X-Forwarded-For counts
        from werkzeug.middleware.proxy_fix import ProxyFix

        proxies = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_token_redaction()  # no reset, invitation, answer or feed token in any log
    domain_modules("models")
    domain_modules("permissions")
    register_extensions(app)
    app.url_map.converters["int"] = IdConverter  # every <int:id> stays within the database
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
    for module in domain_modules("views"):
        app.register_blueprint(module.bp)

    @app.get("/healthz")
    def healthz():
        """Liveness for load balancers: the database answers AND takes a committed write (a
        full disk, a read-only file or a read-only server answer 503 "unwritable")."""
        from rosemeet.db import without_waiting, write_heartbeat

        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # any database failure means unhealthy
            logging.getLogger(__name__).exception("health check failed")
            return jsonify(status="error", database="unreachable"), 503
        try:
            with without_waiting():  # a long write elsewhere is "busy", not a reason to wait
                write_heartbeat(db.session)
                db.session.commit()
        except Exception as exc:  # whatever refused the write: nothing can be saved now
            with contextlib.suppress(Exception):
                db.session.rollback()
            if isinstance(exc, DBAPIError) and storage_problem(exc) == "busy":
                return jsonify(status="ok", database="busy")  # a long write, not a failure
            reason = getattr(exc, "orig", exc)  # the driver's message, without SQL parameters
            logging.getLogger(__name__).error("health check: no write possible: %s", reason)
            with contextlib.suppress(Exception):  # the database itself may be what failed
                db.session.rollback()
            return jsonify(status="error", database="unwritable"), 503
        return jsonify(status="ok", database="ok")


def register_template_helpers(app: Flask) -> None:
    """Globals and filters every template may use."""
    app.jinja_env.globals.update(
        can=can, LANGUAGES=LANGUAGES, current_user=current_user, html_lang=html_lang
    )
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )


def register_commands(app: Flask) -> None:
    """Attach the CLI commands (the ``rosemeet`` group adds them too)."""
    from rosemeet.cli import COMMANDS

    commands = list(COMMANDS)
    for module in domain_modules("cli"):
        commands.extend(module.COMMANDS)
    for command in commands:
        app.cli.add_command(command)
