"""Writes on meetings: series and their rolling horizon, single meetings, attendance, quorum.

Each function changes objects and flushes; the view commits once. Every change that
invitees must hear about (new, moved, place changed, cancelled) queues one outbox message
per invitee in the same transaction. Refusals raise MeetingError with a translated
message and, where it belongs to one, the field (API names: starts_at, ends_at, rrule, ...).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from dateutil.relativedelta import relativedelta
from flask import current_app, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from rosemeet.accounts.models import Person
from rosemeet.core.errors import Refused
from rosemeet.core.i18n import babel_locale
from rosemeet.core.time import local_today
from rosemeet.core.web import outside_request_context
from rosemeet.db import one_save_wins, utcnow
from rosemeet.extensions import db
from rosemeet.mail.links import LinkUnavailable, placeholders
from rosemeet.mail.operations import (
    enqueue,
    enqueue_many,
    enqueue_template,
    hold_unclaimed,
    pending_message,
    withdraw,
)
from rosemeet.meetings import invitations, recurrence
from rosemeet.meetings import signals as meeting_signals
from rosemeet.meetings.models import (
    DEFAULT_INVITE_ROLES,
    Attendance,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Presence,
    QuorumBasis,
    QuorumRule,
    Response,
    ResponseChannel,
)
from rosemeet.meetings.queries import (
    INVITEE_LOAD,
    find_overlaps,
    invitee_ids,
    invitees,
    is_invitee,
    rsvp_serializer,
    series_meetings_from,
)
from rosemeet.meetings.recurrence import ErrorCode, RecurrenceError
from rosemeet.network.models import Body, Role

logger = logging.getLogger(__name__)

#: Meetings of a series exist this far ahead; the scheduler extends the horizon daily.
HORIZON_MONTHS = 18


class MeetingError(Refused):
    """A refused change; ``field`` names the field the message belongs to."""


#: Which field a recurrence problem belongs to.
_RECURRENCE_FIELDS = {
    ErrorCode.NONEXISTENT_TIME: "start_time",
    ErrorCode.AMBIGUOUS_TIME: "start_time",
    ErrorCode.TIMEZONE: "timezone",
    ErrorCode.SPLIT: "starts_on",
}


def from_recurrence(error: RecurrenceError) -> MeetingError:
    """The MeetingError for a RecurrenceError, tied to the field it concerns."""
    return MeetingError(str(error), _RECURRENCE_FIELDS.get(error.code, "rrule"), error.code.value)


class MeetingConflict(MeetingError):
    """A save made on a stale read: someone else saved the meeting or series first (409)."""

    status_default = 409


class AfterEnd(MeetingError):
    """A meeting planned after the planned end of one of its bodies (an ad-hoc group): refused
    unless confirmed (``after_end=True``); ``bodies`` are the bodies it falls after."""

    def __init__(self, message: str, bodies: list[Body]):
        super().__init__(message, "after_end", "after_end")
        self.bodies = bodies


def check_planned_end(bodies: Iterable[Body], day: date, *, after_end: bool = False) -> None:
    """Refuse (AfterEnd) a meeting on ``day`` after a body's planned end unless confirmed."""
    late = [b for b in bodies if b.ends_on is not None and b.ends_on < day]
    if not late or after_end:
        return
    names = ", ".join(
        _("%(name)s (planned end %(date)s)", name=b.name, date=recurrence.format_date(b.ends_on))
        for b in late
        if b.ends_on is not None
    )
    raise AfterEnd(
        _(
            "%(day)s lies after the planned end of %(bodies)s. Confirm to plan it anyway, or "
            "first extend the planned end date of the body.",
            day=recurrence.format_date(day),
            bodies=names,
        ),
        late,
    )


def changed_meanwhile(*, series: bool = False) -> MeetingConflict:
    """The refusal of a save made on a stale read: someone else saved first (code "conflict")."""
    message = (
        _(
            "Someone else changed this series or one of its meetings in the meantime. Nothing "
            "was overwritten: check what you entered below and save again."
        )
        if series
        else _(
            "Someone else changed this meeting in the meantime. Nothing was overwritten: check "
            "what you entered below and save again."
        )
    )
    return MeetingConflict(message, None, "conflict")


def check_version(row: Meeting | MeetingSeries, version: int | None) -> None:
    """Refuse a save based on another version than the stored one (the user read an old one)."""
    if version is not None and version != row.version:
        raise changed_meanwhile(series=isinstance(row, MeetingSeries))


@contextmanager
def _one_save_wins(*, series: bool = False) -> Iterator[None]:
    """Change meetings or series in a savepoint, flushed there: when another request saved one
    of them since it was read (SQLAlchemy's ``UPDATE ... WHERE version = <read>`` matches no
    row), all of it is undone and ``changed_meanwhile`` raised; the session stays usable."""
    with one_save_wins(db.session, lambda: changed_meanwhile(series=series)):
        yield


def horizon(today: date) -> date:
    """The last day up to which series have meetings."""
    return today + relativedelta(months=HORIZON_MONTHS)


def local_datetime(day: date, clock: time, tz: str) -> datetime:
    """An aware start in ``tz``; a wall-clock time skipped or repeated by DST is refused."""
    try:
        return recurrence._local_start(day, clock, recurrence._zone(tz))
    except RecurrenceError as exc:
        raise from_recurrence(exc) from None


