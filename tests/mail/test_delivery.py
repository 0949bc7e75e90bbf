"""Outbox delivery over a real SMTP server: parts, retries, failures, coalescing."""

import threading
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy

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


def test_a_temporary_refusal_backs_off_to_the_maximum_and_fails_only_after_three_days(
    ctx, smtp_server
):
    """451 every time: retries after 1, 2, 4, ... minutes, never more than 30 apart, and the
    message is given up 72 hours after its first attempt, not after a number of attempts."""

    async def busy(server, session, envelope):
        return "451 4.3.0 Try again later"

    smtp_server.handle_DATA = busy
    (message,) = queue(1)
    db.session.commit()
    start = utcnow()
    delivery.deliver_due(now=start)
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    waits, moment = [], start
    while moment - start < timedelta(hours=71):
        waits.append(round((message.next_attempt_at - moment) / timedelta(minutes=1)))
        moment = message.next_attempt_at
        delivery.deliver_due(now=moment)
        assert message.status == MessageStatus.PENDING, f"given up at {moment - start}"
    assert waits[:7] == [1, 2, 4, 8, 16, 30, 30] and max(waits) == 30
    assert message.attempts > 100 and "451 4.3.0 Try again later" in message.last_error
    delivery.deliver_due(now=start + timedelta(hours=72, minutes=1))
    assert message.status == MessageStatus.DEAD and "given up 72 hours" in message.last_error


def test_a_two_hour_outage_loses_no_mail_and_costs_no_attempt(ctx, smtp_server):
    """The server is unreachable for two hours, tried every 5 minutes: nothing is given up,
    no attempt is counted, the admin sees why; once it is back everything goes out once."""
    messages = queue(5)
    db.session.commit()
    smtp_server.controller.stop()
    start = utcnow()
    for minutes in range(0, 125, 5):
        report = delivery.deliver_due(now=start + timedelta(minutes=minutes))
        assert report.unreachable and report.sent == 0
    assert {m.status for m in messages} == {MessageStatus.PENDING}
    assert {m.attempts for m in messages} == {0}
    assert all("connection" in m.last_error for m in messages)
    controller = Controller(smtp_server, hostname=smtp_server.host, port=smtp_server.port)
    controller.start()
    try:
        report = delivery.deliver_due(now=start + timedelta(minutes=125))
    finally:
        controller.stop()
    assert report.sent == 5 and {m.attempts for m in messages} == {1}
    assert sorted(Counter(m["Subject"] for m in smtp_server.messages).values()) == [1] * 5


def test_an_outage_longer_than_three_days_fails_the_mail_with_the_reason(ctx, smtp_server):
    (message,) = queue(1)
    db.session.commit()
    smtp_server.controller.stop()
    start = utcnow()
    delivery.deliver_due(now=start)
    delivery.deliver_due(now=start + timedelta(hours=71))
    assert message.status == MessageStatus.PENDING and message.attempts == 0
    report = delivery.deliver_due(now=start + timedelta(hours=72, minutes=1))
    assert report.dead == 0  # not tried: counted in failed
    assert message.status == MessageStatus.DEAD and "connection" in message.last_error


def test_every_attempt_of_a_message_carries_the_same_message_id(ctx, smtp_server):
    seen = []
    original = smtp_server.handle_DATA

    async def first_time_busy(server, session, envelope):
        seen.append(envelope.content)
        if len(seen) == 1:
            return "451 Try again later"
        return await original(server, session, envelope)

    smtp_server.handle_DATA = first_time_busy
    first, second = queue(2)
    db.session.commit()
    delivery.deliver_due()
    assert first.status == MessageStatus.PENDING and second.status == MessageStatus.SENT
    delivery.deliver_due(now=utcnow() + timedelta(minutes=2))
    assert first.status == MessageStatus.SENT
    ids = [message_from_bytes(raw, policy=policy.default)["Message-ID"] for raw in seen]
    assert ids[0] == ids[2] == first.message_id  # refused, then accepted: the same id
    assert ids[1] == second.message_id != first.message_id
    assert first.message_id.endswith("@rosemeet.test>")  # this installation's host


def test_one_temporary_refusal_does_not_end_the_batch(ctx, smtp_server):
    async def greylist_p1(server, session, envelope, address, rcpt_options):
        if address.startswith("p1@"):
            return "450 4.2.0 Greylisted, come back later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.handle_RCPT = greylist_p1
    first, greylisted, *rest = queue(5)
    db.session.commit()
    before = utcnow()
    report = delivery.deliver_due()
    assert (report.sent, report.failed, report.dead) == (4, 1, 0)
    assert {m.status for m in (first, *rest)} == {MessageStatus.SENT}
    assert greylisted.status == MessageStatus.PENDING and greylisted.attempts == 1
    assert "450 4.2.0 Greylisted" in greylisted.last_error
    wait = greylisted.next_attempt_at - before
    assert timedelta(seconds=55) < wait < timedelta(seconds=90)


