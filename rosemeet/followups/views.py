"""Pages for decisions and follow-ups: an item's outcomes, the tracker, my follow-ups, the
referrals, the decision register, a follow-up, closing it in a meeting, and search."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from rosemeet.accounts.models import Person
from rosemeet.agendas.models import Agenda, AgendaItem
from rosemeet.core.enums import select_choices
from rosemeet.core.forms import ConfirmForm, attempt, given, show_error
from rosemeet.core.pagination import paginate, requested_page
from rosemeet.core.permissions import can, get_or_404, require
from rosemeet.core.time import format_day, local_today
from rosemeet.core.web import parse_id, safe_next
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.followups import closing, feedback, queries, search
from rosemeet.followups import operations as ops
from rosemeet.followups.forms import (
    UNKNOWN_CHOICE,
    CloseGroupForm,
    DecisionForm,
    FollowUpForm,
    SearchForm,
    StatusForm,
)
from rosemeet.followups.models import Decision, FollowUp, FollowUpStatus
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body, Organisation, RelationKind
from rosemeet.network.queries import (
    organisation_choices,
    people_choices,
    related_bodies,
    visible_bodies,
)
from rosemeet.plan.models import PlanAction

bp = Blueprint("followups", __name__)


def followup_helpers() -> dict:
    """What the included templates (meeting page, plan action page) call."""
    return {
        "meeting_follow_ups": lambda meeting: queries.meeting_follow_ups(meeting, current_user),
        "follow_up_sections": lambda meeting: queries.follow_up_sections(meeting, current_user),
        "action_history": lambda action: queries.action_history(current_user, action),
        "follow_up_today": local_today,
        "meeting_started": lambda meeting: meeting.starts_at <= utcnow(),
        "may_open_meeting": may_open_meeting,
        "item_decisions": item_decisions,
        "reported_agendas": lambda meeting: feedback.reported_agendas(meeting, current_user),
        "closable_group": closing.can_close,
        "minutes_outcomes": minutes_outcomes,
        "my_open_follow_ups": lambda limit=5: queries.my_open_follow_ups(current_user, limit),
    }


def may_open_meeting(meeting: Meeting) -> bool:
    """Whether the visitor may open a meeting, asked once per meeting and request (lists
    link the meeting each follow-up was closed in)."""
    seen = g.setdefault("followups_may_open", {})
    if meeting.id not in seen:
        seen[meeting.id] = can(current_user, "view", meeting)
    return seen[meeting.id]


def item_decisions(item: AgendaItem) -> list[Decision]:
    """The decisions taken on an agenda item that the visitor may read, read once per meeting
    and request (the agenda lists them under each item)."""
    if item.meeting is None:
        return []
    loaded = g.setdefault("followups_item_decisions", {})
    if item.meeting_id not in loaded:
        by_item: dict[int, list[Decision]] = {}
        for d in queries.meeting_decisions(item.meeting):
            if can(current_user, "view", d):
                by_item.setdefault(d.agenda_item_id or 0, []).append(d)
        loaded[item.meeting_id] = by_item
    return loaded[item.meeting_id].get(item.id, [])


# --- helpers ---------------------------------------------------------------------------------


def _body_choices(bodies, empty: bool = True):
    pairs = [(b.id, b.name) for b in bodies]
    return select_choices([("", "—"), *pairs] if empty else pairs)


def _action_choices():
    rows = db.session.execute(
        select(PlanAction.id, PlanAction.title)
        .where(PlanAction.removed_at.is_(None))
        .order_by(PlanAction.position)
    )
    return select_choices((i, t if len(t) <= 110 else t[:107] + "…") for i, t in rows)


def _active_bodies():
    return db.session.scalars(
        select(Body).where(Body.archived_at.is_(None)).order_by(Body.name)
    ).all()


def _load_ids(model, ids) -> list:
    ids = [i for i in ids or [] if i]
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids))))


def resolve(model, ident):
    """The object of an id from a form, None for an empty one; KeyError for an unknown id."""
    if ident is None:
        return None
    obj = db.session.get(model, ident)
    if obj is None:
        raise KeyError(ident)
    return obj


def decision_form(item: AgendaItem, **kwargs) -> DecisionForm:
    """The decision form for an item, with its choices."""
    form = DecisionForm(**kwargs)
    form.body_id.choices = _body_choices(queries.item_bodies(item), empty=False)
    form.action_ids.choices = _action_choices()
    if not form.is_submitted():
        form.action_ids.data = [a.id for a in item.actions]
    return form


def follow_up_form(item: AgendaItem | None, decisions=(), **kwargs) -> FollowUpForm:
    """The follow-up form, with its choices (for an item, or to edit a follow-up)."""
    form = FollowUpForm(**kwargs)
    form.owner_person_id.choices = people_choices(("", "—"))
    form.owner_organisation_id.choices = organisation_choices(("", "—"))
    form.report_to_body_id.choices = _body_choices(_active_bodies())
    form.action_ids.choices = _action_choices()
    form.decision_id.choices = select_choices(
        [("", "—"), *((d.id, f"{d.number}: {d.text[:60]}") for d in decisions)]
    )
    if item is not None:
        form.body_id.choices = _body_choices(queries.item_bodies(item), empty=False)
        if not form.is_submitted():
            form.action_ids.data = [a.id for a in item.actions]
    return form


def follow_up_values(form: FollowUpForm) -> dict:
    """What a valid follow-up form says, as objects; unknown ids become field errors."""
    values = {}
    for name, model, key in (
        ("owner_person_id", Person, "owner_person"),
        ("owner_organisation_id", Organisation, "owner_organisation"),
        ("report_to_body_id", Body, "report_to_body"),
    ):
        try:
            values[key] = resolve(model, getattr(form, name).data)
        except KeyError:
            raise ops.FollowUpError(str(UNKNOWN_CHOICE), name) from None
    values["actions"] = _load_ids(PlanAction, form.action_ids.data)
    values["title"] = form.title.data
    values["description"] = form.description.data
    values["due_on"] = form.due_on.data
    return values


def _chosen_body(form) -> Body | None:
    """The body a form names (None: none); FollowUpError on its field for an unknown id."""
    try:
        return resolve(Body, form.body_id.data or None)
    except KeyError:
        raise ops.FollowUpError(str(UNKNOWN_CHOICE), "body_id") from None


def _flash_saved(message: str, follow_up: FollowUp) -> None:
    """Say the follow-up is saved, and warn when its due date looks wrong."""
    flash(message, "success")
    warning = ops.due_warning(follow_up.due_on)
    if warning:
        flash(warning, "warning")


def _item(item_id: int, action: str = "view") -> AgendaItem:
    return get_or_404(current_user, AgendaItem, item_id, action)


def _outcomes_page(item: AgendaItem, d_form=None, f_form=None, status: int = 200):
    decisions, follow_ups = queries.item_outcomes(item)
    manage = can(current_user, "record_outcomes", item)
    return (
        render_template(
            "followups/item.html",
            item=item,
            decisions=decisions,
            follow_ups=follow_ups,
            manage=manage,
            decision_form=(d_form or decision_form(item, formdata=None)) if manage else None,
            follow_up_form=(f_form or follow_up_form(item, decisions, formdata=None))
            if manage
            else None,
            today=local_today(),
        ),
        status,
    )


# --- an item's outcomes ----------------------------------------------------------------------


@bp.get("/agenda-items/<int:item_id>/outcomes")
@login_required
def item_outcomes(item_id: int):
    """An agenda item's decisions and follow-ups; the chair and secretary record them here."""
    return _outcomes_page(_item(item_id))


