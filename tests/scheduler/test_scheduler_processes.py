"""Two real `rosemeet scheduler` processes against one database: only one delivers,
the other takes over when the first dies, and no message goes out twice."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from rosemeet.extensions import db
from rosemeet.mail.operations import enqueue
from rosemeet.scheduler import lease

pytestmark = pytest.mark.no_db


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


def start_scheduler(database_url: str, smtp_port: int, instance: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "ROSEMEET_DATABASE_URL": database_url,
        "ROSEMEET_INSTANCE_PATH": instance,
        "ROSEMEET_SECRET_KEY": "test-secret",
        "ROSEMEET_SMTP_HOST": "127.0.0.1",
        "ROSEMEET_SMTP_PORT": str(smtp_port),
        "ROSEMEET_SCHEDULER_LEASE_SECONDS": "3",
        "ROSEMEET_SCHEDULER_POLL_SECONDS": "0.5",
        "ROSEMEET_MAIL_DELIVERY_INTERVAL": "1",
        "ROSEMEET_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "rosemeet.cli", "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_two_schedulers_deliver_each_message_once(
    scratch_app, scratch_database_url, smtp_server, tmp_path
):
    queue(scratch_app, "first", 15)
    processes = [
        start_scheduler(scratch_database_url, smtp_server.port, str(tmp_path)) for _ in range(2)
    ]
    try:
        assert wait_for(lambda: len(smtp_server.received) >= 15), "first batch not delivered"
        # kill the one that holds the lease, without a clean shutdown: the other takes over
        with scratch_app.app_context():
            holder_pid = int(lease.current_holder().split(":")[1])
        holder = next(p for p in processes if p.pid == holder_pid)
        holder.kill()
        holder.wait()
        queue(scratch_app, "second", 10)
        assert wait_for(lambda: len(smtp_server.received) >= 25, timeout=40), (
            "the other scheduler did not take over"
        )
        time.sleep(2)  # give a duplicate the chance to show up
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    subjects = Counter(message["Subject"] for message in smtp_server.messages)
    assert len(subjects) == 25
    assert set(subjects.values()) == {1}, "a message was delivered twice"
