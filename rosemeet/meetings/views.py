"""Pages for meetings: my meetings, the month calendar, a meeting, planning and attendance."""

from __future__ import annotations

import secrets
from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from rosemeet.accounts.models import Person
from rosemeet.core.enums import select_choices
from rosemeet.core.forms import ConfirmForm, attempt, given, show_error
from rosemeet.core.permissions import can, get_or_404
from rosemeet.core.time import local_today
from rosemeet.core.web import MAX_YEAR, MIN_YEAR, date_range_message, in_date_range, parse_id
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.meetings import operations as ops
from rosemeet.meetings import queries, recurrence, replies
from rosemeet.meetings.forms import (
    CancelForm,
    EndSeriesForm,
    InviteesMailForm,
    MeetingForm,
    QuorumForm,
    RsvpForm,
    SeriesForm,
)
from rosemeet.meetings.models import (
    CalendarReply,
    Meeting,
    MeetingSeries,
    Presence,
    QuorumBasis,
    QuorumRule,
    Response,
    ResponseChannel,
)
from rosemeet.meetings.recurrence import Preset, RecurrenceError
from rosemeet.network.models import Body, Role
from rosemeet.network.queries import people_choices, visible_bodies

bp = Blueprint("meetings", __name__)


def meeting_helpers() -> dict:
    """Functions the shared pages (home, body page, minutes) call from the meetings templates."""
    return {
        "meetings_of_body": queries.body_meetings,
        "series_of_body": queries.body_series,
        "my_upcoming_meetings": lambda limit=5: queries.my_meetings(current_user, limit=limit),
        "quorum_rule_of": lambda body: db.session.get(QuorumRule, body.id),
        "quorum_form_for": _quorum_form,
        "describe_rrule": recurrence.describe_rrule,
        "minutes_attendance": queries.minutes_attendance,
    }


# --- helpers ----------------------------------------------------------------------------------

#: form field for an operation's (API) field name
_FORM_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


def _show_error(form, error: ops.MeetingError, field: str | None = None) -> None:
    """Show a refusal next to the form field it concerns (an operation's field names mapped
    to the form's; a rule's problem at the preset unless a custom rule was typed)."""
    name = field or error.field
    if name == "rrule" and getattr(form, "preset", None) is not None:
        name = "rrule" if form.preset.data == Preset.CUSTOM.value else "preset"
    name = _FORM_FIELDS.get(name, name) if name and not hasattr(form, name) else name
    show_error(form, error, name)


def _attempt(form=None):
    """``attempt`` with the refusals shown where this blueprint's forms have their fields."""
    return attempt(form, show=_show_error)


def _submitted(form, *dates: str) -> bool:
    """``validate_on_submit``, and the named dates in the years rosemeet accepts: a message
    next to each one that is not (a year 1 or 9999 cannot be stored in UTC or shown in
    Brussels)."""
    if not form.is_submitted():
        return False
    valid = form.validate()
    wrong = [name for name in dates if not in_date_range(getattr(form, name).data)]
    for name in wrong:
        field = getattr(form, name)
        field.errors = [*field.errors, date_range_message()]
    return valid and not wrong


#: overlaps named one by one after saving; the rest are counted
_OVERLAPS_SHOWN = 3


def _flash_overlaps(meetings: list[Meeting]) -> None:
    overlaps = queries.find_overlaps(meetings)
    for overlap in overlaps[:_OVERLAPS_SHOWN]:
        flash(
            _(
                "Note: this overlaps with %(other)s on %(when)s; shared invitees: %(names)s.",
                other=overlap.other.display_title,
                when=recurrence.format_date(overlap.other.local_start.date()),
                names=", ".join(overlap.shared),
            ),
            "warning",
        )
    more = len(overlaps) - _OVERLAPS_SHOWN
    if more > 0:
        flash(
            ngettext("…and %(num)d more overlap.", "…and %(num)d more overlaps.", more), "warning"
        )


def _after_end(refused) -> dict:
    """The page's ``ended_bodies`` when planning was refused for lying after a body's planned
    end: the form then asks for confirmation and links to the bodies' edit pages."""
    if isinstance(refused, ops.AfterEnd):
        return {"ended_bodies": refused.bodies}
    return {}


