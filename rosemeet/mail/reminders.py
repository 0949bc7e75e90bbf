"""Reminders: each domain registers its kinds; the scheduler queues what is due.

A kind is a key (stored in ``reminder_opt_out.kind`` and in the outbox keys), a translated
label (the settings page) and a producer ``func(today) -> Iterable[Reminder]``; each domain
registers its own in its ``setup(app)`` with ``register_reminder_kind``, so this registry
never names a higher domain. Every reminder has a key that names the event it is about
("agenda:meeting 12", "digest:person 3:2027-W10"), so the outbox's unique key makes a
restart or a second run queue nothing twice. People can switch each kind off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from rosemeet.core.errors import Refused
from rosemeet.core.i18n import babel_locale
from rosemeet.core.time import local_today
from rosemeet.core.web import outside_request_context
from rosemeet.extensions import db
from rosemeet.mail.models import KIND_LENGTH, OutboxMessage, ReminderOptOut
from rosemeet.mail.operations import enqueue_template

if TYPE_CHECKING:
    from rosemeet.accounts.models import Person

logger = logging.getLogger(__name__)

#: where an app keeps its reminder kinds: key -> ReminderKind, in registration order
REGISTRY = "rosemeet_reminder_kinds"


@dataclass
class Reminder:
    """One reminder for one person."""

    person: Person
    key: str
    subject: Callable[[], str]
    template: str
    context: dict = field(default_factory=dict)


Producer = Callable[[date], Iterable[Reminder]]


@dataclass(frozen=True)
class ReminderKind:
    """A kind of reminder people can switch off, and what yields the reminders due."""

    #: what the opt-outs and the outbox keys store
    key: str
    #: what the settings page shows
    label: LazyString | str
    #: the reminders of this kind due on a day
    produce: Producer


def init_app(app: Flask) -> None:
    """Give the app an empty registry of reminder kinds."""
    app.extensions[REGISTRY] = {}


def register_reminder_kind(
    app: Flask, key: str, label: LazyString | str, produce: Producer
) -> None:
    """Offer a kind of reminder on this app (a domain's setup calls this once per kind)."""
    kinds: dict[str, ReminderKind] = app.extensions[REGISTRY]
    if key in kinds:
        raise ValueError(f"reminder kind {key!r} is registered twice")
    if len(key) > KIND_LENGTH:
        raise ValueError(f"reminder kind {key!r} is longer than {KIND_LENGTH} characters")
    kinds[key] = ReminderKind(key, label, produce)


def reminder_kinds() -> list[ReminderKind]:
    """The kinds of reminder of the current app, in the order the domains registered them."""
    return list(current_app.extensions[REGISTRY].values())


def opted_out(person_id: int) -> set[str]:
    """The kinds a person has switched off."""
    return set(
        db.session.scalars(select(ReminderOptOut.kind).where(ReminderOptOut.person_id == person_id))
    )


def set_preferences(person: Person, enabled: Iterable[str]) -> None:
    """Keep exactly the given kinds (their keys) switched on for this person."""
    enabled = set(enabled)
    known = [kind.key for kind in reminder_kinds()]
    unknown = enabled.difference(known)
    if unknown:
        raise Refused(_("There is no reminder %(kind)s.", kind=min(unknown)), field="kinds")
    current = opted_out(person.id)
    for key in known:
        if key in enabled and key in current:
            db.session.delete(db.session.get(ReminderOptOut, (person.id, key)))
        elif key not in enabled and key not in current:
            db.session.add(ReminderOptOut(person_id=person.id, kind=key))
    db.session.flush()


def queue_due_reminders(today: date | None = None) -> int:
    """Queue every due reminder that is not yet queued; return how many were new."""
    today = today or local_today()
    with outside_request_context():
        return _queue(today)


def _queue(today: date) -> int:
    queued = 0
    for kind in reminder_kinds():
        for reminder in kind.produce(today):
            person = reminder.person
            if not person.email or not person.is_active_account:
                continue
            if kind.key in opted_out(person.id):
                continue
            key = f"reminder:{kind.key}:{reminder.key}"
            if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)):
                continue  # queued before: a restart or a second run sends nothing twice
            with force_locale(babel_locale(person.locale)):
                enqueue_template(
                    key=key,
                    kind=f"reminder_{kind.key}",
                    person=person,
                    subject=reminder.subject(),
                    template=reminder.template,
                    **reminder.context,
                )
            queued += 1
    logger.info("reminders: %s new", queued)
    return queued
