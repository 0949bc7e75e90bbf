"""iCalendar output, checked with an independent parser (vobject)."""

from datetime import UTC, datetime

import vobject

from rosemeet.core import ical
from rosemeet.network.models import Role

DETAILS = ical.EventDetails(
    url="http://rosemeet.test/meetings/1",
    organizer_name="Actiegroep ROSE",
    organizer_email="actiegroep@rose.example.org",
    description="Agenda",
)


def parse(text: str):
    return vobject.readOne(text)


def test_local_time_survives_daylight_saving_in_another_parser(ctx, make_body, make_meeting):
    body = make_body("Actiegroep ROSE", code="AG")
    winter = make_meeting([body], 2027, 3, 9)  # CET
    summer = make_meeting([body], 2027, 5, 11)  # CEST
    for meeting, day, utc_hour in ((winter, "20270309", 13), (summer, "20270511", 12)):
        text = ical.single(meeting, DETAILS)
        assert f"DTSTART;TZID=Europe/Brussels:{day}T140000" in text
        start = parse(text).vevent.dtstart.value  # resolved through our VTIMEZONE
        assert (start.hour, start.minute) == (14, 0)
        assert start.astimezone(UTC).hour == utc_hour


def test_the_static_zone_matches_the_real_rules_for_years(ctx):
    calendar = parse(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        + ical.BRUSSELS_VTIMEZONE
        + "END:VCALENDAR\r\n"
    )
    zone = calendar.vtimezone.gettzinfo()
    from zoneinfo import ZoneInfo

    real = ZoneInfo("Europe/Brussels")
    for year in (2026, 2027, 2030, 2035):
        for month, day in ((1, 15), (3, 30), (7, 1), (10, 31), (12, 1)):
            naive = datetime(year, month, day, 14)
            assert naive.replace(tzinfo=zone).utcoffset() == naive.replace(tzinfo=real).utcoffset()


def test_invitation_lists_attendees_with_rsvp_and_the_organizer(ctx, make_body, make_meeting):
    meeting = make_meeting([make_body(code="AG")], 2027, 3, 9, location="W13, Kortrijk")
    attendees = [
        ical.Attendee("Chris Voorzitter", "chris@rose.example.org", Role.CHAIR.value),
        ical.Attendee("Mia Lid", "mia@rose.example.org", "member", "accepted"),
    ]
    calendar = parse(ical.invitation("REQUEST", meeting, DETAILS, attendees))
    assert calendar.method.value == "REQUEST"
    event = calendar.vevent
    assert event.uid.value == meeting.uid and event.sequence.value == "0"
    assert event.organizer.value == "mailto:actiegroep@rose.example.org"
    found = {a.value: a.params for a in event.attendee_list}
    chris = found["mailto:chris@rose.example.org"]
    assert chris["ROLE"] == ["CHAIR"] and chris["RSVP"] == ["TRUE"]
    assert chris["PARTSTAT"] == ["NEEDS-ACTION"]
    assert found["mailto:mia@rose.example.org"]["PARTSTAT"] == ["ACCEPTED"]
    assert event.location.value == "W13, Kortrijk"
    assert "http://rosemeet.test/meetings/1" in event.description.value
    assert event.url.value == "http://rosemeet.test/meetings/1"
    assert event.dtstamp.value.tzinfo is not None


def test_a_cancelled_meeting_is_a_cancel_with_the_same_uid(ctx, make_body, make_meeting):
    from rosemeet.meetings import operations as meetings

    meeting = make_meeting([make_body()], 2027, 7, 13)
    uid = meeting.uid
    meetings.cancel_meeting(meeting, "Zomerreces")
    calendar = parse(ical.invitation("CANCEL", meeting, DETAILS, []))
    assert calendar.method.value == "CANCEL"
    assert calendar.vevent.uid.value == uid
    assert calendar.vevent.status.value == "CANCELLED"
    assert int(calendar.vevent.sequence.value) >= 1
    assert "Zomerreces" in calendar.vevent.description.value
