"""API resources of the action plans: the plans, one whole plan, one action, its years."""

from __future__ import annotations

from rosemeet.api.base import (
    Query,
    api_user,
    bp,
    errors,
    json_body,
    listing,
    not_found,
    paginate,
    read,
    require_can,
)
from rosemeet.core import schemas as s
from rosemeet.core.permissions import can
from rosemeet.plan import operations as ops
from rosemeet.plan import queries
from rosemeet.plan.models import PlanAction
from rosemeet.plan.schemas import PlanActionSchema, PlanInfoSchema, PlanSchema


class PlanQuery(Query):
    """Which plan to answer."""

    plan = s.Id(strict=False, metadata={"description": "The plan's id (default: the current)."})


def _visible_action(action_id: int) -> PlanAction:
    action = queries.load_action(action_id)
    if action is None or not can(api_user(), "view", action):
        require_can("view", PlanAction)  # 401 without a token
        raise not_found()
    return action


@bp.get("/plans")
@listing(PlanInfoSchema)
@errors(401)
def list_plans(query: dict):
    """The plans: the current one first, then by first year, newest first."""
    require_can("view", PlanAction)
    return paginate(queries.plans(), query)


@bp.get("/plan")
@bp.arguments(PlanQuery, location="query")
@bp.response(200, PlanSchema)
@errors(401, 404)
def get_plan(query: dict):
    """A plan (``?plan=<id>``, default the current one): the heading tree, every action with
    its years, the themes."""
    require_can("view", PlanAction)
    plan = (
        queries.get_plan(query["plan"]) if query.get("plan") is not None else queries.current_plan()
    )
    if plan is None:
        raise not_found()
    return queries.load_plan(plan)


@bp.get("/actions/<int:action_id>")
@bp.response(200, PlanActionSchema)
@errors(401, 404)
def get_action(action_id: int):
    """One action of a plan."""
    return _visible_action(action_id)


@bp.patch("/actions/<int:action_id>")
@json_body(PlanActionSchema)
@bp.response(200, PlanActionSchema)
@errors(400, 401, 403, 404)
def patch_action(action_id: int):
    """Set the status and note of some years of the action's plan (admin, secretaries of a
    trekker body); a year sent without a status or a note keeps it."""
    action = _visible_action(action_id)
    require_can("edit_years", action)
    entries = {}
    for given in read(PlanActionSchema)["years"]:
        year = given["year"]
        entry = action.year(year)
        entries[year] = (
            given.get("status", action.status(year)),
            given.get("note", entry.note if entry else ""),
        )
    ops.set_years(action, entries, api_user())
    return action
