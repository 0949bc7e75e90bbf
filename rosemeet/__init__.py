"""rosemeet: the meeting life of the ROSE network, as a Flask app."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from flask import Flask, jsonify
from flask_babel import format_date, format_datetime
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from config import load_config
from rosemeet.core import hooks
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

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, the domains (each one's ``setup``, lowest
    first), errors, security headers, template helpers and the shared commands."""
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
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]  # Flask's documented way to wrap middleware
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_token_redaction()  # no reset, invitation, answer or feed token in any log
    register_extensions(app)
    app.url_map.converters["int"] = IdConverter  # every <int:id> stays within the database
    hooks.init_app(app)  # the template hooks and demo steps the domains register below
    # imported here: importing any rosemeet module runs this file, and need not load them all
    from rosemeet import (
        accounts,
        agendas,
        api,
        calendar,
        documents,
        followups,
        mail,
        meetings,
        network,
        plan,
        records,
        scheduler,
    )

    # what the app is made of: each domain registers its tables, rules, blueprint, commands,
    # signal receivers, reminder kinds, template hooks and demo step (see its docstring)
    mail.setup(app)
    accounts.setup(app)
    network.setup(app)
    plan.setup(app)
    meetings.setup(app)
    agendas.setup(app)
    followups.setup(app)
    documents.setup(app)
    records.setup(app)
    calendar.setup(app)
    scheduler.setup(app)
    api.setup(app)
    register_healthz(app)
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


def register_healthz(app: Flask) -> None:
    """/healthz, for load balancers."""

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
    """Attach the shared CLI commands (each domain's setup attaches its own)."""
    from rosemeet.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)
