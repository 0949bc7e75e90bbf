"""Calendar feeds (/feeds/<token>.ics), the subscriptions page, and .ics downloads."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from datetime import datetime, timedelta
from threading import Lock

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
from rosemeet.calendar.forms import FeedForm
from rosemeet.calendar.models import FeedScope, FeedToken
from rosemeet.core import ical
from rosemeet.core.enums import select_choices
from rosemeet.core.errors import commit_bookkeeping
from rosemeet.core.forms import ConfirmForm, attempt
from rosemeet.core.permissions import get_or_404
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
    text = ical.feed(feed.name, queries.feed_meetings(feed), meeting_details)
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
    if response.status_code == 200:
        item.last_used_at = utcnow()
        commit_bookkeeping("feed use")  # before the commit point: this one never waits
    return response


@bp.get("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    """Download one meeting as a .ics file (for a one-off import)."""
    meeting = get_or_404(current_user, Meeting, meeting_id)
    text = ical.single(meeting, meeting_details(meeting))
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


def _feeds_page(form: FeedForm | None = None, new_urls: dict | None = None, status: int = 200):
    feeds = db.session.scalars(
        select(FeedToken)
        .where(FeedToken.person_id == current_user.id, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.created_at.desc())
    ).all()
    return render_template(
        "calendar/feeds.html",
        feeds=feeds,
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
            current_user._get_current_object(), FeedScope(form.scope.data), form.target_id
        )
        return _feeds_page(new_urls=feed_urls(token))
    return _feeds_page(form, status=400)


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
