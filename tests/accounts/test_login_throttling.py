"""Login throttling without lock-outs, equal work for unknown addresses, reset limits, ProxyFix.

The clock is stopped and moved by hand (time-machine), so waiting 30 seconds takes no time;
passwords are hashed at argon2's cheapest cost (``ARGON2_PROFILE=test``).
"""

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import func, select

from rosemeet import create_app
from rosemeet.accounts import operations as ops
from rosemeet.accounts import queries
from rosemeet.accounts.models import LoginAttempt
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.scheduler import jobs
from tests.conftest import PASSWORD, IsolatedClient


class Clock:
    """The stopped clock of every module, moved by hand."""

    def __init__(self, machine, now: datetime):
        self.machine = machine
        self.now = now
        machine.move_to(now, tick=False)

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.machine.move_to(self.now, tick=False)


@pytest.fixture
def clock(time_machine) -> Clock:
    """Time stopped at 1 March 2027, 9:00 UTC, moved with ``clock.tick(seconds)``."""
    return Clock(time_machine, datetime(2027, 3, 1, 9, 0, tzinfo=UTC))


def fail_as_soon_as_allowed(clock: Clock, email: str, ip: str) -> int:
    """One wrong password, sent as soon as the delay allows; return the seconds waited."""
    waited = 0
    for _ in range(10):
        try:
            ops.authenticate(email, "not the password", ip)
        except ops.LoginDelayed as exc:
            waited += exc.seconds
            clock.tick(exc.seconds)
        except ops.AccountError:
            return waited
        else:
            raise AssertionError("a wrong password was accepted")
    raise AssertionError("still delayed after waiting each announced delay")


def login_when_allowed(clock: Clock, email: str, password: str, ip: str):
    """Log in with the right password, waiting out any delay; return (person, seconds waited)."""
    waited = 0
    for _ in range(10):
        try:
            return ops.authenticate(email, password, ip), waited
        except ops.LoginDelayed as exc:
            waited += exc.seconds
            clock.tick(exc.seconds)
    raise AssertionError("still delayed after waiting each announced delay")


def attempts() -> int:
    """Login attempts recorded so far."""
    return db.session.scalar(select(func.count(LoginAttempt.id)))


# --- finding 3: the same argon2 work whether the address has an account or not ----------------


