"""Calendar feeds over HTTP: content, ETag/304, revocation, privacy, cost of a poll."""

import logging
import re
from datetime import UTC, timedelta

import pytest
import vobject
from sqlalchemy import event, select

from rosemeet.calendar import operations as ops
from rosemeet.calendar.models import FeedScope, FeedToken
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.network.models import Role
from tests.conftest import PASSWORD


@pytest.fixture
def network(ctx, make_person, make_body, make_meeting):
    """The Actiegroep (closed) with Mia as member, the AV (public), and some meetings."""
    mia = make_person("Mia Lid", email="mia@rose.example.org", password=PASSWORD)
    outsider = make_person("Olaf", password=PASSWORD)
    ag = make_body("Actiegroep ROSE", code="AG", members={mia: Role.MEMBER})
    av = make_body("ROSE algemene vergadering", code="AV", is_public=True)
    march = make_meeting([ag], 2027, 3, 9)
    july = make_meeting([ag], 2027, 7, 13)
    assembly = make_meeting([av], 2027, 6, 16, hour=18)
    meetings.cancel_meeting(july, "Zomerreces")
    db.session.commit()
    return {
        "mia": mia,
        "outsider": outsider,
        "ag": ag,
        "av": av,
        "march": march,
        "july": july,
        "assembly": assembly,
    }


def fetch(client, url, **headers):
    return client.get(url.replace("http://rosemeet.test", ""), headers=headers)


def new_feed(person, scope, target_id=None) -> str:
    _feed, token = ops.create_feed(person, scope, target_id)
    db.session.commit()
    return f"/feeds/{token}.ics"


def test_a_body_feed_holds_its_meetings_without_addresses(client, network):
    url = new_feed(network["mia"], FeedScope.BODY, network["ag"].id)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"].startswith("private")
    text = response.get_data(as_text=True)
    calendar = vobject.readOne(text)
    assert calendar.x_wr_calname.value == "ROSE: Actiegroep ROSE"
    assert "METHOD" not in text and "ATTENDEE" not in text and "mia@rose.example.org" not in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text and "X-PUBLISHED-TTL:PT1H" in text
    events = {e.uid.value: e for e in calendar.vevent_list}
    assert set(events) == {network["march"].uid, network["july"].uid}
    assert events[network["july"].uid].status.value == "CANCELLED"
    assert events[network["march"].uid].dtstart.value.hour == 14


def test_unchanged_feed_answers_304_and_a_change_shows(client, network):
    url = new_feed(network["mia"], FeedScope.BODY, network["ag"].id)
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert (
        client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code
        == 304
    )
    march = network["march"]
    meetings.update_meeting(
        march,
        location=march.location,
        starts_at=march.starts_at + timedelta(days=7),
        ends_at=march.ends_at + timedelta(days=7),
    )
    db.session.commit()
    second = client.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["ETag"] != etag
    assert "20270316T140000" in second.get_data(as_text=True)


def test_polling_an_unchanged_feed_costs_few_small_queries(app, client, network):
    url = new_feed(network["mia"], FeedScope.PERSON)
    etag = client.get(url).headers["ETag"]
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 2, selects  # the token, then one aggregate


def test_revoked_and_unknown_feeds_answer_404(client, network):
    feed, token = ops.create_feed(network["mia"], FeedScope.PERSON)
    db.session.commit()
    assert client.get(f"/feeds/{token}.ics").status_code == 200
    ops.revoke_feed(feed)
    db.session.commit()
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    assert client.get("/feeds/not-a-token.ics").status_code == 404


def test_a_closed_body_feed_is_refused_to_outsiders(ctx, network):
    with pytest.raises(ops.FeedError):
        ops.create_feed(network["outsider"], FeedScope.BODY, network["ag"].id)


def test_public_feed_holds_only_public_bodies(client, network):
    url = new_feed(network["outsider"], FeedScope.PUBLIC)
    uids = {
        e.uid.value for e in vobject.readOne(client.get(url).get_data(as_text=True)).vevent_list
    }
    assert uids == {network["assembly"].uid}


def test_person_feed_follows_membership(client, network, make_body, make_meeting):
    url = new_feed(network["mia"], FeedScope.PERSON)
    text = client.get(url).get_data(as_text=True)
    assert network["march"].uid in text and network["assembly"].uid not in text


def test_feed_window_drops_meetings_older_than_a_year(client, network, make_meeting):
    old = make_meeting([network["ag"]], 2024, 1, 9, notify_new=False)
    db.session.commit()
    url = new_feed(network["mia"], FeedScope.BODY, network["ag"].id)
    assert old.uid not in client.get(url).get_data(as_text=True)


def test_feed_tokens_never_reach_the_access_log(caplog):
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('%s - - "%s" %s', "127.0.0.1", "GET /feeds/SECRETTOKEN123.ics HTTP/1.1", "200")
    assert "SECRETTOKEN123" not in caplog.text and "/feeds/<token>" in caplog.text


def test_feeds_page_shows_the_address_once(client, auth, network):
    auth.login("mia@rose.example.org")
    page = client.post(
        "/calendar/feeds", data={"scope": "body", "body_id": network["ag"].id, "organisation_id": 0}
    ).get_data(as_text=True)
    url = re.search(
        r'data-testid="feed-url"[^>]*|value="(http://rosemeet\.test/feeds/[^"]+)"', page
    )
    assert "webcal://rosemeet.test/feeds/" in page
    assert url is not None
    later = client.get("/calendar/feeds").get_data(as_text=True)
    assert "webcal://rosemeet.test/feeds/" not in later and "ROSE: Actiegroep ROSE" in later


