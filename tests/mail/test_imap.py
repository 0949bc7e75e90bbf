"""Reading the inbound mailbox from a real Dovecot: where each mail ends up, what is recorded,
and that no mail is ever applied twice."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import func, select

from rosemeet.extensions import db
from rosemeet.mail.cli import fetch_replies_command
from rosemeet.mail.imap import ImapError, PollResult, fetch_replies, polling_enabled
from rosemeet.mail.inbound import HANDLERS, Handled, register_inbound_handler
from rosemeet.mail.models import InboundMessage, InboundStatus

PROCESSED = "rosemeet/verwerkt"
UNKNOWN = "rosemeet/onbekend"


def mail(subject: str, message_id: str | None = "", body: str = "Tot dan.") -> bytes:
    """A plain mail from an invitee (a fresh Message-ID unless given; None: without one)."""
    message = EmailMessage()
    message["From"] = "Griet Gemeente <griet@kortrijk.example.be>"
    message["To"] = "ag+replies@rose.example.org"
    message["Subject"] = subject
    if message_id is not None:
        message["Message-ID"] = message_id or make_msgid(domain="kortrijk.example.be")
    message.set_content(body)
    return message.as_bytes()


class Recorder:
    """A handler that uses mails whose subject starts with "Accepted:" and fails on "Boom"."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, message, inbound):
        self.seen.append(str(message["Subject"]))
        if message["Subject"].startswith("Boom"):
            db.session.add(
                InboundMessage(message_key="<left-behind>", status=InboundStatus.PROCESSED)
            )
            db.session.flush()
            raise ValueError("the handler broke")
        if message["Subject"].startswith("Accepted:"):
            return Handled(True, "answer applied")
        return None


@pytest.fixture
def handler(app):
    """A ``Recorder`` registered on the app for this test only."""
    recorder = Recorder()
    register_inbound_handler(app, recorder)
    try:
        yield recorder
    finally:
        app.extensions[HANDLERS].remove(recorder)


