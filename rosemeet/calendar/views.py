"""Calendar feeds (/feeds/<token>.ics), the subscriptions page, .ics downloads, and the
"add to Google / Outlook.com" links of the meeting page."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from threading import Lock
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from rosemeet.calendar import operations as ops
from rosemeet.calendar import queries
from rosemeet.calendar.forms import AlarmForm, FeedForm
from rosemeet.calendar.models import FeedScope, FeedToken
from rosemeet.core import ical
from rosemeet.core.enums import select_choices
from rosemeet.core.errors import commit_bookkeeping
from rosemeet.core.forms import ConfirmForm, attempt
from rosemeet.core.permissions import can, get_or_404
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.meetings.invitations import meeting_details
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Organisation
from rosemeet.network.queries import visible_bodies

bp = Blueprint("calendar", __name__)
logger = logging.getLogger(__name__)

#: feed bytes by feed id: (version stamp, etag, body, last modified); bounded, per process
_CACHE: OrderedDict[int, tuple[str, str, bytes, datetime]] = OrderedDict()

_CACHE_SIZE = 512
_CACHE_LOCK = Lock()
ICS = "text/calendar; charset=utf-8"


def feed_urls(token: str) -> dict[str, str]:
    """The https and webcal addresses of a feed."""
    url = current_app.config["BASE_URL"] + url_for("calendar.feed", token=token)
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def _description(extras: queries.EventExtras) -> str:
    """The text of an event beyond the meeting: the published agenda, numbered, and the papers
    with their addresses (the meeting page's address follows, added by ``core.ical``)."""
    parts = []
    if extras.agenda:
        lines = [f"{n}. {title}" for n, title in enumerate(extras.agenda, 1)]
        parts.append("\n".join([_("Agenda:"), *lines]))
    if extras.papers:
        lines = [f"- {title}: {url}" for title, url in extras.papers]
        parts.append("\n".join([_("Papers:"), *lines]))
    return "\n\n".join(parts)


def event_details(meeting: Meeting, extras: queries.EventExtras) -> ical.EventDetails:
    """URL, organiser, description (published agenda, papers) and ATTACH URLs of an event."""
    details = meeting_details(meeting, _description(extras))
    return dataclasses.replace(details, attachments=tuple(url for _t, url in extras.papers))


def _feed_text(feed: FeedToken) -> str:
    """The iCalendar text of a feed: its meetings, their agendas and papers in a few queries."""
    meetings = queries.feed_meetings(feed)
    extras = queries.feed_extras(meetings)
    alarm = timedelta(minutes=feed.alarm_minutes) if feed.alarm_minutes else None
    return ical.feed(feed.name, meetings, lambda m: event_details(m, extras[m.id]), alarm=alarm)


#: at most this much text goes into the details of a calendar link (the whole URL must stay
#: well below the lengths browsers and the calendar services accept)
LINK_DETAILS_MAX = 1500


def calendar_helpers() -> dict:
    """``calendar_links(meeting)`` for the meeting page's "add to Google / Outlook.com"."""
    return {"calendar_links": calendar_links}


def _utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def calendar_links(meeting: Meeting) -> dict[str, str] | None:
    """The "add to Google Calendar" and "add to Outlook.com" addresses of a meeting, in UTC
    with its title, place and description; None for a cancelled meeting or one the user may
    not see."""
    if meeting.is_cancelled or not can(current_user, "view", meeting):
        return None
    details = event_details(meeting, queries.meeting_extras(meeting))
    text = "\n\n".join(p for p in (details.description, details.url) if p)
    if len(text) > LINK_DETAILS_MAX:
        text = text[: LINK_DETAILS_MAX - 1].rstrip() + "…\n\n" + details.url
    place = " · ".join(p for p in (meeting.location, meeting.online_url) if p)
    start, end = _utc(meeting.starts_at), _utc(meeting.ends_at)
    google = {
        "action": "TEMPLATE",
        "text": meeting.display_title,
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": text,
        "location": place,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": meeting.display_title,
        "startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}",
        "body": text,
        "location": place,
    }
    return {
        "google": "https://calendar.google.com/calendar/render?" + urlencode(google),
        "outlook": "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(outlook),
    }


#: a feed's last use is written at most this often (calendars poll every few minutes)
USE_RECORDED_EVERY = timedelta(hours=1)


def _cached_feed(feed: FeedToken) -> tuple[str, datetime, bytes]:
    """ETag, last change and bytes of a feed; rebuilt only when its stamp changed.

    A rebuild counts as a change for Last-Modified: what the owner may see can change
    (a body closed, a membership ended) without any meeting being touched."""
    stamp, changed = queries.version_stamp(feed)
    with _CACHE_LOCK:
        hit = _CACHE.get(feed.id)
        if hit and hit[0] == stamp:
            _CACHE.move_to_end(feed.id)
            return hit[1], hit[3], hit[2]
    text = _feed_text(feed)
    etag = hashlib.sha256(stamp.encode()).hexdigest()[:32]
    body = text.encode()
    modified = max(changed, utcnow()).replace(microsecond=0)  # HTTP dates count seconds
    if hit and modified <= hit[3]:
        modified = hit[3] + timedelta(seconds=1)  # If-Modified-Since must see the change
    with _CACHE_LOCK:
        _CACHE[feed.id] = (stamp, etag, body, modified)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return etag, modified, body


@bp.get("/feeds/<token>.ics")
def feed(token: str):
    """A subscribable calendar; 304 when unchanged; 404 for unknown or revoked tokens."""
    item = queries.find_feed(token)
    if item is None or not queries.target_still_visible(item):
        return Response(_("Unknown or revoked calendar address."), 404, mimetype="text/plain")
    etag, changed, body = _cached_feed(item)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Disposition"] = 'inline; filename="rosemeet.ics"'
    response.set_etag(etag)
    response.last_modified = changed
    response.make_conditional(request)
    now = utcnow()
    if response.status_code == 200 and (
        item.last_used_at is None or now - _utc(item.last_used_at) >= USE_RECORDED_EVERY
    ):  # the feeds page says when it was last fetched: to the hour, not a write per poll
        item.last_used_at = now
        commit_bookkeeping("feed use")  # before the commit point: this one never waits
    return response


@bp.get("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    """Download one meeting as a .ics file (for a one-off import)."""
    meeting = get_or_404(current_user, Meeting, meeting_id)
    text = ical.single(meeting, event_details(meeting, queries.meeting_extras(meeting)))
    response = Response(text, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS
    response.headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}.ics"'
    return response


def _feed_form(**kwargs) -> FeedForm:
    form = FeedForm(**kwargs)
    bodies = [(b.id, b.name) for b in visible_bodies(current_user)]
    form.body_id.choices = select_choices([(0, "—"), *bodies])
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    ).all()
    form.organisation_id.choices = select_choices([(0, "—"), *organisations])
    return form


def _alarm_form(feed: FeedToken, formdata=None) -> AlarmForm:
    """The reminder form of one feed (ids unique per feed on the page)."""
    current = "" if feed.alarm_minutes is None else str(feed.alarm_minutes)
    return AlarmForm(formdata=formdata, prefix=f"feed-{feed.id}", alarm=current)


def _feeds_page(
    form: FeedForm | None = None,
    new_urls: dict | None = None,
    status: int = 200,
    alarm_form: tuple[int, AlarmForm] | None = None,
):
    feeds = db.session.scalars(
        select(FeedToken)
        .where(FeedToken.person_id == current_user.id, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.created_at.desc())
    ).all()
    alarm_forms = {f.id: _alarm_form(f) for f in feeds}
    if alarm_form is not None:
        alarm_forms[alarm_form[0]] = alarm_form[1]
    return render_template(
        "calendar/feeds.html",
        feeds=feeds,
        alarm_forms=alarm_forms,
        form=form or _feed_form(formdata=None),
        new_urls=new_urls,
        confirm_form=ConfirmForm(),
        scopes=FeedScope,
    ), status


@bp.get("/calendar/feeds")
@login_required
def feeds():
    """My calendar subscriptions, with how to add them to Outlook, Google or Apple."""
    return _feeds_page()


@bp.post("/calendar/feeds")
@login_required
def create_feed():
    """Make a new calendar address (shown once)."""
    form = _feed_form()
    if not form.validate_on_submit():
        return _feeds_page(form, status=400)
    with attempt(form, "scope"):
        _item, token = ops.create_feed(
            current_user._get_current_object(),
            FeedScope(form.scope.data),
            form.target_id,
            form.alarm_minutes,
        )
        return _feeds_page(new_urls=feed_urls(token))
    return _feeds_page(form, status=400)


@bp.post("/calendar/feeds/<int:feed_id>/alarm")
@login_required
def set_alarm(feed_id: int):
    """Choose the reminder the feed's events carry (none, 15 minutes to 2 days before)."""
    item = get_or_404(current_user, FeedToken, feed_id, "edit")
    form = _alarm_form(item, request.form)
    if form.validate_on_submit():
        with attempt(form, "alarm") as tried:
            ops.set_alarm(item, form.alarm_minutes)
        if tried.refused is None:
            flash(_("The reminder is saved."), "success")
            return redirect(url_for("calendar.feeds"))
    return _feeds_page(status=400, alarm_form=(item.id, form))


@bp.post("/calendar/feeds/<int:feed_id>/revoke")
@login_required
def revoke_feed(feed_id: int):
    """Stop a calendar address."""
    item = get_or_404(current_user, FeedToken, feed_id, "edit")
    ops.revoke_feed(item)
    flash(_("The calendar address is revoked."), "success")
    return redirect(url_for("calendar.feeds"))


@bp.post("/calendar/feeds/<int:feed_id>/regenerate")
@login_required
def regenerate_feed(feed_id: int):
    """Replace a calendar address by a new one (the old one stops working)."""
    item = get_or_404(current_user, FeedToken, feed_id, "edit")
    _new, token = ops.regenerate_feed(item)
    return _feeds_page(new_urls=feed_urls(token))
