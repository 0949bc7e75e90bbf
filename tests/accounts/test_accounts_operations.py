"""Accounts without HTTP: passwords, throttling, signed links, tokens."""

import pytest
from argon2 import extract_parameters, profiles
from sqlalchemy import select

from config import ConfigError, load_config
from rosemeet.accounts import operations as ops
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage
from tests.conftest import PASSWORD


def test_passwords_are_hashed_with_argon2id(ctx, make_person):
    person = make_person(password=PASSWORD)
    assert person.password_hash.startswith("$argon2id$")
    assert PASSWORD not in person.password_hash
    assert ops.check_password(person, PASSWORD)
    assert not ops.check_password(person, PASSWORD + "x")


def test_production_hashes_at_full_cost_and_a_cheap_test_hash_is_upgraded_once(
    ctx, app, make_person, monkeypatch, tmp_path
):
    person = make_person(password=PASSWORD)  # the suite hashes at the cheapest cost
    assert extract_parameters(person.password_hash) == profiles.CHEAPEST
    production = load_config({"ROSEMEET_ENV": "production", "ROSEMEET_SECRET_KEY": "s"}, tmp_path)
    assert production["ARGON2_PROFILE"] == "production"
    monkeypatch.setitem(app.config, "ARGON2_PROFILE", production["ARGON2_PROFILE"])
    assert ops.check_password(person, PASSWORD)  # the cheap hash verifies, and is rehashed
    upgraded = person.password_hash
    assert extract_parameters(upgraded) == profiles.RFC_9106_LOW_MEMORY
    assert ops.check_password(person, PASSWORD) and person.password_hash == upgraded  # once
    ops.set_password(person, "Rozen-vergaderen-in-Kortrijk")
    assert extract_parameters(person.password_hash) == profiles.RFC_9106_LOW_MEMORY
    assert not ops.check_password(person, PASSWORD)


def test_the_cheap_argon2_profile_is_refused_in_production(tmp_path):
    env = {"ROSEMEET_ENV": "production", "ROSEMEET_SECRET_KEY": "s"}
    with pytest.raises(ConfigError, match="ARGON2_PROFILE"):
        load_config({**env, "ROSEMEET_ARGON2_PROFILE": "test"}, tmp_path)
    with pytest.raises(ConfigError, match="ARGON2_PROFILE"):
        load_config({"ROSEMEET_ARGON2_PROFILE": "cheap"}, tmp_path)


def test_short_passwords_are_refused(ctx, make_person):
    person = make_person()
    with pytest.raises(ops.AccountError, match="minstens 10"):
        ops.set_password(person, "short")
    assert person.password_hash is None


def test_same_email_twice_is_refused_whatever_the_case(ctx, make_person):
    make_person(email="mia@rose.example.org")
    with pytest.raises(ops.AccountError):
        ops.create_person(name="Mia 2", email=" MIA@rose.example.org ")


def test_wrong_password_is_refused_and_counted(ctx, make_person):
    person = make_person(password=PASSWORD)
    with pytest.raises(ops.AccountError, match="niet juist"):
        ops.authenticate(person.email, "wrong password", "10.0.0.1")
    assert ops.authenticate(person.email, PASSWORD, "10.0.0.1") is person


def test_reset_link_works_once(ctx, make_person):
    person = make_person(password=PASSWORD)
    token = ops.make_link_token(person, "reset")
    assert ops.load_link_token(token, "reset") is person
    assert ops.load_link_token(token, "invite") is None  # another purpose
    ops.set_password(person, "a brand new password")
    assert ops.load_link_token(token, "reset") is None


def test_reset_link_expires(ctx, app, make_person):
    person = make_person(password=PASSWORD)
    token = ops.make_link_token(person, "reset")
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    try:
        assert ops.load_link_token(token, "reset") is None
    finally:
        app.config["RESET_TOKEN_MAX_AGE"] = 7200


def test_reset_request_for_unknown_address_queues_nothing(ctx):
    ops.request_password_reset("nobody@rose.example.org")
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_invitation_is_queued_in_the_persons_language(ctx, make_person):
    person = make_person(locale="en")
    ops.invite_person(person)
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.kind == "invitation" and message.to_email == person.email
    assert message.subject == "You are invited to rosemeet"
    assert "/invitation/" not in message.text_body  # the link is made when it is sent
    from rosemeet.mail.delivery import build_email

    sent = build_email(message, "rosemeet@localhost").get_body(("plain",)).get_content()
    assert "http://rosemeet.test/invitation/" in sent


def test_inviting_someone_without_address_is_refused(ctx, make_person):
    person = make_person(email=None)
    with pytest.raises(ops.AccountError, match="geen e-mailadres"):
        ops.invite_person(person)


def test_api_tokens_are_stored_hashed_and_can_be_revoked(ctx, make_person):
    person = make_person()
    token, plain = ops.create_api_token(person, "script")
    assert plain not in token.token_hash and len(plain) > 40
    assert ops.person_for_api_token(plain) is person
    ops.revoke_api_token(token)
    assert ops.person_for_api_token(plain) is None
