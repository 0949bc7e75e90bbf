"""No database transaction stays open while delivery talks to the SMTP server: a slow or
hanging server must not hold the SQLite write lock (every web request would wait) or leave a
PostgreSQL connection idle in a transaction with locked rows."""

from __future__ import annotations

import sqlite3

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from rosemeet.extensions import db
from rosemeet.mail.delivery import deliver_due
from rosemeet.mail.operations import enqueue
from tests.conftest import SmtpSink, free_port

pytestmark = pytest.mark.no_db


def database_is_free(url: str) -> bool:
    """Could another process write right now, and is no connection idle in a transaction?"""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)
        connection.isolation_level = None
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:  # database is locked
            return False
        finally:
            connection.close()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            busy = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
                )
            )
    finally:
        engine.dispose()
    return busy == 0


class CheckingSink(SmtpSink):
    """Notes, for every message it receives, whether the database was free meanwhile."""

    url: str = ""
    checks: list[bool]

    async def handle_DATA(self, server, session, envelope):
        self.checks.append(database_is_free(self.url))
        return await super().handle_DATA(server, session, envelope)


def test_no_transaction_is_open_during_the_smtp_conversation(scratch_app, scratch_database_url):
    sink = CheckingSink("127.0.0.1", free_port())
    sink.url, sink.checks = scratch_database_url, []
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    scratch_app.config.update(SMTP_HOST=sink.host, SMTP_PORT=sink.port)
    try:
        with scratch_app.test_request_context():
            for number in range(3):
                enqueue(
                    key=f"m-{number}",
                    kind="test",
                    to_email=f"p{number}@rose.example.org",
                    to_name=f"P {number}",
                    subject=f"m {number}",
                    text_body="Dag",
                )
            db.session.commit()
            report = deliver_due()
    finally:
        controller.stop()
    assert report.sent == 3 and len(sink.received) == 3
    assert sink.checks == [True, True, True], "a transaction was open while SMTP talked"
