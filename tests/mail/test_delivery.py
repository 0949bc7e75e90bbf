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


def test_a_message_refused_for_good_fails_at_once_and_the_rest_goes_out(ctx, smtp_server):
    original = smtp_server.handle_DATA

    async def refuse_the_first(server, session, envelope):
        if "p0@" in envelope.rcpt_tos[0]:
            return "550 No such user"
        return await original(server, session, envelope)

    smtp_server.handle_DATA = refuse_the_first
    refused, *others = queue(3)
    report = delivery.deliver_due()
    assert (report.sent, report.failed, report.dead) == (2, 1, 1)
    assert refused.status == MessageStatus.DEAD and refused.attempts == 1
    assert "550" in refused.last_error
    assert {m.status for m in others} == {MessageStatus.SENT}


def test_a_refused_recipient_fails_its_message_alone(ctx, smtp_server):
    async def refuse_bob(server, session, envelope, address, rcpt_options):
        if address.startswith("p1@"):
            return "550 5.1.1 Mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = refuse_bob
    first, refused, last = queue(3)
    report = delivery.deliver_due()
    assert report.sent == 2 and refused.status == MessageStatus.DEAD
    assert "Mailbox unknown" in refused.last_error
    assert first.status == last.status == MessageStatus.SENT


def test_a_temporary_refusal_is_retried_then_marked_failed(ctx, smtp_server):
    async def busy(server, session, envelope):
        return "451 Try again later"

    smtp_server.handle_DATA = busy
    (message,) = queue(1)
    delivery.deliver_due()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    now = utcnow()
    for attempt in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_due(now=now + timedelta(days=attempt + 1))
    assert message.status == MessageStatus.DEAD
    assert message.attempts == delivery.MAX_ATTEMPTS and "451" in message.last_error


def test_one_message_with_a_line_break_in_a_header_does_not_stop_the_others(
    ctx, client, auth, admin, smtp_server
):
    """Rows written before input was checked: a title or a name with CR/LF is put on one
    line; an address with one cannot be sent, fails alone and says why."""
    folded = OutboxMessage(
        key="folded",
        kind="meeting_invite",
        to_email="mia@rose.example.org",
        to_name="Mia\r\nLid",
        subject="Uitnodiging\r\nBcc: evil@example.org",
        text_body="Dag",
    )
    broken = OutboxMessage(
        key="broken",
        kind="meeting_invite",
        to_email="bob@rose.example.org\r\nBcc: evil@example.org",
        to_name="Bob",
        subject="Uitnodiging",
        text_body="Dag",
    )
    db.session.add_all([folded, broken])
    db.session.flush()
    others = queue(2)
    db.session.commit()
    report = delivery.deliver_due()
    assert (report.sent, report.dead) == (3, 1)
    assert [m.status for m in (folded, *others)] == [MessageStatus.SENT] * 3
    mails = {m["Message-ID"]: m for m in smtp_server.messages}
    assert len(mails) == 3
    first = next(m for m in mails.values() if m["Subject"].startswith("Uitnodiging"))
    assert first["Subject"] == "Uitnodiging Bcc: evil@example.org"
    assert first["To"] == "Mia Lid <mia@rose.example.org>" and first["Bcc"] is None
    assert all(rcpts != ["evil@example.org"] for _f, rcpts, _raw in smtp_server.received)
    assert not any("evil@" in r for _f, rcpts, _raw in smtp_server.received for r in rcpts)
    assert broken.status == MessageStatus.DEAD and "line break" in broken.last_error

    auth.login(admin.email, PASSWORD)
    page = client.get("/admin/mail/?status=dead").get_data(as_text=True)
    assert "bob@rose.example.org" in page and "line break" in page
    assert delivery.deliver_due().sent == 0  # the dead one is not tried again


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
