"""Reminders: each domain registers producers; the scheduler queues what is due.

A producer is ``func(today) -> Iterable[Reminder]``. Every reminder has a key that names the
event it is about ("agenda:meeting 12", "digest:person 3:2027-W10"), so the outbox's unique
key makes a restart or a second run queue nothing twice. People can switch each kind off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from sqlalchemy import select

from rosemeet.accounts.models import Person
from rosemeet.core.time import local_today
from rosemeet.core.web import outside_request_context
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage, ReminderKind, ReminderOptOut
from rosemeet.mail.operations import enqueue_template

logger = logging.getLogger(__name__)


@dataclass
class Reminder:
    """One reminder for one person."""

    person: Person
    key: str
    subject: Callable[[], str]
    template: str
    context: dict = field(default_factory=dict)


Producer = Callable[[date], Iterable[Reminder]]
_PRODUCERS: dict[ReminderKind, list[Producer]] = {}


def producer(kind: ReminderKind) -> Callable[[Producer], Producer]:
    """Register a function that yields the reminders of one kind due ``today``."""

    def register(func: Producer) -> Producer:
        _PRODUCERS.setdefault(kind, []).append(func)
        return func

    return register


def opted_out(person_id: int) -> set[ReminderKind]:
    """The kinds a person has switched off."""
    return set(
        db.session.scalars(select(ReminderOptOut.kind).where(ReminderOptOut.person_id == person_id))
    )


def set_preferences(person: Person, enabled: Iterable[ReminderKind]) -> None:
    """Keep exactly the given kinds switched on for this person."""
    enabled = set(enabled)
    current = opted_out(person.id)
    for kind in ReminderKind:
        if kind in enabled and kind in current:
            db.session.delete(db.session.get(ReminderOptOut, (person.id, kind)))
        elif kind not in enabled and kind not in current:
            db.session.add(ReminderOptOut(person_id=person.id, kind=kind))
    db.session.flush()


def queue_due_reminders(today: date | None = None) -> int:
    """Queue every due reminder that is not yet queued; return how many were new."""
    from rosemeet import domain_modules

    domain_modules("reminders")  # let every domain register its producers
    today = today or local_today()
    with outside_request_context():
        return _queue(today)


def _queue(today: date) -> int:
    queued = 0
    for kind, producers in _PRODUCERS.items():
        for produce in producers:
            for reminder in produce(today):
                person = reminder.person
                if not person.email or not person.is_active_account:
                    continue
                if kind in opted_out(person.id):
                    continue
                key = f"reminder:{kind.value}:{reminder.key}"
                if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)):
                    continue  # queued before: a restart or a second run sends nothing twice
                with force_locale(person.locale or "nl"):
                    enqueue_template(
                        key=key,
                        kind=f"reminder_{kind.value}",
                        person=person,
                        subject=reminder.subject(),
                        template=reminder.template,
                        **reminder.context,
                    )
                queued += 1
    logger.info("reminders: %s new", queued)
    return queued