def test_a_server_that_closes_the_connection_costs_no_attempt_and_the_run_goes_on(ctx, smtp_server):
    """The server takes two messages per connection and answers the third MAIL FROM with
    421: the run reconnects, and the messages it turned away were not attempts."""
    taken = Counter()

    async def two_per_connection(server, session, envelope, address, mail_options):
        if taken[id(session)] == 2:
            return "421 4.7.0 Too many messages, closing"
        taken[id(session)] += 1
        envelope.mail_from = address
        return "250 OK"

    smtp_server.handle_MAIL = two_per_connection
    messages = queue(7)
    db.session.commit()
    report = delivery.deliver_due()
    assert report.sent == 7 and report.failed == 0
    assert {m.status for m in messages} == {MessageStatus.SENT}
    assert {m.attempts for m in messages} == {1}
    assert sorted(Counter(m["Message-ID"] for m in smtp_server.messages).values()) == [1] * 7


def test_a_message_claimed_by_another_run_is_left_to_it(ctx, smtp_server):
    taken, *others = queue(3)
    taken.claimed_by, taken.claimed_until = "elsewhere/1", utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert delivery.deliver_due().sent == 2
    assert taken.status == MessageStatus.PENDING and taken.claimed_by == "elsewhere/1"
    assert {m.claimed_by for m in others} == {None}
    # that run died: once its claim lapses, the message goes out
    assert delivery.deliver_due(now=utcnow() + timedelta(minutes=6)).sent == 1
    assert taken.status == MessageStatus.SENT and taken.claimed_by is None


def test_a_guard_that_refuses_stops_the_run_before_its_next_send(ctx, smtp_server):
    messages = queue(5)
    db.session.commit()
    report = delivery.deliver_due(guard=lambda: len(smtp_server.received) < 2)
    assert report.stopped and report.sent == 2 and len(smtp_server.received) == 2
    waiting = [m for m in messages if m.status == MessageStatus.PENDING]
    assert len(waiting) == 3
    assert {(m.attempts, m.claimed_by) for m in waiting} == {(0, None)}  # free for others


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


def test_admin_sends_all_failed_mail_again_at_once(ctx, client, auth, admin, smtp_server):
    failed = queue(3, prefix="failed")
    for message in failed:
        message.status, message.attempts = MessageStatus.DEAD, 4
        message.last_error = "refused by the mail server: 550 5.1.1 Mailbox unknown"
    failed[0].message_id = "<outbox-kept@rosemeet.test>"
    (sent,) = queue(1, prefix="sent")
    sent.status = MessageStatus.SENT
    db.session.commit()
    auth.login(admin.email, PASSWORD)
    page = client.get("/admin/mail/").get_data(as_text=True)
    assert "Alle mislukte opnieuw versturen" in page and "550 5.1.1 Mailbox unknown" in page
    response = client.post("/admin/mail/resend-failed", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "3 mislukte berichten staan opnieuw in de wachtrij." in page
    assert "Alle mislukte opnieuw versturen" not in page  # nothing has failed any more
    db.session.expire_all()
    assert {(m.status, m.attempts, m.last_error) for m in failed} == {
        (MessageStatus.PENDING, 0, None)
    }
    assert delivery.deliver_due().sent == 3 and sent.status == MessageStatus.SENT
    assert "<outbox-kept@rosemeet.test>" in [m["Message-ID"] for m in smtp_server.messages]


def test_only_an_admin_sends_failed_mail_again(ctx, client, auth, make_person):
    member = make_person("Mia Lid", password=PASSWORD)
    (message,) = queue(1)
    message.status = MessageStatus.DEAD
    db.session.commit()
    auth.login(member.email, PASSWORD)
    assert client.post("/admin/mail/resend-failed").status_code == 403
    assert client.get("/admin/mail/resend-failed").status_code == 405
    db.session.expire_all()
    assert message.status == MessageStatus.DEAD


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


def test_a_change_never_rewrites_a_message_a_delivery_run_has_taken(ctx, smtp_server):
    """Coalescing merges a change into a waiting message, unless a delivery run has claimed
    it meanwhile (it may be on its way): then the change is a message of its own."""

    def change(version: int):
        return enqueue(
            key=f"meeting-1-v{version}",
            kind="meeting_update",
            to_email="a@rose.example.org",
            to_name="A",
            subject=f"Gewijzigd v{version}",
            text_body=f"versie {version}",
            coalesce_key="meeting-1:a",
        )

    first = change(0)
    assert change(1) is first  # still waiting: merged
    first.claimed_by, first.claimed_until = "run/1", utcnow() + timedelta(minutes=5)
    db.session.commit()
    second = change(2)
    assert second is not first and first.subject == "Gewijzigd v1"
    first.claimed_by = first.claimed_until = None
    db.session.commit()
    assert delivery.deliver_due().sent == 2
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["Gewijzigd v1", "Gewijzigd v2"]