def roles_text(roles: Iterable[Role | str] | None) -> str:
    """Roles as stored (comma-separated values, in the Role order)."""
    if roles is None:
        return DEFAULT_INVITE_ROLES
    wanted = {Role(r) for r in roles}
    return ",".join(r.value for r in Role if r in wanted)


# --- outbox -----------------------------------------------------------------------------------

_MAIL_KINDS = {"invite": "meeting_invite", "update": "meeting_update", "cancel": "meeting_cancel"}


def rsvp_links(meeting: int, person: int) -> dict[str, str]:
    """One-click answer links for an invitee (no login needed), made when the mail is sent:
    the outbox holds placeholders. Refused (LinkUnavailable) when they would not work."""
    found, invitee = db.session.get(Meeting, meeting), db.session.get(Person, person)
    if found is None or invitee is None:
        raise LinkUnavailable("the meeting or the invitee no longer exists")
    if found.ends_at <= utcnow():
        raise LinkUnavailable("the meeting is over")
    if invitee.id not in invitee_ids(found):
        raise LinkUnavailable("the person is no longer invited to the meeting")
    token = rsvp_token(found, invitee)
    base = current_app.config["BASE_URL"]
    return {
        r.value: base + url_for("meetings.rsvp", token=token, response=r.value)
        for r in (Response.ACCEPTED, Response.TENTATIVE, Response.DECLINED)
    }


def notify(meeting: Meeting, what: str) -> int:
    """Queue an invite, update or cancellation for every invitee with an e-mail address.

    Meetings that are over are not announced. The key holds the sequence, so a change
    queues new messages while the same change never queues twice.
    """
    if meeting.ends_at <= utcnow():
        return 0
    queued = 0
    with outside_request_context():
        helpers = _per_meeting_helpers()
        people = invitees(meeting)
        parts = invitations.CalendarParts(meeting, people)
        for person in people:
            if not person.email:
                continue
            what_now = what
            waiting = pending_message(invitations.coalesce_key(meeting, person))
            if waiting is not None and waiting.kind == _MAIL_KINDS["invite"]:
                # the invitation has not gone out yet: send it with the new details,
                # or not at all when the meeting is cancelled before it left
                if what != "cancel":
                    if hold_unclaimed(waiting):  # else it is going out: "changed" follows
                        what_now = "invite"
                elif withdraw(waiting):
                    continue
                # else a delivery run has just taken the invitation: the cancellation follows
            options = parts.options(person, what_now)
            enqueue(**_message(meeting, person, what_now, people, options=options, helpers=helpers))
            queued += 1
    return queued


def _message(
    meeting: Meeting,
    person: Person,
    what: str,
    people: list[Person],
    *,
    options: dict | None = None,
    helpers: dict | None = None,
) -> dict:
    """The ``enqueue`` arguments of one invite, update or cancellation for one invitee;
    ``options`` are the calendar part and coalescing when already made for the meeting."""
    with force_locale(babel_locale(person.locale)):
        subjects = {
            "invite": _("Invitation: %(title)s", title=meeting.display_title),
            "update": _("Changed: %(title)s", title=meeting.display_title),
            "cancel": _("Cancelled: %(title)s", title=meeting.display_title),
        }
        context = {
            **(helpers or {}),
            "meeting": meeting,
            "person": person,
            "what": what,
            # stand-ins: delivery makes the answer links (rsvp_links) when it sends
            "links": placeholders(
                Response.ACCEPTED.value, Response.TENTATIVE.value, Response.DECLINED.value
            )
            if what != "cancel"
            else {},
            "meeting_url": current_app.config["BASE_URL"]
            + url_for("meetings.meeting", meeting_id=meeting.id),
        }
        text = render_template(f"meetings/mail_{what}.txt", **context)
        html = render_template("meetings/mail.html", **context)
    if options is None:
        options = invitations.message_options(meeting, person, what, people)
    return {
        "key": f"meeting:{meeting.id}:v{meeting.sequence}:{person.id}",
        "kind": _MAIL_KINDS[what],
        "to_email": person.email,
        "to_name": person.name,
        "subject": subjects[what],
        "text_body": text,
        "html_body": html,
        "person": person,
        "link_kind": "rsvp" if context["links"] else None,
        "link_args": {"meeting": meeting.id, "person": person.id} if context["links"] else None,
        **options,
    }


def _per_meeting_helpers() -> dict:
    """The mail templates' helpers with each answer kept per meeting, for a batch of mails
    about the same meetings (the agenda section otherwise reads the agenda per recipient)."""
    context: dict = {}
    current_app.update_template_context(context)
    found = context.get("published_agenda")
    if found is None:
        return {}
    answers: dict[int, Any] = {}

    def published_agenda(meeting: Meeting):
        if meeting.id not in answers:
            answers[meeting.id] = found(meeting)
        return answers[meeting.id]

    return {"published_agenda": published_agenda}


def queue_invitations(meetings: list[Meeting]) -> int:
    """Queue the invitations of many new meetings at once (a series): the messages that
    ``notify(meeting, "invite")`` queues for each, with a few queries and one bulk insert.

    The calendar parts are made once per meeting (``invitations.CalendarParts``).
    """
    now = utcnow()
    messages = []
    with outside_request_context():
        helpers = _per_meeting_helpers()
        for meeting in meetings:
            if meeting.ends_at <= now:
                continue
            people = invitees(meeting)
            parts = invitations.CalendarParts(meeting, people)
            for person in people:
                if not person.email:
                    continue
                own = parts.options(person, "invite")
                messages.append(
                    _message(meeting, person, "invite", people, options=own, helpers=helpers)
                )
    return enqueue_many(messages) if messages else 0


