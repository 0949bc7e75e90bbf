"""The ``rosemeet`` command: Flask's commands (run, db, shell) plus rosemeet's own."""

from __future__ import annotations

import os
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from rosemeet.extensions import db


def _app_factory():
    from rosemeet import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_app_factory)
def cli() -> None:
    """rosemeet: meetings, agendas and follow-ups of the ROSE network."""


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Load even when the database already holds data.")
@with_appcontext
def seed_demo(force: bool) -> None:
    """Load the demo network (bodies, organisations, one user per role) once."""
    from rosemeet.demo import DEMO_PASSWORD, load_demo

    loaded = load_demo(force=force)
    if not loaded:
        click.echo("Demo data already present: nothing loaded.")
        return
    db.session.commit()
    click.echo(f"Demo data loaded. Log in as one of these, password {DEMO_PASSWORD!r}:")
    for email, role in loaded:
        click.echo(f"  {email:<32} {role}")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--admin", is_flag=True, help="Make the person an administrator (regisseur).")
@with_appcontext
def create_user(email: str, name: str, admin: bool) -> None:
    """Create a person who can log in; the password comes from ROSEMEET_PASSWORD or a prompt."""
    from rosemeet.accounts import operations as ops

    password = os.environ.get("ROSEMEET_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        person = ops.create_person(name=name, email=email, is_admin=admin)
        ops.set_password(person, password)
    except ops.AccountError as exc:
        db.session.rollback()
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Created {person.email} ({'admin' if admin else 'user'}).")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="CLI", help="What the token is for.")
@with_appcontext
def create_token(email: str, name: str) -> None:
    """Print a new API token for a person (shown once)."""
    from rosemeet.accounts import operations as ops

    person = ops.find_by_email(email)
    if person is None:
        click.echo(f"error: no person with e-mail address {email}", err=True)
        sys.exit(1)
    _token, plain = ops.create_api_token(person, name)
    db.session.commit()
    click.echo(plain)


@click.command("deliver-mail")
@with_appcontext
def deliver_mail() -> None:
    """Send the due messages of the outbox now."""
    from rosemeet.mail.delivery import deliver_due

    report = deliver_due()
    if report.skipped:
        click.echo("No SMTP server configured (ROSEMEET_SMTP_HOST): messages stay in the outbox.")
    else:
        click.echo(f"sent {report.sent}, failed {report.failed}")
    sys.exit(1 if report.failed else 0)


@click.group("translate")
def translate() -> None:
    """Keep the translation catalogues (one per domain) up to date."""


@translate.command("update")
@click.argument("domain", required=False)
def translate_update(domain: str | None) -> None:
    """Add new message ids to the catalogues of one domain (or all)."""
    from rosemeet.core import catalogs

    for name in [domain] if domain else catalogs.domains():
        catalogs.update(name)
        click.echo(f"updated {name}")


@translate.command("check")
def translate_check() -> None:
    """Exit 1 when any message lacks a translation."""
    from rosemeet.core import catalogs

    failed = False
    for name in catalogs.domains():
        for locale, ids in catalogs.missing(name).items():
            failed = True
            for message_id in ids:
                click.echo(f"{name} [{locale}] untranslated: {message_id}", err=True)
    sys.exit(1 if failed else 0)


@translate.command("compile")
def translate_compile() -> None:
    """Compile every catalogue to .mo."""
    from rosemeet.core import catalogs

    click.echo(f"compiled {len(catalogs.compile_all())} catalogues")


#: commands shared by ``flask --app rosemeet`` and the ``rosemeet`` script
COMMANDS = [seed_demo, create_user, create_token, deliver_mail, translate]


if __name__ == "__main__":
    cli()
