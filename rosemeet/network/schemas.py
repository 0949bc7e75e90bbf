"""The network's resources as JSON: organisations, bodies and their members (one schema
each, for what a client sends, what it gets back and the API's document)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from rosemeet.accounts.schemas import PersonSchema
from rosemeet.core import schemas as s
from rosemeet.network.models import BodyKind, OrganisationKind, Role
from rosemeet.network.operations import ALIAS_MAX_LENGTH


class Aliases(s.List):
    """Other names: a list, or a text with one per line; dumped from the aliases."""

    def __init__(self, **kwargs):
        """The aliases field."""
        kwargs.setdefault("metadata", {}).update(
            type=["array", "string"], description="A list, or text with one alias per line."
        )
        super().__init__(
            s.Text(max_length=ALIAS_MAX_LENGTH),
            source=lambda target: [alias.text for alias in target.aliases],
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs) -> list[Any | None]:
        if isinstance(value, str):
            text = s.Text(multiline=True, max_length=4000).deserialize(value)
            value = [line.strip() for line in text.splitlines() if line.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


class OrganisationSchema(s.Schema):
    """An organisation of the network (a partner, a local government, ...)."""

    id = s.Id(dump_only=True, required=True)
    name = s.Text(required=True, blank=False, max_length=200)
    abbreviation = s.Text(max_length=30, allow_none=True)
    kind = s.Choice(OrganisationKind, required=True)
    email = s.Email(allow_none=True)
    phone = s.Text(max_length=50, allow_none=True)
    website = s.Url(max_length=300, allow_none=True)
    address = s.Text(multiline=True, max_length=1000, allow_none=True)
    aliases = Aliases()


class BodySchema(s.Schema):
    """A body (overlegorgaan) that meets: the AV, the Actiegroep, a working group, ..."""

    id = s.Id(dump_only=True, required=True)
    name = s.Text(required=True, blank=False, max_length=200)
    code = s.Text(
        required=True,
        validate=ma.validate.Regexp(
            r"^[A-Za-z0-9-]{1,12}$", error=_l("Letters, digits and - only.")
        ),
        metadata={"description": 'Used in decision numbers, for example "AG".'},
    )
    kind = s.Choice(BodyKind, required=True)
    public = s.Flag(attribute="is_public", load_default=False)
    archived = s.Flag(dump_only=True, source=lambda body: body.is_archived)
    starts_on = s.Day(allow_none=True)
    ends_on = s.Day(allow_none=True)
    description = s.Text(multiline=True, max_length=10000, allow_none=True)
    default_location = s.Text(max_length=300, allow_none=True)
    mailbox = s.Email(allow_none=True)
    aliases = Aliases()

    @ma.validates_schema(skip_on_field_errors=False)
    def ends_after_start(self, data: dict, **kwargs) -> None:
        """An ad-hoc group cannot end before it starts (told with the other fields' errors)."""
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            message = _l("The planned end lies before the start.")
            raise ma.ValidationError(str(message), "ends_on")


class BodyRefSchema(s.Schema):
    """A body named in another resource."""

    id = s.Id(dump_only=True, required=True)
    code = s.Text(dump_only=True, required=True)
    name = s.Text(dump_only=True, required=True)


class MemberSchema(s.Schema):
    """A membership of a body: the person, their organisation's name, role and dates."""

    id = s.Id(dump_only=True, required=True)
    person = s.Object(PersonSchema, dump_only=True, required=True)
    organisation = s.Text(
        dump_only=True,
        allow_none=True,
        source=lambda m: m.person.organisation.name if m.person.organisation else None,
    )
    role = s.Choice(Role, dump_only=True, required=True)
    since = s.Day(dump_only=True, allow_none=True)
    until = s.Day(dump_only=True, allow_none=True)
