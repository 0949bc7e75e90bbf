"""Login, logout, sessions, password reset by e-mail, profile and tokens over HTTP."""

import re

import pytest
from sqlalchemy import select

from rosemeet.extensions import db
from rosemeet.mail.delivery import build_email, deliver_due
from rosemeet.mail.models import MessageStatus, OutboxMessage
from tests.conftest import PASSWORD


def test_login_and_logout(ctx, client, auth, make_person):
    person = make_person("Mia Lid", password=PASSWORD)
    db.session.commit()
    response = auth.login(person.email)
    assert response.status_code == 302
    assert "Mia Lid" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert client.get("/profile").status_code == 302


def test_wrong_password_keeps_the_address_and_says_why(ctx, client, make_person):
    person = make_person(password=PASSWORD)
    db.session.commit()
    response = client.post("/login", data={"email": person.email, "password": "nope"})
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "E-mailadres of wachtwoord is niet juist." in html
    assert f'value="{person.email}"' in html


def test_a_copied_session_cookie_dies_with_logout(ctx, app, client, auth, make_person):
    person = make_person(password=PASSWORD)
    db.session.commit()
    auth.login(person.email)
    stolen = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/profile").status_code == 302  # redirected to login


def test_changing_the_password_ends_other_sessions(ctx, app, client, auth, make_person):
    person = make_person(password=PASSWORD)
    db.session.commit()
    other = app.test_client()
    other.post("/login", data={"email": person.email, "password": PASSWORD})
    assert other.get("/profile").status_code == 200
    auth.login(person.email)
    response = client.post(
        "/profile/password",
        data={
            "current": PASSWORD,
            "password": "another long password",
            "confirm": "another long password",
        },
    )
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200  # this session was renewed
    assert other.get("/profile").status_code == 302


def test_login_redirects_only_to_local_pages(ctx, client, make_person):
    person = make_person(password=PASSWORD)
    db.session.commit()
    response = client.post(
        "/login?next=https://evil.example/", data={"email": person.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_password_reset_by_mail_end_to_end(ctx, client, make_person, smtp_server):
    person = make_person("Mia Lid", password=PASSWORD)
    db.session.commit()
    response = client.post("/password/forgot", data={"email": person.email})
    assert response.status_code == 302
    report = deliver_due()
    assert report.sent == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == f"Mia Lid <{person.email}>"
    assert mail["Subject"] == "Nieuw wachtwoord voor rosemeet"
    body = mail.get_body(("plain",)).get_content()
    link = re.search(r"http://rosemeet\.test(/password/reset/\S+)", body).group(1)
    response = client.post(
        link, data={"password": "a fresh new password", "confirm": "a fresh new password"}
    )
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    # the link is used up
    assert client.get(link).status_code == 400


def test_unreachable_smtp_keeps_the_message_for_later(ctx, app, make_person):
    from rosemeet.accounts.operations import request_password_reset

    person = make_person()
    request_password_reset(person.email)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1)  # nothing listens there
    try:
        report = deliver_due()
    finally:
        app.config.update(SMTP_HOST="", SMTP_PORT=25)
    message = db.session.scalars(select(OutboxMessage)).one()
    assert report.failed == 1
    # a server that cannot be reached costs no attempt; the next run tries again (issue 9)
    assert message.status == MessageStatus.PENDING and message.attempts == 0
    assert message.first_attempt_at is not None
    assert "connection" in message.last_error


def test_invitation_lets_a_new_person_set_a_password(ctx, client, make_person):
    from rosemeet.accounts.operations import invite_person

    person = make_person("Nieuw Lid")
    invite_person(person)
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage)).one()
    body = build_email(message, "rosemeet@localhost").get_body(("plain",)).get_content()
    link = re.search(r"http://rosemeet\.test(/invitation/\S+)", body).group(1)
    page = client.get(link).get_data(as_text=True)
    assert "Dag Nieuw Lid, kies een wachtwoord" in page
    response = client.post(link, data={"password": "short", "confirm": "short"})
    assert "minstens 10" in response.get_data(as_text=True)
    response = client.post(
        link, data={"password": "my first password", "confirm": "my first password"}
    )
    assert response.status_code == 302


