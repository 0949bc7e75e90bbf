"""The password policy, wherever a password is chosen: reset, invitation, profile, CLI."""

import re
import secrets

import pytest
from sqlalchemy import select
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from rosemeet.accounts import operations as ops
from rosemeet.accounts.models import Person
from rosemeet.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, password_problem
from rosemeet.demo import DEMO_PASSWORD
from rosemeet.extensions import db
from tests.conftest import PASSWORD

GUESSABLE = "te makkelijk te raden"
PERSONAL = "mag je naam of e-mailadres niet bevatten"


@pytest.mark.parametrize(
    "password",
    ["password123", "qwertyuiop", "1q2w3e4r5t", "iloveyou2024", "azerty1234", "Welkom2024!"],
)
def test_common_passwords_are_refused(ctx, make_person, password):
    person = make_person()
    with pytest.raises(ops.AccountError, match=GUESSABLE):
        ops.set_password(person, password)
    assert person.password_hash is None


def test_every_long_enough_password_of_the_common_list_is_refused(ctx):
    common = [p for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_PASSWORD_LENGTH]
    assert len(common) > 1000
    accepted = [p for p in common if password_problem(p) is None]
    assert accepted == []


@pytest.mark.parametrize(
    "password",
    ["Regisseur-2027!", "RITA van der Berghe", "rita.vdb@rose.example.org", "my login is ritavdb"],
)
def test_passwords_holding_the_own_name_or_address_are_refused(ctx, make_person, password):
    person = make_person("Rita van der Berghe Regisseur", email="rita.vdb@rose.example.org")
    with pytest.raises(ops.AccountError, match=PERSONAL):
        ops.set_password(person, password)


def test_length_is_capped_at_1024(ctx, make_person):
    person = make_person()
    strong = secrets.token_urlsafe(MAX_PASSWORD_LENGTH)[:MAX_PASSWORD_LENGTH]
    with pytest.raises(ops.AccountError, match="hoogstens 1024 tekens"):
        ops.set_password(person, strong + "x")
    ops.set_password(person, strong)
    assert ops.check_password(person, strong)


@pytest.mark.parametrize("password", [PASSWORD, DEMO_PASSWORD, "paarse olifant fietst naar Gent"])
def test_passphrases_pass(ctx, make_person, password):
    person = make_person("Mia Lid", email="mia@rose.example.org")
    ops.set_password(person, password)
    assert ops.check_password(person, password)


# --- every place a password is chosen -------------------------------------------------------


def test_reset_page_refuses_a_common_password(ctx, client, make_person, smtp_server):
    from rosemeet.mail.delivery import deliver_due

    person = make_person("Mia Lid", password=PASSWORD)
    db.session.commit()
    client.post("/password/forgot", data={"email": person.email})
    deliver_due()
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    link = re.search(r"http://rosemeet\.test(/password/reset/\S+)", body).group(1)
    response = client.post(link, data={"password": "password123", "confirm": "password123"})
    assert response.status_code == 200
    assert GUESSABLE in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302  # not logged in: nothing was set
    response = client.post(link, data={"password": "Mia Lid 2027!", "confirm": "Mia Lid 2027!"})
    assert PERSONAL in response.get_data(as_text=True)


def test_invitation_refuses_the_own_name(ctx, client, make_person, smtp_server):
    from rosemeet.mail.delivery import deliver_due

    person = make_person("Annelies Vandamme")
    ops.invite_person(person)
    db.session.commit()
    deliver_due()
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    link = re.search(r"http://rosemeet\.test(/invitation/\S+)", body).group(1)
    typed = "vandamme vergadert"
    response = client.post(link, data={"password": typed, "confirm": typed})
    assert PERSONAL in response.get_data(as_text=True)
    response = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302


def test_profile_change_refuses_a_common_password_and_keeps_the_choices(
    ctx, client, auth, make_person
):
    person = make_person(password=PASSWORD)
    db.session.commit()
    auth.login(person.email)
    response = client.post(
        "/profile/password",
        data={"current": PASSWORD, "password": "Welkom2024!", "confirm": "Welkom2024!"},
    )  # the "also revoke my tokens" box left unticked
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and GUESSABLE in html
    assert re.search(r'<input[^>]*id="revoke_tokens"[^>]*>', html).group(0).count("checked") == 0
    assert ops.check_password(db.session.get(Person, person.id), PASSWORD)


def test_profile_offers_revoking_tokens_ticked_by_default(ctx, client, auth, make_person):
    person = make_person(password=PASSWORD)
    db.session.commit()
    auth.login(person.email)
    html = client.get("/profile").get_data(as_text=True)
    box = re.search(r'<input[^>]*id="revoke_tokens"[^>]*>', html).group(0)
    assert "checked" in box
    assert "Ook al mijn API-tokens intrekken" in html


def test_create_user_refuses_a_weak_password_with_the_reason(app, ctx, monkeypatch):
    runner = app.test_cli_runner()
    monkeypatch.setenv("ROSEMEET_PASSWORD", "password123")
    result = runner.invoke(args=["create-user", "weak@rose.example.org", "--name", "Weak"])
    assert result.exit_code == 1 and GUESSABLE in result.output
    monkeypatch.setenv("ROSEMEET_PASSWORD", "Tijl Uilenspiegel 77")
    result = runner.invoke(args=["create-user", "tijl@rose.example.org", "--name", "Tijl"])
    assert result.exit_code == 1 and PERSONAL in result.output
    for email in ("weak@rose.example.org", "tijl@rose.example.org"):
        assert db.session.scalar(select(Person).where(Person.email == email)) is None