# --- checks -----------------------------------------------------------------------------------


def _check_bodies(bodies: list[Body]) -> None:
    if not bodies:
        raise MeetingError(_("Choose at least one body."), "body_ids")
    for body in bodies:
        if body.is_archived:
            raise MeetingError(
                _("%(name)s is archived: it gets no new meetings.", name=body.name), "body_ids"
            )


def _clean_place(location: str | None, online_url: str | None, bodies: list[Body]):
    location = (location or "").strip() or None
    online_url = (online_url or "").strip() or None
    if location is None and online_url is None:
        location = next((b.default_location for b in bodies if b.default_location), None)
    if location is None and online_url is None:
        raise MeetingError(_("Give an address, an online link or both."), "location")
    if online_url and urlsplit(online_url).scheme not in ("http", "https"):
        raise MeetingError(_("Give an online link that starts with https://."), "online_url")
    return location, online_url


def bodies_end(bodies: Iterable[Body]) -> date | None:
    """The earliest planned end of the bodies (ad-hoc groups), if any."""
    ends = [b.ends_on for b in bodies if b.ends_on]
    return min(ends) if ends else None


# --- series -----------------------------------------------------------------------------------


def _set_guests_of(meeting: Meeting, guests: Iterable[Person]) -> None:
    wanted = {p.id: p for p in guests}
    for attendance in list(meeting.attendances):
        if attendance.is_guest and attendance.person_id not in wanted:
            meeting.attendances.remove(attendance)
    have = {a.person_id: a for a in meeting.attendances}
    for person_id, person in wanted.items():
        if person_id in have:
            have[person_id].is_guest = True
        else:
            meeting.attendances.append(Attendance(person=person, is_guest=True))


def first_meeting_date(rule: str, first_date: date) -> date | None:
    """The date of a series' first meeting (None: the rule makes none)."""
    try:
        return recurrence.first_occurrence(rule, first_date)
    except RecurrenceError as exc:
        raise from_recurrence(exc) from None


def series_end(series: MeetingSeries) -> date | None:
    """The day after which the series makes no meetings: its bodies' planned end, unless its
    first meeting lies after that end (a series confirmed to run after the end, see
    ``create_series(after_end=True)``): then the end does not hold it back."""
    end = bodies_end(series.bodies)
    if end is None:
        return None
    try:
        first = first_meeting_date(series.rrule, series.first_date)
    except MeetingError:
        return end
    return end if first is not None and first <= end else None


def _generation_limit(series: MeetingSeries, today: date) -> date:
    limit = horizon(today)
    end = series_end(series)
    return min(limit, end) if end else limit


def _new_meeting_of(series: MeetingSeries, occurrence: recurrence.Occurrence) -> Meeting:
    meeting = Meeting(
        series_id=series.id,
        occurrence_date=occurrence.local_date,
        title=series.title,
        starts_at=occurrence.start_utc,
        ends_at=occurrence.end_utc,
        timezone=series.timezone,
        location=series.location,
        online_url=series.online_url,
        invite_roles=series.invite_roles,
        status=MeetingStatus.SCHEDULED,
        sequence=0,
    )
    db.session.add(meeting)
    meeting.bodies = list(series.bodies)
    _set_guests_of(meeting, series.guests)
    return meeting


def _occurrences(series: MeetingSeries, until: date, after: date | None = None):
    try:
        return recurrence.expand(
            series.rrule,
            series.first_date,
            series.start_time,
            timedelta(minutes=series.duration_minutes),
            series.timezone,
            until,
            after=after,
        )
    except RecurrenceError as exc:
        raise from_recurrence(exc) from None


def _generate(
    series: MeetingSeries, today: date, *, after: date | None, notify_new: bool
) -> list[Meeting]:
    """Create the series' missing meetings after ``after`` up to its limit."""
    limit = _generation_limit(series, today)
    created: list[Meeting] = []
    if after is None or after < limit:
        taken = set(
            db.session.scalars(
                select(Meeting.occurrence_date).where(Meeting.series_id == series.id)
            )
        )
        for occurrence in _occurrences(series, limit, after):
            if occurrence.local_date not in taken:
                created.append(_new_meeting_of(series, occurrence))
    series.generated_until = max(limit, series.generated_until or limit)
    db.session.flush()
    if created:
        meeting_signals.meetings_created.send(created)
    if notify_new and created:
        queue_invitations(created)
    return created


@dataclass
class SeriesSettings:
    """What a series form or a series JSON body says."""

    rrule: str
    first_date: date
    start_time: time
    duration_minutes: int
    timezone: str = recurrence.DEFAULT_TZ
    location: str | None = None
    online_url: str | None = None
    title: str | None = None
    invite_roles: list[Role] | None = None
    guests: list[Person] | None = None


