"""Reads on the network: names and aliases, roles, relations, and what the views and the
API list."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, after types-wtforms 3.2

from rosemeet.accounts.models import Person
from rosemeet.core.enums import select_choices
from rosemeet.core.permissions import can
from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.network.models import (
    Alias,
    Body,
    BodyRelation,
    Membership,
    Organisation,
    RelationKind,
    Role,
    normalize_name,
)


def visible_bodies(user, include_archived: bool = False, with_aliases: bool = False) -> list[Body]:
    """The bodies this user may see, by name. The database picks them (public ones and those
    the user is a member of today; every one for an admin), so that only those are loaded,
    with the memberships that the permission rules read next (an admin's pass needs none)."""
    query = select(Body).order_by(Body.name)
    if with_aliases:
        query = query.options(selectinload(Body.aliases))
    if not include_archived:
        query = query.where(Body.archived_at.is_(None))
    authenticated = getattr(user, "is_authenticated", False)
    if authenticated and user.is_admin:
        return list(db.session.scalars(query))
    seen: ColumnElement[bool] = Body.is_public.is_(True)
    if authenticated:
        seen = or_(seen, Body.id.in_(bodies_of(user)))
    query = query.where(seen).options(selectinload(Body.memberships))
    return [b for b in db.session.scalars(query) if can(user, "view", b)]


def bodies_of(person, roles: Iterable[Role] | None = None) -> Select[Any]:
    """The ids of the bodies the person is a member of today (in one of ``roles``, if given),
    as a subquery: ``current_role`` in SQL."""
    today = local_today()
    query = select(Membership.body_id).where(
        Membership.person_id == person.id,
        or_(Membership.since.is_(None), Membership.since <= today),
        or_(Membership.until.is_(None), Membership.until >= today),
    )
    return query.where(Membership.role.in_(list(roles))) if roles is not None else query


def body_members(body: Body) -> list[Membership]:
    """The body's memberships with person and organisation, chair and secretary first."""
    order = {"chair": 0, "secretary": 1, "member": 2, "observer": 3}
    rows = db.session.scalars(
        select(Membership)
        .where(Membership.body_id == body.id)
        .options(selectinload(Membership.person).selectinload(Person.organisation))
    ).all()
    return sorted(rows, key=lambda m: (order[m.role.value], m.person.name.casefold(), m.id))


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


def organisations() -> Select[Any]:
    """All organisations by name, with aliases: a query to paginate (``core.pagination``)."""
    return (
        select(Organisation)
        .options(selectinload(Organisation.aliases))
        .order_by(Organisation.name, Organisation.id)
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


def resolve_name(text: str) -> Organisation | Body | None:
    """The organisation or body a name stands for: name, abbreviation, code or alias."""
    key = normalize_name(text)
    if not key:
        return None
    alias = db.session.scalar(select(Alias).where(Alias.normalized == key))
    if alias is not None:
        return alias.organisation or alias.body
    organisation = db.session.scalar(
        select(Organisation).where(
            or_(func.lower(Organisation.name) == key, func.lower(Organisation.abbreviation) == key)
        )
    )
    if organisation is not None:
        return organisation
    return db.session.scalar(
        select(Body).where(or_(func.lower(Body.name) == key, func.lower(Body.code) == key))
    )


def name_index() -> dict[str, Organisation | Body]:
    """Every name, abbreviation, code and alias (normalised) -> what it names, in three
    queries, with the precedence of ``resolve_name``: aliases, organisations, bodies."""
    index: dict[str, Organisation | Body] = {}
    for body in db.session.scalars(select(Body)):  # lowest precedence first
        for name in (body.name, body.code):
            index[normalize_name(name)] = body
    for organisation in db.session.scalars(select(Organisation)):
        for name in (organisation.name, organisation.abbreviation or ""):
            index[normalize_name(name)] = organisation
    aliases = select(Alias).options(selectinload(Alias.organisation), selectinload(Alias.body))
    for alias in db.session.scalars(aliases):
        index[alias.normalized] = alias.target
    index.pop("", None)
    return index


def current_role(person, body: Body, on: date | None = None) -> Role | None:
    """The person's role in the body on a day (today by default), if any."""
    if not getattr(person, "is_authenticated", False):
        return None
    on = on or local_today()
    for membership in body.memberships:
        if membership.person_id == person.id and membership.is_current(on):
            return membership.role
    return None


def related_bodies(body: Body, kind: RelationKind) -> list[Body]:
    """The bodies that ``body`` prepares for / reports back to."""
    return [r.target for r in body.outgoing_relations if r.kind == kind]


def past_planned_end(body: Body, today: date | None = None) -> bool:
    """Is the body still active after its planned end (an ad-hoc group that should have
    ended: flagged wherever it is shown, and planning after the end asks for confirmation)?"""
    return (
        body.ends_on is not None
        and not body.is_archived
        and body.ends_on < (today or local_today())
    )