@bp.post("/agenda-items/<int:item_id>/decisions")
@login_required
def add_decision(item_id: int):
    """Record a decision on an agenda item."""
    item = _item(item_id, "record_outcomes")
    form = decision_form(item)
    if not form.validate():
        return _outcomes_page(item, d_form=form, status=400)
    with attempt(form):
        decision = ops.record_decision(
            item,
            given(form.text.data),
            _load_ids(PlanAction, form.action_ids.data),
            by=current_user,
            body=_chosen_body(form),
        )
        flash(_("Decision %(number)s recorded.", number=decision.number), "success")
        return redirect(
            safe_next(url_for("followups.item_outcomes", item_id=item.id) + "#decisions")
        )
    return _outcomes_page(item, d_form=form, status=400)


@bp.post("/agenda-items/<int:item_id>/follow-ups")
@login_required
def add_follow_up(item_id: int):
    """Record a follow-up on an agenda item (or on one of its decisions)."""
    item = _item(item_id, "record_outcomes")
    decisions, _follow_ups = queries.item_outcomes(item)
    form = follow_up_form(item, decisions)
    if not form.validate():
        return _outcomes_page(item, f_form=form, status=400)
    with attempt(form):
        values = follow_up_values(form)
        decision = next((d for d in decisions if d.id == form.decision_id.data), None)
        follow_up = ops.create_follow_up(
            item, decision=decision, by=current_user, body=_chosen_body(form), **values
        )
        _flash_saved(_("Follow-up recorded."), follow_up)
        return redirect(
            safe_next(url_for("followups.item_outcomes", item_id=item.id) + "#follow-ups")
        )
    return _outcomes_page(item, f_form=form, status=400)