def _validate_settings(
    settings: SeriesSettings, bodies: list[Body], *, after_end: bool = False
) -> str:
    if settings.duration_minutes is None or settings.duration_minutes <= 0:
        raise MeetingError(_("The duration must be at least one minute."), "duration_minutes")
    if settings.duration_minutes > 24 * 60:
        raise MeetingError(_("A meeting lasts at most 24 hours."), "duration_minutes")
    try:
        rule = recurrence.normalize_rrule(settings.rrule)
        end = recurrence.get_end(rule)
        if end.until is not None and end.until < settings.first_date:
            raise MeetingError(_("The end lies before the first date."), "until")
        recurrence.validate_series(
            rule, settings.first_date, settings.start_time, settings.timezone
        )
    except RecurrenceError as exc:
        raise from_recurrence(exc) from None
    planned_end = bodies_end(bodies)
    if planned_end is not None and not after_end:
        first = first_meeting_date(rule, settings.first_date) or settings.first_date
        if first > planned_end:  # the whole series lies after the end (else it stops there)
            check_planned_end(bodies, first)
    return rule


def create_series(
    bodies: list[Body],
    settings: SeriesSettings,
    *,
    today: date | None = None,
    notify_new: bool = True,
    after_end: bool = False,
) -> tuple[MeetingSeries, list[Meeting]]:
    """Plan a series for one body (or several: a joint series) and generate its meetings.

    A series that runs past a body's planned end stops at that end; one that lies wholly
    after it is refused (AfterEnd) unless ``after_end`` confirms it, and then runs on."""
    today = today or local_today()
    _check_bodies(bodies)
    rule = _validate_settings(settings, bodies, after_end=after_end)
    location, online_url = _clean_place(settings.location, settings.online_url, bodies)
    series = MeetingSeries(
        title=(settings.title or "").strip() or None,
        rrule=rule,
        first_date=settings.first_date,
        start_time=settings.start_time,
        duration_minutes=settings.duration_minutes,
        timezone=settings.timezone,
        location=location,
        online_url=online_url,
        invite_roles=roles_text(settings.invite_roles),
    )
    series.bodies = list(bodies)
    series.guests = list(settings.guests or [])
    db.session.add(series)
    db.session.flush()
    meetings = _generate(series, today, after=None, notify_new=notify_new)
    logger.info("series %s created with %d meetings", series.id, len(meetings))
    return series, meetings


@dataclass
class PlannedMeeting:
    """One meeting a series form would plan, and what it overlaps (``preview_series``)."""

    starts_at: datetime
    ends_at: datetime
    #: (title, local start, shared invitees' names) of each overlapping meeting
    overlaps: list[tuple[str, datetime, list[str]]]


def preview_series(
    bodies: list[Body],
    settings: SeriesSettings,
    *,
    today: date | None = None,
    after_end: bool = False,
) -> list[PlannedMeeting]:
    """The meetings ``create_series`` would plan now, with their overlaps, saving nothing: the
    series is planned in a savepoint that is rolled back, so the preview is what saving does
    (the horizon, the bodies' end, the refusals), not a second copy of the rules."""
    savepoint = db.session.begin_nested()
    try:
        _series, meetings = create_series(
            bodies, settings, today=today, notify_new=False, after_end=after_end
        )
        found: dict[int, list[tuple[str, datetime, list[str]]]] = {}
        for overlap in find_overlaps(meetings):
            other = overlap.other
            found.setdefault(id(overlap.meeting), []).append(
                (other.display_title, other.local_start, overlap.shared)
            )
        return [PlannedMeeting(m.local_start, m.local_end, found.get(id(m), [])) for m in meetings]
    finally:
        savepoint.rollback()


def extend_series(
    series: MeetingSeries, today: date | None = None, *, notify_new: bool = True
) -> list[Meeting]:
    """Generate the series' meetings up to the horizon; cancel those after a body's end."""
    today = today or local_today()
    if any(b.is_archived for b in series.bodies):
        return []
    created = _generate(series, today, after=series.generated_until, notify_new=notify_new)
    end = series_end(series)
    if end is not None:
        late = db.session.scalars(
            select(Meeting).where(
                Meeting.series_id == series.id,
                Meeting.occurrence_date > end,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > utcnow(),
            )
        )
        for meeting in late:
            cancel_meeting(meeting, _("The body ends before this date."))
    return created


def extend_all_series(today: date | None = None) -> int:
    """Extend every series to the rolling horizon; safe to run any number of times a day."""
    today = today or local_today()
    total = 0
    series_list = db.session.scalars(
        select(MeetingSeries).options(selectinload(MeetingSeries.bodies))
    ).all()
    for series in series_list:
        try:  # one series edited meanwhile or refused holds up none of the others
            with db.session.begin_nested():
                total += len(extend_series(series, today))
        except (StaleDataError, MeetingError) as exc:
            logger.warning("series %s not extended now: %s", series.id, exc)
    logger.info("extended the series: %d new meetings", total)
    return total


def split_point(meeting: Meeting) -> date:
    """The series date a meeting stands for."""
    return meeting.occurrence_date or meeting.local_start.date()


def change_following(
    meeting: Meeting,
    settings: SeriesSettings,
    *,
    today: date | None = None,
    version: int | None = None,
    after_end: bool = False,
) -> MeetingSeries:
    """Change this meeting and the following ones (see ``_change_following``); ``version`` is
    the series' version the user read: stale, or saved by someone else meanwhile, raises
    MeetingError "conflict" and changes nothing. Changed to lie wholly after a body's planned
    end, it is refused (AfterEnd) unless ``after_end`` confirms it."""
    if meeting.series is not None:
        check_version(meeting.series, version)
    with _one_save_wins(series=True):
        return _change_following(meeting, settings, today=today, after_end=after_end)


