"""The ``rosemeet`` command: Flask's commands (run, db, shell) plus rosemeet's own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
    from rosemeet.accounts.queries import find_by_email

    person = find_by_email(email)
    if person is None:
        click.echo(f"error: no person with e-mail address {email}", err=True)
        sys.exit(1)
    _token, plain = ops.create_api_token(person, name)
    db.session.commit()
    click.echo(plain)


@click.command("deliver-mail")
@with_appcontext
def deliver_mail() -> None:
    """Send the due messages of the outbox now (safe next to a running scheduler: each
    message is claimed by one deliverer)."""
    from rosemeet.mail.delivery import DATABASE_ERRORS, default_worker, deliver_due

    try:
        report = deliver_due(limit=None, worker=f"deliver-mail {default_worker()}")
    except DATABASE_ERRORS as exc:
        click.echo(f"error: the database did not answer, try again: {exc}", err=True)
        sys.exit(1)
    if report.skipped:
        click.echo("No SMTP server configured (ROSEMEET_SMTP_HOST): messages stay in the outbox.")
    elif report.unreachable:
        click.echo(f"SMTP server unreachable: {report.failed} due messages wait", err=True)
    else:
        click.echo(f"sent {report.sent}, failed {report.failed}")
    sys.exit(1 if report.failed else 0)


def _size(count: int) -> str:
    """A byte count as people read it (kB, MB: powers of 1000)."""
    if count < 1000:
        return f"{count} bytes"
    value, unit = float(count), "bytes"
    for unit in ("kB", "MB", "GB"):  # noqa: B007 (the last unit is the one shown)
        value /= 1000
        if value < 1000:
            break
    return f"{value:.1f} {unit}"


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH when it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent backup of the database to PATH while the app keeps running
    (SQLite: a copy of the file; PostgreSQL: a pg_dump archive in custom format)."""
    from rosemeet.backup import BackupError, backup

    try:
        outcome = backup(path, force=force)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"backup of the {outcome.engine} database written to {outcome.path}: "
        f"{_size(outcome.bytes)} in {outcome.seconds:.2f} s "
        f"(schema {', '.join(outcome.revisions) or 'empty'})"
    )


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace everything in the database by the backup at PATH (stop the web app and the
    scheduler first)."""
    from rosemeet.backup import BackupError, code_heads, describe_backup, restore, shown

    try:
        kind = describe_backup(path)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    where = shown(db.engine.url)
    if not yes:
        question = f"Replace everything in {where} by the {kind} backup {path}?"
        if not sys.stdin.isatty():
            click.echo(f"error: {question} Add --yes to confirm.", err=True)
            sys.exit(1)
        if not click.confirm(question, default=False):
            click.echo("Nothing restored.", err=True)
            sys.exit(1)
    try:
        outcome = restore(path)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{where} restored from {path} in {outcome.seconds:.2f} s.")
    if outcome.revisions != code_heads():
        click.echo(
            f"The backup has schema {', '.join(outcome.revisions)}: run `rosemeet db upgrade`."
        )


@click.command("copy-db")
@click.option("--to", "target", required=True, metavar="URL", help="postgresql://user@host/name")
@with_appcontext
def copy_db_command(target: str) -> None:
    """Copy this SQLite installation into an empty PostgreSQL database (schema, every row,
    id sequences); stop the web app and the scheduler first, then point
    ROSEMEET_DATABASE_URL at the new database."""
    from rosemeet.backup import BackupError, copy_to_postgresql

    try:
        outcome = copy_to_postgresql(target, echo=click.echo)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for name in outcome.skipped:
        click.echo(f"not copied (no rosemeet table): {name}")
    click.echo(
        f"copied {sum(outcome.rows.values())} rows in {len(outcome.rows)} tables to "
        f"{outcome.target} in {outcome.seconds:.1f} s (schema {', '.join(outcome.revisions)}). "
        "Now set ROSEMEET_DATABASE_URL to it and start the web app and the scheduler."
    )


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


def _accept_relative_downgrades() -> None:
    """Let ``rosemeet db downgrade -1`` through: Click takes a "-1" typed on the command line
    for an option it does not know ("No such option: -1") unless the command passes unknown
    options on as arguments (Flask-Migrate's revision argument itself defaults to "-1")."""
    from flask_migrate.cli import downgrade

    downgrade.context_settings["ignore_unknown_options"] = True


_accept_relative_downgrades()

#: commands shared by ``flask --app rosemeet`` and the ``rosemeet`` script
COMMANDS = [
    seed_demo,
    create_user,
    create_token,
    deliver_mail,
    backup_command,
    restore_command,
    copy_db_command,
    translate,
]


if __name__ == "__main__":
    cli()
