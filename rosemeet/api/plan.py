"""API resources of the action plan: the whole plan, one action, its year entries."""

from __future__ import annotations

from rosemeet.api.base import api_user, bp, errors, json_body, not_found, read, require_can
from rosemeet.core.permissions import can
from rosemeet.plan import operations as ops
from rosemeet.plan import queries
from rosemeet.plan.models import PlanAction
from rosemeet.plan.schemas import PlanActionSchema, PlanSchema


def _visible_action(action_id: int) -> PlanAction:
    action = queries.load_action(action_id)
    if action is None or not can(api_user(), "view", action):
        require_can("view", PlanAction)  # 401 without a token
        raise not_found()
    return action


@bp.get("/plan")
@bp.response(200, PlanSchema)
@errors(401)
def get_plan():
    """The action plan: the heading tree, every action with its years, the themes."""
    require_can("view", PlanAction)
    return queries.load_plan()


@bp.get("/actions/<int:action_id>")
@bp.response(200, PlanActionSchema)
@errors(401, 404)
def get_action(action_id: int):
    """One action of the plan."""
    return _visible_action(action_id)


@bp.patch("/actions/<int:action_id>")
@json_body(PlanActionSchema)
@bp.response(200, PlanActionSchema)
@errors(400, 401, 403, 404)
def patch_action(action_id: int):
    """Set the status and note of some years (admin, secretaries of a trekker body); a year
    sent without a status or a note keeps it."""
    action = _visible_action(action_id)
    require_can("edit_years", action)
    entries = {}
    for key, given in read(PlanActionSchema)["years"].items():
        year = int(key)
        entry = action.year(year)
        entries[year] = (
            given.get("status", action.status(year)),
            given.get("note", entry.note if entry else ""),
        )
    ops.set_years(action, entries, api_user())
    return action
