"""Calendar answers read back from inbound mail: iTIP REPLY and COUNTER (RFC 5546) applied to
the attendance.

An invitee who clicks Accept, Tentative or Decline in Outlook, Google Calendar, Apple Calendar
or Thunderbird sends a REPLY to the organiser's mailbox: a ``text/calendar`` part, an ``.ics``
attachment, or both (Google and Thunderbird send the same object twice). Each answer found
becomes one ``CalendarReply`` row that says what was done with it:

* it counts (APPLIED) only when its UID names a meeting that is not cancelled, its ATTENDEE is
  an invitee of that meeting (by address, case-insensitive) and the mail's From address is
  that same address; the attendance then changes as if the invitee answered in rosemeet,
  ``responded_via`` CALENDAR, with the COMMENT;
* an answer with an older SEQUENCE than the meeting's answers an earlier time or place: it is
  kept and flagged (OUTDATED) for the secretary, never applied to the new time;
* DELEGATED keeps the delegate's address for the secretary, who adds the delegate as a guest
  where a body of the meeting allows delegates (``add_delegate``);
* a COUNTER (a proposed new time) is kept with the proposed times, never applied: the
  secretary may move the meeting to it (``propose_time``) or set it aside;
* an unknown UID, a cancelled meeting, a stranger or a forged sender change nothing and are
  listed.

Outlook's ``X-MICROSOFT-CDO-*`` fields are tolerated (its APPT-SEQUENCE stands in for a missing
SEQUENCE), and a calendar part without METHOD is read as a REPLY when the subject starts the way
Outlook's answers do ("Accepted:", "Geaccepteerd:", ...). Functions here only flush; the caller
(the inbound poll) commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar
from sqlalchemy import select

from rosemeet.accounts.models import Person
from rosemeet.accounts.operations import create_person
from rosemeet.accounts.queries import find_by_email
from rosemeet.core.text import without_control_characters
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.mail.inbound import Handled
from rosemeet.mail.models import InboundMessage
from rosemeet.meetings.models import (
    Attendance,
    CalendarReply,
    Meeting,
    ReplyKind,
    ReplyStatus,
    Response,
    ResponseChannel,
)
from rosemeet.meetings.operations import MeetingError, notify, respond, update_meeting
from rosemeet.meetings.queries import invitees

logger = logging.getLogger(__name__)

#: a calendar part larger than this is no answer from a calendar (answers are a few kB)
MAX_PART_BYTES = 1_000_000
#: the longest COMMENT kept (the rest is cut off)
MAX_COMMENT_CHARS = 2000
#: content types that carry an iCalendar object
CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "text/x-vcalendar"})
#: PARTSTAT -> the attendance's answer
RESPONSES = {
    "accepted": Response.ACCEPTED,
    "tentative": Response.TENTATIVE,
    "declined": Response.DECLINED,
}
#: subject prefixes of answers (Outlook in English and Dutch) -> PARTSTAT, for a calendar part
#: that has no METHOD
SUBJECT_PARTSTATS = {
    "accepted:": "accepted",
    "geaccepteerd:": "accepted",
    "declined:": "declined",
    "afgewezen:": "declined",
    "tentative:": "tentative",
    "voorlopig:": "tentative",
}
#: what a reply's status means for the mail: these used it (moved to the processed folder)
USED = frozenset(
    {ReplyStatus.APPLIED, ReplyStatus.OUTDATED, ReplyStatus.DELEGATED, ReplyStatus.COUNTER}
)
#: the statuses the secretary has to look at (until ``handled_at`` is set)
PENDING = (
    ReplyStatus.OUTDATED,
    ReplyStatus.DELEGATED,
    ReplyStatus.COUNTER,
    ReplyStatus.NOT_MATCHED,
)


@dataclass(frozen=True)
class ParsedReply:
    """One answer (REPLY) or proposed time (COUNTER) as a calendar sent it."""

    #: a REPLY or a COUNTER
    kind: ReplyKind
    #: the UID of the meeting it answers
    uid: str | None
    #: its SEQUENCE (0 when missing, as RFC 5545 says)
    sequence: int
    #: the ATTENDEE's address, lower case, without "mailto:"
    attendee: str | None
    #: the PARTSTAT, lower case ("accepted", "tentative", "declined", "delegated", ...)
    partstat: str | None
    #: the COMMENT, without control characters; None when empty
    comment: str | None = None
    #: DELEGATED-TO: the delegate's address, lower case
    delegated_to: str | None = None
    #: a COUNTER's proposed start and end as written (aware, naive when floating, or a date)
    starts_at: datetime | date | None = None
    ends_at: datetime | date | None = None


# --- reading ----------------------------------------------------------------------------------


def _is_calendar_part(part: Message) -> bool:
    if part.get_content_type() in CALENDAR_TYPES:
        return True
    filename = part.get_filename() or ""
    return filename.lower().endswith((".ics", ".ical", ".ifb"))


def calendar_parts(message: EmailMessage) -> list[bytes | str]:
    """Every ``text/calendar`` part and ``.ics`` attachment of a mail (text when the part is
    text, bytes otherwise), in the mail's order; oversized parts are left out."""
    parts: list[bytes | str] = []
    for part in message.walk():
        if part.is_multipart() or not _is_calendar_part(part):
            continue
        raw = part.get_payload(decode=True)
        if not isinstance(raw, bytes) or len(raw) > MAX_PART_BYTES:
            continue
        if part.get_content_maintype() == "text":
            charset = part.get_content_charset() or "utf-8"
            try:
                parts.append(raw.decode(charset, errors="replace"))
            except LookupError:  # an unknown charset name
                parts.append(raw.decode("utf-8", errors="replace"))
        else:
            parts.append(raw)
    return parts


