"""API resources of the network: organisations, bodies, members."""

from __future__ import annotations

from flask import jsonify, url_for

from rosemeet.api.base import (
    SCHEMAS,
    api_user,
    bp,
    check_date_range,
    document,
    error_responses,
    get_visible,
    json_body,
    list_response,
    one_response,
    path_params,
    request_body,
    require_can,
    validated_form,
)
from rosemeet.core.errors import ApiError
from rosemeet.extensions import db
from rosemeet.network import operations as ops
from rosemeet.network import queries
from rosemeet.network.forms import BodyForm, OrganisationForm, lines
from rosemeet.network.models import Body, BodyKind, Membership, Organisation, OrganisationKind

SCHEMAS["Organisation"] = {
    "type": "object",
    "required": ["id", "name", "kind"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "abbreviation": {"type": ["string", "null"]},
        "kind": {"type": "string", "enum": [k.value for k in OrganisationKind]},
        "email": {"type": ["string", "null"]},
        "phone": {"type": ["string", "null"]},
        "website": {"type": ["string", "null"]},
        "aliases": {"type": "array", "items": {"type": "string"}},
    },
}
SCHEMAS["Body"] = {
    "type": "object",
    "required": ["id", "name", "code", "kind", "public"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "code": {"type": "string"},
        "kind": {"type": "string", "enum": [k.value for k in BodyKind]},
        "public": {"type": "boolean"},
        "starts_on": {"type": ["string", "null"], "format": "date"},
        "ends_on": {"type": ["string", "null"], "format": "date"},
        "archived": {"type": "boolean"},
        "description": {"type": ["string", "null"]},
        "default_location": {"type": ["string", "null"]},
        "mailbox": {"type": ["string", "null"], "format": "email"},
        "aliases": {"type": "array", "items": {"type": "string"}},
    },
}
_ALIASES_INPUT = {
    "type": ["array", "string"],
    "items": {"type": "string", "maxLength": 200},
    "description": "A list, or text with one alias per line.",
}
SCHEMAS["OrganisationInput"] = {
    "type": "object",
    "required": ["name", "kind"],
    "properties": {
        "name": {"type": "string", "maxLength": 200},
        "abbreviation": {"type": ["string", "null"], "maxLength": 30},
        "kind": {"type": "string", "enum": [k.value for k in OrganisationKind]},
        "email": {"type": ["string", "null"], "format": "email"},
        "phone": {"type": ["string", "null"], "maxLength": 50},
        "website": {"type": ["string", "null"], "format": "uri"},
        "address": {"type": ["string", "null"], "maxLength": 1000},
        "aliases": _ALIASES_INPUT,
    },
}
SCHEMAS["BodyInput"] = {
    "type": "object",
    "required": ["name", "code", "kind"],
    "properties": {
        "name": {"type": "string", "maxLength": 200},
        "code": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,12}$"},
        "kind": {"type": "string", "enum": [k.value for k in BodyKind]},
        "public": {"type": "boolean", "default": False},
        "starts_on": {"type": ["string", "null"], "format": "date"},
        "ends_on": {"type": ["string", "null"], "format": "date"},
        "description": {"type": ["string", "null"], "maxLength": 10000},
        "default_location": {"type": ["string", "null"], "maxLength": 300},
        "mailbox": {"type": ["string", "null"], "format": "email"},
        "aliases": _ALIASES_INPUT,
    },
}
SCHEMAS["Member"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "person": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "organisation": {"type": ["string", "null"]},
        "role": {"type": "string", "enum": ["chair", "secretary", "member", "observer"]},
        "since": {"type": ["string", "null"], "format": "date"},
        "until": {"type": ["string", "null"], "format": "date"},
    },
}


def _with_alias_text(data: dict) -> dict:
    """The JSON body with its aliases (a list, or text with one per line) as the form's text,
    so the form's checks apply to them too."""
    aliases = data.get("aliases")
    if isinstance(aliases, list):
        data["aliases"] = "\n".join(str(a) for a in aliases)
    return data


def _error(exc: ops.NetworkError) -> ApiError:
    """409 for a name, code or alias that is taken; 400 for a refused value (a date)."""
    db.session.rollback()
    status = 409 if exc.code == "conflict" else 400
    return ApiError(status, exc.code, exc.message, {exc.field or "name": [exc.message]})


def organisation_json(org: Organisation) -> dict:
    """An organisation as the API shows it."""
    return {
        "id": org.id,
        "name": org.name,
        "abbreviation": org.abbreviation,
        "kind": org.kind.value,
        "email": org.email,
        "phone": org.phone,
        "website": org.website,
        "aliases": [a.text for a in org.aliases],
    }