def test_every_refused_login_verifies_one_real_argon2_hash(ctx, make_person, monkeypatch):
    verified: list[str] = []
    verify = PasswordHasher.verify

    def counting_verify(hasher, hash, password):
        verified.append(hash)
        return verify(hasher, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    known = make_person(password=PASSWORD)
    inactive = make_person(password=PASSWORD)
    inactive.is_active_account = False
    invited = make_person()  # no password yet
    real = extract_parameters(known.password_hash)
    for number, email in enumerate(
        [known.email, "nobody@rose.example.org", inactive.email, invited.email]
    ):
        verified.clear()
        with pytest.raises(ops.AccountError, match="niet juist"):
            ops.authenticate(email, "a wrong password", f"192.0.2.{number}")
        assert len(verified) == 1, email
        assert extract_parameters(verified[0]) == real  # as costly as a real check


# --- finding 11: progressive delays instead of a lock ------------------------------------------


def test_after_six_wrong_passwords_the_owner_gets_in_within_30_seconds(ctx, clock, make_person):
    owner = make_person(password=PASSWORD)
    for attempt in range(6):
        fail_as_soon_as_allowed(clock, owner.email, f"203.0.113.{attempt}")
    with pytest.raises(ops.LoginDelayed, match=r"Te veel mislukte pogingen\. Wacht") as refused:
        ops.authenticate(owner.email, PASSWORD, "198.51.100.1")
    assert 0 < refused.value.seconds <= 30
    person, waited = login_when_allowed(clock, owner.email, PASSWORD, "198.51.100.1")
    assert person is owner and waited <= 30
    # the success cleared the account's delay: a typo right after costs no wait
    assert fail_as_soon_as_allowed(clock, owner.email, "198.51.100.1") == 0


def test_delays_double_up_to_a_cap_and_hammering_does_not_lengthen_them(
    ctx, app, clock, make_person
):
    owner = make_person(password=PASSWORD)
    most = app.config["LOGIN_MAX_DELAY_ACCOUNT"]
    free = app.config["LOGIN_FREE_FAILURES_ACCOUNT"]
    waits = [fail_as_soon_as_allowed(clock, owner.email, f"203.0.113.{n}") for n in range(free + 9)]
    assert waits[:free] == [0] * free
    assert waits[free:] == [min(2**n, most) for n in range(9)]  # 1, 2, 4 ... capped
    before = attempts()
    for _ in range(50):  # a script firing during the delay
        with pytest.raises(ops.LoginDelayed) as refused:
            ops.authenticate(owner.email, PASSWORD, "203.0.113.200")
    assert refused.value.seconds == most and attempts() == before
    assert login_when_allowed(clock, owner.email, PASSWORD, "198.51.100.1")[1] == most


def test_at_most_100_wrong_passwords_an_hour_for_one_account(ctx, clock, make_person):
    owner = make_person(password=PASSWORD)
    start = clock.now
    failures = 0
    while clock.now - start < timedelta(hours=1) and failures <= 100:
        fail_as_soon_as_allowed(clock, owner.email, f"203.0.{failures // 250}.{failures % 250}")
        failures += 1
    assert failures <= 100  # ASVS 2.2.1


def test_unknown_addresses_are_delayed_exactly_like_known_ones(ctx, clock, make_person):
    known = make_person(password=PASSWORD)
    waits = {}
    for email in (known.email, "nobody@rose.example.org"):
        waits[email] = [fail_as_soon_as_allowed(clock, email, "192.0.2.50") for _ in range(8)]
        clock.tick(3600)
    assert waits[known.email] == waits["nobody@rose.example.org"]
    assert sum(waits[known.email]) > 0


def test_failures_older_than_the_window_are_forgotten(ctx, app, clock, make_person):
    owner = make_person(password=PASSWORD)
    for attempt in range(5):
        fail_as_soon_as_allowed(clock, owner.email, f"203.0.113.{attempt}")
    assert ops.login_delay(owner.email, "198.51.100.1") > 0
    clock.tick(app.config["LOGIN_THROTTLE_WINDOW"] + 1)
    assert ops.login_delay(owner.email, "198.51.100.1") == 0


def test_one_address_spraying_accounts_slows_down_but_locks_nobody_out(ctx, clock, make_person):
    colleague = make_person(password=PASSWORD)
    for number in range(30):
        fail_as_soon_as_allowed(clock, f"nobody{number}@rose.example.org", "192.0.2.7")
    assert ops.login_delay("somebody@rose.example.org", "192.0.2.7") > 0  # the sprayer waits
    assert ops.authenticate(colleague.email, PASSWORD, "192.0.2.8") is colleague  # others do not
    person, waited = login_when_allowed(clock, colleague.email, PASSWORD, "192.0.2.7")
    assert person is colleague and 0 < waited <= 30  # behind the same NAT: a short wait


# --- finding 10: password reset requests are limited ---------------------------------------


def test_reset_requests_are_limited_per_address_known_or_not(ctx, app, clock, make_person):
    person = make_person()
    per_address = app.config["RESET_MAX_PER_ADDRESS"]
    for email in (person.email, "nobody@rose.example.org"):
        for number in range(per_address):
            assert not queries.reset_throttled(email, f"192.0.2.{number}")
            ops.record_reset_request(email, f"192.0.2.{number}")
        assert queries.reset_throttled(email.upper(), "198.51.100.1")
    assert not queries.reset_throttled("someone.else@rose.example.org", "198.51.100.1")
    clock.tick(app.config["RESET_THROTTLE_WINDOW"] + 1)
    assert not queries.reset_throttled(person.email, "198.51.100.1")


def test_reset_requests_are_limited_per_ip(ctx, app, clock):
    for number in range(app.config["RESET_MAX_PER_IP"]):
        ops.record_reset_request(f"person{number}@rose.example.org", "192.0.2.9")
    assert queries.reset_throttled("new@rose.example.org", "192.0.2.9")
    assert not queries.reset_throttled("new@rose.example.org", "192.0.2.10")


# --- over HTTP ------------------------------------------------------------------------------


def test_a_delayed_login_answers_429_with_the_wait_and_keeps_the_address(
    ctx, client, clock, make_person
):
    person = make_person(password=PASSWORD)
    db.session.commit()
    for attempt in range(5):
        fail_as_soon_as_allowed(clock, person.email, f"203.0.113.{attempt}")
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert "Te veel mislukte pogingen. Wacht 1 seconde en probeer het opnieuw." in html
    assert f'value="{person.email}"' in html
    clock.tick(1)
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 302


def test_reset_page_refuses_a_fourth_request_for_one_address(ctx, app, client, clock, make_person):
    from rosemeet.mail.models import OutboxMessage

    person = make_person()
    db.session.commit()
    statuses = []
    for _ in range(app.config["RESET_MAX_PER_ADDRESS"]):
        clock.tick(5)
        statuses.append(client.post("/password/forgot", data={"email": person.email}).status_code)
    clock.tick(5)
    refused = client.post("/password/forgot", data={"email": person.email})
    assert statuses == [302] * app.config["RESET_MAX_PER_ADDRESS"]
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Er zijn te veel links aangevraagd voor dit adres of vanaf je netwerk." in html
    assert f'value="{person.email}"' in html
    queued = db.session.scalar(select(func.count(OutboxMessage.id)))
    assert queued == app.config["RESET_MAX_PER_ADDRESS"]


@pytest.fixture
def app_behind(database_url, tmp_path):
    """Factory: the app as deployed behind ``proxies`` reverse proxies (ROSEMEET_PROXY_FIX)."""

    def make(proxies: int):
        application = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "INSTANCE_PATH": str(tmp_path),
                "WTF_CSRF_ENABLED": False,
                "BASE_URL": "http://rosemeet.test",
                "SMTP_HOST": "",
                "PROXY_FIX": proxies,
                "ARGON2_PROFILE": "test",
            }
        )
        application.test_client_class = IsolatedClient
        return application

    return make