def _address(value: object) -> str | None:
    """An address without "mailto:" and in lower case; None when empty (the first of a list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    text = str(value or "").strip().strip('"')
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    return text.strip().lower() or None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):  # a property given twice: the first counts
        value = value[0] if value else None
    text = without_control_characters(str(value or "")).strip()
    return text[:MAX_COMMENT_CHARS] or None


def _attendee(event, sender: str | None):
    """The ATTENDEE who answers: the sender's, else the first not delegated to, else the first."""
    found = event.get("attendee")
    attendees = found if isinstance(found, list) else [found] if found is not None else []
    if not attendees:
        return None
    if sender:
        for attendee in attendees:
            if _address(attendee) == sender:
                return attendee
    for attendee in attendees:
        if "DELEGATED-FROM" not in attendee.params:
            return attendee
    return attendees[0]


def _sequence(event) -> int:
    for name in ("sequence", "x-microsoft-cdo-appt-sequence"):
        value = event.get(name)
        if value is not None:
            try:
                return int(str(value).strip())
            except ValueError:
                continue
    return 0


def _when(event, name: str) -> datetime | date | None:
    if name not in event:
        return None
    value = event.decoded(name)
    return value if isinstance(value, date) else None


def _counter_times(event) -> tuple[datetime | date | None, datetime | date | None]:
    starts_at = _when(event, "dtstart")
    ends_at = _when(event, "dtend")
    if ends_at is None and starts_at is not None and "duration" in event:
        duration = event.decoded("duration")
        if isinstance(duration, timedelta):
            ends_at = starts_at + duration
    return starts_at, ends_at


def _subject_partstat(subject: str) -> str | None:
    lowered = subject.strip().lower()
    for prefix, partstat in SUBJECT_PARTSTATS.items():
        if lowered.startswith(prefix):
            return partstat
    return None


def _event_reply(event, kind: ReplyKind, sender: str | None, fallback: str | None) -> ParsedReply:
    attendee = _attendee(event, sender)
    params = attendee.params if attendee is not None else {}
    partstat = str(params.get("PARTSTAT", "")).strip().lower() or None
    if fallback and partstat in (None, "needs-action"):
        partstat = fallback
    starts_at, ends_at = _counter_times(event) if kind is ReplyKind.COUNTER else (None, None)
    uid = event.get("uid")
    return ParsedReply(
        kind=kind,
        uid=(str(uid).strip() or None) if uid is not None else None,
        sequence=_sequence(event),
        attendee=_address(attendee) if attendee is not None else None,
        partstat=partstat,
        comment=_text(event.get("comment")),
        delegated_to=_address(params.get("DELEGATED-TO")),
        starts_at=starts_at,
        ends_at=ends_at,
    )


def parse_replies(
    data: bytes | str, subject: str = "", sender: str | None = None
) -> list[ParsedReply]:
    """The REPLY and COUNTER answers of one calendar part (one per VEVENT); other methods
    (REQUEST, CANCEL, PUBLISH) and unreadable text give none. ``sender`` picks the answering
    ATTENDEE when an event lists several (a delegation lists the delegate too)."""
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        logger.info("calendar part not readable: %s", error)
        return []
    replies = []
    for calendar in calendars:
        method = str(calendar.get("method", "")).strip().upper()
        fallback = None
        if method == "COUNTER":
            kind = ReplyKind.COUNTER
        elif method == "REPLY" or (not method and (fallback := _subject_partstat(subject))):
            kind = ReplyKind.REPLY
        else:
            continue
        for event in calendar.walk("VEVENT"):
            try:
                replies.append(_event_reply(event, kind, sender, fallback))
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
                logger.info("calendar answer not readable: %s", error)
    return replies


# --- applying ---------------------------------------------------------------------------------


