"""The scheduler's jobs do their work inside the app they are bound to, and no error of the
database or the SMTP server gets out of a job or the lease renewal."""

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.network.models import BodyKind
from rosemeet.scheduler import jobs, lease, runner


def test_reminder_and_delivery_jobs(app, ctx, admin, make_body, smtp_server):
    make_body(
        "Werkgroep RASE",
        code="RASE",
        kind=BodyKind.ADHOC,
        ends_on=local_today() + timedelta(days=10),
    )
    db.session.commit()
    jobs.bind_app(app)
    jobs.send_reminders()
    (reminder,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "reminder_adhoc_end")
    ).all()
    jobs.deliver_mail()
    db.session.refresh(reminder)
    assert reminder.status == MessageStatus.SENT
    assert smtp_server.messages[0]["Subject"] == "Werkgroep RASE loopt binnenkort af"


def locked(*_args, **_kwargs):
    raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))


def test_a_job_logs_a_locked_database_and_lives_on(app, ctx, monkeypatch, caplog):
    jobs.bind_app(app)
    monkeypatch.setattr(jobs, "deliver_due", locked)
    monkeypatch.setattr(jobs, "queue_due_reminders", locked)
    with caplog.at_level(logging.WARNING, logger="rosemeet.scheduler.jobs"):
        jobs.deliver_mail()
        jobs.send_reminders()
    assert caplog.text.count("database is locked") == 2
    assert "runs again next time" in caplog.text


def test_the_delivery_job_sends_only_while_its_lease_holds(app, ctx, smtp_server):
    from tests.mail.test_delivery import queue

    queue(2)
    db.session.commit()
    jobs.bind_app(app)
    fence = lease.acquire("me", timedelta(seconds=60))
    jobs.bind_lease("me", fence)
    try:
        lease.release("me")
        lease.acquire("other", timedelta(seconds=60))  # taken over: the fence went up
        jobs.deliver_mail()
        assert smtp_server.received == []
        jobs.bind_lease("other", lease.current_fence())
        jobs.deliver_mail()
        assert len(smtp_server.received) == 2
    finally:
        jobs.bind_lease(None)


class FakeScheduler:
    running = True
    stopped = False

    def shutdown(self, wait=True):
        self.stopped = True


def test_a_failed_lease_renewal_is_no_crash_and_stops_jobs_only_once_the_lease_may_be_gone(
    app, monkeypatch
):
    process = runner.SchedulerProcess(app, lease_seconds=60)
    process.scheduler, process.fence = FakeScheduler(), 1
    monkeypatch.setattr(lease, "acquire", locked)
    process.renewed_at = runner.time.monotonic() - 10
    process.renew()  # within the lease: tried again next time
    assert not process.scheduler.stopped and process.fence == 1
    process.renewed_at = runner.time.monotonic() - 61
    process.renew()
    assert process.scheduler.stopped and process.fence is None