def _change_following(
    meeting: Meeting,
    settings: SeriesSettings,
    *,
    today: date | None = None,
    after_end: bool = False,
) -> MeetingSeries:
    """Change this meeting and the following ones of its series; earlier meetings stay.

    The series is split at this meeting (the old one ends the day before) unless it is
    the series' first meeting, in which case the series itself changes. Meetings that
    exist keep their UID: they move to the new times (an update is queued) or, when the
    new rule skips their date, are cancelled.
    """
    today = today or local_today()
    series = meeting.series
    if series is None:
        raise MeetingError(_("This meeting is not part of a series."))
    if meeting.starts_at <= utcnow():
        raise MeetingError(
            _("Past meetings stay as they were: choose an upcoming meeting."), "starts_on"
        )
    from_date = split_point(meeting)
    settings.first_date = from_date
    rule = _validate_settings(settings, series.bodies, after_end=after_end)
    location, online_url = _clean_place(settings.location, settings.online_url, series.bodies)
    earlier = recurrence.occurrence_dates(
        series.rrule, series.first_date, from_date - timedelta(days=1), limit=10_000
    )
    following = list(
        db.session.scalars(
            select(Meeting).where(
                Meeting.series_id == series.id, Meeting.occurrence_date >= from_date
            )
        )
    )
    if earlier:
        try:
            split = recurrence.split_rule(series.rrule, series.first_date, from_date)
        except RecurrenceError as exc:
            raise from_recurrence(exc) from None
        series.rrule = split.old_rule
        series.generated_until = from_date - timedelta(days=1)
        target = MeetingSeries(previous_id=series.id, generated_until=None)
        target.bodies = list(series.bodies)
        db.session.add(target)
    else:
        target = series
    target.title = (settings.title or "").strip() or None
    target.rrule = rule
    target.first_date = from_date
    target.start_time = settings.start_time
    target.duration_minutes = settings.duration_minutes
    target.timezone = settings.timezone
    target.location, target.online_url = location, online_url
    target.invite_roles = roles_text(settings.invite_roles)
    if settings.guests is not None:
        target.guests = list(settings.guests)
    elif target is not series:
        target.guests = list(series.guests)
    db.session.flush()

    limit = _generation_limit(target, today)
    last = max([limit, *(m.occurrence_date for m in following if m.occurrence_date)])
    occurrences = {o.local_date: o for o in _occurrences(target, last)}
    for existing in following:
        occurrence = occurrences.pop(existing.occurrence_date, None)
        if occurrence is None:
            if not existing.is_cancelled:
                cancel_meeting(existing, _("The series was changed."))
            continue
        existing.series = target
        existing.title = target.title
        existing.invite_roles = target.invite_roles
        _set_guests_of(existing, target.guests)
        if not existing.is_cancelled:
            _apply_change(
                existing,
                starts_at=occurrence.start_utc,
                ends_at=occurrence.end_utc,
                location=target.location,
                online_url=target.online_url,
                timezone=target.timezone,
            )
    db.session.flush()
    created = [_new_meeting_of(target, o) for d, o in sorted(occurrences.items()) if d <= limit]
    target.generated_until = limit
    db.session.flush()
    for new in created:
        notify(new, "invite")
    logger.info("series %s changed from %s on (series %s)", series.id, from_date, target.id)
    return target


@dataclass
class Withdrawal:
    """What ``withdraw_body`` did to a body's meetings."""

    #: series that ended (no meetings after the last day)
    ended_series: list[MeetingSeries]
    #: upcoming meetings cancelled
    cancelled: list[Meeting]
    #: joint series and upcoming joint meetings that go on without the body
    left: list[MeetingSeries | Meeting]


def withdraw_body(body: Body, reason: str, *, today: date | None = None) -> Withdrawal:
    """A body stops meeting after ``today`` (an ad-hoc group that is closed): its series end
    today (their rule stops before tomorrow, as when a series is split), their upcoming
    meetings and its one-off ones that have not started are cancelled with ``reason``; joint
    series and meetings go on for the other bodies, without this one (an update is queued)."""
    today = today or local_today()
    now = utcnow()
    done = Withdrawal([], [], [])
    with _one_save_wins(series=True):
        series_list = db.session.scalars(
            select(MeetingSeries)
            .where(MeetingSeries.bodies.any(Body.id == body.id))
            .options(selectinload(MeetingSeries.bodies))
        ).all()
        for series in series_list:
            if len(series.bodies) > 1:
                series.bodies.remove(body)
                done.left.append(series)
                continue
            # no meetings up to today, or none after it: the rule stays (archived, no more)
            with suppress(RecurrenceError):
                series.rrule = recurrence.split_rule(
                    series.rrule, series.first_date, today + timedelta(days=1)
                ).old_rule
            series.generated_until = today
            done.ended_series.append(series)
        upcoming = db.session.scalars(
            select(Meeting)
            .where(
                Meeting.bodies.any(Body.id == body.id),
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > now,
            )
            .options(selectinload(Meeting.bodies))
            .order_by(Meeting.starts_at)
        ).all()
        db.session.flush()
        for meeting in upcoming:
            if len(meeting.bodies) > 1:
                meeting.bodies.remove(body)
                meeting.sequence += 1
                meeting.updated_at = now
                db.session.flush()
                notify(meeting, "update")
                done.left.append(meeting)
            else:
                cancel_meeting(meeting, reason)
                done.cancelled.append(meeting)
    logger.info(
        "body %s withdrawn: %d series ended, %d meetings cancelled",
        body.id,
        len(done.ended_series),
        len(done.cancelled),
    )
    return done