def _plannable_bodies(exclude: int | None = None):
    return [
        b
        for b in visible_bodies(current_user)
        if b.id != exclude and can(current_user, "plan_meetings", b)
    ]


def _quorum_form(body: Body) -> QuorumForm:
    rule = db.session.get(QuorumRule, body.id)
    form = QuorumForm(formdata=None)
    if rule is not None:
        form.basis.data, form.percent.data = rule.basis.value, rule.percent
    return form


def _series_form(body: Body) -> SeriesForm:
    form = SeriesForm()
    form.guest_ids.choices = people_choices()
    form.body_ids.choices = select_choices((b.id, b.name) for b in _plannable_bodies(body.id))
    return form


def _settings(form: SeriesForm, rule: str) -> ops.SeriesSettings:
    return ops.SeriesSettings(
        rrule=rule,
        first_date=given(form.starts_on.data),
        start_time=given(form.start_time.data),
        duration_minutes=given(form.duration_minutes.data),
        timezone=given(form.timezone.data).strip(),
        location=form.location.data,
        online_url=form.online_url.data,
        title=form.title.data,
        invite_roles=[Role(r) for r in form.invite_roles.data or []],
        guests=[db.session.get_one(Person, i) for i in form.guest_ids.data or []],
    )


# --- lists ------------------------------------------------------------------------------------


@bp.get("/meetings")
@login_required
def mine():
    """Mijn vergaderingen: the upcoming meetings I am invited to."""
    return render_template("meetings/mine.html", meetings=queries.my_meetings(current_user))


def _month_arg() -> tuple[int, int]:
    """The month of ``?month=YYYY-MM``; this month when there is none (or no digits); 404 for
    a month that does not exist or lies outside the years rosemeet shows."""
    year_text, sep, month_text = request.args.get("month", "").partition("-")
    if not (sep and year_text.isascii() and year_text.isdigit()):
        today = local_today()
        return today.year, today.month
    if not (month_text.isascii() and month_text.isdigit() and len(year_text + month_text) <= 6):
        abort(404)
    year, month = int(year_text), int(month_text)
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        abort(404)
    return year, month


@bp.get("/meetings/calendar")
def calendar():
    """A month of meetings across the bodies I may see, optionally of one body."""
    year, month = _month_arg()
    bodies = visible_bodies(current_user)
    body_id = parse_id(request.args.get("body"))
    if body_id is not None and body_id not in {b.id for b in bodies}:
        body_id = None
    start, end = queries.month_bounds(year, month)
    meetings = queries.visible_meetings(current_user, start, end, body_id)
    first = date(year, month, 1)
    previous = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return render_template(
        "meetings/calendar.html",
        weeks=queries.month_weeks(year, month, meetings),
        first=first,
        month_name=recurrence.MONTH_NAMES[month - 1],
        weekday_names=recurrence.WEEKDAY_NAMES,
        previous=previous,
        following=following,
        bodies=bodies,
        body_id=body_id,
        today=local_today(),
    )


# --- one meeting ------------------------------------------------------------------------------