def test_api_token_is_shown_once_and_works(ctx, client, auth, make_person):
    person = make_person(password=PASSWORD)
    db.session.commit()
    auth.login(person.email)
    html = client.post("/profile/tokens", data={"name": "agenda script"}).get_data(as_text=True)
    token = re.search(r'data-testid="new-token">(rm_[^<]+)<', html).group(1)
    assert token not in client.get("/profile").get_data(as_text=True)
    response = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_profile_language_switch(ctx, client, auth, make_person):
    person = make_person("Mia", password=PASSWORD)
    db.session.commit()
    auth.login(person.email)
    client.post("/profile", data={"name": "Mia", "phone": "", "locale": "en"})
    assert "My profile" in client.get("/profile").get_data(as_text=True)


def test_profile_errors_keep_what_was_typed(ctx, client, auth, make_person):
    person = make_person("Mia", password=PASSWORD)
    db.session.commit()
    auth.login(person.email)
    response = client.post(
        "/profile/password",
        data={"current": "wrong", "password": "new password 123", "confirm": "new password 123"},
    )
    assert response.status_code == 400
    assert "Het huidige wachtwoord is niet juist." in response.get_data(as_text=True)


def test_login_does_not_follow_a_backslash_redirect(ctx, client, make_person):
    person = make_person(password=PASSWORD)
    db.session.commit()
    response = client.post(
        "/login?next=/\\evil.example/", data={"email": person.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


# --- ending every session and API token ----------------------------------------------------


def _api_status(app, token: str) -> int:
    """What the API answers a request made with this token."""
    response = app.test_client().get(
        "/api/v1/organisations", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


def test_end_all_sessions_and_tokens_from_the_profile(ctx, app, client, auth, make_person):
    from rosemeet.accounts.operations import create_api_token

    person = make_person(password=PASSWORD)
    _token, plain = create_api_token(person, "agenda script")
    db.session.commit()
    other = app.test_client()
    other.post("/login", data={"email": person.email, "password": PASSWORD})
    auth.login(person.email)
    assert _api_status(app, plain) == 200 and other.get("/profile").status_code == 200
    page = client.get("/profile").get_data(as_text=True)
    assert "Alle sessies en tokens beëindigen" in page and 'action="/profile/end-all"' in page
    response = client.post("/profile/end-all", follow_redirects=True)
    assert "Alle andere sessies zijn afgemeld en 1 API-token is ingetrokken." in (
        response.get_data(as_text=True)
    )
    assert _api_status(app, plain) == 401
    assert other.get("/profile").status_code == 302  # the other session is over
    assert client.get("/profile").status_code == 200  # this one was renewed


def test_a_password_change_revokes_tokens_when_ticked(ctx, app, client, auth, make_person):
    from rosemeet.accounts.operations import create_api_token

    person = make_person(password=PASSWORD)
    _kept, kept = create_api_token(person, "kept")
    db.session.commit()
    auth.login(person.email)
    change = {"current": PASSWORD, "password": "another long password"}
    client.post("/profile/password", data={**change, "confirm": change["password"]})
    assert _api_status(app, kept) == 200  # box unticked: tokens stay
    client.post(
        "/profile/password",
        data={
            "current": "another long password",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "revoke_tokens": "y",
        },
    )
    assert _api_status(app, kept) == 401


def test_a_password_reset_ends_every_session_and_token(ctx, app, client, make_person, smtp_server):
    from rosemeet.accounts.operations import create_api_token

    person = make_person("Mia Lid", password=PASSWORD)
    _token, plain = create_api_token(person, "script")
    db.session.commit()
    thief = app.test_client()
    thief.post("/login", data={"email": person.email, "password": PASSWORD})
    assert _api_status(app, plain) == 200 and thief.get("/profile").status_code == 200
    client.post("/password/forgot", data={"email": person.email})
    deliver_due()
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    link = re.search(r"http://rosemeet\.test(/password/reset/\S+)", body).group(1)
    response = client.post(
        link, data={"password": "a fresh new password", "confirm": "a fresh new password"}
    )
    assert response.status_code == 302
    assert _api_status(app, plain) == 401
    assert thief.get("/profile").status_code == 302
    assert client.get("/profile").status_code == 200


@pytest.mark.parametrize("path", ["/password/reset/abc.def", "/invitation/abc.def"])
def test_pages_with_a_token_in_their_address_send_no_referrer(client, path):
    response = client.get(path)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/login").headers["Referrer-Policy"] == "same-origin"