def end_series(
    series: MeetingSeries,
    from_date: date,
    reason: str,
    *,
    today: date | None = None,
    version: int | None = None,
) -> list[Meeting]:
    """End a series: no meetings on or after ``from_date`` (a series that is stopped, or
    deleted with its future meetings when ``from_date`` is its next meeting). Its rule stops
    the day before, its upcoming meetings from that date are cancelled with ``reason``, and
    every invitee gets one mail for all of them. Meetings before the date stay, and so does the
    record of the cancelled ones. Returns the meetings cancelled."""
    today = today or local_today()
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Say why the series ends."), "reason")
    if from_date < today:
        raise MeetingError(
            _("Past meetings stay as they were: choose today or a later date."), "from_date"
        )
    check_version(series, version)
    now = utcnow()
    upcoming = series_meetings_from(series, from_date)
    further = recurrence.next_occurrence(series.rrule, series.first_date, from_date)
    if not upcoming and further is None:
        raise MeetingError(
            _(
                "The series has no meetings on or after %(date)s.",
                date=recurrence.format_date(from_date),
            ),
            "from_date",
        )
    with _one_save_wins(series=True):
        series.rrule = recurrence.set_end(
            series.rrule, recurrence.SeriesEnd.on(from_date - timedelta(days=1))
        )
        series.updated_at = now
        for meeting in upcoming:
            _set_status(meeting, MeetingStatus.CANCELLED, reason)
        db.session.flush()
        notify_cancelled(upcoming, key=f"series:{series.id}:ended:{from_date.isoformat()}")
    logger.info("series %s ends %s: %d meetings cancelled", series.id, from_date, len(upcoming))
    return upcoming


def notify_cancelled(meetings: list[Meeting], *, key: str) -> int:
    """Tell every invitee of meetings cancelled at once in one mail (``key`` names the event,
    e.g. a series that ends), not one per meeting. A meeting whose invitation had not gone
    out yet is simply not sent; a change still waiting is dropped, the cancellation says it
    all. An invitee of one meeting only gets the usual cancellation of that meeting."""
    now = utcnow()
    cancelled: dict[int, tuple[Person, list[Meeting]]] = {}
    with outside_request_context():
        for meeting in meetings:
            if meeting.ends_at <= now:
                continue
            for person in invitees(meeting):
                if not person.email:
                    continue
                waiting = pending_message(invitations.coalesce_key(meeting, person))
                if waiting is not None:
                    never_sent = waiting.kind == _MAIL_KINDS["invite"]
                    if withdraw(waiting) and never_sent:
                        continue
                cancelled.setdefault(person.id, (person, []))[1].append(meeting)
        for person, theirs in cancelled.values():
            if len(theirs) == 1:
                enqueue(**_message(theirs[0], person, "cancel", [person]))
            else:
                enqueue(**_cancellation(theirs, person, key=f"{key}:{person.id}"))
    return len(cancelled)


def _cancellation(meetings: list[Meeting], person: Person, *, key: str) -> dict:
    """The ``enqueue`` arguments of one mail that cancels several meetings for one person."""
    first = meetings[0]
    with force_locale(babel_locale(person.locale)):
        context = {
            "meetings": meetings,
            "person": person,
            "reason": first.cancel_reason,
            "body_url": current_app.config["BASE_URL"]
            + url_for("network.body", body_id=first.bodies[0].id)
            if first.bodies
            else current_app.config["BASE_URL"],
        }
        subject = ngettext(
            "Cancelled: %(num)d meeting of %(title)s",
            "Cancelled: %(num)d meetings of %(title)s",
            len(meetings),
            title=first.display_title,
        )
        text = render_template("meetings/mail_cancel_many.txt", **context)
        html = render_template("meetings/mail_cancel_many.html", **context)
    return {
        "key": key,
        "kind": _MAIL_KINDS["cancel"],
        "to_email": person.email,
        "to_name": person.name,
        "subject": subject,
        "text_body": text,
        "html_body": html,
        "person": person,
        **invitations.cancellation_options(meetings, person),
    }


# --- single meetings --------------------------------------------------------------------------


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise MeetingError(_("Give the time with its UTC offset."), "starts_at")
    if ends_at <= starts_at:
        raise MeetingError(_("The meeting ends before it starts."), "ends_at")
    if ends_at - starts_at > timedelta(hours=24):
        raise MeetingError(_("A meeting lasts at most 24 hours."), "ends_at")