def _meeting_page(meeting: Meeting, cancel_form: CancelForm | None = None, status: int = 200):
    rows = queries.attendance_rows(meeting)
    can_record = can(current_user, "record_attendance", meeting)
    mine = next((r for r in rows if r.person.id == getattr(current_user, "id", None)), None)
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        rows=rows,
        mine=mine,
        quorum=queries.quorum_results(meeting),
        rsvp_form=RsvpForm(formdata=None),
        cancel_form=cancel_form or CancelForm(formdata=None),
        confirm_form=ConfirmForm(),
        presences=list(Presence),
        responses=[r for r in Response if r is not Response.NEEDS_ACTION],
        can_edit=can(current_user, "edit", meeting),
        can_cancel=can(current_user, "cancel", meeting),
        can_record=can_record,
        is_past=meeting.ends_at <= utcnow(),
        pending_replies=replies.pending_replies(meeting) if can_record else [],
        delegates_allowed=replies.delegates_allowed(meeting),
        reply_answers=replies.RESPONSES,
    ), status


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    """A meeting: time, place, bodies, status, agenda, attendance."""
    get_or_404(current_user, Meeting, meeting_id)
    return _meeting_page(queries.load_meeting(meeting_id))


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def new_meeting():
    """Plan a one-off meeting (for one body, or several: a joint meeting)."""
    bodies = _plannable_bodies()
    if not bodies:
        abort(403)
    form = MeetingForm()
    form.body_ids.choices = select_choices((b.id, b.name) for b in bodies)
    form.guest_ids.choices = people_choices()
    chosen_body = next((b for b in bodies if b.id == parse_id(request.args.get("body"))), None)
    if request.method == "GET" and chosen_body is not None:
        form.body_ids.data = [chosen_body.id]
        form.location.data = chosen_body.default_location
    copied = None
    if request.method == "GET" and parse_id(request.args.get("copy")):
        copied = get_or_404(current_user, Meeting, parse_id(request.args.get("copy")), "edit")
        _fill_from(form, copied, [b.id for b in bodies])
    if _submitted(form, "day"):
        chosen = [b for b in bodies if b.id in (form.body_ids.data or [])]
        with _attempt(form) as tried:
            tz = recurrence.DEFAULT_TZ
            item = ops.create_meeting(
                chosen,
                starts_at=ops.local_datetime(given(form.day.data), given(form.start_time.data), tz),
                ends_at=ops.local_datetime(given(form.day.data), given(form.end_time.data), tz),
                timezone=tz,
                location=form.location.data,
                online_url=form.online_url.data,
                title=form.title.data,
                invite_roles=[Role(r) for r in form.invite_roles.data or []],
                guests=[db.session.get_one(Person, i) for i in form.guest_ids.data or []],
                after_end=bool(form.after_end.data),
            )
            _flash_overlaps([item])
            flash(_("The meeting is planned."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=item.id))
        return render_template(
            "meetings/meeting_form.html",
            form=form,
            meeting=None,
            plannable=bodies,
            **_after_end(tried.refused),
        )
    return render_template(
        "meetings/meeting_form.html", form=form, meeting=None, plannable=bodies, copied=copied
    )


def _fill_from(form: MeetingForm, source: Meeting, plannable: list[int]) -> None:
    """A new meeting like ``source`` (duplicate): its bodies, title, hours, place, invited
    roles and guests; the date is left to choose."""
    form.body_ids.data = [b.id for b in source.bodies if b.id in plannable]
    form.title.data = source.title
    form.start_time.data = source.local_start.time()
    form.end_time.data = source.local_end.time()
    form.location.data = source.location
    form.online_url.data = source.online_url
    form.invite_roles.data = [r.value for r in source.roles]
    form.guest_ids.data = [a.person_id for a in source.attendances if a.is_guest]


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(meeting_id: int):
    """Change this meeting only: move it or change its place."""
    item = get_or_404(current_user, Meeting, meeting_id, "edit")
    form = MeetingForm()
    del form.body_ids
    del form.invite_roles
    form.guest_ids.choices = people_choices()
    if request.method == "GET":
        form.title.data = item.title
        form.day.data = item.local_start.date()
        form.start_time.data = item.local_start.time()
        form.end_time.data = item.local_end.time()
        form.location.data = item.location
        form.online_url.data = item.online_url
        form.guest_ids.data = [a.person_id for a in item.attendances if a.is_guest]
        form.version.data = str(item.version)
    if _submitted(form, "day"):
        with _attempt(form) as tried:
            changed = ops.update_meeting(
                item,
                starts_at=ops.local_datetime(
                    given(form.day.data), given(form.start_time.data), item.timezone
                ),
                ends_at=ops.local_datetime(
                    given(form.day.data), given(form.end_time.data), item.timezone
                ),
                location=form.location.data,
                online_url=form.online_url.data,
                title=form.title.data,
                guests=[db.session.get_one(Person, i) for i in form.guest_ids.data or []],
                version=parse_id(form.version.data),
                after_end=bool(form.after_end.data),
            )
            if changed:
                _flash_overlaps([item])
            flash(
                _("The meeting is changed; the invitees will be told.")
                if changed
                else _("The meeting is saved."),
                "success",
            )
            return redirect(url_for("meetings.meeting", meeting_id=item.id))
        if isinstance(tried.refused, ops.MeetingConflict):  # saved by someone else: keep it typed
            form.version.data = str(item.version)
            return render_template("meetings/meeting_form.html", form=form, meeting=item), 409
        return render_template(
            "meetings/meeting_form.html", form=form, meeting=item, **_after_end(tried.refused)
        )
    return render_template("meetings/meeting_form.html", form=form, meeting=item)


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_meeting(meeting_id: int):
    """Cancel this meeting with a reason."""
    item = get_or_404(current_user, Meeting, meeting_id, "cancel")
    form = CancelForm()
    if request.method == "GET":
        form.version.data = str(item.version)
    if form.validate_on_submit():
        with _attempt(form) as tried:
            ops.cancel_meeting(item, given(form.reason.data), version=parse_id(form.version.data))
            flash(_("The meeting is cancelled; the invitees will be told."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=item.id))
        if isinstance(tried.refused, ops.MeetingConflict):  # changed meanwhile: keep the reason
            form.version.data = str(item.version)  # sending it again cancels what is shown
            return render_template("meetings/cancel.html", form=form, meeting=item), 409
    return render_template("meetings/cancel.html", form=form, meeting=item)