def rows() -> list[InboundMessage]:
    """Every recorded inbound mail."""
    return list(db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def test_polling_is_off_without_a_host(app):
    assert not polling_enabled({"IMAP_HOST": ""})
    assert polling_enabled({"IMAP_HOST": "imap.example.org"})


def test_a_usable_mail_is_processed_and_moved(ctx, mailbox, handler):
    mailbox.append(mail("Accepted: AG maart", message_id="<answer-1@kortrijk.example.be>"))

    result = fetch_replies()

    assert result == PollResult(read=1, processed=1, unusable=0, skipped=0)
    assert mailbox.subjects("INBOX") == []
    assert mailbox.subjects(PROCESSED) == ["Accepted: AG maart"]
    assert mailbox.subjects(UNKNOWN) == []
    [row] = rows()
    assert row.message_key == "<answer-1@kortrijk.example.be>"
    assert row.status is InboundStatus.PROCESSED
    assert row.detail == "answer applied"
    assert row.sender == "griet@kortrijk.example.be"
    assert row.subject == "Accepted: AG maart"
    assert row.size > 0


def test_an_unusable_mail_goes_to_the_unknown_folder(ctx, mailbox, handler):
    mailbox.append(mail("Vraag over parkeren"))

    result = fetch_replies()

    assert result == PollResult(read=1, processed=0, unusable=1, skipped=0)
    assert mailbox.subjects(UNKNOWN) == ["Vraag over parkeren"]
    assert mailbox.subjects("INBOX") == []
    [row] = rows()
    assert row.status is InboundStatus.UNUSABLE
    assert row.detail == "not a calendar answer"


def test_a_failing_handler_leaves_nothing_and_the_mail_is_listed(ctx, mailbox, handler):
    mailbox.append(mail("Boom"))
    mailbox.append(mail("Accepted: AG april"))

    result = fetch_replies()

    assert result == PollResult(read=2, processed=1, unusable=1, skipped=0)
    assert mailbox.subjects(UNKNOWN) == ["Boom"]
    assert mailbox.subjects(PROCESSED) == ["Accepted: AG april"]
    by_subject = {row.subject: row for row in rows()}
    assert set(by_subject) == {"Boom", "Accepted: AG april"}  # the handler's row is gone
    assert by_subject["Boom"].status is InboundStatus.UNUSABLE
    assert by_subject["Boom"].detail == "ValueError"


def test_a_mail_without_message_id_is_keyed_by_its_content(ctx, mailbox, handler):
    mailbox.append(mail("Accepted: zonder id", message_id=None))

    assert fetch_replies().processed == 1

    [row] = rows()
    assert row.message_key.startswith("sha256:")


def test_polling_twice_counts_once(ctx, mailbox, handler):
    raw = mail("Accepted: AG mei", message_id="<twice@kortrijk.example.be>")
    mailbox.append(raw)
    assert fetch_replies().processed == 1
    assert fetch_replies() == PollResult()  # nothing left to read

    mailbox.append(raw)  # the same mail delivered again
    again = fetch_replies()

    assert again == PollResult(read=1, processed=0, unusable=0, skipped=1)
    assert handler.seen == ["Accepted: AG mei"]
    assert len(rows()) == 1
    assert mailbox.subjects(PROCESSED) == ["Accepted: AG mei", "Accepted: AG mei"]


def test_a_mail_recorded_before_a_crash_is_only_moved(ctx, mailbox, handler):
    # a poll committed its answer and was killed before it could move the mail
    db.session.add(
        InboundMessage(
            message_key="<crashed@kortrijk.example.be>",
            status=InboundStatus.PROCESSED,
            detail="answer applied",
        )
    )
    db.session.commit()
    mailbox.append(mail("Accepted: AG juni", message_id="<crashed@kortrijk.example.be>"))

    result = fetch_replies()

    assert result == PollResult(read=1, processed=0, unusable=0, skipped=1)
    assert handler.seen == []
    assert mailbox.subjects("INBOX") == []
    assert mailbox.subjects(PROCESSED) == ["Accepted: AG juni"]
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_a_mail_too_large_is_listed_without_being_read(app, ctx, mailbox, handler):
    app.config["IMAP_MAX_MESSAGE_MB"] = 1
    mailbox.append(mail("Accepted: met bijlage", body="x" * 1_200_000))

    result = fetch_replies()

    assert result == PollResult(read=1, processed=0, unusable=1, skipped=0)
    assert handler.seen == []
    assert mailbox.subjects(UNKNOWN) == ["Accepted: met bijlage"]
    [row] = rows()
    assert row.status is InboundStatus.UNUSABLE
    assert "larger than 1 MB" in row.detail


def test_flag_mode_leaves_mail_in_place_flagged(app, ctx, mailbox, handler):
    app.config["IMAP_AFTER_READING"] = "flag"
    mailbox.append(mail("Accepted: AG juli"))
    mailbox.append(mail("Nieuwsbrief"))

    result = fetch_replies()

    assert result == PollResult(read=2, processed=1, unusable=1, skipped=0)
    flags = dict(mailbox.contents("INBOX"))
    assert "\\Seen" in flags["Accepted: AG juli"]
    assert "rosemeet-processed" in flags["Accepted: AG juli"]
    assert "rosemeet-unusable" in flags["Nieuwsbrief"]
    assert fetch_replies() == PollResult()  # flagged mail is not read again
    assert handler.seen == ["Accepted: AG juli", "Nieuwsbrief"]


def test_a_wrong_password_is_a_clear_error(app, ctx, mailbox):
    app.config["IMAP_PASSWORD"] = "wrong-password-123"

    with pytest.raises(ImapError) as raised:
        fetch_replies()

    message = str(raised.value)
    assert "wrong-password-123" not in message
    assert mailbox.user in message
    assert "AUTHENTICATIONFAILED" in message or "Authentication failed" in message


def test_an_unreachable_server_is_a_clear_error(app, ctx, mailbox):
    from tests.conftest import free_port

    app.config["IMAP_PORT"] = free_port()

    with pytest.raises(ImapError, match="inbound mailbox"):
        fetch_replies()


def test_the_command_prints_the_counts(app, ctx, mailbox, handler):
    mailbox.append(mail("Accepted: AG augustus"))
    mailbox.append(mail("Out of office"))

    outcome = app.test_cli_runner().invoke(fetch_replies_command)

    assert outcome.exit_code == 0, outcome.output
    assert "2 read: 1 applied, 1 listed as not usable" in outcome.output
    assert mailbox.subjects(PROCESSED) == ["Accepted: AG augustus"]


def test_the_command_fails_on_a_refused_login(app, ctx, mailbox):
    app.config["IMAP_PASSWORD"] = "wrong-password-123"

    outcome = app.test_cli_runner().invoke(fetch_replies_command)

    assert outcome.exit_code == 1
    assert "error: inbound mailbox" in outcome.output
    assert "wrong-password-123" not in outcome.output
