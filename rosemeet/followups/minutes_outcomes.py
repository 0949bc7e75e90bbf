"""Decisions and follow-ups on the minutes page: per item (the "minutes-item" slot) what was
decided there (with its number) and which follow-ups came of it, and, for those who record
outcomes while the minutes are not approved, compact forms that post to the outcome routes
of ``views`` and come back to the minutes page."""

from __future__ import annotations

from typing import Any

from flask import g, url_for
from flask_login import current_user
from sqlalchemy import select

from rosemeet.agendas.models import Agenda, AgendaItem
from rosemeet.core.enums import select_choices
from rosemeet.core.permissions import can
from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.followups import queries, views
from rosemeet.followups.forms import DecisionForm, FollowUpForm
from rosemeet.followups.models import Decision, FollowUp
from rosemeet.meetings.models import Meeting
from rosemeet.network.queries import organisation_choices, people_choices


def _meeting_outcomes(meeting: Meeting) -> dict[int, tuple[list[Decision], list[FollowUp]]]:
    """The decisions and follow-ups of each item of a meeting, read once per request."""
    loaded = g.setdefault("followups_minutes_outcomes", {})
    if meeting.id not in loaded:
        by_item: dict[int, tuple[list[Decision], list[FollowUp]]] = {}
        decisions = db.session.scalars(
            select(Decision)
            .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
            .where(AgendaItem.meeting_id == meeting.id)
            .options(*queries._decision_load())
            .order_by(Decision.year, Decision.sequence)
        )
        for d in decisions:
            by_item.setdefault(d.agenda_item_id or 0, ([], []))[0].append(d)
        follow_ups = db.session.scalars(
            select(FollowUp)
            .join(AgendaItem, AgendaItem.id == FollowUp.agenda_item_id)
            .where(AgendaItem.meeting_id == meeting.id)
            .options(*queries._follow_up_load())
            .order_by(FollowUp.id)
        )
        for f in follow_ups:
            by_item.setdefault(f.agenda_item_id or 0, ([], []))[1].append(f)
        loaded[meeting.id] = by_item
    return loaded[meeting.id]


def _choices() -> dict[str, list]:
    """The options of the follow-up form's selects, read once per request."""
    if "followups_minutes_choices" not in g:
        empty = views._body_choices(views._active_bodies())
        g.followups_minutes_choices = {
            "people": people_choices(("", "—")),
            "organisations": organisation_choices(("", "—")),
            "bodies": empty,
        }
    return g.followups_minutes_choices


def _with_ids(form: DecisionForm | FollowUpForm, prefix: str) -> None:
    """Ids of this item's form (several on one page), names as the routes read them."""
    for field in form:
        if field.type != "CSRFTokenField":
            field.id = f"{prefix}-{field.name}"
            field.label.field_id = field.id


def _forms(item: AgendaItem, decisions: list[Decision]) -> tuple[DecisionForm, FollowUpForm]:
    """Empty decision and follow-up forms of an item, with their options."""
    choices = _choices()
    bodies = views._body_choices(queries.item_bodies(item), empty=False)
    decision = DecisionForm(formdata=None)
    decision.body_id.choices = bodies
    follow_up = FollowUpForm(formdata=None)
    follow_up.owner_person_id.choices = choices["people"]
    follow_up.owner_organisation_id.choices = choices["organisations"]
    follow_up.report_to_body_id.choices = choices["bodies"]
    follow_up.body_id.choices = bodies
    follow_up.decision_id.choices = select_choices(
        [("", "—"), *((d.id, f"{d.number}: {d.text[:60]}") for d in decisions)]
    )
    _with_ids(decision, f"item-{item.id}-decision")
    _with_ids(follow_up, f"item-{item.id}-follow-up")
    return decision, follow_up


def minutes_outcomes(item: AgendaItem, meeting: Meeting | None = None) -> dict[str, Any]:
    """What the minutes page shows of an item's outcomes (``followups/_minutes_outcomes.html``):
    its decisions and follow-ups, and the forms when the visitor may record outcomes."""
    meeting = meeting or item.meeting
    if meeting is None or item.role is not None:
        return {"shown": False}
    decisions, follow_ups = _meeting_outcomes(meeting).get(item.id, ([], []))
    agenda = db.session.get(Agenda, meeting.id)
    manage = can(current_user, "record_outcomes", item) and not (
        agenda is not None and agenda.minutes_approved
    )
    decision_form, follow_up_form = _forms(item, decisions) if manage else (None, None)
    return {
        "shown": bool(decisions or follow_ups or manage),
        "decisions": decisions,
        "follow_ups": follow_ups,
        "manage": manage,
        "decision_form": decision_form,
        "follow_up_form": follow_up_form,
        "back": url_for("agendas.minutes", meeting_id=meeting.id) + f"#item-{item.id}",
        "today": local_today(),
    }


def outcome_helpers() -> dict[str, Any]:
    """``minutes_outcomes(item, meeting)`` for ``followups/_minutes_outcomes.html``."""
    return {"minutes_outcomes": minutes_outcomes}