@bp.route("/meetings/<int:meeting_id>/mail", methods=["GET", "POST"])
@login_required
def mail_invitees(meeting_id: int):
    """Write to everyone invited to the meeting (practical news, a change of room)."""
    item = get_or_404(current_user, Meeting, meeting_id, "edit")
    form = InviteesMailForm()
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(16)
    rows = queries.attendance_rows(item)
    if form.validate_on_submit():
        with _attempt(form):
            sent = ops.mail_invitees(
                item,
                current_user,
                given(form.subject.data),
                given(form.text.data),
                token=form.token.data or "",
            )
            flash(
                ngettext(
                    "The message goes to %(num)d invitee.",
                    "The message goes to %(num)d invitees.",
                    sent,
                ),
                "success",
            )
            return redirect(url_for("meetings.meeting", meeting_id=item.id))
    return render_template(
        "meetings/mail_invitees.html",
        form=form,
        meeting=item,
        reached=[r.person for r in rows if r.person.email],
        unreachable=[r.person for r in rows if not r.person.email],
    )


@bp.post("/meetings/<int:meeting_id>/reinstate")
@login_required
def reinstate_meeting(meeting_id: int):
    """Undo a cancellation: the meeting takes place after all."""
    item = get_or_404(current_user, Meeting, meeting_id, "cancel")
    form = ConfirmForm()
    if form.validate_on_submit():
        with _attempt():
            ops.reinstate_meeting(item)
            flash(_("The meeting is reinstated; the invitees will be told."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id))


# --- series -----------------------------------------------------------------------------------


def _rule(form: SeriesForm) -> str:
    """The RRULE the series form describes; a MeetingError on its field when there is none."""
    try:
        return form.build_rrule()
    except RecurrenceError as exc:
        raise ops.from_recurrence(exc) from None


@bp.route("/bodies/<int:body_id>/series/new", methods=["GET", "POST"])
@login_required
def new_series(body_id: int):
    """Plan a series of meetings for a body."""
    body = get_or_404(current_user, Body, body_id, "plan_meetings")
    form = _series_form(body)
    if request.method == "GET":
        form.location.data = body.default_location
        start = local_today()
        params = recurrence.default_preset_params(start)
        form.weekday.data, form.week.data, form.months.data = (
            params.weekday,
            params.week,
            list(params.months),
        )
    planned, refused = None, None
    if _submitted(form, "starts_on", "until"):
        bodies = [body, *(db.session.get_one(Body, i) for i in form.body_ids.data or [])]
        with _attempt(form) as tried:
            settings = _settings(form, _rule(form))
            after_end = bool(form.after_end.data)
            if "preview" in request.form:  # the dates and overlaps, nothing saved
                planned = ops.preview_series(bodies, settings, after_end=after_end)
            else:
                _series, meetings = ops.create_series(bodies, settings, after_end=after_end)
                _flash_overlaps(meetings)
                flash(
                    _("The series is planned: %(num)d meetings so far.", num=len(meetings)),
                    "success",
                )
                return redirect(url_for("network.body", body_id=body.id) + "#meetings")
        refused = tried.refused
    return render_template(
        "meetings/series_form.html",
        form=form,
        body=body,
        meeting=None,
        planned=planned,
        **_after_end(refused),
    )


