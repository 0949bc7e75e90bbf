"""API resources of the action plan: the whole plan, one action, its year entries."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from rosemeet.api.base import (
    SCHEMAS,
    api_user,
    bp,
    document,
    error_responses,
    json_body,
    one_response,
    path_params,
    require_can,
    validated_form,
)
from rosemeet.core.errors import ApiError
from rosemeet.core.permissions import can
from rosemeet.core.web import parse_id
from rosemeet.extensions import db
from rosemeet.plan import exporter, queries
from rosemeet.plan import operations as ops
from rosemeet.plan.forms import API_MESSAGES, YearEntryForm
from rosemeet.plan.models import YEARS, PlanAction, YearStatus

_YEAR = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": [s.value for s in YearStatus]},
        "note": {"type": "string"},
    },
}
SCHEMAS["PlanHeading"] = {
    "type": "object",
    "required": ["title", "children"],
    "properties": {
        "title": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/PlanHeading"}},
    },
}
SCHEMAS["PlanAction"] = {
    "type": "object",
    "required": ["id", "title", "path", "indicators", "themes", "years"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "path": {"type": "array", "items": {"type": "string"}},
        "indicators": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "trekkers": {"type": "array", "items": {"type": "string"}},
                    "partners": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "themes": {"type": "array", "items": {"type": "string"}},
        "years": {
            "type": "object",
            "properties": {str(year): _YEAR for year in YEARS},
        },
    },
}
SCHEMAS["Plan"] = {
    "type": "object",
    "required": ["lines", "actions", "themes"],
    "properties": {
        "lines": {"type": "array", "items": {"$ref": "#/components/schemas/PlanHeading"}},
        "actions": {"type": "array", "items": {"$ref": "#/components/schemas/PlanAction"}},
        "themes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"title": {"type": "string"}, "text": {"type": "string"}},
            },
        },
    },
}
SCHEMAS["PlanYearsPatch"] = {
    "type": "object",
    "required": ["years"],
    "properties": {
        "years": {
            "type": "object",
            "description": "Only the years given change; a year without note keeps its note.",
            "properties": {str(year): _YEAR for year in YEARS},
            "additionalProperties": False,
        }
    },
}


def _visible_action(action_id: int) -> PlanAction:
    action = queries.load_action(action_id)
    if action is None or not can(api_user(), "view", action):
        require_can("view", PlanAction)  # 401 without a token
        raise ApiError(404, "not_found", _("Not found."))
    return action


def _path(action: PlanAction) -> list[str]:
    return [h.title for h in queries.heading_path(action.heading)]


@bp.get("/plan")
@document("/plan", "get", responses={**one_response("Plan"), **error_responses(401)})
def get_plan():
    """The action plan: the heading tree, every action with its years, the themes."""
    require_can("view", PlanAction)
    return jsonify(exporter.plan_json(queries.load_plan()))


@bp.get("/actions/<int:action_id>")
@document(
    "/actions/{action_id}",
    "get",
    parameters=path_params("action_id"),
    responses={**one_response("PlanAction"), **error_responses(401, 404)},
)
def get_action(action_id: int):
    """One action of the plan."""
    action = _visible_action(action_id)
    return jsonify(exporter.action_json(action, _path(action)))


@bp.patch("/actions/<int:action_id>")
@document(
    "/actions/{action_id}",
    "patch",
    parameters=path_params("action_id"),
    requestBody={
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PlanYearsPatch"}}
        },
    },
    responses={**one_response("PlanAction"), **error_responses(400, 401, 403, 404)},
)
def patch_action(action_id: int):
    """Set the status and note of some years (admin, secretaries of a trekker body)."""
    action = _visible_action(action_id)
    require_can("edit_years", action)
    data = json_body()
    years = data.get("years")
    if not isinstance(years, dict) or not years or set(data) - {"years"}:
        raise ApiError(
            400,
            "invalid",
            str(API_MESSAGES["shape"]),
            {"years": [str(API_MESSAGES["no_year"])]},
        )
    entries: dict[int, tuple[YearStatus, str]] = {}
    errors: dict[str, list[str]] = {}
    for key, value in years.items():
        year = parse_id(key)
        if year not in YEARS or not isinstance(value, dict) or set(value) - {"status", "note"}:
            errors[f"years.{key}"] = [str(API_MESSAGES["bad_year"])]
            continue
        current = action.year(year)
        merged = {
            "status": value.get("status", action.status(year).value),
            "note": value.get("note", current.note if current else ""),
        }
        if not isinstance(merged["note"], str) or not isinstance(merged["status"], str):
            errors[f"years.{key}"] = [str(API_MESSAGES["text"])]
            continue
        try:
            form = validated_form(YearEntryForm, merged)
        except ApiError as exc:
            errors.update({f"years.{key}.{name}": msgs for name, msgs in exc.fields.items()})
            continue
        entries[year] = (YearStatus(form.status.data), form.note.data or "")
    if errors:
        raise ApiError(400, "invalid", _("Some fields are not valid."), errors)
    ops.set_years(action, entries, api_user())
    db.session.commit()
    return jsonify(exporter.action_json(action, _path(action)))
