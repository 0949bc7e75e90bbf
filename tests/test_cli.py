"""The rosemeet command line."""

from sqlalchemy import func, select

from rosemeet.accounts.models import Person
from rosemeet.extensions import db
from rosemeet.network.models import Body, BodyRelation, RelationKind


def test_seed_demo_loads_the_network_once(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "regisseur@rose.example.org" in result.output
    codes = set(db.session.scalars(select(Body.code)))
    assert {"AV", "AG", "LDE", "AZ", "ROA", "LN", "RASE", "RLZ"} <= codes
    relation = db.session.scalars(
        select(BodyRelation).where(BodyRelation.kind == RelationKind.REPORTS_TO)
    ).all()
    assert ("ROA", "AG") in {(r.source.code, r.target.code) for r in relation}
    people = db.session.scalar(select(func.count(Person.id)))
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "nothing loaded" in again.output
    assert db.session.scalar(select(func.count(Person.id))) == people


def test_create_user_and_token(app, ctx, monkeypatch):
    runner = app.test_cli_runner()
    monkeypatch.setenv("ROSEMEET_PASSWORD", "a long enough password")
    result = runner.invoke(
        args=["create-user", "Rita@ROSE.example.org", "--name", "Rita", "--admin"]
    )
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person).where(Person.email == "rita@rose.example.org"))
    assert person.is_admin and person.password_hash.startswith("$argon2id$")
    token = runner.invoke(args=["create-token", "rita@rose.example.org"]).output.strip()
    assert token.startswith("rm_")
    response = app.test_client().get(
        "/api/v1/organisations", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def test_cli_errors_exit_non_zero_with_the_reason(app, ctx, monkeypatch):
    runner = app.test_cli_runner()
    monkeypatch.setenv("ROSEMEET_PASSWORD", "short")
    result = runner.invoke(args=["create-user", "x@rose.example.org", "--name", "X"])
    assert result.exit_code == 1 and "minstens 10" in result.output
    assert db.session.scalar(select(Person).where(Person.email == "x@rose.example.org")) is None
    result = runner.invoke(args=["create-token", "nobody@rose.example.org"])
    assert result.exit_code == 1 and "no person" in result.output
