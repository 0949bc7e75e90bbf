"""Secret links (reset, invitation, one-click answers) are made when a mail is sent: the
outbox, its admin page and the logs never hold a token that works; answer links end with
their meeting."""

from __future__ import annotations

import json
import logging
import re
import runpy
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from werkzeug.serving import make_server

from rosemeet import create_app
from rosemeet.accounts import operations as accounts
from rosemeet.extensions import db
from rosemeet.mail.delivery import deliver_due
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.meetings import operations as meetings
from rosemeet.meetings import queries as meeting_queries
from rosemeet.meetings.models import Response
from rosemeet.network.models import Role
from tests.conftest import PASSWORD, free_port

NEW_PASSWORD = "Blauwe vergaderzaal in Kortrijk 2027!"
#: anything that may be a token or hold one: long runs of URL-safe characters
CANDIDATE = re.compile(r"[A-Za-z0-9_\-.]{16,}")


def stored_strings() -> list[str]:
    """Every value of every column of every outbox row, as text."""
    values = []
    for row in db.session.execute(sa.select(OutboxMessage.__table__)).mappings():
        for value in row.values():
            if value is not None:
                values.append(value if isinstance(value, str) else json.dumps(value, default=str))
    return values


def candidates(values: list[str]) -> set[str]:
    """The token-like strings in these values, also the last segment of any path."""
    found = set()
    for value in values:
        for match in CANDIDATE.findall(value):
            found.add(match)
            found.update(part for part in match.split("/") if part)
    return found


def working_link_tokens(values: list[str]) -> list[str]:
    """The strings among these values that open a reset, invitation or answer link."""
    return [
        token
        for token in candidates(values)
        if accounts.load_link_token(token, "reset")
        or accounts.load_link_token(token, "invite")
        or meeting_queries.load_rsvp_token(token, allow_ended=True)
    ]


def plain_body(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def test_a_reset_request_stores_no_token_and_the_mail_link_works(
    ctx, client, auth, make_person, admin, smtp_server
):
    person = make_person("Mia Lid", password=PASSWORD)
    db.session.commit()
    assert client.post("/password/forgot", data={"email": person.email}).status_code == 302
    (message,) = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
    )
    assert working_link_tokens(stored_strings()) == []
    assert "/password/reset/" not in message.text_body + (message.html_body or "")

    assert deliver_due().sent == 1
    (mail,) = smtp_server.messages
    link = re.search(r"http://rosemeet\.test(/password/reset/\S+)", plain_body(mail)).group(1)
    token = link.rsplit("/", 1)[1]
    assert accounts.load_link_token(token, "reset") == person
    assert f'href="http://rosemeet.test{link}"' in mail.get_body(("html",)).get_content()
    db.session.expire_all()
    assert working_link_tokens(stored_strings()) == []  # sending stored nothing either

    auth.login(admin.email)
    page = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "[link]" in page and token not in page and "/password/reset/" not in page
    auth.logout()
    client.get(link)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200


def test_an_invitation_stores_no_token_and_its_mail_link_works(ctx, client, make_person):
    person = make_person("Nieuw Lid")
    accounts.invite_person(person)
    db.session.commit()
    assert working_link_tokens(stored_strings()) == []
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    from rosemeet.mail.delivery import build_email

    body = plain_body(build_email(message, "rosemeet@localhost"))
    link = re.search(r"http://rosemeet\.test(/invitation/\S+)", body).group(1)
    assert "Dag Nieuw Lid, kies een wachtwoord" in client.get(link).get_data(as_text=True)


@pytest.fixture
def invited(ctx, make_person, make_body):
    """Mia, member of a body with a meeting in a month (its invitations are queued)."""
    mia = make_person("Mia Lid", email="mia@rose.example.org")
    body = make_body("Actiegroep ROSE", code="AG", members={mia: Role.MEMBER})
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    meeting = meetings.create_meeting(
        [body], starts_at=starts, ends_at=starts + timedelta(hours=2), location="W13, Kortrijk"
    )
    db.session.commit()
    return SimpleNamespace(person=mia, body=body, meeting=meeting)


