"""Test fixtures: one schema per session (built by the migrations), each test in a
rolled-back transaction, factories, a real SMTP server and a real browser.

Set ROSEMEET_TEST_DATABASE_URL=postgresql://... to run against PostgreSQL;
the default is a SQLite file in a temporary folder.
"""

from __future__ import annotations

import contextvars
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from rosemeet import create_app
from rosemeet.accounts import operations as accounts
from rosemeet.core import catalogs
from rosemeet.extensions import db
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, OrganisationKind, Role

#: the real IMAP server's fixtures (dovecot, imap_server, mailbox), for every test module
pytest_plugins = ["tests.imap_server"]

PASSWORD = "correct horse battery"
BRUSSELS = ZoneInfo("Europe/Brussels")


def brussels(year, month, day, hour=14, minute=0) -> datetime:
    """An aware Brussels time."""
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


def plain_meeting(body, starts_at: datetime | None = None, **fields):
    """A two-hour meeting of ``body`` at W13 (9 March 2027, 14:00 unless told), announced to
    nobody: for tests that need a meeting, not its invitations."""
    from rosemeet.meetings import operations as meetings

    starts_at = starts_at or brussels(2027, 3, 9)
    fields.setdefault("location", "W13, Kortrijk")
    fields.setdefault("notify_new", False)
    return meetings.create_meeting(
        [body], starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), **fields
    )


CHROMIUM = "/usr/bin/chromium"


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("ROSEMEET_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def reset_database(url: str) -> None:
    """Start from an empty database."""
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The test database, emptied once per session."""
    url = _database_url(tmp_path_factory.mktemp("db"))
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The app, with its schema built by running every migration once."""
    catalogs.compile_all()
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "http://rosemeet.test",
            "SMTP_HOST": "",
            "ARGON2_PROFILE": "test",
        }
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return application


class _ConnectionSession(FlaskSession):
    """A Flask-SQLAlchemy session that always uses the connection it was given."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(mapper, clause, bind)


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Run each test in a transaction that is rolled back; views' commits become savepoints."""
    if request.node.get_closest_marker("browser") or request.node.get_closest_marker("no_db"):
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
            "class_": _ConnectionSession,
        }
    )
    try:
        yield
    finally:
        db.session = original
        outer.rollback()
        connection.close()


class IsolatedClient(FlaskClient):
    """Runs every request in a clean context, as a server would: no ``g`` or session is
    shared with the test's own app context (Flask reuses an active one otherwise)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    """A test client (cookies kept between requests)."""
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An app context with a test request, for calling operations directly."""
    with app.test_request_context():
        yield


# --- factories -------------------------------------------------------------------------------


@pytest.fixture
def make_organisation(app):
    """Factory: ``make_organisation("W13", kind=..., aliases=[...])``."""
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, kind=OrganisationKind.PARTNER, **fields):
        return network.save_organisation(
            None, name=name or f"Organisatie {next(counter)}", kind=kind, **fields
        )

    return make


@pytest.fixture
def make_person(app):
    """Factory: ``make_person("Rita", password=PASSWORD, admin=True)``."""
    counter = iter(range(1, 10_000))

    def make(
        name: str | None = None,
        email: str | None = "",
        password: str | None = None,
        admin: bool = False,
        **fields,
    ):
        number = next(counter)
        if email == "":
            email = f"person{number}@rose.example.org"
        person = accounts.create_person(
            name=name or f"Persoon {number}", email=email, is_admin=admin, **fields
        )
        if password:
            accounts.set_password(person, password)
        return person

    return make


@pytest.fixture
def make_body(app):
    """Factory: ``make_body("Actiegroep ROSE", code="AG", members={person: Role.SECRETARY})``."""
    counter = iter(range(1, 10_000))

    def make(
        name: str | None = None,
        code: str | None = None,
        kind=BodyKind.WORKING_GROUP,
        members: dict | None = None,
        **fields,
    ):
        number = next(counter)
        body = network.save_body(
            None,
            name=name or f"Werkgroep {number}",
            code=code or f"WG{number}",
            kind=kind,
            **fields,
        )
        for person, role in (members or {}).items():
            network.save_membership(None, body=body, person=person, role=role)
        return body

    return make