@bp.route("/meetings/<int:meeting_id>/following", methods=["GET", "POST"])
@login_required
def edit_following(meeting_id: int):
    """Change this meeting and the following ones of its series."""
    item = get_or_404(current_user, Meeting, meeting_id, "edit")
    series = item.series
    if series is None:
        abort(404)
    body = series.bodies[0]
    form = _series_form(body)
    del form.body_ids
    from_date = ops.split_point(item)
    if request.method == "GET":
        try:
            rule = recurrence.split_rule(series.rrule, series.first_date, from_date).new_rule
        except RecurrenceError:
            rule = series.rrule
        form.fill_from_rule(rule, from_date)
        form.title.data = series.title
        form.start_time.data = series.start_time
        form.duration_minutes.data = series.duration_minutes
        form.timezone.data = series.timezone
        form.location.data = series.location
        form.online_url.data = series.online_url
        form.invite_roles.data = [r.value for r in series.roles]
        form.guest_ids.data = [p.id for p in series.guests]
        form.version.data = str(series.version)
    form.starts_on.data = from_date
    refused = None
    if _submitted(form, "until"):
        with _attempt(form) as tried:
            settings = _settings(form, _rule(form))
            ops.change_following(
                item,
                settings,
                version=parse_id(form.version.data),
                after_end=bool(form.after_end.data),
            )
            flash(_("This and the following meetings are changed."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=item.id))
        if isinstance(tried.refused, ops.MeetingConflict):  # changed meanwhile: keep it entered
            form.version.data = str(series.version)  # sending it again applies what is shown
            return render_template(
                "meetings/series_form.html", form=form, body=body, meeting=item
            ), 409
        refused = tried.refused
    return render_template(
        "meetings/series_form.html", form=form, body=body, meeting=item, **_after_end(refused)
    )


@bp.route("/series/<int:series_id>/end", methods=["GET", "POST"])
@login_required
def end_series(series_id: int):
    """End a series from a date (its next meeting: the series with its future meetings):
    the page lists what will be cancelled before anything is."""
    series = get_or_404(current_user, MeetingSeries, series_id, "edit")
    form = EndSeriesForm()
    if request.method == "GET":
        form.version.data = str(series.version)
        asked = request.args.get("from", "")
        try:
            form.from_date.data = date.fromisoformat(asked) if asked else None
        except ValueError:
            form.from_date.data = None
        if form.from_date.data is None or not in_date_range(form.from_date.data):
            form.from_date.data = queries.next_meeting_date(series) or local_today()
    previewing = "preview" in request.form  # shows what would be cancelled, saves nothing
    if not previewing and _submitted(form, "from_date"):
        with _attempt(form) as tried:
            cancelled = ops.end_series(
                series,
                given(form.from_date.data),
                given(form.reason.data),
                version=parse_id(form.version.data),
            )
            flash(
                ngettext(
                    "The series ends; %(num)d meeting is cancelled, its invitees are told.",
                    "The series ends; %(num)d meetings are cancelled, their invitees are told.",
                    len(cancelled),
                ),
                "success",
            )
            return redirect(url_for("network.body", body_id=series.bodies[0].id) + "#meetings")
        if isinstance(tried.refused, ops.MeetingConflict):
            form.version.data = str(series.version)
    day = form.from_date.data if in_date_range(form.from_date.data) else None  # None: no list
    return render_template(
        "meetings/end_series.html",
        form=form,
        series=series,
        cancelled=queries.series_meetings_from(series, day) if day else [],
    )


# --- attendance -------------------------------------------------------------------------------


@bp.post("/meetings/<int:meeting_id>/respond")
@login_required
def respond(meeting_id: int):
    """Answer the invitation: attends, maybe, does not attend."""
    item = get_or_404(current_user, Meeting, meeting_id)
    form = RsvpForm()
    if form.validate_on_submit():
        with _attempt():
            ops.respond(item, current_user, Response(form.response.data))
            flash(_("Your answer is saved."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id) + "#attendance")


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def record_attendance(meeting_id: int):
    """The secretary records who was present, excused or absent."""
    item = get_or_404(current_user, Meeting, meeting_id, "record_attendance")
    form = ConfirmForm()
    if form.validate_on_submit():
        with _attempt():
            for row in queries.attendance_rows(item):
                value = request.form.get(f"presence-{row.person.id}")
                if value is None:
                    continue
                ops.record_presence(item, row.person, Presence.parse(value))
            flash(_("The attendance is saved."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id) + "#attendance")


