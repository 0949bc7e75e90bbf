"""Real `rosemeet scheduler` and `rosemeet deliver-mail` processes against one database (the
backend under test) and a real SMTP server: every message is received exactly once however
the deliverers overlap, a leader paused past its lease sends nothing twice when it resumes,
and no process dies of a database that is busy or drops its connections."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, select, text

from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.mail.operations import enqueue
from rosemeet.scheduler import lease
from tests.conftest import SmtpSink, free_port
from tests.mail.test_delivery_transactions import database_is_free

pytestmark = pytest.mark.no_db

#: the application_name of the processes' PostgreSQL connections (to drop them in a test)
APPLICATION = "rosemeet-process-test"


class SlowSink(SmtpSink):
    """An SMTP server that takes ``delay`` seconds to accept each message."""

    delay: float = 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def sink():
    """A real SMTP server on loopback, in this test process."""
    server = SlowSink("127.0.0.1", free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def queue(app, prefix: str, count: int) -> None:
    with app.test_request_context():
        for number in range(count):
            enqueue(
                key=f"{prefix}-{number}",
                kind="test",
                to_email=f"p{number}@rose.example.org",
                to_name=f"P {number}",
                subject=f"{prefix} {number}",
                text_body="hallo",
            )
        db.session.commit()


def process_url(database_url: str) -> str:
    """The database URL for a process, its PostgreSQL connections named APPLICATION."""
    if not database_url.startswith("postgresql"):
        return database_url
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}application_name={APPLICATION}"


def start(command: str, database_url: str, smtp_port: int, log: Path, **settings):
    """A `rosemeet <command>` process with short lease and poll times; output into ``log``."""
    env = {
        **os.environ,
        "ROSEMEET_DATABASE_URL": process_url(database_url),
        "ROSEMEET_INSTANCE_PATH": str(log.parent),
        "ROSEMEET_SECRET_KEY": "test-secret",
        "ROSEMEET_BASE_URL": "http://rosemeet.test",
        "ROSEMEET_SMTP_HOST": "127.0.0.1",
        "ROSEMEET_SMTP_PORT": str(smtp_port),
        "ROSEMEET_SCHEDULER_LEASE_SECONDS": "2",
        "ROSEMEET_SCHEDULER_POLL_SECONDS": "0.25",
        "ROSEMEET_MAIL_DELIVERY_INTERVAL": "1",
        "ROSEMEET_LOG_LEVEL": "WARNING",
        **{f"ROSEMEET_{name.upper()}": str(value) for name, value in settings.items()},
    }
    output = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "rosemeet.cli", command],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output.close()
    process.log = log
    return process


def start_scheduler(database_url: str, smtp_port: int, instance, name="scheduler", **settings):
    return start("scheduler", database_url, smtp_port, Path(instance) / f"{name}.log", **settings)


def stop(processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def logs(processes) -> str:
    """What the processes have written so far."""
    return "".join(p.log.read_text() for p in processes)


def holder_pid(app) -> int | None:
    with app.app_context():
        holder = lease.current_holder()
        db.session.remove()
    return int(holder.split(":")[1]) if holder else None


def assert_each_received_once(sink: SmtpSink, count: int) -> None:
    """``count`` messages, each once: by Message-ID (as a receiver sees it) and by subject."""
    ids = Counter(message["Message-ID"] for message in sink.messages)
    subjects = Counter(message["Subject"] for message in sink.messages)
    twice = sorted(subject for subject, seen in subjects.items() if seen > 1)
    assert not twice, f"{len(twice)} messages were delivered twice: {twice[:5]}"
    assert len(ids) == len(subjects) == count == len(sink.received)


def statuses(app) -> Counter:
    """How many outbox rows have each status."""
    with app.app_context():
        found = Counter(db.session.scalars(select(OutboxMessage.status)))
        db.session.remove()
    return found


def all_sent(app, count: int) -> bool:
    """Is every one of the ``count`` rows recorded sent? (Then no process sends any more: a
    row claimed but not recorded, the one a duplicate would come from, is not sent.)"""
    return statuses(app) == {MessageStatus.SENT: count}


def assert_all_sent(app, count: int) -> None:
    assert statuses(app) == {MessageStatus.SENT: count}


def test_two_schedulers_deliver_each_message_once(
    scratch_app, scratch_database_url, smtp_server, tmp_path
):
    queue(scratch_app, "first", 15)
    processes = [
        start_scheduler(scratch_database_url, smtp_server.port, tmp_path, f"s{n}") for n in range(2)
    ]
    try:
        assert wait_for(lambda: len(smtp_server.received) >= 15), "first batch not delivered"
        # kill the one that holds the lease, without a clean shutdown: the other takes over
        pid = holder_pid(scratch_app)
        holder = next(p for p in processes if p.pid == pid)
        holder.kill()
        holder.wait()
        queue(scratch_app, "second", 10)
        assert wait_for(lambda: len(smtp_server.received) >= 25, timeout=40), (
            "the other scheduler did not take over"
        )
        assert wait_for(lambda: all_sent(scratch_app, 25), timeout=20), "a message is unsent"
    finally:
        stop(processes)  # exited: a duplicate would have been received by now
    subjects = Counter(message["Subject"] for message in smtp_server.messages)
    assert len(subjects) == 25
    assert set(subjects.values()) == {1}, "a message was delivered twice"


def test_the_scheduler_and_two_deliver_mail_runs_send_each_message_once(
    scratch_app, scratch_database_url, sink, tmp_path
):
    """150 messages, the scheduler and two `rosemeet deliver-mail` started at once."""
    sink.delay = 0.01
    queue(scratch_app, "m", 150)
    scheduler = start_scheduler(scratch_database_url, sink.port, tmp_path)
    clis = [
        start("deliver-mail", scratch_database_url, sink.port, tmp_path / f"cli{n}.log")
        for n in range(2)
    ]
    try:
        assert wait_for(lambda: len(sink.received) >= 150, timeout=40), "not all delivered"
        for cli in clis:
            cli.wait(timeout=30)
        assert wait_for(lambda: all_sent(scratch_app, 150), timeout=20), "a message is unsent"
        assert scheduler.poll() is None
    finally:
        stop([scheduler, *clis])  # exited: a duplicate would have been received by now
    by_cli = [int(re.search(r"sent (\d+)", cli.log.read_text())[1]) for cli in clis]
    print(f"\nsent by deliver-mail: {by_cli}, by the scheduler: {150 - sum(by_cli)}")
    assert_each_received_once(sink, 150)
    assert_all_sent(scratch_app, 150)


def pause_outside_a_transaction(process, database_url: str) -> None:
    """SIGSTOP the process at a moment it holds no transaction open (a process paused in
    one would keep the SQLite write lock, and then nobody could take over)."""
    for _ in range(50):
        process.send_signal(signal.SIGSTOP)
        time.sleep(0.05)
        if database_is_free(database_url):
            return
        process.send_signal(signal.SIGCONT)
        time.sleep(0.01)
    pytest.fail("could not pause the scheduler outside a transaction")


def test_a_leader_paused_past_its_lease_sends_nothing_twice_when_it_resumes(
    scratch_app, scratch_database_url, sink, tmp_path
):
    """The leader stops (SIGSTOP) in the middle of its batch for longer than its lease; the
    standby takes over and delivers; the old leader resumes (SIGCONT): its lease has a higher
    fence now, so it sends nothing more, and what it had claimed goes out once."""
    sink.delay = 0.02
    queue(scratch_app, "m", 150)
    settings = {"scheduler_lease_seconds": 2, "scheduler_poll_seconds": 0.3}
    first = start_scheduler(scratch_database_url, sink.port, tmp_path, "first", **settings)
    processes = [first]
    try:
        assert wait_for(lambda: len(sink.received) >= 15, timeout=20)
        pause_outside_a_transaction(first, scratch_database_url)
        second = start_scheduler(scratch_database_url, sink.port, tmp_path, "second", **settings)
        processes.append(second)
        assert wait_for(lambda: holder_pid(scratch_app) == second.pid, timeout=15)
        during_pause = len(sink.received)
        assert wait_for(lambda: len(sink.received) >= during_pause + 10, timeout=10)
        first.send_signal(signal.SIGCONT)
        assert wait_for(lambda: len(sink.received) >= 150, timeout=30), "not all delivered"
        assert wait_for(lambda: all_sent(scratch_app, 150), timeout=20), "a message is unsent"
        # the old leader has run again: it found its lease taken and stopped its jobs
        assert wait_for(lambda: "lease lost to another process" in first.log.read_text())
        assert first.poll() is None and second.poll() is None, "a scheduler died"
        with scratch_app.app_context():
            assert lease.current_fence() >= 2
            db.session.remove()
    finally:
        stop(processes)  # exited: a duplicate would have been received by now
    assert_each_received_once(sink, 150)
    assert_all_sent(scratch_app, 150)


def test_schedulers_live_through_a_locked_database_and_deliver_afterwards(
    scratch_app, scratch_database_url, sink, tmp_path
):
    """Another connection holds SQLite's write lock for longer than busy_timeout (5 s): the
    leader and the standby log "database is locked", stay alive, and deliver afterwards."""
    if not scratch_database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock (PostgreSQL: see the dropped connections test)")
    queue(scratch_app, "before", 5)
    processes = [
        start_scheduler(scratch_database_url, sink.port, tmp_path, f"s{n}") for n in range(2)
    ]
    try:
        assert wait_for(lambda: len(sink.received) >= 5, timeout=20)
        locker = sqlite3.connect(scratch_database_url.removeprefix("sqlite:///"))
        locker.isolation_level = None
        locker.execute("BEGIN IMMEDIATE")
        for number in range(5):
            locker.execute(
                "INSERT INTO outbox_message (key, kind, to_email, to_name, subject, text_body,"
                " status, attempts, next_attempt_at) VALUES (?, 'test', ?, 'P', ?, 'hallo',"
                " 'pending', 0, strftime('%Y-%m-%d %H:%M:%f', 'now'))",
                (f"during-{number}", f"d{number}@rose.example.org", f"during {number}"),
            )
        # held until a scheduler has waited busy_timeout (5 s) for it and said so
        assert wait_for(lambda: "database is locked" in logs(processes), timeout=30)
        locker.execute("COMMIT")
        locker.close()
        assert wait_for(lambda: len(sink.received) >= 10, timeout=20), "nothing after the lock"
        time.sleep(1)
        assert [p.poll() for p in processes] == [None, None], "a scheduler died"
    finally:
        stop(processes)
    assert "Traceback" not in logs(processes)
    assert_each_received_once(sink, 10)


def test_schedulers_live_through_dropped_database_connections(
    scratch_app, scratch_database_url, sink, tmp_path
):
    """PostgreSQL: every connection of the schedulers is terminated, three times (a database
    restart or failover): both stay alive and deliver afterwards."""
    if not scratch_database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL connections (SQLite: see the locked database test)")
    queue(scratch_app, "before", 5)
    processes = [
        start_scheduler(scratch_database_url, sink.port, tmp_path, f"s{n}") for n in range(2)
    ]
    engine = create_engine(scratch_database_url)
    try:
        assert wait_for(lambda: len(sink.received) >= 5, timeout=20)
        for _ in range(3):
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = :name"
                    ),
                    {"name": APPLICATION},
                )
            time.sleep(1.5)
        queue(scratch_app, "after", 5)
        assert wait_for(lambda: len(sink.received) >= 10, timeout=20), "nothing afterwards"
        assert [p.poll() for p in processes] == [None, None], "a scheduler died"
    finally:
        engine.dispose()
        stop(processes)
    assert_each_received_once(sink, 10)


def test_a_database_without_the_tables_is_a_configuration_error(
    scratch_database_url, sink, tmp_path
):
    """Exit status 78 (EX_CONFIG) with the missing tables named, so that a supervisor does
    not restart the scheduler in a loop; not a traceback."""
    process = start_scheduler(scratch_database_url, sink.port, tmp_path)
    try:
        assert process.wait(timeout=20) == 78
    finally:
        stop([process])
    output = process.log.read_text()
    assert "lacks table scheduler_lease, table outbox_message" in output
    assert "rosemeet db upgrade" in output and "Traceback" not in output
