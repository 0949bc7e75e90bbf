"""What a calendar shows beyond the meeting: the reminder a person chose for a feed, the
published agenda and the papers in the event, and the "add to Google / Outlook.com" links."""

import io
import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import event

from rosemeet.agendas import operations as agendas
from rosemeet.calendar import operations as ops
from rosemeet.calendar.models import FeedScope, FeedToken
from rosemeet.documents import operations as documents
from rosemeet.documents.models import TargetKind
from rosemeet.documents.queries import Target
from rosemeet.extensions import db
from rosemeet.network.models import Role
from tests.conftest import PASSWORD

BASE = "http://rosemeet.test"


@pytest.fixture
def network(ctx, make_person, make_body, make_meeting):
    """The Actiegroep with Mia; March has a published agenda and papers, April a draft agenda."""
    mia = make_person("Mia Lid", email="mia@rose.example.org", password=PASSWORD)
    ag = make_body("Actiegroep ROSE", code="AG", members={mia: Role.MEMBER})
    march = make_meeting([ag], 2027, 3, 9)
    april = make_meeting([ag], 2027, 4, 13)
    for title in ("Opening", "Cijfers VDAB", "Varia"):
        agendas.add_item(march, title=title)
    agendas.publish_agenda(march)
    agendas.add_item(april, title="Geheim ontwerppunt")
    paper = documents.attach_file(
        Target(TargetKind.MEETING, march),
        upload=io.BytesIO(b"Cijfers\n"),
        filename="cijfers.txt",
        title="Cijfers 2026",
        by=None,
    )
    internal = documents.attach_file(
        Target(TargetKind.MEETING, march),
        upload=io.BytesIO(b"Intern\n"),
        filename="intern.txt",
        title="Interne nota",
        by=None,
        internal=True,
    )
    db.session.commit()
    return {
        "mia": mia,
        "ag": ag,
        "march": march,
        "april": april,
        "paper": paper,
        "internal": internal,
    }


def new_feed(person, alarm=None) -> str:
    _feed, token = ops.create_feed(person, FeedScope.PERSON, alarm_minutes=alarm)
    db.session.commit()
    return f"/feeds/{token}.ics"


def events_of(response) -> dict[str, object]:
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.get_data(as_text=True))
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def march_event(events, network):
    return events[network["march"].uid]


def attach_urls(vevent) -> list[str]:
    value = vevent.get("attach", [])
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def test_a_feed_with_a_reminder_carries_it_in_every_event(client, network):
    events = events_of(client.get(new_feed(network["mia"], alarm=60)))
    assert len(events) == 2
    for vevent in events.values():
        alarms = vevent.walk("VALARM")
        assert len(alarms) == 1
        assert str(alarms[0]["action"]) == "DISPLAY"
        assert alarms[0]["trigger"].dt == -timedelta(hours=1)
        assert str(alarms[0]["description"]) == str(vevent["summary"])
    day = events_of(client.get(new_feed(network["mia"], alarm=1440)))
    assert all(e.walk("VALARM")[0]["trigger"].dt == -timedelta(days=1) for e in day.values())


def test_a_feed_without_a_reminder_has_no_alarm(client, network):
    events = events_of(client.get(new_feed(network["mia"])))
    assert events and all(not e.walk("VALARM") for e in events.values())


def test_changing_the_reminder_changes_the_feed(client, auth, network):
    url = new_feed(network["mia"])
    etag = client.get(url).headers["ETag"]
    feed = db.session.query(FeedToken).one()
    auth.login("mia@rose.example.org")
    response = client.post(
        f"/calendar/feeds/{feed.id}/alarm", data={f"feed-{feed.id}-alarm": "2880"}
    )
    assert response.status_code == 302
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 200
    alarms = [e.walk("VALARM") for e in events_of(again).values()]
    assert all(a[0]["trigger"].dt == -timedelta(days=2) for a in alarms)


def test_the_event_shows_the_published_agenda_and_the_meeting_page(client, network):
    events = events_of(client.get(new_feed(network["mia"])))
    march = march_event(events, network)
    page = f"{BASE}/meetings/{network['march'].id}"
    description = str(march["description"])
    # the standard items come first: 1. Welkom, ...
    assert description.startswith("Agenda:\n1. ")
    assert re.search(r"\n(\d+)\. Opening\n\d+\. Cijfers VDAB\n\d+\. Varia\n", description)
    assert page in description and str(march["url"]) == page
    april = events[network["april"].uid]
    assert "Geheim ontwerppunt" not in str(april["description"])  # a draft agenda stays out


