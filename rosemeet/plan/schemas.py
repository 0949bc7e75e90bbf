"""An action plan as JSON (the API and ``rosemeet export-plan``): the plan (name, span,
status), the heading tree, the actions with their indicators, themes and a status and note
per year of the plan, and the themes."""

from __future__ import annotations

import marshmallow as ma

from rosemeet.core import schemas as s
from rosemeet.plan.forms import API_MESSAGES, NOTE_MAX
from rosemeet.plan.importer import MAX_YEAR, MIN_YEAR
from rosemeet.plan.models import PartyRole, PlanAction, PlanStatus, YearStatus
from rosemeet.plan.queries import heading_path


class PlanInfoSchema(s.Schema):
    """A plan period: its name, first and last year and status."""

    id = s.Id(dump_only=True, required=True)
    name = s.Text(dump_only=True, required=True)
    first_year = s.Integer(dump_only=True, required=True)
    last_year = s.Integer(dump_only=True, required=True)
    status = s.Choice(PlanStatus, dump_only=True, required=True)


class PlanYearSchema(s.Schema):
    """What became of an action in one year of its plan (unset years: niet gepland, no note)."""

    year = s.Integer(
        required=True,
        low=MIN_YEAR,
        high=MAX_YEAR,
        metadata={"description": "A year of the action's plan."},
    )
    status = s.Choice(YearStatus, metadata={"description": "Sent without: the status stays."})
    note = s.Text(
        multiline=True, max_length=NOTE_MAX, metadata={"description": "Sent without: it stays."}
    )


def _years_of(action: PlanAction) -> list[dict]:
    """Every year of the action's plan with its status and note."""
    return [
        {"year": year, "status": action.status(year), "note": entry.note if entry else ""}
        for year in action.plan.years
        for entry in [action.year(year)]
    ]


class IndicatorSchema(s.Schema):
    """An indicator of an action with the names that lead it and help."""

    text = s.Text(dump_only=True, required=True)
    trekkers = s.List(
        s.Text(),
        dump_only=True,
        required=True,
        source=lambda i: [p.display_name for p in i.names(PartyRole.TREKKER)],
    )
    partners = s.List(
        s.Text(),
        dump_only=True,
        required=True,
        source=lambda i: [p.display_name for p in i.names(PartyRole.PARTNER)],
    )


class PlanActionSchema(s.Schema):
    """An action of the plan. Sent (PATCH): only ``years``, with the years that change."""

    id = s.Id(dump_only=True, required=True)
    title = s.Text(dump_only=True, required=True)
    path = s.List(
        s.Text(),
        dump_only=True,
        required=True,
        source=lambda action: [h.title for h in heading_path(action.heading)],
        metadata={"description": "The headings from the strategic line down to the action."},
    )
    indicators = s.Object(IndicatorSchema, many=True, dump_only=True, required=True)
    themes = s.List(
        s.Text(), dump_only=True, required=True, source=lambda a: [t.title for t in a.themes]
    )
    years = s.Object(
        PlanYearSchema,
        many=True,
        required=True,
        source=_years_of,
        metadata={"description": "Every year of the plan; sent: the years that change."},
    )

    @ma.pre_load
    def years_by_key(self, data: object, **kwargs: object) -> object:
        """Also take the years in the form of API clients written before plans had their own
        span: ``{"years": {"2026": {"status": ..., "note": ...}}}``."""
        if isinstance(data, dict) and isinstance(data.get("years"), dict):
            years = data["years"]
            return {
                **data,
                "years": [
                    {
                        **entry,
                        "year": int(key)
                        if key.isascii() and key.isdigit() and len(key) < 10
                        else key,
                    }
                    if isinstance(entry, dict)
                    else entry
                    for key, entry in years.items()
                ],
            }
        return data

    @ma.validates("years")
    def some_year(self, value: list, **kwargs) -> None:
        """A change names at least one year (a year named twice: the last one counts)."""
        if not value:
            raise ma.ValidationError(str(API_MESSAGES["no_year"]))


class PlanHeadingSchema(s.Schema):
    """A heading of the plan (strategic line, objective, ...) with the headings under it."""

    title = s.Text(dump_only=True, required=True, source=lambda node: node.heading.title)
    children = s.Object("PlanHeadingSchema", many=True, dump_only=True, required=True)


class ThemeSchema(s.Schema):
    """A transversal theme."""

    title = s.Text(dump_only=True, required=True)
    text = s.Text(dump_only=True, required=True)


class PlanSchema(s.Schema):
    """One whole plan: the plan, its heading tree (lines), every action with its years, the
    themes."""

    plan = s.Object(PlanInfoSchema, dump_only=True, required=True)
    lines = s.Object(PlanHeadingSchema, many=True, dump_only=True, required=True)
    actions = s.Object(PlanActionSchema, many=True, dump_only=True, required=True)
    themes = s.Object(ThemeSchema, many=True, dump_only=True, required=True)