@pytest.fixture
def admin(make_person):
    """The regisseur, an admin who can log in."""
    return make_person(
        "Rita Regisseur", email="regisseur@rose.example.org", password=PASSWORD, admin=True
    )


@dataclass
class Auth:
    """Log a test client in and out."""

    client: object

    def login(self, email: str, password: str = PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> Auth:
    """``auth.login(email)`` with the test client."""
    return Auth(client)


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database of the backend under test, for code that commits for real
    (a file on SQLite, a separate schema on PostgreSQL)."""
    url = os.environ.get("ROSEMEET_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    url = "postgresql+psycopg://" + url.split("://", 1)[1]
    schema = f"scratch_{os.getpid()}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def scratch_config(scratch_database_url, tmp_path) -> dict[str, str]:
    """The settings of an app on the scratch database, for tests that migrate it themselves."""
    return {
        "SQLALCHEMY_DATABASE_URI": scratch_database_url,
        "SECRET_KEY": "x",
        "INSTANCE_PATH": str(tmp_path),
    }


@pytest.fixture
def scratch_app(scratch_database_url, tmp_path):
    """A second app on the scratch database, migrated to the newest schema."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": scratch_database_url,
            "INSTANCE_PATH": str(tmp_path),
            "SMTP_HOST": "",
            "ARGON2_PROFILE": "test",
        }
    )
    with application.app_context():
        upgrade(revision="heads")
    yield application
    with application.app_context():
        db.engine.dispose()


# --- a real SMTP server ----------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpSink:
    """Messages received by the loopback SMTP server."""

    host: str
    port: int
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    controller: object = None

    @property
    def messages(self) -> list[Message]:
        return [
            message_from_bytes(raw, policy=policy.default) for _sender, _rcpts, raw in self.received
        ]

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    """An aiosmtpd server on loopback; the app's SMTP settings point at it for this test."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    sink.controller = controller
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT")}
    app.config.update(SMTP_HOST=sink.host, SMTP_PORT=sink.port)
    try:
        yield sink
    finally:
        app.config.update(saved)
        if controller._thread is not None:
            controller.stop()


# --- a real browser against a live server ----------------------------------------------------


def empty_all_tables() -> None:
    """Delete every row (browser tests commit for real), whatever points at what."""
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        return
    raw = db.engine.raw_connection()  # PRAGMA foreign_keys only works outside a transaction
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("BEGIN IMMEDIATE")
        for name in tables:
            cursor.execute(f'DELETE FROM "{name}"')
        cursor.execute("COMMIT")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()


@pytest.fixture
def live_server(app):
    """The app served on a loopback port in a thread; the data it commits is wiped after."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.config["BASE_URL"] = "http://rosemeet.test"
        with app.app_context():
            empty_all_tables()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (make test does, as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test item (for screenshots of failures)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser page in Dutch, Brussels time; a failing test leaves a screenshot."""
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = Path(__file__).resolve().parent.parent / "test-artifacts"
        folder.mkdir(exist_ok=True)
        tab.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def seeded(app):
    """Committed data for browser tests: the regisseur (admin) and a few people."""

    def seed(**extra):
        with app.test_request_context():
            regisseur = accounts.create_person(
                name="Rita Regisseur", email="regisseur@rose.example.org", is_admin=True
            )
            accounts.set_password(regisseur, PASSWORD)
            people = {"regisseur": regisseur}
            for key, name in extra.items():
                people[key] = accounts.create_person(name=name, email=f"{key}@rose.example.org")
            db.session.commit()
            return {key: person.id for key, person in people.items()}

    return seed


def browser_login(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the login page in Chromium (Dutch labels)."""
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()


def browser_logout(page) -> None:
    """Log out with the header's button ("Afmelden"); on a phone it is in the folded "Menu",
    which is opened first."""
    from playwright.sync_api import expect

    button = page.get_by_role("button", name="Afmelden")
    menu = page.locator("details.nav-menu > summary")
    # wait for the page (a form just sent may still be loading the next one): then one of
    # the two shows, the button on a wide screen, the folded menu on a phone
    expect(button.or_(menu).filter(visible=True).first).to_be_visible()
    if not button.is_visible():
        menu.click()
    button.click()


__all__ = ["PASSWORD", "Role", "browser_login", "browser_logout"]
