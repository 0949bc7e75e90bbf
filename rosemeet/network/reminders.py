"""Reminder: the planned end of an ad-hoc group is near (to its chair, secretary and admins)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import select

from rosemeet.accounts.models import Person
from rosemeet.extensions import db
from rosemeet.mail.reminders import Reminder
from rosemeet.network.models import Body, BodyKind, Role

#: how long before the planned end the reminder goes out
ADHOC_END_NOTICE = timedelta(days=30)


def adhoc_groups_ending(today: date) -> Iterator[Reminder]:
    """Ad-hoc groups that end within 30 days: their chair, secretary and the admins hear."""
    bodies = db.session.scalars(
        select(Body).where(
            Body.kind == BodyKind.ADHOC,
            Body.archived_at.is_(None),
            Body.ends_on.is_not(None),
            Body.ends_on >= today,
            Body.ends_on <= today + ADHOC_END_NOTICE,
        )
    ).all()
    if not bodies:
        return
    admins = db.session.scalars(select(Person).where(Person.is_admin.is_(True))).all()
    for body in bodies:
        ends_on = body.ends_on
        assert ends_on is not None  # the query selects only these
        runners = [
            m.person
            for m in body.memberships
            if m.role in (Role.CHAIR, Role.SECRETARY) and m.is_current(today)
        ]
        for person in {p.id: p for p in [*runners, *admins]}.values():
            yield Reminder(
                person=person,
                key=f"body {body.id}:{ends_on.isoformat()}:person {person.id}",
                subject=partial(lambda b: _("%(name)s ends soon", name=b.name), body),
                template="network/mail_adhoc_end",
                context={"body": body},
            )