def _utc(value: datetime | date | None, zone: ZoneInfo) -> datetime | None:
    """A proposed time as the models store it (aware UTC); a floating time is taken in the
    meeting's zone, a date (all day) is no time."""
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _invitee_with(meeting: Meeting, email: str | None) -> Person | None:
    if not email:
        return None
    for person in invitees(meeting):
        if person.email and person.email.strip().lower() == email:
            return person
    return None


def _status(reply: ParsedReply, row: CalendarReply, sender: str | None) -> ReplyStatus:
    """Find the meeting and the invitee, and apply the answer when it counts."""
    meeting = (
        db.session.scalars(select(Meeting).where(Meeting.uid == reply.uid)).first()
        if reply.uid
        else None
    )
    if meeting is None:
        return ReplyStatus.UNKNOWN_MEETING
    row.meeting = meeting
    if reply.kind is ReplyKind.COUNTER:
        row.proposed_starts_at = _utc(reply.starts_at, meeting.zone)
        row.proposed_ends_at = _utc(reply.ends_at, meeting.zone)
    if meeting.is_cancelled:
        return ReplyStatus.CANCELLED
    person = _invitee_with(meeting, reply.attendee)
    if person is None or sender != reply.attendee:
        return ReplyStatus.NOT_MATCHED
    row.person = person
    if reply.kind is ReplyKind.COUNTER:
        return ReplyStatus.COUNTER
    if reply.sequence < meeting.sequence:
        return ReplyStatus.OUTDATED
    if reply.partstat == "delegated":
        return ReplyStatus.DELEGATED
    response = RESPONSES.get(reply.partstat or "")
    if response is None:  # NEEDS-ACTION or a value no calendar should send
        return ReplyStatus.NOT_MATCHED
    try:
        respond(meeting, person, response, via=ResponseChannel.CALENDAR, comment=reply.comment)
    except MeetingError:
        return ReplyStatus.NOT_MATCHED
    return ReplyStatus.APPLIED


def apply_reply(reply: ParsedReply, sender: str | None, inbound: InboundMessage) -> CalendarReply:
    """Record one answer that came in ``inbound`` from ``sender``, applied when it counts."""
    row = CalendarReply(
        inbound_message_id=inbound.id,
        uid=(reply.uid or "")[:255] or None,
        kind=reply.kind,
        attendee_email=(reply.attendee or "")[:320] or None,
        partstat=(reply.partstat or "")[:30] or None,
        sequence=reply.sequence,
        comment=reply.comment,
        delegated_to=(reply.delegated_to or "")[:320] or None,
    )
    row.status = _status(reply, row, sender)
    db.session.add(row)
    db.session.flush()
    logger.info(
        "calendar %s for meeting %s: %s", reply.kind.value, row.meeting_id, row.status.value
    )
    return row


def _reason(row: CalendarReply, sender: str | None) -> str:
    """Why an answer did not count, in words for the admin's mail page."""
    if row.status is ReplyStatus.UNKNOWN_MEETING:
        return _("The answer names a meeting rosemeet does not know (UID %(uid)s).", uid=row.uid)
    title = row.meeting.display_title if row.meeting else ""
    if row.status is ReplyStatus.CANCELLED:
        return _("The answer is for a cancelled meeting (%(title)s).", title=title)
    if sender != row.attendee_email:
        return _(
            "The answer of %(attendee)s for %(title)s was sent from another address (%(sender)s).",
            attendee=row.attendee_email or "?",
            title=title,
            sender=sender or "?",
        )
    if row.person is None:
        return _(
            "The answer for %(title)s comes from %(attendee)s, who is not invited to it.",
            title=title,
            attendee=row.attendee_email or "?",
        )
    return _(
        "The answer of %(attendee)s for %(title)s could not be read (%(partstat)s).",
        attendee=row.attendee_email or "?",
        title=title,
        partstat=row.partstat or "?",
    )


def _sender(message: EmailMessage) -> str | None:
    return _address(parseaddr(str(message.get("From", "")))[1])


def handle_calendar_mail(message: EmailMessage, inbound: InboundMessage) -> Handled | None:
    """The inbound handler for calendar answers: None when the mail has no calendar part,
    otherwise one ``CalendarReply`` per answer found and what was done, in words."""
    parts = calendar_parts(message)
    if not parts:
        return None
    sender = _sender(message)
    subject = str(message.get("Subject", ""))
    replies: list[ParsedReply] = []
    for part in parts:
        for reply in parse_replies(part, subject, sender):
            if reply not in replies:  # the same object as text/calendar and as invite.ics
                replies.append(reply)
    if not replies:
        return Handled(
            used=False,
            detail=_("The calendar part holds no answer to an invitation that rosemeet can read."),
        )
    rows = [apply_reply(reply, sender, inbound) for reply in replies]
    used = [row for row in rows if row.status in USED]
    if not used:
        return Handled(used=False, detail=" ".join(_reason(row, sender) for row in rows))
    applied = sum(row.status is ReplyStatus.APPLIED for row in rows)
    return Handled(
        used=True,
        detail=_(
            "Calendar answers: %(applied)d applied, %(listed)d listed for the secretary.",
            applied=applied,
            listed=len(rows) - applied,
        ),
    )


