"""The meetings API: series, listing with local offsets, move, cancel, one-off, attendance."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rosemeet.accounts import operations as accounts
from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Role
from tests.conftest import brussels


@pytest.fixture
def api(ctx, client, admin, make_person, make_body):
    """Tokens for the regisseur (admin) and a member of the Actiegroep; the bodies."""
    mia = make_person("Mia Lid")
    ag = make_body(
        "Actiegroep ROSE",
        code="AG",
        members={admin: Role.SECRETARY, mia: Role.MEMBER},
        default_location="W13, Kortrijk",
    )
    roa = make_body("ROA", code="ROA", members={mia: Role.MEMBER})
    _t, admin_token = accounts.create_api_token(admin, "test")
    _t, mia_token = accounts.create_api_token(mia, "test")
    db.session.commit()

    def call(method, url, token=admin_token, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(url, method=method, headers=headers, **kwargs)

    call.ag, call.roa, call.mia, call.mia_token = ag, roa, mia, mia_token
    return call


ISSUE_EXAMPLE = {
    "rrule": "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU",
    "starts_on": "2027-01-01",
    "start_time": "14:00",
    "duration_minutes": 120,
    "timezone": "Europe/Brussels",
    "location": "W13, Doorniksesteenweg 216, Kortrijk",
    "online_url": "https://meet.example.org/ag",
}


def test_create_a_series_as_in_the_issue(api):
    response = api("POST", f"/api/v1/bodies/{api.ag.id}/series", json=ISSUE_EXAMPLE)
    assert response.status_code == 201, response.json
    data = response.json
    assert data["rrule"] == "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU"
    first, _second, third = data["meetings"][:3]
    assert first["starts_at"] == "2027-01-12T14:00:00+01:00"
    assert third["starts_at"] == "2027-05-11T14:00:00+02:00"
    assert third["ends_at"] == "2027-05-11T16:00:00+02:00"
    assert first["body_ids"] == [api.ag.id] and first["series_id"] == data["id"]
    assert first["uid"].endswith("@rosemeet") and first["status"] == "scheduled"
    assert first["online_url"] == "https://meet.example.org/ag"
    assert len(data["meetings"]) == 9  # up to the horizon, 26 May 2028


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rrule": "FREQ=MONTHLY;BYDAY=9XX"}, "rrule"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31"}, "rrule"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "start_time": "02:30"}, "start_time"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "start_time": "02:15"}, "start_time"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=MO,WE"}, "rrule"),
        ({"rrule": "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20261201"}, "until"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"starts_on": "2027-02-30"}, "starts_on"),
    ],
)
def test_bad_series_answers_400_and_creates_nothing(api, change, field):
    response = api("POST", f"/api/v1/bodies/{api.ag.id}/series", json={**ISSUE_EXAMPLE, **change})
    assert response.status_code == 400, response.json
    assert field in response.json["error"]["fields"]
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_series_permissions_and_archived_body(api):
    url = f"/api/v1/bodies/{api.ag.id}/series"
    assert api("POST", url, token=None, json=ISSUE_EXAMPLE).status_code == 401
    assert api("POST", url, token=api.mia_token, json=ISSUE_EXAMPLE).status_code == 403
    api.ag.archived_at = brussels(2026, 11, 1)
    db.session.commit()
    response = api("POST", url, json=ISSUE_EXAMPLE)
    assert response.status_code == 400 and "gearchiveerd" in response.json["error"]["message"]


def test_list_move_cancel(api):
    api("POST", f"/api/v1/bodies/{api.ag.id}/series", json=ISSUE_EXAMPLE)
    listing = api("GET", f"/api/v1/meetings?body={api.ag.id}&from=2027-03-01&to=2027-07-31")
    assert listing.status_code == 200
    items = listing.json["items"]
    assert [i["starts_at"][:10] for i in items] == ["2027-03-09", "2027-05-11", "2027-07-13"]
    march, _may, july = items

    moved = api(
        "PATCH",
        f"/api/v1/meetings/{march['id']}",
        json={"starts_at": "2027-03-16T10:00:00+01:00", "location": "VDAB Kortrijk"},
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["starts_at"] == "2027-03-16T10:00:00+01:00"
    assert moved.json["ends_at"] == "2027-03-16T12:00:00+01:00"
    assert moved.json["sequence"] == 1 and moved.json["uid"] == march["uid"]
    assert moved.json["online_url"] == ISSUE_EXAMPLE["online_url"]

    bad = api(
        "PATCH",
        f"/api/v1/meetings/{march['id']}",
        json={"starts_at": "2027-03-16T10:00:00+01:00", "ends_at": "2027-03-16T09:00:00+01:00"},
    )
    assert bad.status_code == 400 and "ends_at" in bad.json["error"]["fields"]
    naive = api("PATCH", f"/api/v1/meetings/{march['id']}", json={"starts_at": "2027-03-16T10:00"})
    assert naive.status_code == 400 and "starts_at" in naive.json["error"]["fields"]

    cancelled = api("POST", f"/api/v1/meetings/{july['id']}/cancel", json={"reason": "Vakantie"})
    assert cancelled.json["status"] == "cancelled" and cancelled.json["cancel_reason"] == "Vakantie"
    again = api("POST", f"/api/v1/meetings/{july['id']}/cancel", json={"reason": "Nog eens"})
    assert again.status_code == 409 and again.json["error"]["code"] == "cancelled"
    move_cancelled = api(
        "PATCH", f"/api/v1/meetings/{july['id']}", json={"starts_at": "2027-07-14T14:00:00+02:00"}
    )
    assert move_cancelled.status_code == 409

    assert api("GET", "/api/v1/meetings?from=2027-13-01").status_code == 400
    assert api("GET", "/api/v1/meetings?from=2027-03-01&to=2027-02-01").status_code == 400


def test_one_off_joint_meeting_and_visibility(api):
    response = api(
        "POST",
        "/api/v1/meetings",
        json={
            "title": "Jaarlijks overleg",
            "body_ids": [api.ag.id, api.roa.id],
            "starts_at": "2027-05-20T14:00:00+02:00",
            "ends_at": "2027-05-20T16:30:00+02:00",
        },
    )
    assert response.status_code == 201, response.json
    meeting = response.json
    assert sorted(meeting["body_ids"]) == sorted([api.ag.id, api.roa.id])
    assert meeting["location"] == "W13, Kortrijk"  # the body's usual place
    for body in (api.ag, api.roa):
        items = api("GET", f"/api/v1/meetings?body={body.id}&from=2027-05-01&to=2027-05-31")
        assert [i["id"] for i in items.json["items"]] == [meeting["id"]]
    # a closed body's meeting is not visible without a token
    assert api("GET", f"/api/v1/meetings/{meeting['id']}", token=None).status_code == 404
    anonymous = api("GET", "/api/v1/meetings?from=2027-05-01&to=2027-05-31", token=None).json
    assert anonymous["items"] == [] and anonymous["total"] == 0
    missing = api("POST", "/api/v1/meetings", json={"body_ids": [api.ag.id]})
    assert missing.status_code == 400 and "starts_at" in missing.json["error"]["fields"]


def test_attendance_by_the_invitee_and_by_the_secretary(api):
    created = api(
        "POST",
        "/api/v1/meetings",
        json={
            "body_ids": [api.ag.id],
            "starts_at": "2027-03-09T14:00:00+01:00",
            "ends_at": "2027-03-09T16:00:00+01:00",
        },
    ).json
    url = f"/api/v1/meetings/{created['id']}/attendance"
    answer = api("POST", url, token=api.mia_token, json={"response": "accepted"})
    assert answer.status_code == 200 and answer.json["response"] == "accepted"
    forbidden = api(
        "POST", url, token=api.mia_token, json={"person_id": api.mia.id, "presence": "present"}
    )
    assert forbidden.status_code == 403
    recorded = api("POST", url, json={"person_id": api.mia.id, "presence": "present"})
    assert recorded.json["presence"] == "present"
    detail = api("GET", f"/api/v1/meetings/{created['id']}").json
    mia = next(a for a in detail["attendance"] if a["person"]["id"] == api.mia.id)
    assert (mia["response"], mia["presence"]) == ("accepted", "present")
    bad = api("POST", url, token=api.mia_token, json={"response": "perhaps"})
    assert bad.status_code == 400


def test_patch_with_odd_json_types_or_a_script_link_is_a_clear_400(api):
    api("POST", f"/api/v1/bodies/{api.ag.id}/series", json=ISSUE_EXAMPLE)
    first = api("GET", f"/api/v1/meetings?body={api.ag.id}").json["items"][0]
    url = f"/api/v1/meetings/{first['id']}"
    listed = api("PATCH", url, json={"title": ["Extra"]})  # a list where one text belongs
    assert listed.status_code == 400 and "title" in listed.json["error"]["fields"]
    refused = api("PATCH", url, json={"online_url": "javascript:alert(1)"})
    assert refused.status_code == 400 and refused.json["error"]["fields"]
    assert api("GET", url).json["online_url"] == ISSUE_EXAMPLE["online_url"]