def create_meeting(
    bodies: list[Body],
    *,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str = recurrence.DEFAULT_TZ,
    location: str | None = None,
    online_url: str | None = None,
    title: str | None = None,
    invite_roles: list[Role] | None = None,
    guests: list[Person] | None = None,
    notify_new: bool = True,
    after_end: bool = False,
) -> Meeting:
    """Plan a one-off meeting for one body or several (a joint meeting); on a day after a
    body's planned end only when ``after_end`` confirms it (else AfterEnd)."""
    _check_bodies(bodies)
    _check_times(starts_at, ends_at)
    try:
        day = starts_at.astimezone(recurrence._zone(timezone)).date()
    except RecurrenceError as exc:
        raise from_recurrence(exc) from None
    check_planned_end(bodies, day, after_end=after_end)
    location, online_url = _clean_place(location, online_url, bodies)
    meeting = Meeting(
        title=(title or "").strip() or None,
        starts_at=starts_at.astimezone(UTC),
        ends_at=ends_at.astimezone(UTC),
        timezone=timezone,
        location=location,
        online_url=online_url,
        invite_roles=roles_text(invite_roles),
        status=MeetingStatus.SCHEDULED,
        sequence=0,
    )
    db.session.add(meeting)
    meeting.bodies = list(bodies)
    _set_guests_of(meeting, guests or [])
    db.session.flush()
    meeting_signals.meetings_created.send([meeting])
    if notify_new:
        queue_invitations([meeting])  # a new meeting has nothing waiting: one bulk insert
    logger.info("meeting %s created", meeting.id)
    return meeting


def _apply_change(meeting: Meeting, **values) -> bool:
    """Set time and place; bump the sequence and queue an update when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed = True
    if changed:
        meeting.sequence += 1
        meeting.updated_at = utcnow()
        db.session.flush()
        notify(meeting, "update")
    return changed


#: "leave as it is" for the place arguments of update_meeting
KEEP: Any = object()


def update_meeting(
    meeting: Meeting,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    location: str | None = KEEP,
    online_url: str | None = KEEP,
    title: str | None = None,
    guests: list[Person] | None = None,
    version: int | None = None,
    after_end: bool = False,
) -> bool:
    """Move this meeting or change its place; return whether invitees were told.

    Arguments left out stay as they are; ``location=None`` removes the address. ``version``
    is the one the user read: stale, or saved by someone else meanwhile, raises MeetingError
    "conflict" and changes nothing. Moved to another day after a body's planned end, it is
    refused (AfterEnd) unless ``after_end`` confirms it.
    """
    if meeting.is_cancelled:
        raise MeetingError(
            _("This meeting is cancelled: it cannot be moved or changed."),
            "starts_at",
            "cancelled",
        )
    starts_at = starts_at or meeting.starts_at
    ends_at = ends_at or meeting.ends_at
    _check_times(starts_at, ends_at)
    day = starts_at.astimezone(meeting.zone).date()
    if day != meeting.local_start.date():
        check_planned_end(meeting.bodies, day, after_end=after_end)
    location, online_url = _clean_place(
        meeting.location if location is KEEP else location,
        meeting.online_url if online_url is KEEP else online_url,
        meeting.bodies,
    )
    check_version(meeting, version)
    with _one_save_wins():
        if title is not None:
            meeting.title = title.strip() or None
        if guests is not None:
            _set_guests_of(meeting, guests)
        changed = _apply_change(
            meeting,
            starts_at=starts_at.astimezone(UTC),
            ends_at=ends_at.astimezone(UTC),
            location=location,
            online_url=online_url,
        )
    return changed


def _set_status(meeting: Meeting, status: MeetingStatus, reason: str | None) -> None:
    """Cancel or reinstate: the status and its reason, and a new SEQUENCE, which tells the
    invitees' calendars that this version replaces the one they hold."""
    meeting.status, meeting.cancel_reason = status, reason
    meeting.sequence += 1
    meeting.updated_at = utcnow()


def cancel_meeting(meeting: Meeting, reason: str, *, version: int | None = None) -> None:
    """Cancel one meeting with a reason; it stays visible as cancelled. A stale ``version``,
    or a save by someone else meanwhile, raises MeetingError "conflict"."""
    if meeting.is_cancelled:
        raise MeetingError(_("This meeting is already cancelled."), "reason", "cancelled")
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Say why the meeting is cancelled."), "reason")
    check_version(meeting, version)
    with _one_save_wins():
        _set_status(meeting, MeetingStatus.CANCELLED, reason)
        db.session.flush()
        notify(meeting, "cancel")
    logger.info("meeting %s cancelled", meeting.id)


def reinstate_meeting(meeting: Meeting, *, version: int | None = None) -> None:
    """Undo a cancellation: the meeting takes place after all. The invitees get a new
    invitation (a REQUEST with a higher SEQUENCE, which puts it back in their calendars);
    their earlier answers stay. A meeting that is over stays cancelled."""
    if not meeting.is_cancelled:
        raise MeetingError(_("This meeting is not cancelled."), "status", "not_cancelled")
    if meeting.ends_at <= utcnow():
        raise MeetingError(_("This meeting is over: it cannot be reinstated."), "status", "past")
    check_version(meeting, version)
    with _one_save_wins():
        _set_status(meeting, MeetingStatus.SCHEDULED, None)
        db.session.flush()
        notify(meeting, "invite")
    logger.info("meeting %s reinstated", meeting.id)