def test_papers_are_attached_by_their_download_address_but_internal_ones_are_not(
    client, auth, network
):
    march = march_event(events_of(client.get(new_feed(network["mia"]))), network)
    download = f"{BASE}/documents/{network['paper'].id}/download"
    internal = f"{BASE}/documents/{network['internal'].id}/download"
    assert attach_urls(march) == [download]
    assert march["attach"].params["VALUE"] == "URI"
    assert "Cijfers 2026" in str(march["description"]) and internal not in str(march["description"])
    auth.login("mia@rose.example.org")
    single = Calendar.from_ical(
        client.get(f"/meetings/{network['march'].id}.ics").get_data(as_text=True)
    )
    (vevent,) = single.walk("VEVENT")
    assert attach_urls(vevent) == [download]
    assert re.search(r"\d+\. Cijfers VDAB", str(vevent["description"]))
    assert not vevent.walk("VALARM")


def test_a_feed_costs_the_same_queries_for_more_meetings(client, network, make_meeting):
    def selects_of(url):
        statements = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    before = selects_of(new_feed(network["mia"]))
    for day in (1, 8, 15, 22):
        meeting = make_meeting([network["ag"]], 2027, 9, day)
        agendas.add_item(meeting, title="Punt")
        agendas.publish_agenda(meeting)
        documents.attach_link(
            Target(TargetKind.MEETING, meeting), url="https://example.org/a", title="A", by=None
        )
    db.session.commit()
    assert selects_of(new_feed(network["mia"])) <= before + 2  # the new feed's token and owner


def links_on_meeting_page(client, meeting) -> dict[str, dict[str, list[str]]]:
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    links = {}
    for href, rel, text in re.findall(
        r'<a href="(https://(?:calendar\.google|outlook\.live)\.com[^"]+)"[^>]*rel="([^"]+)"[^>]*>([^<]+)</a>',
        page,
    ):
        assert "noopener" in rel
        links[text.strip()] = parse_qs(urlsplit(unescape(href)).query)
    return links


def test_the_meeting_page_offers_google_and_outlook_links(client, auth, network):
    auth.login("mia@rose.example.org")
    links = links_on_meeting_page(client, network["march"])
    assert len(links) == 2
    google, outlook = (
        next(v for k, v in links.items() if "Google" in k),
        next(v for k, v in links.items() if "Outlook" in k),
    )
    title = network["march"].display_title
    # 9 March 2027, 14:00-16:00 in Brussels is 13:00-15:00 UTC
    assert google["text"] == [title] and google["action"] == ["TEMPLATE"]
    assert google["dates"] == ["20270309T130000Z/20270309T150000Z"]
    assert re.search(r"\d+\. Opening", google["details"][0]) and "Kortrijk" in google["location"][0]
    assert outlook["subject"] == [title]
    assert outlook["startdt"] == ["2027-03-09T13:00:00Z"]
    assert outlook["enddt"] == ["2027-03-09T15:00:00Z"]
    assert f"/meetings/{network['march'].id}" in outlook["body"][0]


def test_a_cancelled_meeting_has_no_calendar_links(client, auth, network):
    from rosemeet.meetings import operations as meetings

    meetings.cancel_meeting(network["april"], "Zomerreces")
    db.session.commit()
    auth.login("mia@rose.example.org")
    assert links_on_meeting_page(client, network["april"]) == {}


@pytest.mark.parametrize("hostile", ["7", "-60", "1e9", "60; DROP TABLE feed_token", "\x00"])
def test_a_hostile_reminder_gives_a_form_error(client, auth, network, hostile):
    new_feed(network["mia"], alarm=15)
    feed = db.session.query(FeedToken).one()
    auth.login("mia@rose.example.org")
    response = client.post(
        f"/calendar/feeds/{feed.id}/alarm", data={f"feed-{feed.id}-alarm": hostile}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="feed-{feed.id}-alarm-error"' in page and 'role="alert"' in page
    db.session.expire_all()
    assert db.session.get(FeedToken, feed.id).alarm_minutes == 15
    created = client.post(
        "/calendar/feeds",
        data={"scope": "person", "body_id": 0, "organisation_id": 0, "alarm": hostile},
    )
    assert created.status_code == 400
    assert 'id="alarm-error"' in created.get_data(as_text=True)
    assert db.session.query(FeedToken).count() == 1


def test_an_operation_refuses_an_odd_reminder(network):
    with pytest.raises(ops.FeedError):
        ops.create_feed(network["mia"], FeedScope.PERSON, alarm_minutes=7)
