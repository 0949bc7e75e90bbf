"""API tests: items, the full agenda with sections, PATCH with a version (409 when stale)."""

from __future__ import annotations

import pytest

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries
from rosemeet.extensions import db


@pytest.fixture
def meeting(rose, make_meeting):
    return make_meeting(rose.ag)


def bearer(person) -> dict:
    token = accounts.create_api_token(person, "test")[1]
    return {"Authorization": f"Bearer {token}"}


def test_create_list_patch_and_stale_version(client, rose, meeting, make_action):
    action = make_action("Mobiliteit")
    headers = bearer(rose.secretary)
    db.session.commit()
    created = client.post(
        f"/api/v1/meetings/{meeting.id}/agenda-items",
        json={
            "title": "Fietsproject",
            "kind": "decision",
            "planned_minutes": 20,
            "links": ["https://fiets.example.org"],
            "action_ids": [action.id],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    item = created.json
    assert item["position"] == 4 and item["action_ids"] == [action.id]
    listed = client.get(f"/api/v1/meetings/{meeting.id}/agenda-items", headers=headers).json
    assert [i["title"] for i in listed["items"]][-1] == "Fietsproject"
    ok = client.patch(
        f"/api/v1/agenda-items/{item['id']}",
        json={"version": item["version"], "minutes": "Goedgekeurd."},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json["version"] == item["version"] + 1
    stale = client.patch(
        f"/api/v1/agenda-items/{item['id']}",
        json={"version": item["version"], "title": "Anders"},
        headers=headers,
    )
    assert stale.status_code == 409 and stale.json["error"]["code"] == "conflict"


def test_members_get_the_published_agenda_with_sections_and_may_not_write(client, rose, meeting):
    ops.publish_agenda(meeting)

    def provider(m):
        return [{"kind": "test", "title": "Opvolgpunten", "items": []}]

    queries.register_agenda_section(provider)
    headers = bearer(rose.member)
    db.session.commit()
    try:
        agenda = client.get(f"/api/v1/meetings/{meeting.id}/agenda", headers=headers).json
    finally:
        queries._SECTIONS.remove(provider)
    assert agenda["status"] == "published" and len(agenda["items"]) == 3
    assert {"kind": "test", "title": "Opvolgpunten", "items": []} in agenda["sections"]
    refused = client.post(
        f"/api/v1/meetings/{meeting.id}/agenda-items", json={"title": "x"}, headers=headers
    )
    assert refused.status_code == 403


def test_a_draft_agenda_is_hidden_from_members(client, rose, meeting):
    ops.ensure_agenda(meeting)
    headers = bearer(rose.member)
    db.session.commit()
    assert client.get(f"/api/v1/meetings/{meeting.id}/agenda", headers=headers).status_code == 403


def test_draft_minutes_stay_out_of_the_api_for_visitors_of_a_public_body(
    client, rose, make_meeting
):
    rose.av.is_public = True
    meeting = make_meeting(rose.av)
    ops.publish_agenda(meeting)
    item = queries.meeting_items(meeting)[0]
    ops.save_minutes(item, "Vertrouwelijk ontwerp", version=item.version, by=rose.av_secretary)
    db.session.commit()
    items = client.get(f"/api/v1/meetings/{meeting.id}/agenda-items").json["items"]
    assert items and all(i["minutes"] is None for i in items)
    agenda = client.get(f"/api/v1/meetings/{meeting.id}/agenda").json
    assert "Vertrouwelijk ontwerp" not in str(agenda)
    own = client.get(f"/api/v1/meetings/{meeting.id}/agenda", headers=bearer(rose.av_secretary))
    assert "Vertrouwelijk ontwerp" in str(own.json)
