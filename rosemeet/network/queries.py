"""Reads on the network that the views and the API share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from rosemeet.accounts.models import Person
from rosemeet.core.enums import select_choices
from rosemeet.core.permissions import can
from rosemeet.extensions import db
from rosemeet.network.models import Body, BodyRelation, Membership, Organisation


def visible_bodies(user, include_archived: bool = False, with_aliases: bool = False) -> list[Body]:
    """The bodies this user may see, by name."""
    query = select(Body).options(selectinload(Body.memberships)).order_by(Body.name)
    if with_aliases:
        query = query.options(selectinload(Body.aliases))
    if not include_archived:
        query = query.where(Body.archived_at.is_(None))
    return [b for b in db.session.scalars(query) if can(user, "view", b)]


def body_members(body: Body) -> list[Membership]:
    """The body's memberships with person and organisation, chair and secretary first."""
    order = {"chair": 0, "secretary": 1, "member": 2, "observer": 3}
    rows = db.session.scalars(
        select(Membership)
        .where(Membership.body_id == body.id)
        .options(selectinload(Membership.person).selectinload(Person.organisation))
    ).all()
    return sorted(rows, key=lambda m: (order[m.role.value], m.person.name.casefold()))


def body_relations(body: Body) -> tuple[list[BodyRelation], list[BodyRelation]]:
    """Relations from this body and to this body."""
    load = (selectinload(BodyRelation.source), selectinload(BodyRelation.target))
    outgoing = db.session.scalars(
        select(BodyRelation).where(BodyRelation.source_body_id == body.id).options(*load)
    ).all()
    incoming = db.session.scalars(
        select(BodyRelation).where(BodyRelation.target_body_id == body.id).options(*load)
    ).all()
    return list(outgoing), list(incoming)


def organisations() -> list[Organisation]:
    """All organisations by name, with aliases."""
    return list(
        db.session.scalars(
            select(Organisation)
            .options(selectinload(Organisation.aliases))
            .order_by(Organisation.name)
        )
    )


def people_choices(empty: tuple | None = None) -> list[SelectChoice]:
    """Every person as an option of a select field, by name (``empty`` first if given)."""
    rows = db.session.execute(select(Person.id, Person.name).order_by(Person.name)).all()
    return select_choices([empty, *rows] if empty else rows)


def organisation_choices(empty: tuple | None = None) -> list[SelectChoice]:
    """Every organisation as an option of a select field (``empty`` first if given)."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    ).all()
    return select_choices([empty, *rows] if empty else rows)