# --- one follow-up ---------------------------------------------------------------------------


def status_form(follow_up: FollowUp, **kwargs) -> StatusForm:
    """The status form of a follow-up, with the meetings it may be closed in."""
    form = StatusForm(**kwargs)
    form.closed_in_meeting_id.choices = select_choices(
        [
            ("", "—"),
            *(
                (m.id, f"{m.display_title} {format_day(m.local_start)}")
                for m in queries.closing_meetings(follow_up)
            ),
        ]
    )
    if not form.is_submitted():
        form.status.data = follow_up.status.value
        form.closed_in_meeting_id.data = follow_up.closed_in_meeting_id
        form.resolution.data = follow_up.resolution
    return form


def _follow_up_page(follow_up: FollowUp, s_form=None, e_form=None, status: int = 200):
    editable = can(current_user, "edit", follow_up)
    if e_form is None and editable:
        e_form = follow_up_form(None, formdata=None, obj=None)
        e_form.title.data = follow_up.title
        e_form.description.data = follow_up.description
        e_form.owner_person_id.data = follow_up.owner_person_id
        e_form.owner_organisation_id.data = follow_up.owner_organisation_id
        e_form.due_on.data = follow_up.due_on
        e_form.report_to_body_id.data = follow_up.report_to_body_id
        e_form.action_ids.data = [a.id for a in follow_up.actions]
        e_form.version.data = str(follow_up.version)
    return (
        render_template(
            "followups/follow_up.html",
            follow_up=follow_up,
            status_form=(s_form or status_form(follow_up))
            if can(current_user, "set_status", follow_up)
            else None,
            edit_form=e_form if editable else None,
            today=local_today(),
        ),
        status,
    )


@bp.get("/follow-ups/<int:follow_up_id>")
@login_required
def follow_up(follow_up_id: int):
    """One follow-up: where it comes from, who owns it, its status and history."""
    return _follow_up_page(get_or_404(current_user, FollowUp, follow_up_id))


@bp.post("/follow-ups/<int:follow_up_id>/status")
@login_required
def change_status(follow_up_id: int):
    """Change a follow-up's status (owners and those who run its bodies)."""
    follow_up = get_or_404(current_user, FollowUp, follow_up_id, "set_status")
    form = status_form(follow_up)
    if not form.validate():
        return _follow_up_page(follow_up, s_form=form, status=400)
    meeting = db.session.get(Meeting, form.closed_in_meeting_id.data or 0)
    if meeting is not None and not can(current_user, "view", meeting):
        meeting = None
    with attempt(form) as tried:
        ops.set_status(
            follow_up,
            FollowUpStatus(form.status.data),
            current_user,
            meeting,
            resolution=form.resolution.data or "",
        )
        flash(_("The follow-up is now %(status)s.", status=follow_up.status.label), "success")
        return redirect(safe_next(url_for("followups.follow_up", follow_up_id=follow_up.id)))
    conflict = isinstance(tried.refused, ops.FollowUpConflict)
    return _follow_up_page(follow_up, s_form=form, status=409 if conflict else 400)


