"""SQLite transactions (issue 9, items 5 and 7): reads never take the write lock, writers take
it as late and as briefly as they can, argon2 runs without it, and no transaction is open
while mail talks to SMTP.

The first tests run the app in this process on a real database file and watch the lock from
a second, raw connection. The others run real processes (gunicorn with 3 workers, the
``rosemeet deliver-mail`` command, an aiosmtpd server) against a migrated, filled file.
These are SQLite's questions: every test here uses a SQLite file, whatever engine the rest
of the suite runs on.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from json import dumps
from pathlib import Path

import pytest
from flask import request
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from rosemeet import create_app
from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.calendar import operations as feeds
from rosemeet.calendar.models import FeedScope
from rosemeet.db import db_read, reads_first, without_waiting
from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD, free_port, plain_meeting
from tests.servers import SECRET, gunicorn

pytestmark = pytest.mark.no_db

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


# --- a migrated database file, copied for each test ---------------------------------------


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory) -> Path:
    """An empty SQLite file at the newest schema (migrated once per module)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = file_app(path, tmp_path_factory.mktemp("template-instance"))
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return path


def file_app(path: Path, instance: Path, **config):
    """An app on the SQLite file ``path`` (CSRF off: these tests post forms directly)."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "INSTANCE_PATH": str(instance),
            "WTF_CSRF_ENABLED": False,
            "SMTP_HOST": "",
            **config,
        }
    )


@pytest.fixture
def database_file(migrated_file, tmp_path) -> Path:
    """A fresh copy of the migrated file for one test."""
    path = tmp_path / "rosemeet.db"
    shutil.copyfile(migrated_file, path)
    return path


def lock_is_free(path: Path) -> bool:
    """Can another connection take the write lock right now (without waiting)?"""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


@contextmanager
def write_lock_held(path: Path, seconds: float | None = None):
    """Hold SQLite's write lock from a raw connection (for ``seconds`` in a thread, or for
    the block)."""
    holder = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE heartbeat SET written_by = 'lock holder' WHERE id = 1")
    release = threading.Timer(seconds, holder.rollback) if seconds else None
    if release:
        release.start()
    try:
        yield
    finally:
        if release:
            release.join()
        else:
            holder.rollback()
        holder.close()


# --- in-process: which transactions take the lock, and when ------------------------------


@dataclass
class Seen:
    """What a test view saw of the lock while it ran."""

    free_after_read: bool | None = None
    free_after_write: bool | None = None


def probe_app(database_file: Path, tmp_path: Path, seen: Seen, between=None):
    """An app with test views that read, call ``between``, then write, noting the lock."""
    app = file_app(database_file, tmp_path)

    def read_then_write():
        db.session.scalar(text("SELECT count(*) FROM person"))
        seen.free_after_read = lock_is_free(database_file)
        if between:
            between()
        if request.args.get("nested"):  # a savepoint is the start of a write
            with db.session.begin_nested():
                accounts.create_person(name="Wim Schrijver", email=None)
                seen.free_after_write = lock_is_free(database_file)
            db.session.commit()
        elif request.args.get("write"):
            accounts.create_person(name="Wim Schrijver", email=None)
            seen.free_after_write = lock_is_free(database_file)
            db.session.commit()
        return "ok"

    @reads_first
    def first():
        return read_then_write()

    app.add_url_rule("/_t/plain", "t_plain", read_then_write, methods=["GET", "POST"])
    app.add_url_rule("/_t/first", "t_first", first, methods=["POST"])
    return app


def raw_query(database_file: Path, sql: str, *params) -> list[tuple]:
    """Rows of a query made with a raw connection of its own."""
    raw = sqlite3.connect(database_file, timeout=10)
    try:
        return raw.execute(sql, params).fetchall()
    finally:
        raw.close()


def people(database_file: Path) -> list[str]:
    """The names in the person table."""
    return [name for (name,) in raw_query(database_file, "SELECT name FROM person ORDER BY id")]


def commit_elsewhere(database_file: Path) -> None:
    """Another connection commits a write (the heartbeat row)."""
    other = sqlite3.connect(database_file, timeout=1, isolation_level=None)
    try:
        other.execute("UPDATE heartbeat SET written_by = 'someone else' WHERE id = 1")
    finally:
        other.close()


def test_a_get_request_reads_without_the_write_lock(database_file, tmp_path):
    seen = Seen()
    client = probe_app(database_file, tmp_path, seen).test_client()
    assert client.get("/_t/plain").status_code == 200
    assert seen.free_after_read is True  # was False: every GET began with BEGIN IMMEDIATE


def test_a_get_that_writes_takes_the_lock_at_its_first_write_even_after_a_commit_elsewhere(
    database_file, tmp_path
):
    """The SQLite trap: a deferred transaction that has read, and then writes after another
    connection committed, fails at once with SQLITE_BUSY_SNAPSHOT ("database is locked",
    busy_timeout does not help). The first write ends the read and begins IMMEDIATE."""

    seen = Seen()
    app = probe_app(database_file, tmp_path, seen, between=lambda: commit_elsewhere(database_file))
    assert app.test_client().get("/_t/plain?write=1").status_code == 200
    assert seen.free_after_read is True and seen.free_after_write is False
    assert people(database_file) == ["Wim Schrijver"]


def test_a_get_that_writes_in_a_savepoint_after_a_commit_elsewhere_succeeds(
    database_file, tmp_path
):
    """The same through begin_nested(): the SAVEPOINT takes the lock before it opens."""
    seen = Seen()
    app = probe_app(database_file, tmp_path, seen, between=lambda: commit_elsewhere(database_file))
    assert app.test_client().get("/_t/plain?nested=1").status_code == 200
    assert seen.free_after_write is False
    assert people(database_file) == ["Wim Schrijver"]


def test_a_post_takes_the_write_lock_from_its_first_statement(database_file, tmp_path):
    seen = Seen()
    client = probe_app(database_file, tmp_path, seen).test_client()
    assert client.post("/_t/plain?write=1").status_code == 200
    assert seen.free_after_read is False  # read-modify-write stays serialised, as before
    assert people(database_file) == ["Wim Schrijver"]


def test_a_reads_first_post_reads_without_the_lock_and_takes_it_to_write(database_file, tmp_path):
    seen = Seen()
    client = probe_app(database_file, tmp_path, seen).test_client()
    assert client.post("/_t/first?write=1").status_code == 200
    assert seen.free_after_read is True and seen.free_after_write is False
    assert people(database_file) == ["Wim Schrijver"]


def test_jobs_and_fake_request_contexts_keep_the_write_lock(database_file, tmp_path):
    """Outside a dispatched request (CLI, scheduler, the request context jobs make for
    url_for) a transaction is serialised as a whole, as before; db_read() opts out."""
    app = file_app(database_file, tmp_path)
    with app.test_request_context("/"):
        db.session.scalar(text("SELECT 1"))
        assert not lock_is_free(database_file)
        db.session.rollback()
        with db_read():
            db.session.scalar(text("SELECT 1"))
            assert lock_is_free(database_file)
            accounts.create_person(name="Lees Eerst", email=None)
            assert not lock_is_free(database_file)
            db.session.commit()
    with app.app_context():
        db.engine.dispose()
    assert people(database_file) == ["Lees Eerst"]


def test_without_waiting_fails_at_once_when_another_connection_writes(database_file, tmp_path):
    app = file_app(database_file, tmp_path)
    with app.test_request_context("/"), db_read(), write_lock_held(database_file):
        db.session.scalar(text("SELECT 1"))
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), without_waiting():
            db.session.execute(text("UPDATE heartbeat SET written_by = 'impatient'"))
        assert time.monotonic() - started < 1  # no busy_timeout wait
        db.session.rollback()
    with app.app_context():
        db.engine.dispose()


def test_api_token_use_is_not_worth_waiting_for_the_lock(database_file, tmp_path):
    """An API read with a token whose "last used" is due answers at once while another
    connection writes; the use is recorded by a later request."""
    app = file_app(database_file, tmp_path)
    with app.test_request_context():
        person = accounts.create_person(name="Api Gebruiker", email="api@rose.example.org")
        token, plain = accounts.create_api_token(person, "test")
        db.session.commit()
        token_id = token.id
    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    with write_lock_held(database_file):
        started = time.monotonic()
        response = client.get("/api/v1/bodies", headers=headers)
        assert response.status_code == 200
        assert time.monotonic() - started < 1
    assert client.get("/api/v1/bodies", headers=headers).status_code == 200
    [(used,)] = raw_query(database_file, "SELECT last_used_at FROM api_token WHERE id=?", token_id)
    assert used is not None
    with app.app_context():
        db.engine.dispose()


def test_a_feed_poll_is_not_worth_waiting_for_the_lock(database_file, tmp_path):
    """A calendar application polling its feed gets it at once while another connection
    writes; when the feed was last used is recorded by a later poll."""
    app = file_app(database_file, tmp_path)
    with app.test_request_context():
        person = accounts.create_person(name="Kalender Gebruiker", email="cal@rose.example.org")
        feed, plain = feeds.create_feed(person, FeedScope.PERSON, None)
        db.session.commit()
        feed_id = feed.id
    client = app.test_client()
    with write_lock_held(database_file):
        started = time.monotonic()
        assert client.get(f"/feeds/{plain}.ics").status_code == 200
        assert time.monotonic() - started < 1
    assert client.get(f"/feeds/{plain}.ics").status_code == 200
    [(used,)] = raw_query(database_file, "SELECT last_used_at FROM feed_token WHERE id=?", feed_id)
    assert used is not None
    with app.app_context():
        db.engine.dispose()


def test_healthz_calls_a_database_busy_with_a_long_write_healthy(database_file, tmp_path):
    """A load balancer must not take every instance out while one long write runs."""
    client = file_app(database_file, tmp_path).test_client()
    with write_lock_held(database_file):
        started = time.monotonic()
        response = client.get("/healthz")
        assert time.monotonic() - started < 1
    assert response.status_code == 200 and response.json["database"] == "busy"
    assert client.get("/healthz").json["database"] == "ok"


# --- real processes: gunicorn with 3 workers on a filled file ----------------------------


@dataclass
class Filled:
    """What the filled database holds, for the clients."""

    path: Path
    instance: Path
    admin: str
    users: list[str]
    body_id: int
    meeting_id: int
    item_id: int
    token: str


def fill(path: Path, instance: Path, users: int = 10) -> Filled:
    """A network to look at: an admin (secretary of a body) and ``users`` members with real
    argon2 passwords, a meeting with an agenda item, an API token."""
    app = file_app(path, instance)
    with app.test_request_context():
        admin = accounts.create_person(name="Rita Regisseur", email="admin@rose.example.org")
        admin.is_admin = True
        accounts.set_password(admin, PASSWORD)
        members = []
        for n in range(users):
            person = accounts.create_person(name=f"Lid {n}", email=f"lid{n}@rose.example.org")
            accounts.set_password(person, PASSWORD)
            members.append(person)
        body = network.save_body(
            None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP
        )
        network.save_membership(None, body=body, person=admin, role=Role.SECRETARY)
        for person in members:
            network.save_membership(None, body=body, person=person, role=Role.MEMBER)
        meeting = plain_meeting(body)
        item = agendas.add_item(meeting, title="Mobiliteit")
        _token, plain = accounts.create_api_token(admin, "test")
        db.session.commit()
        filled = Filled(
            path,
            instance,
            admin.email,
            [p.email for p in members],
            body.id,
            meeting.id,
            item.id,
            plain,
        )
    with app.app_context():
        db.engine.dispose()
    return filled


class Browser:
    """A cookie-keeping HTTP client (the standard library: it works in child processes)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def open(self, path: str, data: dict | None = None, headers: dict | None = None, json=None):
        """(status, body text) of one request (a form post with ``data``, a JSON post with
        ``json``); errors are answers too."""
        headers = dict(headers or {})
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if json is not None:
            body = dumps(json).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self, path: str = "/login") -> str:
        """The CSRF token of a form page."""
        _status, page = self.open(path)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def login(self, email: str, password: str = PASSWORD) -> int:
        """Log in through the form; the status (302 on success)."""
        token = self.csrf()
        return self.open("/login", {"email": email, "password": password, "csrf_token": token})[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def filled(tmp_path_factory, migrated_file) -> Filled:
    """A migrated, filled database file, shared by the process tests of this module."""
    folder = tmp_path_factory.mktemp("filled")
    path = folder / "rosemeet.db"
    shutil.copyfile(migrated_file, path)
    return fill(path, folder)


@pytest.fixture(scope="module")
def served(filled, tmp_path_factory):
    """gunicorn -w 3 on the filled database; yields (base URL, log file)."""
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with gunicorn(f"sqlite:///{filled.path}", filled.instance, log) as base:
        yield base, log


def test_pages_answer_at_once_while_another_process_holds_the_write_lock(filled, served):
    """Two seconds of a writer elsewhere (another worker, the scheduler) do not hold up
    pages: home, a body, a meeting, the API. A write waits for the lock, then succeeds."""
    base, _log = served
    browser = Browser(base)
    assert browser.login(filled.admin) == 302
    api = {"Authorization": f"Bearer {filled.token}"}
    pages = [
        ("/", {}),
        (f"/bodies/{filled.body_id}", {}),
        (f"/meetings/{filled.meeting_id}", {}),
        ("/api/v1/bodies", api),
    ]
    for _round in range(3):  # every worker has compiled its templates
        for path, headers in pages:
            assert browser.open(path, headers=headers)[0] == 200
    timings = []
    with write_lock_held(filled.path, seconds=2):
        held_since = time.monotonic()
        for path, headers in pages:
            started = time.monotonic()
            status, _page = browser.open(path, headers=headers)
            timings.append((path, status, round(time.monotonic() - started, 2)))
        during = time.monotonic() - held_since
        with ThreadPoolExecutor(1) as pool:  # a write meanwhile: it queues for the lock
            rsvp = pool.submit(
                Browser(base).open,
                f"/api/v1/meetings/{filled.meeting_id}/attendance",
                headers=api,
                json={"response": "accepted"},
            )
    assert all(status == 200 and seconds < 1 for _path, status, seconds in timings), timings
    assert during < 2, "the pages must have been asked while the lock was held"
    assert rsvp.result()[0] == 200, rsvp.result()
    assert raw_query(filled.path, "SELECT response FROM attendance") == [("accepted",)]


def _login_burst(base: str, emails: list[str], ready) -> list[tuple[int, float]]:
    """In a child process: one thread per address fetches the form, then all post it at once
    (when every thread of every process has passed the ``ready`` barrier); (status, seconds)
    per login."""

    def one(email: str) -> tuple[int, float]:
        browser = Browser(base)
        token = browser.csrf()
        ready.wait(60)
        started = time.monotonic()
        status, _page = browser.open(
            "/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        return status, time.monotonic() - started

    with ThreadPoolExecutor(len(emails)) as pool:
        return list(pool.map(one, emails))


def test_fifty_simultaneous_logins_hash_without_the_write_lock(filled, served):
    """50 logins at once from 5 processes: none answers 5xx, and while argon2 runs in the
    workers the write lock stays free for everybody else (it was held through every hash)."""
    base, log = served
    emails = [filled.users[n % len(filled.users)] for n in range(50)]
    manager = multiprocessing.Manager()
    ready = manager.Barrier(len(emails) + 1)  # the login threads and the watcher
    free = busy = 0
    stop = threading.Event()

    def watch():
        nonlocal free, busy
        ready.wait(60)
        while not stop.is_set():
            if lock_is_free(filled.path):
                free += 1
            else:
                busy += 1
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ProcessPoolExecutor(5) as pool:
            chunks = [emails[n::5] for n in range(5)]
            results = [
                r for part in pool.map(_login_burst, [base] * 5, chunks, [ready] * 5) for r in part
            ]
    finally:
        stop.set()
        watcher.join()
        manager.shutdown()
    statuses = sorted({status for status, _s in results})
    assert len(results) == 50
    assert all(status in (302, 429) for status, _s in results), (statuses, log.read_text()[-2000:])
    assert sum(status == 302 for status, _s in results) >= 45
    assert free + busy > 20
    assert free / (free + busy) > 0.6, f"the write lock was free {free} of {free + busy} times"
    assert "database is locked" not in log.read_text()


# --- real processes: no transaction open while mail talks to SMTP -------------------------


class SlowSmtp:
    """An aiosmtpd handler that takes ``seconds`` per message and says when it is busy."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.busy = threading.Event()
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.busy.set()
        await asyncio.sleep(self.seconds)
        self.received.append(envelope.content)
        return "250 Message accepted for delivery"


def test_no_transaction_is_open_while_delivery_talks_to_smtp(database_file, tmp_path):
    """``rosemeet deliver-mail`` against a server that takes 1 s per message: meanwhile
    another connection writes at once. The message goes out once and is recorded sent."""
    from aiosmtpd.controller import Controller

    app = file_app(database_file, tmp_path)
    with app.test_request_context():
        person = accounts.create_person(name="Post Ontvanger", email="post@rose.example.org")
        accounts.set_password(person, PASSWORD)
        accounts.request_password_reset(person.email)
        db.session.commit()
    with app.app_context():
        db.engine.dispose()
    handler = SlowSmtp(1)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "ROSEMEET_DATABASE_URL": f"sqlite:///{database_file}",
        "ROSEMEET_INSTANCE_PATH": str(tmp_path),
        "ROSEMEET_SECRET_KEY": SECRET,
        "ROSEMEET_SMTP_HOST": "127.0.0.1",
        "ROSEMEET_SMTP_PORT": str(port),
    }
    try:
        command = subprocess.Popen(
            [str(BIN / "rosemeet"), "deliver-mail"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert handler.busy.wait(30), command.communicate(timeout=30)[0].decode()
        time.sleep(0.3)  # well inside the server's 1 s
        free_during_smtp = lock_is_free(database_file)
        output = command.communicate(timeout=60)[0].decode()
    finally:
        controller.stop()
    assert command.returncode == 0, output
    assert free_during_smtp, "a transaction held the write lock while SMTP was talking"
    assert len(handler.received) == 1
    app = file_app(database_file, tmp_path)
    with app.app_context():
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        assert message.status is MessageStatus.SENT
        db.engine.dispose()