def mail_invitees(meeting: Meeting, sender: Person, subject: str, text: str, *, token: str) -> int:
    """Queue a message from ``sender`` to every invitee with an address (the meeting's title
    before the subject, a link to the meeting after the text). ``token`` names this sending:
    the same form sent twice queues each mail once. Returns the number queued."""
    subject, text = (subject or "").strip(), (text or "").strip()
    if not subject:
        raise MeetingError(_("Give the message a subject."), "subject")
    if not text:
        raise MeetingError(_("Write the message."), "text")
    if not token or len(token) > 64:
        raise MeetingError(_("Open the form again: it has expired."), "text")
    url = current_app.config["BASE_URL"] + url_for("meetings.meeting", meeting_id=meeting.id)
    people = [p for p in invitees(meeting) if p.email]
    with outside_request_context():
        for person in people:
            with force_locale(babel_locale(person.locale)):
                enqueue_template(
                    key=f"meeting:{meeting.id}:note:{token}:{person.id}",
                    kind="meeting_note",
                    person=person,
                    subject=f"{meeting.display_title}: {subject}",
                    template="meetings/mail_note",
                    meeting=meeting,
                    sender=sender,
                    text=text,
                    meeting_url=url,
                )
    logger.info("meeting %s: a message to %d invitees", meeting.id, len(people))
    return len(people)


# --- attendance -------------------------------------------------------------------------------


def _attendance(meeting: Meeting, person: Person) -> Attendance:
    for attendance in meeting.attendances:
        if attendance.person_id == person.id:
            return attendance
    attendance = Attendance(person=person, is_guest=False)
    meeting.attendances.append(attendance)
    return attendance


def respond(
    meeting: Meeting,
    person: Person,
    response: Response,
    via: ResponseChannel = ResponseChannel.WEB,
    comment: str | None = None,
) -> Attendance:
    """Record an invitee's answer (attends, maybe, does not attend), where it was given and the
    comment that came with it; a later answer replaces an earlier one."""
    if not is_invitee(meeting, person):
        raise MeetingError(_("You are not invited to this meeting."), "response", "forbidden")
    if meeting.is_cancelled:
        raise MeetingError(_("This meeting is cancelled."), "response", "cancelled")
    attendance = _attendance(meeting, person)
    attendance.response = response
    attendance.responded_at = utcnow()
    attendance.responded_via = via
    attendance.response_comment = comment
    db.session.flush()
    return attendance


def record_presence(meeting: Meeting, person: Person, presence: Presence | None) -> Attendance:
    """The secretary records whether an invitee was present, excused or absent."""
    if meeting.is_cancelled:
        raise MeetingError(_("This meeting is cancelled."), "person_id", "cancelled")
    if not is_invitee(meeting, person):
        raise MeetingError(
            _("%(name)s is not invited to this meeting.", name=person.name), "person_id"
        )
    attendance = _attendance(meeting, person)
    attendance.presence = presence
    db.session.flush()
    return attendance


def rsvp_token(meeting: Meeting, person: Person) -> str:
    """A signed token that lets one invitee answer for one meeting without logging in."""
    return rsvp_serializer().dumps({"m": meeting.id, "p": person.id})


# --- quorum -----------------------------------------------------------------------------------


def set_quorum_rule(body: Body, basis: QuorumBasis | None, percent: int = 50) -> QuorumRule | None:
    """Set (or, with ``basis=None``, remove) the quorum rule of a body."""
    rule = db.session.get(QuorumRule, body.id)
    if basis is None:
        if rule is not None:
            db.session.delete(rule)
            db.session.flush()
        return None
    if not 1 <= percent <= 100:
        raise MeetingError(_("Give a percentage between 1 and 100."), "percent")
    if rule is None:
        rule = QuorumRule(body_id=body.id, basis=basis, percent=percent)
        db.session.add(rule)
    rule.basis, rule.percent = basis, percent
    db.session.flush()
    return rule


# --- people who leave a body ------------------------------------------------------------------


def uninvite(body: Body, person: Person, **_extra) -> int:
    """A person who left a body gets a CANCEL for its upcoming meetings they are no longer
    invited to (their calendar drops them)."""
    if not person.email:
        return 0
    upcoming = db.session.scalars(
        select(Meeting)
        .where(Meeting.bodies.any(Body.id == body.id), Meeting.starts_at > utcnow())
        .where(Meeting.status == MeetingStatus.SCHEDULED)
        .options(*INVITEE_LOAD)
        .order_by(Meeting.starts_at)
    ).all()
    sent = 0
    with outside_request_context():
        for meeting in upcoming:
            if person.id in invitee_ids(meeting):
                continue  # still invited through another body or as a guest
            with force_locale(babel_locale(person.locale)):
                context = {
                    "meeting": meeting,
                    "person": person,
                    "what": "uninvited",
                    "links": {},
                    "body": body,
                    "meeting_url": current_app.config["BASE_URL"]
                    + url_for("meetings.meeting", meeting_id=meeting.id),
                }
                subject = _("No longer invited: %(title)s", title=meeting.display_title)
                text = render_template("meetings/mail_uninvited.txt", **context)
                html = render_template("meetings/mail.html", **context)
            enqueue(
                key=f"meeting:{meeting.id}:uninvited:{person.id}:v{meeting.sequence}",
                kind="meeting_cancel",
                to_email=person.email,
                to_name=person.name,
                subject=subject,
                text_body=text,
                html_body=html,
                person=person,
                **invitations.message_options(meeting, person, "cancel", [person]),
            )
            sent += 1
    return sent
