"""API resources of the network: organisations, bodies, members."""

from __future__ import annotations

from flask import url_for

from rosemeet.api.base import (
    OPTIONAL_TOKEN,
    api_user,
    bp,
    errors,
    get_visible,
    json_body,
    listing,
    paginate,
    read,
    require_can,
)
from rosemeet.network import operations as ops
from rosemeet.network import queries
from rosemeet.network.models import Body, Organisation
from rosemeet.network.schemas import BodySchema, MemberSchema, OrganisationSchema


@bp.get("/organisations")
@listing(OrganisationSchema)
@errors(401)
def list_organisations(query: dict):
    """List the organisations of the network, by name."""
    require_can("view", Organisation)
    return paginate(queries.organisations(), query)


@bp.post("/organisations")
@json_body(OrganisationSchema)
@bp.response(201, OrganisationSchema)
@errors(400, 401, 403, 409)
def create_organisation():
    """Create an organisation (admin)."""
    require_can("create", Organisation)
    return ops.save_organisation(None, **read(OrganisationSchema))


@bp.get("/bodies")
@bp.doc(security=OPTIONAL_TOKEN)
@listing(BodySchema)
def list_bodies(query: dict):
    """List the bodies the caller may see, by name (public bodies without a token)."""
    return paginate(queries.visible_bodies(api_user(), with_aliases=True), query)


@bp.post("/bodies")
@json_body(BodySchema)
@bp.response(201, BodySchema)
@errors(400, 401, 403, 409)
def create_body():
    """Create a body (admin)."""
    require_can("create", Body)
    created = ops.save_body(None, **read(BodySchema))
    return created, {"Location": url_for("api.get_body", body_id=created.id)}


@bp.get("/bodies/<int:body_id>")
@bp.doc(security=OPTIONAL_TOKEN)
@bp.response(200, BodySchema)
@errors(404)
def get_body(body_id: int):
    """One body."""
    return get_visible(Body, body_id)


@bp.get("/bodies/<int:body_id>/members")
@bp.doc(security=OPTIONAL_TOKEN)
@listing(MemberSchema)
@errors(404)
def body_members(query: dict, body_id: int):
    """The members of a body, chair and secretary first."""
    return paginate(queries.body_members(get_visible(Body, body_id)), query)