def _failed_login_ips(client, forwarded_for: str) -> list[str]:
    """Fail one login with this X-Forwarded-For; return the IP keys throttling recorded."""
    client.post(
        "/login",
        data={"email": "nobody@rose.example.org", "password": "guess"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return list(db.session.scalars(select(LoginAttempt.key).where(LoginAttempt.scope == "ip")))


def test_behind_a_configured_proxy_the_forwarded_address_is_throttled(ctx, app_behind, clock):
    client = app_behind(1).test_client()
    assert _failed_login_ips(client, "198.51.100.7") == ["198.51.100.7"]
    for number in range(25):  # one client behind the proxy sprays: it waits, its neighbours not
        clock.tick(5)
        client.post(
            "/login",
            data={"email": f"nobody{number}@rose.example.org", "password": "guess"},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
    assert ops.login_delay("x@rose.example.org", "198.51.100.7") > 0
    assert ops.login_delay("x@rose.example.org", "198.51.100.8") == 0


def test_without_the_setting_x_forwarded_for_is_ignored(ctx, app_behind):
    client = app_behind(0).test_client()
    assert _failed_login_ips(client, "198.51.100.7") == ["127.0.0.1"]


def test_old_attempts_are_forgotten_and_recent_ones_kept(app, ctx):
    now = utcnow()
    for days in (31, 29, 0):
        db.session.add(
            LoginAttempt(
                scope="account",
                key=f"{days}@rose.example.org",
                attempted_at=now - timedelta(days=days),
            )
        )
    db.session.commit()
    jobs.bind_app(app)
    jobs.forget_login_attempts()
    kept = db.session.scalars(select(LoginAttempt.key).order_by(LoginAttempt.key)).all()
    assert kept == ["0@rose.example.org", "29@rose.example.org"]
    assert "forget_login_attempts" in jobs.job_table(app.config)
