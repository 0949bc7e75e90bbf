"""Outbox delivery over a real SMTP server: parts, retries, failures, coalescing."""

import threading
from collections import Counter
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.mail import delivery
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.mail.operations import enqueue
from tests.conftest import PASSWORD

CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def queue(count: int, prefix: str = "m", **extra) -> list[OutboxMessage]:
    return [
        enqueue(
            key=f"{prefix}-{n}",
            kind="test",
            to_email=f"p{n}@rose.example.org",
            to_name=f"Persoon {n}",
            subject=f"{prefix} {n}",
            text_body="Dag",
            **extra,
        )
        for n in range(count)
    ]


def test_a_calendar_message_is_multipart_with_method_and_attachment(ctx, smtp_server):
    queue(1, html_body="<p>Dag</p>", calendar_body=CALENDAR, calendar_method="REQUEST")
    assert delivery.deliver_due().sent == 1
    mail = smtp_server.messages[0]
    assert mail.get_content_type() == "multipart/mixed"
    alternative = mail.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in alternative.get_payload()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    calendar = alternative.get_payload()[2]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    attachment = mail.get_payload()[1]
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content().decode() == CALENDAR


def test_smtp_server_going_down_mid_batch_loses_and_doubles_nothing(ctx, app, smtp_server):
    """After 3 messages the server answers 421 and shuts down; after it returns, the rest
    arrives, each message exactly once."""
    queue(8)
    db.session.commit()
    accepted = smtp_server.received
    original = smtp_server.handle_DATA
    stopped = threading.Event()

    async def going_down(server, session, envelope):
        if len(accepted) >= 3:
            stopped.set()
            return "421 Service shutting down"
        return await original(server, session, envelope)

    smtp_server.handle_DATA = going_down
    report = delivery.deliver_due()
    assert report.sent == 3 and stopped.is_set()
    smtp_server.controller.stop()

    assert delivery.deliver_due(now=utcnow() + timedelta(minutes=5)).sent == 0  # still down
    smtp_server.handle_DATA = original
    controller = Controller(smtp_server, hostname=smtp_server.host, port=smtp_server.port)
    controller.start()
    try:
        report = delivery.deliver_due(now=utcnow() + timedelta(hours=2))
    finally:
        controller.stop()
    assert report.sent == 5
    counts = Counter(message["Subject"] for message in smtp_server.messages)
    assert len(counts) == 8 and set(counts.values()) == {1}
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert set(statuses) == {MessageStatus.SENT}


def test_a_refused_recipient_is_retried_then_marked_failed(ctx, smtp_server):
    async def refuse(server, session, envelope):
        return "550 No such user"

    smtp_server.handle_DATA = refuse
    (message,) = queue(1)
    now = utcnow()
    for attempt in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_due(now=now + timedelta(days=attempt + 1))
    assert message.status == MessageStatus.DEAD
    assert "550" in message.last_error


def test_admin_sees_failed_mail_and_resends_it(ctx, client, auth, admin):
    (message,) = queue(1)
    message.status, message.attempts, message.last_error = MessageStatus.DEAD, 8, "550 nope"
    db.session.commit()
    auth.login(admin.email, PASSWORD)
    page = client.get("/admin/mail/?status=dead").get_data(as_text=True)
    assert "m 0" in page and "550 nope" in page
    response = client.post(f"/admin/mail/{message.id}/resend")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == MessageStatus.PENDING


def test_changes_queued_close_together_go_out_as_one_message(ctx, smtp_server):
    for version in range(3):
        enqueue(
            key=f"meeting-1-v{version}",
            kind="meeting_update",
            to_email="a@rose.example.org",
            to_name="A",
            subject=f"Gewijzigd v{version}",
            text_body=f"versie {version}",
            coalesce_key="meeting-1:a",
            delay=timedelta(minutes=2),
        )
    db.session.commit()
    assert delivery.deliver_due().sent == 0  # still waiting for more changes
    assert delivery.deliver_due(now=utcnow() + timedelta(minutes=3)).sent == 1
    (mail,) = smtp_server.messages
    assert mail["Subject"] == "Gewijzigd v2"


def test_without_smtp_messages_wait_in_the_outbox(ctx, app):
    (message,) = queue(1)
    report = delivery.deliver_due()
    assert report.skipped and message.status == MessageStatus.PENDING and message.attempts == 0