# --- reading for the secretary ----------------------------------------------------------------


def pending_replies(meeting: Meeting) -> list[CalendarReply]:
    """The calendar answers of a meeting that need the secretary (an answer to an earlier time,
    a delegation, a proposed time, one not matched), not yet dealt with, newest first."""
    return list(
        db.session.scalars(
            select(CalendarReply)
            .where(
                CalendarReply.meeting_id == meeting.id,
                CalendarReply.status.in_(PENDING),
                CalendarReply.handled_at.is_(None),
            )
            .order_by(CalendarReply.created_at.desc(), CalendarReply.id.desc())
        )
    )


# --- what the secretary does with them --------------------------------------------------------


def pending_reply(meeting: Meeting, reply_id: int) -> CalendarReply | None:
    """The calendar answer ``reply_id`` of this meeting, when it is one the secretary still
    has to deal with (None for another meeting's, an unknown id, or one dealt with)."""
    return db.session.scalars(
        select(CalendarReply).where(
            CalendarReply.id == reply_id,
            CalendarReply.meeting_id == meeting.id,
            CalendarReply.status.in_(PENDING),
            CalendarReply.handled_at.is_(None),
        )
    ).first()


def delegates_allowed(meeting: Meeting) -> bool:
    """May an invitee of this meeting send a delegate (one of its bodies allows it)?"""
    return any(body.delegates_allowed for body in meeting.bodies)


def _handled(row: CalendarReply, status: ReplyStatus | None = None) -> None:
    row.handled_at = utcnow()
    if status is not None:
        row.status = status
    db.session.flush()
    logger.info("calendar reply %s handled: %s", row.id, row.status.value)


def set_aside(row: CalendarReply) -> None:
    """The secretary has seen the answer and leaves it as it is."""
    _handled(row)


def apply_anyway(row: CalendarReply) -> Attendance:
    """Count an answer to an earlier time of the meeting for its current time."""
    response = RESPONSES.get(row.partstat or "")
    if row.status is not ReplyStatus.OUTDATED or row.meeting is None or row.person is None:
        raise MeetingError(_("Only an answer to an earlier time can be applied."))
    if response is None:
        raise MeetingError(_("This answer says neither yes, maybe nor no."))
    attendance = respond(
        row.meeting, row.person, response, via=ResponseChannel.CALENDAR, comment=row.comment
    )
    _handled(row, ReplyStatus.APPLIED)
    return attendance


def add_delegate(row: CalendarReply) -> Person:
    """Add the delegate of a DELEGATED answer as a guest of the meeting (the person with that
    address, or a new person) and send them the invitation; where the meeting's bodies allow
    delegates only."""
    meeting = row.meeting
    if row.status is not ReplyStatus.DELEGATED or meeting is None or not row.delegated_to:
        raise MeetingError(_("This answer names no delegate."))
    if not delegates_allowed(meeting):
        raise MeetingError(_("The bodies of this meeting do not allow delegates."))
    person = find_by_email(row.delegated_to)
    if person is None:
        person = create_person(name=row.delegated_to, email=row.delegated_to)
    guests = [a.person for a in meeting.attendances if a.is_guest]
    if person not in guests and person not in invitees(meeting):
        update_meeting(meeting, guests=[*guests, person])
        notify(meeting, "invite")  # the new guest only: the others had this version already
    _handled(row)
    return person


def propose_time(row: CalendarReply) -> bool:
    """Move the meeting to the time a COUNTER proposed, through the usual update (a higher
    SEQUENCE, the update mailed to every invitee); return whether the meeting moved."""
    meeting = row.meeting
    if row.status is not ReplyStatus.COUNTER or meeting is None:
        raise MeetingError(_("Only a proposed new time can be taken."))
    starts_at, ends_at = row.proposed_starts_at, row.proposed_ends_at
    if starts_at is None:
        raise MeetingError(_("The proposal gives no time of day."))
    starts_at = _aware(starts_at)
    length = meeting.ends_at - meeting.starts_at
    ends_at = _aware(ends_at) if ends_at is not None else starts_at + length
    if starts_at <= utcnow():
        raise MeetingError(_("The proposed time has already passed."))
    moved = update_meeting(meeting, starts_at=starts_at, ends_at=ends_at)
    _handled(row)
    return moved


def _aware(value: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands back naive UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
