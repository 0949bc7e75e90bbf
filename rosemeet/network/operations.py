"""Writes on the network: organisations, aliases, bodies, memberships, relations.

Each function changes objects and flushes; the view commits once. Refusals raise
NetworkError with a translated message and, where it belongs to one, the form field.
"""

from __future__ import annotations

import logging
import unicodedata
from contextlib import contextmanager
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rosemeet.accounts.models import Person
from rosemeet.core.errors import Refused
from rosemeet.core.web import date_range_message, in_date_range
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.network import signals
from rosemeet.network.models import (
    Alias,
    Body,
    BodyKind,
    BodyRelation,
    Membership,
    Organisation,
    OrganisationKind,
    RelationKind,
    Role,
    normalize_name,
)

logger = logging.getLogger(__name__)


class NetworkError(Refused):
    """A refused change; ``field`` names the form field the message belongs to, ``code`` is
    "conflict" (a name, alias or membership that exists) or "invalid" (a value refused)."""

    def __init__(self, message: str, field: str | None = None, code: str = "conflict"):
        super().__init__(message, field, code)


# --- names and aliases -----------------------------------------------------------------------


#: the longest alias a column holds
ALIAS_MAX_LENGTH = 200


def set_aliases(target: Organisation | Body, texts: list[str]) -> None:
    """Replace the aliases of an organisation or a body; an alias names one thing only."""
    wanted: dict[str, str] = {}
    for text in texts:
        clean = " ".join(text.split())
        if len(clean) > ALIAS_MAX_LENGTH:
            raise NetworkError(
                _(
                    "An alias has at most %(num)d characters: %(alias)s",
                    num=ALIAS_MAX_LENGTH,
                    alias=clean[:40] + "…",
                ),
                "aliases",
                "invalid",
            )
        if clean:
            wanted.setdefault(normalize_name(clean), clean)
    for alias in list(target.aliases):
        if alias.normalized not in wanted:
            target.aliases.remove(alias)
    have = {a.normalized for a in target.aliases}
    db.session.flush()
    for key, clean in wanted.items():
        if key in have:
            continue
        other = db.session.scalar(select(Alias).where(Alias.normalized == key))
        if other is not None:
            raise NetworkError(
                _(
                    'The alias "%(alias)s" already belongs to %(owner)s.',
                    alias=clean,
                    owner=other.target.name,
                ),
                "aliases",
            )
        target.aliases.append(Alias(text=clean, normalized=key))
    db.session.flush()


# --- organisations ---------------------------------------------------------------------------


def name_key(text: str) -> str:
    """What two names must differ in to be different names: not in case (for every script,
    "Ëlektra" is "ëlektra"), Unicode composition or spacing."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _check_unique(model, column, value: str, current_id: int | None, message: str, field: str):
    """NetworkError when another row's ``column`` is the same name (compared by ``name_key``
    in Python: SQLite's lower() only folds ASCII)."""
    key = name_key(value)
    query = select(model.id, column)
    if current_id is not None:
        query = query.where(model.id != current_id)
    if any(name_key(other) == key for _id, other in db.session.execute(query)):
        raise NetworkError(str(message), field)


