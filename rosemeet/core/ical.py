"""Build iCalendar objects (RFC 5545) for meetings: invitations (iTIP, RFC 5546) and feeds.

Pure builders: they read a meeting's own attributes (uid, local_start, sequence, ...) and know
no domain; the meetings domain makes the invitations, the calendar domain the feeds.

One VEVENT per meeting with its stable UID; SEQUENCE comes from the meeting and grows with
every change of time, place or status; cancelled meetings are STATUS:CANCELLED. Times are
written in the meeting's zone with TZID, and Europe/Brussels gets one static VTIMEZONE with
yearly RRULEs (the RDATE lists that libraries generate confuse Outlook).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress, vUri

from rosemeet.db import utcnow

PRODID = "-//ROSE Zuid-West-Vlaanderen//rosemeet//NL"

#: Europe/Brussels since 1996: CET/CEST, switching on the last Sundays of March and October.
BRUSSELS_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Brussels\r\n"
    "X-LIC-LOCATION:Europe/Brussels\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "TZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:CET\r\n"
    "DTSTART:19701025T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)

#: body role -> iCalendar ROLE of the attendee
ATTENDEE_ROLES = {"chair": "CHAIR", "observer": "OPT-PARTICIPANT"}
#: attendance response -> PARTSTAT
PARTSTATS = {
    "needs_action": "NEEDS-ACTION",
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
    "tentative": "TENTATIVE",
}


@dataclass(frozen=True)
class Attendee:
    """One invitee as the invitation lists them."""

    name: str
    email: str
    role: str = "member"
    response: str = "needs_action"


@dataclass(frozen=True)
class EventDetails:
    """What the calendar shows of a meeting beyond its own columns."""

    url: str
    organizer_name: str
    organizer_email: str
    description: str = ""
    #: full URLs of the meeting's papers (ATTACH;VALUE=URI)
    attachments: tuple[str, ...] = ()


class CalendarMeeting(Protocol):
    """What the builders read of a meeting (a ``meetings.models.Meeting``)."""

    #: the stable UID of its VEVENT
    uid: str
    #: SEQUENCE: grows with every change of time, place or status
    sequence: int
    #: the IANA zone its times are written in
    timezone: str
    #: address, video-call link, why it was cancelled
    location: str | None
    online_url: str | None
    cancel_reason: str | None
    #: when the record was made and last changed
    created_at: datetime
    updated_at: datetime

    @property
    def local_start(self) -> datetime:
        """Start in the meeting's zone."""

    @property
    def local_end(self) -> datetime:
        """End in the meeting's zone."""

    @property
    def display_title(self) -> str:
        """What the calendar calls it."""

    @property
    def is_cancelled(self) -> bool:
        """Whether it is cancelled."""


#: the kind of meeting a feed is made of
_M = TypeVar("_M", bound=CalendarMeeting)


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = name
    return address


def meeting_event(
    meeting: CalendarMeeting,
    details: EventDetails,
    attendees: Iterable[Attendee] = (),
    stamp: datetime | None = None,
    alarm: timedelta | None = None,
) -> Event:
    """The VEVENT of a meeting (attendees only for invitations, never in feeds), with a
    display reminder ``alarm`` before its start when asked."""
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", stamp or utcnow())
    event.add("dtstart", meeting.local_start)
    event.add("dtend", meeting.local_end)
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.display_title)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    place = [p for p in (meeting.location, meeting.online_url) if p]
    if place:
        event.add("location", " · ".join(place))
    event.add("url", details.url)
    description = [details.description.strip(), details.url]
    if meeting.online_url:
        description.insert(1, f"Online: {meeting.online_url}")
    if meeting.is_cancelled and meeting.cancel_reason:
        description.insert(0, meeting.cancel_reason)
    event.add("description", "\n\n".join(part for part in description if part))
    event.add("organizer", _address(details.organizer_name, details.organizer_email))
    for url in details.attachments:
        event.add("attach", vUri(url), parameters={"VALUE": "URI"})
    if alarm is not None and not meeting.is_cancelled:
        event.add_component(reminder(meeting.display_title, alarm))
    for attendee in attendees:
        address = _address(attendee.name, attendee.email)
        address.params["role"] = ATTENDEE_ROLES.get(attendee.role, "REQ-PARTICIPANT")
        address.params["partstat"] = PARTSTATS.get(attendee.response, "NEEDS-ACTION")
        address.params["rsvp"] = "TRUE"
        address.params["cutype"] = "INDIVIDUAL"
        event.add("attendee", address)
    return event


def reminder(title: str, before: timedelta) -> Alarm:
    """A VALARM that shows ``title`` this long before the start (TRIGGER:-PT1H)."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    alarm.add("description", title)
    return alarm


def _serialise(calendar: Calendar, zones: set[str]) -> str:
    """The calendar as text, with the static Brussels zone and generated others."""
    text: str = calendar.to_ical().decode()
    blocks = []
    if "Europe/Brussels" in zones:
        blocks.append(BRUSSELS_VTIMEZONE)
    for zone in sorted(zones - {"Europe/Brussels"}):
        blocks.append(Timezone.from_tzid(zone).to_ical().decode())
    if blocks:
        # VTIMEZONE goes before the events that use it
        head, sep, tail = text.partition("BEGIN:VEVENT")
        text = head + "".join(blocks) + sep + tail
    return text


def invitation(
    method: str, meeting: CalendarMeeting, details: EventDetails, attendees: list[Attendee]
) -> str:
    """An iTIP message: METHOD:REQUEST for new and changed meetings, CANCEL for cancelled."""
    calendar = _calendar(method)
    calendar.add_component(meeting_event(meeting, details, attendees))
    return _serialise(calendar, {meeting.timezone})


def cancellations(
    meetings: Sequence[tuple[CalendarMeeting, EventDetails]], attendee: Attendee
) -> str:
    """One METHOD:CANCEL for several meetings cancelled at once (a series that ends), for one
    attendee: a VEVENT per meeting, each with its own UID and raised SEQUENCE, so that one
    mail takes them all out of the attendee's calendar."""
    calendar = _calendar("CANCEL")
    for meeting, details in meetings:
        calendar.add_component(meeting_event(meeting, details, [attendee]))
    return _serialise(calendar, {meeting.timezone for meeting, _details in meetings})


def feed(
    name: str,
    meetings: Iterable[_M],
    details_for: Callable[[_M], EventDetails],
    alarm: timedelta | None = None,
) -> str:
    """A subscribable calendar (no METHOD, no attendees): NAME, refresh hints, one event each
    (each with a VALARM ``alarm`` before its start when the feed's owner asked for one)."""
    calendar = _calendar()
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Brussels")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    zones: set[str] = set()
    for meeting in meetings:
        calendar.add_component(
            meeting_event(meeting, details_for(meeting), stamp=meeting.updated_at, alarm=alarm)
        )
        zones.add(meeting.timezone)
    return _serialise(calendar, zones)


def single(meeting: CalendarMeeting, details: EventDetails) -> str:
    """A one-off download of one meeting (METHOD:PUBLISH)."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(meeting_event(meeting, details, stamp=meeting.updated_at))
    return _serialise(calendar, {meeting.timezone})