def test_feed_form_needs_a_body_for_a_body_feed(client, auth, network):
    auth.login("mia@rose.example.org")
    response = client.post(
        "/calendar/feeds", data={"scope": "body", "body_id": 0, "organisation_id": 0}
    )
    assert response.status_code == 400
    assert "Kies een overlegorgaan." in response.get_data(as_text=True)


def test_api_creates_a_feed(client, network):
    from rosemeet.accounts.operations import create_api_token

    _token, plain = create_api_token(network["mia"], "t")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    response = client.post(
        "/api/v1/feeds", json={"scope": "body", "id": network["ag"].id}, headers=headers
    )
    assert response.status_code == 201
    assert response.json["webcal_url"].startswith("webcal://rosemeet.test/feeds/")
    assert client.get(response.json["url"].replace("http://rosemeet.test", "")).status_code == 200
    response = client.post("/api/v1/feeds", json={"scope": "body", "id": 999999}, headers=headers)
    assert response.status_code == 404
    response = client.post("/api/v1/feeds", json={"scope": "nonsense"}, headers=headers)
    assert response.status_code == 400


def test_one_meeting_downloads_as_ics(client, auth, network):
    auth.login("mia@rose.example.org")
    response = client.get(f"/meetings/{network['march'].id}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert vobject.readOne(response.get_data(as_text=True)).method.value == "PUBLISH"
    auth.logout()
    auth.login(network["outsider"].email)
    assert client.get(f"/meetings/{network['march'].id}.ics").status_code == 404


# --- what the owner may see decides the version stamp (security issue #16, finding 5) ------


def uids_of(response) -> set[str]:
    calendar = vobject.readOne(response.get_data(as_text=True))
    return {e.uid.value for e in calendar.contents.get("vevent", [])}


def close_body(body) -> None:
    from rosemeet.network import operations as network

    network.save_body(
        body, name=body.name, code=body.code, kind=body.kind, is_public=False, mailbox=body.mailbox
    )
    db.session.commit()


def test_public_feed_drops_a_body_that_became_closed(client, network, make_body, make_meeting):
    lde = make_body("LDE-fabriek", code="LDE", is_public=True)
    factory = make_meeting([lde], 2027, 4, 20)
    db.session.commit()
    url = new_feed(network["outsider"], FeedScope.PUBLIC)
    first = client.get(url)
    assert first.status_code == 200 and factory.uid in uids_of(first)
    close_body(lde)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert uids_of(again) == {network["assembly"].uid}


def test_organisation_feed_drops_a_body_that_became_closed(
    client, network, make_organisation, make_person, make_body, make_meeting
):
    w13 = make_organisation("Intercommunale W13", abbreviation="W13")
    network["outsider"].organisation = w13
    colleague = make_person("Cas Collega", organisation=w13)
    lde = make_body("LDE-fabriek", code="LDE", is_public=True, members={colleague: Role.MEMBER})
    factory = make_meeting([lde], 2027, 4, 20)
    db.session.commit()
    url = new_feed(network["outsider"], FeedScope.ORGANISATION, w13.id)
    first = client.get(url)
    assert first.status_code == 200 and factory.uid in uids_of(first)
    close_body(lde)
    by_etag = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 200 and factory.uid not in uids_of(by_etag)
    by_date = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 200 and factory.uid not in uids_of(by_date)


def test_person_feed_drops_meetings_after_the_membership_ends(client, network):
    from rosemeet.core.time import local_today
    from rosemeet.network import operations as network_ops

    url = new_feed(network["mia"], FeedScope.PERSON)
    first = client.get(url)
    assert network["march"].uid in uids_of(first)
    seat = network["mia"].memberships[0]
    network_ops.save_membership(
        seat, body=seat.body, person=seat.person, role=seat.role, until=local_today()
    )
    db.session.commit()
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and network["march"].uid not in uids_of(again)


def test_person_feed_follows_a_change_of_role(client, network, make_meeting):
    from rosemeet.network import operations as network_ops

    bureau = make_meeting(
        [network["ag"]], 2027, 4, 6, invite_roles=[Role.CHAIR, Role.SECRETARY], notify_new=False
    )
    db.session.commit()
    url = new_feed(network["mia"], FeedScope.PERSON)
    first = client.get(url)
    assert bureau.uid not in uids_of(first)
    seat = network["mia"].memberships[0]
    network_ops.save_membership(seat, body=seat.body, person=seat.person, role=Role.SECRETARY)
    db.session.commit()
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and bureau.uid in uids_of(again)


def test_a_feed_stops_when_its_owner_is_deactivated(client, network):
    url = new_feed(network["mia"], FeedScope.PERSON)
    etag = client.get(url).headers["ETag"]
    network["mia"].is_active_account = False
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_guest_invitation_shows_in_the_person_feed(client, network, make_meeting):
    url = new_feed(network["outsider"], FeedScope.PERSON)
    first = client.get(url)
    assert network["march"].uid not in uids_of(first)
    meetings.update_meeting(network["march"], guests=[network["outsider"]])
    db.session.commit()
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and network["march"].uid in uids_of(again)


def test_a_warm_poll_writes_nothing_and_the_last_use_is_kept_to_the_hour(
    app, client, network, time_machine
):
    time_machine.move_to(utcnow(), tick=False)
    url = new_feed(network["mia"], FeedScope.PERSON)
    assert client.get(url).status_code == 200  # the first use is recorded
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200  # a calendar that ignores the ETag
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")], statements
    time_machine.shift(timedelta(hours=2))
    assert client.get(url).status_code == 200
    feed = db.session.scalar(select(FeedToken))
    db.session.refresh(feed)
    assert utcnow() - feed.last_used_at.replace(tzinfo=UTC) < timedelta(minutes=1)
