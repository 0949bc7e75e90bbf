"""An ad-hoc group past its planned end: flagged where it is shown, and planning after the end
asks for confirmation (operations, pages and API)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from rosemeet.accounts import operations as accounts
from rosemeet.core.time import to_local
from rosemeet.extensions import db
from rosemeet.meetings import operations as ops
from rosemeet.meetings.models import Meeting, MeetingSeries, MeetingStatus
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD, brussels
from tests.meetings.conftest import TODAY


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def rase(ctx, admin, make_person, make_body):
    """RASE, an ad-hoc group that should have ended on 31/12/2020; Rita is its secretary."""
    member = make_person("Mia Lid", password=PASSWORD)
    return make_body(
        "Werkgroep RASE",
        code="RASE",
        kind=BodyKind.ADHOC,
        starts_on=date(2019, 1, 1),
        ends_on=date(2020, 12, 31),
        members={admin: Role.SECRETARY, member: Role.MEMBER},
        default_location="W13, Kortrijk",
    )


# --- operations ---------------------------------------------------------------------------------


def test_a_meeting_after_the_planned_end_needs_confirmation(rase, make_meeting):
    with pytest.raises(ops.AfterEnd) as refused:
        make_meeting(rase, starts_at=brussels(2027, 3, 9))
    assert refused.value.code == "after_end" and refused.value.field == "after_end"
    assert refused.value.bodies == [rase]
    assert "31 december 2020" in refused.value.message
    assert "verleng" in refused.value.message  # suggests extending the end date
    assert count(Meeting) == 0

    meeting = make_meeting(rase, starts_at=brussels(2027, 3, 9), after_end=True)
    assert meeting.bodies == [rase]


def test_a_meeting_on_the_planned_end_day_needs_none(make_body, make_meeting):
    group = make_body(kind=BodyKind.ADHOC, ends_on=date(2027, 3, 9))
    assert make_meeting(group, starts_at=brussels(2027, 3, 9)).id


def test_moving_a_meeting_past_the_end_needs_confirmation(make_body, make_meeting):
    group = make_body(kind=BodyKind.ADHOC, ends_on=date(2027, 3, 31))
    meeting = make_meeting(group, starts_at=brussels(2027, 3, 9))
    with pytest.raises(ops.AfterEnd):
        ops.update_meeting(
            meeting, starts_at=brussels(2027, 4, 6), ends_at=brussels(2027, 4, 6, 16)
        )
    assert to_local(meeting.starts_at).date() == date(2027, 3, 9)
    ops.update_meeting(
        meeting, starts_at=brussels(2027, 4, 6), ends_at=brussels(2027, 4, 6, 16), after_end=True
    )
    assert to_local(meeting.starts_at).date() == date(2027, 4, 6)


def test_a_series_after_the_planned_end_needs_confirmation_and_then_runs(rase, make_series):
    with pytest.raises(ops.AfterEnd):
        make_series(rase, rrule="FREQ=MONTHLY;BYDAY=1MO;UNTIL=20271231", first_date=TODAY)
    assert count(MeetingSeries) == 0 and count(Meeting) == 0

    settings = ops.SeriesSettings(
        rrule="FREQ=MONTHLY;BYDAY=1MO;UNTIL=20271231",
        first_date=TODAY,
        start_time=time(14, 0),
        duration_minutes=120,
    )
    series, meetings = ops.create_series([rase], settings, today=TODAY, after_end=True)
    assert len(meetings) == 13  # December 2026 to December 2027
    # the daily extension keeps them: the confirmation holds for the series
    ops.extend_all_series(TODAY + timedelta(days=1))
    assert all(m.status is MeetingStatus.SCHEDULED for m in series.meetings)


def test_a_series_that_crosses_the_end_stops_there_without_asking(make_body, make_series):
    group = make_body(kind=BodyKind.ADHOC, ends_on=date(2027, 3, 31))
    _series, meetings = make_series(group, rrule="FREQ=MONTHLY;BYDAY=1MO", first_date=TODAY)
    assert to_local(meetings[-1].starts_at).date() == date(2027, 3, 1)


# --- the flag -------------------------------------------------------------------------------------


def test_the_group_is_flagged_on_its_page_its_list_and_its_meetings(ctx, client, auth, admin, rase):
    meeting = ops.create_meeting(
        [rase],
        starts_at=brussels(2027, 3, 9),
        ends_at=brussels(2027, 3, 9, 16),
        after_end=True,
    )
    db.session.commit()
    auth.login(admin.email)
    flag = "Gepland einde 31 dec 2020 voorbij"
    assert flag in client.get(f"/bodies/{rase.id}").get_data(as_text=True)
    assert flag in client.get("/bodies").get_data(as_text=True)
    assert flag in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert flag in client.get(f"/bodies/{rase.id}/series/new").get_data(as_text=True)
    assert flag in client.get(f"/meetings/new?body={rase.id}").get_data(as_text=True)


def test_a_group_within_its_end_is_not_flagged(ctx, client, auth, admin, make_body):
    group = make_body(kind=BodyKind.ADHOC, ends_on=date(2027, 6, 30))
    db.session.commit()
    auth.login(admin.email)
    assert "Gepland einde" not in client.get(f"/bodies/{group.id}").get_data(as_text=True)


# --- pages ----------------------------------------------------------------------------------------

MEETING_FORM = {
    "title": "Slotvergadering",
    "day": "2027-03-09",
    "start_time": "14:00",
    "end_time": "16:00",
    "location": "Stadhuis Kortrijk",
    "invite_roles": ["chair", "secretary", "member", "observer"],
}


def test_the_meeting_form_asks_for_confirmation_and_keeps_the_input(ctx, client, auth, admin, rase):
    db.session.commit()
    auth.login(admin.email)
    data = {**MEETING_FORM, "body_ids": [str(rase.id)]}
    response = client.post("/meetings/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Toch plannen na het geplande einde" in html
    assert 'name="after_end"' in html
    assert "valt na het geplande einde van Werkgroep RASE" in html
    assert f'href="/bodies/{rase.id}/edit"' in html  # extend the end date instead
    assert 'value="Slotvergadering"' in html and 'value="Stadhuis Kortrijk"' in html
    assert 'value="2027-03-09"' in html
    assert count(Meeting) == 0

    confirmed = client.post("/meetings/new", data={**data, "after_end": "y"})
    assert confirmed.status_code == 302
    assert db.session.scalar(select(Meeting.title)) == "Slotvergadering"


def test_the_series_form_asks_for_confirmation(ctx, client, auth, admin, rase):
    db.session.commit()
    auth.login(admin.email)
    data = {
        "starts_on": "2027-01-01",
        "start_time": "14:00",
        "duration_minutes": "120",
        "timezone": "Europe/Brussels",
        "preset": "monthly",
        "interval": "1",
        "week": "1",
        "weekday": "0",
        "end": "until",
        "until": "2027-06-30",
        "location": "Stadhuis Kortrijk",
        "invite_roles": ["chair", "secretary", "member", "observer"],
    }
    response = client.post(f"/bodies/{rase.id}/series/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Toch plannen na het geplande einde" in html and 'value="Stadhuis Kortrijk"' in html
    assert count(MeetingSeries) == 0
    confirmed = client.post(f"/bodies/{rase.id}/series/new", data={**data, "after_end": "y"})
    assert confirmed.status_code == 302
    assert count(Meeting) == 6


# --- API ------------------------------------------------------------------------------------------


@pytest.fixture
def api(ctx, client, admin, rase):
    _t, token = accounts.create_api_token(admin, "test")
    db.session.commit()

    def call(method, url, **kwargs):
        return client.open(
            url, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )

    return call


def test_the_api_needs_after_end_for_a_meeting(api, rase):
    body = {
        "body_ids": [rase.id],
        "starts_at": "2027-03-09T14:00:00+01:00",
        "ends_at": "2027-03-09T16:00:00+01:00",
    }
    refused = api("POST", "/api/v1/meetings", json=body)
    assert refused.status_code == 400
    error = refused.get_json()["error"]
    assert error["code"] == "after_end" and "after_end" in error["fields"]
    assert '"after_end": true' in error["message"] and "verleng" in error["message"]
    assert count(Meeting) == 0
    created = api("POST", "/api/v1/meetings", json={**body, "after_end": True})
    assert created.status_code == 201
    assert "after_end" not in created.get_json()


def test_the_api_needs_after_end_for_a_series(api, rase):
    body = {
        "rrule": "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20270630",
        "starts_on": "2027-01-01",
        "start_time": "14:00",
        "duration_minutes": 120,
    }
    refused = api("POST", f"/api/v1/bodies/{rase.id}/series", json=body)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "after_end"
    assert count(MeetingSeries) == 0
    created = api("POST", f"/api/v1/bodies/{rase.id}/series", json={**body, "after_end": True})
    assert created.status_code == 201
    assert len(created.get_json()["meetings"]) == 6
    wrong = api("POST", f"/api/v1/bodies/{rase.id}/series", json={**body, "after_end": "ja"})
    assert wrong.status_code == 400 and "after_end" in wrong.get_json()["error"]["fields"]