def _apply_anyway(row) -> str:
    replies.apply_anyway(row)
    return _("The answer is applied to the current time.")


def _add_guest(row) -> str:
    person = replies.add_delegate(row)
    return _("%(name)s is added as a guest and invited.", name=person.name)


def _propose(row) -> str:
    if replies.propose_time(row):
        return _("The meeting is moved to the proposed time; the invitees will be told.")
    return _("The meeting is already at the proposed time.")


def _set_aside(row) -> str:
    replies.set_aside(row)
    return _("The calendar answer is set aside.")


#: what the secretary can do with a calendar answer that asks for attention
_REPLY_ACTIONS = {
    "apply": _apply_anyway,
    "add-guest": _add_guest,
    "propose": _propose,
    "set-aside": _set_aside,
}


@bp.post(
    "/meetings/<int:meeting_id>/replies/<int:reply_id>"
    "/<any('apply', 'add-guest', 'propose', 'set-aside'):action>"
)
@login_required
def handle_reply(meeting_id: int, reply_id: int, action: str):
    """The secretary deals with a calendar answer: applies an answer to an earlier time, adds
    a delegate as a guest, moves the meeting to a proposed time, or sets the answer aside."""
    item = get_or_404(current_user, Meeting, meeting_id, "record_attendance")
    row = db.session.get(CalendarReply, reply_id)
    if row is None or row.meeting_id != item.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        if replies.pending_reply(item, row.id) is None:
            flash(_("This calendar answer has already been dealt with."), "info")
        else:
            with _attempt():
                flash(_REPLY_ACTIONS[action](row), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id) + "#calendar-replies")


@bp.route("/rsvp/<token>", methods=["GET", "POST"])
def rsvp(token: str):
    """Answer an invitation through the signed link of the invite (no login needed).

    Opening the link (GET) changes nothing: it shows the answer picked in the e-mail with a
    confirm button, so mail scanners that open links cannot answer for anyone. Once the
    meeting has ended the link is gone (410); the page never passes its address on as a
    Referer (the token would reach other logs).
    """
    found = queries.load_rsvp_token(token)
    if found is None:
        over = queries.load_rsvp_token(token, allow_ended=True)
        if over is not None:  # a genuine link, but the meeting has ended
            page, status = render_template("meetings/rsvp.html", meeting=over[0], over=True), 410
        else:
            page, status = render_template("meetings/rsvp.html", meeting=None), 404
    else:
        item, person = found
        proposed = Response.parse(request.args.get("response"))
        saved = False
        form = RsvpForm()
        if request.method == "POST" and form.validate_on_submit():
            chosen = Response.parse(form.response.data)
            if chosen is not None and chosen is not Response.NEEDS_ACTION:
                with _attempt():
                    ops.respond(item, person, chosen, ResponseChannel.LINK)
                    saved, proposed = True, None
        current = next((a.response for a in item.attendances if a.person_id == person.id), None)
        status = 200
        page = render_template(
            "meetings/rsvp.html",
            meeting=item,
            person=person,
            token=token,
            saved=saved,
            proposed=proposed if proposed is not Response.NEEDS_ACTION else None,
            current=current or Response.NEEDS_ACTION,
            responses=[r for r in Response if r is not Response.NEEDS_ACTION],
            rsvp_form=RsvpForm(formdata=None),
        )
    response = make_response(page, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/bodies/<int:body_id>/quorum")
@login_required
def set_quorum(body_id: int):
    """Set or remove a body's quorum rule."""
    body = get_or_404(current_user, Body, body_id, "set_quorum")
    form = QuorumForm()
    if form.validate_on_submit():
        basis = QuorumBasis.parse(form.basis.data)
        ops.set_quorum_rule(body, basis, form.percent.data or 50)
        flash(_("The quorum rule is saved."), "success")
    else:
        flash(_("Give a percentage between 1 and 100."), "error")
    return redirect(url_for("network.body", body_id=body_id) + "#meetings")