def test_answer_links_are_made_when_the_invitation_is_sent(
    invited, client, auth, admin, smtp_server
):
    message = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.person_id == invited.person.id)
    ).one()
    assert working_link_tokens(stored_strings()) == []
    assert "/rsvp/" not in message.text_body + message.html_body

    assert deliver_due().sent == 1
    (mail,) = smtp_server.messages
    links = re.findall(r"http://rosemeet\.test(/rsvp/[^\s?]+)\?response=(\w+)", plain_body(mail))
    assert {answer for _path, answer in links} == {"accepted", "tentative", "declined"}
    path = links[0][0]
    page = client.get(path + "?response=declined").get_data(as_text=True)
    assert "Bevestig je antwoord" in page
    client.post(path, data={"response": "declined"})
    db.session.expire_all()
    (mine,) = db.session.get(type(invited.meeting), invited.meeting.id).attendances
    assert mine.response is Response.DECLINED

    auth.login(admin.email)
    page = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    shown = re.search(r"<pre>(.*?)</pre>", page, re.DOTALL).group(1)
    assert shown.count("[link]") == 3 and "/rsvp/" not in page


def test_a_link_that_no_longer_works_fails_its_mail_with_the_reason(
    ctx, client, auth, make_person, admin, smtp_server
):
    person = make_person("Mia Lid", password=PASSWORD)
    accounts.request_password_reset(person.email)
    accounts.set_password(person, NEW_PASSWORD)  # before the mail went out
    db.session.commit()
    report = deliver_due()
    assert report.sent == 0 and report.dead == 1 and smtp_server.messages == []
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.status is MessageStatus.DEAD and "password changed" in message.last_error
    auth.login(admin.email)
    assert "password changed" in client.get("/admin/mail/").get_data(as_text=True)


def test_the_admin_page_masks_links_of_rows_written_before(ctx, client, auth, admin, make_person):
    person = make_person()
    token = accounts.make_link_token(person, "reset")
    db.session.add(
        OutboxMessage(
            key="old-reset",
            kind="password_reset",
            to_email=person.email,
            to_name=person.name,
            subject="Nieuw wachtwoord",
            text_body=f"Klik: http://rosemeet.test/password/reset/{token}\n",
        )
    )
    db.session.commit()
    auth.login(admin.email)
    message = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.key == "old-reset"))
    page = client.get(f"/admin/mail/{message.one().id}").get_data(as_text=True)
    assert token not in page and "Klik: [link]" in page


# --- answer links end with their meeting ---------------------------------------------------


def test_an_answer_link_stops_working_once_the_meeting_has_ended(invited, client, time_machine):
    meeting, mia = invited.meeting, invited.person
    token = meetings.rsvp_token(meeting, mia)
    time_machine.move_to(meeting.starts_at - timedelta(hours=1), tick=False)
    assert client.get(f"/rsvp/{token}").status_code == 200
    time_machine.move_to(meeting.ends_at + timedelta(minutes=1), tick=False)
    assert meeting_queries.load_rsvp_token(token) is None
    response = client.get(f"/rsvp/{token}?response=accepted")
    page = response.get_data(as_text=True)
    assert response.status_code == 410 and "Deze vergadering is voorbij" in page
    assert "<form" not in page and response.headers["Referrer-Policy"] == "no-referrer"
    assert client.post(f"/rsvp/{token}", data={"response": "accepted"}).status_code == 410
    db.session.expire_all()
    assert db.session.get(type(meeting), meeting.id).attendances == []


def test_a_cancelled_meetings_link_says_so(invited, client):
    meetings.cancel_meeting(invited.meeting, "Te weinig agendapunten")
    db.session.commit()
    token = meetings.rsvp_token(invited.meeting, invited.person)
    page = client.get(f"/rsvp/{token}?response=accepted").get_data(as_text=True)
    assert "Deze vergadering is geannuleerd." in page and "Te weinig agendapunten" in page
    assert "<form" not in page


def test_an_invitation_still_queued_after_the_meeting_is_not_sent(
    invited, time_machine, smtp_server
):
    time_machine.move_to(invited.meeting.ends_at + timedelta(days=1), tick=False)
    report = deliver_due()
    assert report.sent == 0 and smtp_server.messages == []
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.status is MessageStatus.DEAD and "meeting is over" in message.last_error


# --- logs ------------------------------------------------------------------------------------

SECRET = "SeCrEt-ToKeN.abcdefghijklmnop"
SECRET_PATHS = (
    f"/rsvp/{SECRET}?response=accepted",
    f"/password/reset/{SECRET}",
    f"/invitation/{SECRET}",
    f"/feeds/{SECRET}.ics",
)