@contextmanager
def _unique_guard(message: str, field: str):
    """Run the changes of the block in a savepoint: a unique index that still refuses them
    (two saves at the same moment) becomes a NetworkError instead of a broken transaction."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError:
        raise NetworkError(str(message), field) from None


def _check_dates(**days: date | None) -> None:
    """NetworkError for a date outside the years rosemeet accepts."""
    for name, day in days.items():
        if not in_date_range(day):
            raise NetworkError(date_range_message(), name, "invalid")


def save_organisation(
    organisation: Organisation | None,
    *,
    name: str,
    kind: OrganisationKind,
    abbreviation: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    website: str | None = None,
    address: str | None = None,
    aliases: list[str] | None = None,
) -> Organisation:
    """Create (``organisation=None``) or update an organisation and its aliases."""
    name = " ".join(name.split())
    taken = _l("An organisation with this name already exists.")
    _check_unique(
        Organisation,
        Organisation.name,
        name,
        organisation.id if organisation else None,
        taken,
        "name",
    )
    with _unique_guard(taken, "name"):
        if organisation is None:
            organisation = Organisation(name=name, kind=kind)
            db.session.add(organisation)
        organisation.name = name
        organisation.kind = kind
        organisation.abbreviation = (abbreviation or "").strip() or None
        organisation.email = (email or "").strip().lower() or None
        organisation.phone = (phone or "").strip() or None
        organisation.website = (website or "").strip() or None
        organisation.address = (address or "").strip() or None
    if aliases is not None:
        set_aliases(organisation, aliases)
    logger.info("organisation %s saved", organisation.id)
    return organisation


# --- bodies ----------------------------------------------------------------------------------


def save_body(
    body: Body | None,
    *,
    name: str,
    code: str,
    kind: BodyKind,
    description: str | None = None,
    default_location: str | None = None,
    is_public: bool = False,
    starts_on: date | None = None,
    ends_on: date | None = None,
    aliases: list[str] | None = None,
    mailbox: str | None = None,
) -> Body:
    """Create (``body=None``) or update a body; names and codes are unique, ends after starts."""
    name = " ".join(name.split())
    code = code.strip().upper()
    _check_unique(
        Body,
        Body.name,
        name,
        body.id if body else None,
        _l("A body with this name already exists."),
        "name",
    )
    _check_unique(
        Body,
        Body.code,
        code,
        body.id if body else None,
        _l("A body with this code already exists."),
        "code",
    )
    _check_dates(starts_on=starts_on, ends_on=ends_on)
    if starts_on and ends_on and ends_on < starts_on:
        raise NetworkError(_("The planned end lies before the start."), "ends_on", "invalid")
    with _unique_guard(_l("A body with this name already exists."), "name"):
        if body is None:
            body = Body(name=name, code=code, kind=kind)
            db.session.add(body)
        body.name, body.code, body.kind = name, code, kind
        body.description = (description or "").strip() or None
        body.default_location = (default_location or "").strip() or None
        body.is_public = is_public
        body.mailbox = (mailbox or "").strip().lower() or None
        body.starts_on, body.ends_on = starts_on, ends_on
    if aliases is not None:
        set_aliases(body, aliases)
    logger.info("body %s saved", body.id)
    return body


def delete_body(body: Body) -> None:
    """Delete a body that has no history; raise NetworkError (offer archiving) otherwise.

    Tables of later domains (meetings, ...) refer to the body with ON DELETE RESTRICT,
    so the database itself tells whether the body has history.
    """
    try:
        with db.session.begin_nested():
            db.session.delete(body)
            db.session.flush()
    except IntegrityError:
        raise NetworkError(
            _("This body has meetings or other history and cannot be deleted. Archive it instead.")
        ) from None
    logger.info("body %s deleted", body.id)


def archive_body(body: Body) -> None:
    """Archive a body: it keeps its history and gets no new meetings."""
    body.archived_at = body.archived_at or utcnow()
    db.session.flush()


def unarchive_body(body: Body) -> None:
    """Make an archived body active again."""
    body.archived_at = None
    db.session.flush()


# --- memberships -----------------------------------------------------------------------------


def save_membership(
    membership: Membership | None,
    *,
    body: Body,
    person: Person,
    role: Role,
    since: date | None = None,
    until: date | None = None,
) -> Membership:
    """Add a person to a body, or change the role or period of a membership."""
    _check_dates(since=since, until=until)
    if since and until and until < since:
        raise NetworkError(_("The membership ends before it starts."), "until", "invalid")
    if membership is None:
        existing = db.session.scalar(
            select(Membership).where(
                Membership.body_id == body.id, Membership.person_id == person.id
            )
        )
        if existing is not None:
            raise NetworkError(
                _("%(name)s is already a member of this body.", name=person.name), "person_id"
            )
        membership = Membership(body=body, person=person)
        db.session.add(membership)
    ended = until is not None and until != membership.until
    membership.role, membership.since, membership.until = role, since, until
    db.session.flush()
    if ended:
        signals.membership_ended.send(body, person=person)
    logger.info("membership %s saved", membership.id)
    return membership


def remove_membership(membership: Membership) -> None:
    """Remove a membership entered by mistake (to end one, set ``until``)."""
    body, person = membership.body, membership.person
    db.session.delete(membership)
    db.session.flush()
    db.session.expire(body, ["memberships"])
    signals.membership_ended.send(body, person=person)


# --- relations -------------------------------------------------------------------------------


def add_relation(source: Body, target: Body, kind: RelationKind) -> BodyRelation:
    """Record that ``source`` prepares the agenda of / reports back to ``target``."""
    if source.id == target.id:
        raise NetworkError(_("A body cannot relate to itself."), "target_body_id", "invalid")
    existing = db.session.scalar(
        select(BodyRelation).where(
            BodyRelation.source_body_id == source.id,
            BodyRelation.target_body_id == target.id,
            BodyRelation.kind == kind,
        )
    )
    if existing is not None:
        raise NetworkError(_("This relation already exists."), "target_body_id")
    relation = BodyRelation(source=source, target=target, kind=kind)
    db.session.add(relation)
    db.session.flush()
    return relation


def remove_relation(relation: BodyRelation) -> None:
    """Delete a relation between two bodies."""
    db.session.delete(relation)
    db.session.flush()