@bp.post("/follow-ups/<int:follow_up_id>/edit")
@login_required
def edit_follow_up(follow_up_id: int):
    """Change what a follow-up says (the chair and secretary of its bodies)."""
    follow_up = get_or_404(current_user, FollowUp, follow_up_id, "edit")
    form = follow_up_form(None)
    if form.validate():
        with attempt(form, unshown=(ops.FollowUpConflict,)) as tried:
            values = follow_up_values(form)
            ops.update_follow_up(follow_up, **values, version=parse_id(form.version.data))
            _flash_saved(_("Follow-up saved."), follow_up)
            return redirect(url_for("followups.follow_up", follow_up_id=follow_up.id))
        if isinstance(tried.refused, ops.FollowUpConflict):  # saved by someone else: keep it
            form.version.data = str(follow_up.version)
            show_error(form, tried.refused, "title")
            return _follow_up_page(follow_up, e_form=form, status=409)
    return _follow_up_page(follow_up, e_form=form, status=400)


@bp.post("/meetings/<int:meeting_id>/follow-ups/<int:follow_up_id>/close")
@login_required
def close_in_meeting(meeting_id: int, follow_up_id: int):
    """From a meeting's opvolglijst: record that the follow-up was dealt with (or dropped)."""
    meeting = get_or_404(current_user, Meeting, meeting_id, "record_outcomes")
    follow_up = get_or_404(current_user, FollowUp, follow_up_id, "set_status")
    form = ConfirmForm()
    if not form.validate():
        abort(400)
    status = FollowUpStatus.parse(request.form.get("status")) or FollowUpStatus.DONE
    with attempt():
        ops.set_status(
            follow_up, status, current_user, meeting, resolution=request.form.get("resolution")
        )
        flash(
            _("“%(title)s” is now %(status)s.", title=follow_up.title, status=status.label),
            "success",
        )
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id) + "#follow-ups")


# --- lists -----------------------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    """An id (or a year) from the query string; None when absent or no id."""
    return parse_id(request.args.get(name))


@bp.get("/follow-ups")
@login_required
def tracker():
    """The follow-up tracker: filter by body, owner, status, overdue, plan action."""
    status = FollowUpStatus.parse(request.args.get("status"))
    flt = queries.TrackerFilter(
        body_id=_int_arg("body"),
        owner_person_id=_int_arg("owner"),
        owner_organisation_id=_int_arg("organisation"),
        status=status,
        overdue=request.args.get("overdue") == "1",
        action_id=_int_arg("action"),
        report_to_id=_int_arg("report_to"),
        open_only=request.args.get("status", "") == "",
    )
    today = local_today()
    page = paginate(queries.tracker(current_user, flt, today), *requested_page())
    return render_template(
        "followups/tracker.html",
        rows=page.items,
        page=page,
        flt=flt,
        today=today,
        bodies=visible_bodies(current_user, include_archived=True),
        people=queries.owner_choices(Person, FollowUp.owner_person_id),
        organisations=queries.owner_choices(Organisation, FollowUp.owner_organisation_id),
        actions=_action_choices(),
        statuses=list(FollowUpStatus),
        status_arg=request.args.get("status"),
    )


@bp.get("/follow-ups/mine")
@login_required
def mine():
    """Mijn opvolgpunten: the follow-ups I own."""
    today = local_today()
    return render_template(
        "followups/mine.html", rows=queries.my_follow_ups(current_user, today), today=today
    )


@bp.get("/follow-ups/referrals")
@login_required
def referrals():
    """Everything sent to another body, and whether that body has dealt with it."""
    body_id = _int_arg("body")
    rows = queries.referrals(current_user, body_id, open_only=request.args.get("open") == "1")
    page = paginate(rows, *requested_page())
    return render_template(
        "followups/referrals.html",
        rows=page.items,
        page=page,
        bodies=visible_bodies(current_user, include_archived=True),
        body_id=body_id,
        open_only=request.args.get("open") == "1",
    )


