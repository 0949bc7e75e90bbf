"""Demo decisions and follow-ups (called by rosemeet.demo after the meetings and the plan).

The Actiegroep's last meeting took a decision on mobility and referred a question to the
ROA, so the ROA's next agenda shows it; one follow-up is overdue (for the digest and the
tracker's filter).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from rosemeet.accounts.models import Person
from rosemeet.agendas import operations as agendas
from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.followups import operations as ops
from rosemeet.meetings import queries as meetings
from rosemeet.network.models import Body
from rosemeet.plan.models import PlanAction


def load_demo() -> None:
    """Add an item with a decision and two follow-ups to the Actiegroep's last meeting."""
    bodies = {b.code: b for b in db.session.scalars(select(Body))}
    ag, roa = bodies.get("AG"), bodies.get("ROA")
    if ag is None or roa is None:
        return
    past = meetings.body_meetings(ag, upcoming=False, limit=1)
    if not past:
        return
    meeting = past[0]
    action = db.session.scalar(
        select(PlanAction)
        .where(PlanAction.title.ilike("%mobiliteit%"))
        .order_by(PlanAction.position)
    ) or db.session.scalar(select(PlanAction).order_by(PlanAction.position))
    actions = [action] if action is not None else []
    owner = db.session.scalar(select(Person).where(Person.email == "lid@rose.example.org"))
    secretary = db.session.scalar(
        select(Person).where(Person.email == "regisseur@rose.example.org")
    )
    item = agendas.add_item(
        meeting,
        title="Mobiliteit van doelgroepmedewerkers",
        description="Deelfietsen en vervoer naar de werkplek.",
        actions=actions,
    )
    decision = ops.record_decision(
        item, "De Actiegroep start een proefproject met deelfietsen.", actions, by=secretary
    )
    ops.create_follow_up(
        item,
        title="Vraag het ROA welke gemeenten vervoer naar de werkplek aanbieden",
        decision=decision,
        owner_person=owner,
        due_on=local_today() + timedelta(days=5),
        report_to_body=roa,
        actions=actions,
        by=secretary,
    )
    ops.create_follow_up(
        item,
        title="Offertes voor deelfietsen opvragen",
        decision=decision,
        owner_person=owner,
        due_on=local_today() - timedelta(days=10),
        actions=actions,
        by=secretary,
    )
