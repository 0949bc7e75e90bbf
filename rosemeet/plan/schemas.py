"""The action plan as JSON (the API and ``rosemeet export-plan``): the heading tree, the
actions with their indicators, themes and a status and note per year, and the themes."""

from __future__ import annotations

import marshmallow as ma

from rosemeet.core import schemas as s
from rosemeet.plan.forms import API_MESSAGES, NOTE_MAX
from rosemeet.plan.models import YEARS, PartyRole, PlanAction, YearStatus
from rosemeet.plan.queries import heading_path


class PlanYearSchema(s.Schema):
    """What became of an action in one year (unset years: niet gepland, no note)."""

    status = s.Choice(YearStatus, metadata={"description": "Sent without: the status stays."})
    note = s.Text(
        multiline=True, max_length=NOTE_MAX, metadata={"description": "Sent without: it stays."}
    )


def _year_of(action: PlanAction, year: int) -> dict:
    entry = action.year(year)
    return {"status": action.status(year), "note": entry.note if entry else ""}


class _Years(s.Schema):
    """The years of the plan, each with a status and a note."""

    @ma.validates_schema
    def some_year(self, data: dict, **kwargs) -> None:
        """A change names at least one year."""
        if not data:
            raise ma.ValidationError(str(API_MESSAGES["no_year"]))


#: one field per year of the plan ("2020": {...}), dumped from the action's entries
PlanYearsSchema = type(
    "PlanYearsSchema",
    (_Years,),
    {
        str(year): s.Object(PlanYearSchema, source=lambda action, year=year: _year_of(action, year))
        for year in YEARS
    },
)


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
    years = s.Object(PlanYearsSchema, required=True, source=lambda action: action)


class PlanHeadingSchema(s.Schema):
    """A heading of the plan (strategic line, objective, ...) with the headings under it."""

    title = s.Text(dump_only=True, required=True, source=lambda node: node.heading.title)
    children = s.Object("PlanHeadingSchema", many=True, dump_only=True, required=True)


class ThemeSchema(s.Schema):
    """A transversal theme."""

    title = s.Text(dump_only=True, required=True)
    text = s.Text(dump_only=True, required=True)


class PlanSchema(s.Schema):
    """The whole plan: the heading tree (lines), every action with its years, the themes."""

    lines = s.Object(PlanHeadingSchema, many=True, dump_only=True, required=True)
    actions = s.Object(PlanActionSchema, many=True, dump_only=True, required=True)
    themes = s.Object(ThemeSchema, many=True, dump_only=True, required=True)