@bp.get("/decisions")
@login_required
def decisions():
    """The decision register: per body and year, or for the whole network."""
    body_id, year = _int_arg("body"), _int_arg("year")
    page = paginate(queries.decisions(current_user, body_id, year), *requested_page())
    return render_template(
        "followups/decisions.html",
        page=page,
        rows=page.items,
        bodies=visible_bodies(current_user, include_archived=True),
        years=queries.decision_years(),
        body_id=body_id,
        year=year,
    )


@bp.get("/decisions/<int:decision_id>")
@login_required
def decision(decision_id: int):
    """One decision: its number, text, item, actions and follow-ups."""
    return render_template(
        "followups/decision.html",
        decision=queries.load_decision(get_or_404(current_user, Decision, decision_id).id),
        today=local_today(),
    )


@bp.get("/search")
@login_required
def search_page():
    """Search agenda items, minutes, decisions and follow-ups (only what I may see)."""
    require(current_user, "search")
    form = SearchForm(request.args)
    hits = search.search(current_user, form.q.data or "") if form.validate() else []
    return render_template("followups/search.html", form=form, hits=hits)


@bp.get("/plan/actions/<int:action_id>/history")
@login_required
def action_history(action_id: int):
    """An action's history in the meetings (the plan's action page includes the same list)."""
    action = get_or_404(current_user, PlanAction, action_id)
    return render_template("followups/action_history.html", action=action)


# --- closing an ad-hoc group -----------------------------------------------------------------


@bp.route("/bodies/<int:body_id>/close", methods=["GET", "POST"])
@login_required
def close_group(body_id: int):
    """Close an ad-hoc group: the form, then the body page with its closing report."""
    body = get_or_404(current_user, Body, body_id, "close_group")
    if not closing.can_close(body):  # admins pass every rule: not for other bodies
        abort(404)
    form = CloseGroupForm()
    others = [b for b in visible_bodies(current_user) if b.id != body.id]
    form.move_to_body_id.choices = select_choices(
        [("", _("Choose a body")), *((b.id, b.name) for b in others)]
    )
    if form.validate_on_submit():
        with attempt(form):
            target = None
            if form.follow_ups.data == closing.MOVE and form.move_to_body_id.data:
                # only a body offered in the list (one the visitor sees, not archived)
                target = next((b for b in others if b.id == form.move_to_body_id.data), None)
            done = closing.close_group(
                body,
                report=given(form.closing_report.data),
                follow_ups=given(form.follow_ups.data),
                move_to=target,
                by=current_user,
            )
            flash(
                _(
                    "%(name)s is closed: the report went to %(num)d bodies, %(count)d "
                    "follow-ups were dealt with, %(cancelled)d upcoming meetings cancelled.",
                    name=body.name,
                    num=len(done.feedback),
                    count=len(done.follow_ups),
                    cancelled=len(done.meetings.cancelled) if done.meetings else 0,
                ),
                "success",
            )
            return redirect(url_for("network.body", body_id=body.id))
    return render_template(
        "followups/close_group.html",
        form=form,
        body=body,
        open_follow_ups=closing.open_follow_ups(body),
        receivers=[b for b in related_bodies(body, RelationKind.REPORTS_TO) if not b.is_archived],
    )


# --- decisions and follow-ups on the minutes page ("minutes-item" slot) -----------------------


def _choices() -> dict[str, list]:
    """The options of the follow-up form's selects, read once per request."""
    if "followups_minutes_choices" not in g:
        empty = _body_choices(_active_bodies())
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
    bodies = _body_choices(queries.item_bodies(item), empty=False)
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
    loaded = g.setdefault("followups_minutes_outcomes", {})  # read once per page
    if meeting.id not in loaded:
        loaded[meeting.id] = queries.meeting_outcomes(meeting)
    decisions, follow_ups = loaded[meeting.id].get(item.id, ([], []))
    decisions = [d for d in decisions if can(current_user, "view", d)]
    follow_ups = [f for f in follow_ups if can(current_user, "view", f)]
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