@pytest.mark.no_db
def test_tokens_never_reach_werkzeugs_request_log(app, caplog):
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in SECRET_PATHS:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
                except urllib.error.HTTPError as error:
                    assert error.code in (400, 404)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(lines) == len(SECRET_PATHS)
    assert not any(SECRET in line for line in lines)
    assert all("<token>" in line for line in lines)
    assert any("/rsvp/<token>?response=accepted" in line for line in lines)


def test_the_500_log_names_the_route_without_its_token(app, caplog):
    with caplog.at_level(logging.ERROR):
        logging.getLogger("rosemeet.core.errors").error(
            "unhandled error on %s %s", "GET", SECRET_PATHS[0]
        )
        logging.getLogger("rosemeet").error(f"Exception on {SECRET_PATHS[1]} [GET]")
    assert SECRET not in caplog.text
    assert "/rsvp/<token>" in caplog.text and "/password/reset/<token>" in caplog.text


def test_gunicorn_access_log_keeps_no_token(tmp_path):
    from gunicorn.config import Config

    settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = settings["logger_class"](config)
    for path in SECRET_PATHS:
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": path,
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_REFERER": f"https://rosemeet.example.org{path}",
            "HTTP_USER_AGENT": "test",
        }
        request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
        response = SimpleNamespace(status="200 OK", sent=10, headers=[])
        logger.access(response, request, environ, timedelta(milliseconds=3))
    for handler in logger.access_log.handlers:
        handler.flush()
    written = (tmp_path / "access.log").read_text()
    assert written.count("\n") == len(SECRET_PATHS)
    assert SECRET not in written and '"GET /rsvp/<token>?response=accepted HTTP/1.1"' in written


# --- migration 0007 --------------------------------------------------------------------------


@pytest.mark.no_db
def test_migration_turns_stored_links_into_placeholders_that_still_work(
    scratch_database_url, tmp_path
):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": scratch_database_url,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path),
            "BASE_URL": "http://rosemeet.test",
        }
    )
    with app.app_context(), app.test_request_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO person (id, name, email) VALUES (1, 'Mia', 'mia@rose.example.org')"
                )
            )
        person = db.session.get(accounts.Person, 1)
        old_style = accounts._serializer("reset").dumps(
            {"p": 1, "f": accounts._fingerprint(person)}
        )
        db.session.close()
        rows = [
            ("pending", f"Kies: http://rosemeet.test/password/reset/{old_style}\n"),
            ("sent", f"Kies: http://rosemeet.test/password/reset/{old_style}\n"),
            ("sent", "Komt: http://rosemeet.test/rsvp/not-a-token?response=accepted\n"),
        ]
        with db.engine.begin() as connection:
            for number, (status, body) in enumerate(rows):
                connection.execute(
                    sa.text(
                        "INSERT INTO outbox_message (key, kind, person_id, to_email, to_name,"
                        " subject, text_body, html_body, status, attempts, next_attempt_at)"
                        " VALUES (:key, 'password_reset', 1, 'mia@rose.example.org', 'Mia',"
                        " 'Reset', :body, :html, :status, 0, CURRENT_TIMESTAMP)"
                    ),
                    {
                        "key": f"k{number}",
                        "body": body,
                        "html": f'<a href="{body.split(": ", 1)[1].strip()}">x</a>',
                        "status": status,
                    },
                )
        upgrade(revision="0007")
        upgrade(revision="0008")  # the outbox columns the models know (claims, Message-ID)
        assert working_link_tokens(stored_strings()) == []
        pending, sent, odd = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
        assert pending.text_body == "Kies: [[link:link]]\n" and pending.link_kind == "reset"
        assert sent.link_kind == "reset" and "[[link:link]]" in sent.html_body
        assert odd.text_body == "Komt: [link]\n" and odd.link_kind is None
        from rosemeet.mail.delivery import build_email

        body = plain_body(build_email(pending, "rosemeet@localhost"))
        token = re.search(r"/password/reset/(\S+)", body).group(1)
        assert accounts.load_link_token(token, "reset").id == 1
        db.session.close()

        downgrade(revision="0006")
        with db.engine.connect() as connection:
            statuses = connection.execute(
                sa.text("SELECT status, text_body FROM outbox_message ORDER BY id")
            ).all()
        assert statuses[0] == ("dead", "Kies: [link]\n")
        assert statuses[1] == ("sent", "Kies: [link]\n")
        db.engine.dispose()