def body_json(body: Body) -> dict:
    """A body as the API shows it."""
    return {
        "id": body.id,
        "name": body.name,
        "code": body.code,
        "kind": body.kind.value,
        "public": body.is_public,
        "archived": body.is_archived,
        "starts_on": body.starts_on.isoformat() if body.starts_on else None,
        "ends_on": body.ends_on.isoformat() if body.ends_on else None,
        "description": body.description,
        "default_location": body.default_location,
        "mailbox": body.mailbox,
        "aliases": [a.text for a in body.aliases],
    }


def member_json(membership: Membership) -> dict:
    """A membership as the API shows it (no e-mail addresses)."""
    person = membership.person
    return {
        "id": membership.id,
        "person": {"id": person.id, "name": person.name},
        "organisation": person.organisation.name if person.organisation else None,
        "role": membership.role.value,
        "since": membership.since.isoformat() if membership.since else None,
        "until": membership.until.isoformat() if membership.until else None,
    }


@bp.get("/organisations")
@document(
    "/organisations", "get", responses={**list_response("Organisation"), **error_responses(401)}
)
def list_organisations():
    """List the organisations of the network."""
    require_can("view", Organisation)
    return jsonify(items=[organisation_json(o) for o in queries.organisations()])


@bp.post("/organisations")
@document(
    "/organisations",
    "post",
    requestBody=request_body("OrganisationInput"),
    responses={**one_response("Organisation", "201"), **error_responses(400, 401, 403, 409)},
)
def create_organisation():
    """Create an organisation (admin)."""
    require_can("create", Organisation)
    form = validated_form(OrganisationForm, _with_alias_text(json_body()))
    try:
        org = ops.save_organisation(
            None,
            name=form.name.data,
            kind=OrganisationKind(form.kind.data),
            abbreviation=form.abbreviation.data,
            email=form.email.data,
            phone=form.phone.data,
            website=form.website.data,
            address=form.address.data,
            aliases=lines(form.aliases.data),
        )
    except ops.NetworkError as exc:
        raise _error(exc) from None
    db.session.commit()
    return jsonify(organisation_json(org)), 201


@bp.get("/bodies")
@document("/bodies", "get", security=[{}, {"bearer": []}], responses=list_response("Body"))
def list_bodies():
    """List the bodies the caller may see (public bodies without a token)."""
    return jsonify(
        items=[body_json(b) for b in queries.visible_bodies(api_user(), with_aliases=True)]
    )


@bp.post("/bodies")
@document(
    "/bodies",
    "post",
    requestBody=request_body("BodyInput"),
    responses={**one_response("Body", "201"), **error_responses(400, 401, 403, 409)},
)
def create_body():
    """Create a body (admin)."""
    require_can("create", Body)
    data = json_body()
    if "public" in data:
        data["is_public"] = data.pop("public")
    form = validated_form(BodyForm, _with_alias_text(data))
    check_date_range(starts_on=form.starts_on.data, ends_on=form.ends_on.data)
    try:
        body = ops.save_body(
            None,
            name=form.name.data,
            code=form.code.data,
            kind=BodyKind(form.kind.data),
            description=form.description.data,
            default_location=form.default_location.data,
            is_public=form.is_public.data,
            mailbox=form.mailbox.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            aliases=lines(form.aliases.data),
        )
    except ops.NetworkError as exc:
        raise _error(exc) from None
    db.session.commit()
    response = jsonify(body_json(body))
    response.headers["Location"] = url_for("api.get_body", body_id=body.id)
    return response, 201


@bp.get("/bodies/<int:body_id>")
@document(
    "/bodies/{body_id}",
    "get",
    security=[{}, {"bearer": []}],
    parameters=path_params("body_id"),
    responses={**one_response("Body"), **error_responses(404)},
)
def get_body(body_id: int):
    """One body."""
    return jsonify(body_json(get_visible(Body, body_id)))


@bp.get("/bodies/<int:body_id>/members")
@document(
    "/bodies/{body_id}/members",
    "get",
    security=[{}, {"bearer": []}],
    parameters=path_params("body_id"),
    responses={**list_response("Member"), **error_responses(404)},
)
def body_members(body_id: int):
    """The members of a body, chair and secretary first."""
    body = get_visible(Body, body_id)
    return jsonify(items=[member_json(m) for m in queries.body_members(body)])
