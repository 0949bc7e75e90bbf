"""The agenda and the minutes through the API: publishing, reading and changing the minutes per
item with a version (a stale one saves nothing), sharing them for comments and approving them,
with the pages' permission rules."""

from __future__ import annotations

import pytest

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import Agenda
from rosemeet.extensions import db
from rosemeet.network.models import BodyKind, Role
from tests.conftest import brussels, plain_meeting

DRAFT = "Ontwerp: vertrouwelijk"


@pytest.fixture
def world(ctx, make_person, make_body):
    """A body with a secretary and a member, two meetings, the first with two items and
    draft minutes on the first item."""
    secretary = make_person("Sara Secretaris")
    member = make_person("Mia Lid")
    outsider = make_person("Olga Buiten")
    body = make_body(
        "Actiegroep",
        code="AG",
        kind=BodyKind.WORKING_GROUP,
        members={secretary: Role.SECRETARY, member: Role.MEMBER},
    )
    meeting = plain_meeting(body)
    later = plain_meeting(body, starts_at=brussels(2027, 4, 13))
    first = agendas.add_item(meeting, title="Begroting")
    second = agendas.add_item(meeting, title="Planning")
    agendas.save_minutes(first, DRAFT, version=first.version, by=secretary)
    tokens = {
        name: {"Authorization": f"Bearer {accounts.create_api_token(person, 't')[1]}"}
        for name, person in (("secretary", secretary), ("member", member), ("outsider", outsider))
    }
    db.session.commit()
    return {
        "meeting": meeting.id,
        "later": later.id,
        "first": first.id,
        "second": second.id,
        "tokens": tokens,
    }


def _minutes(client, world, who="secretary"):
    return client.get(f"/api/v1/meetings/{world['meeting']}/minutes", headers=world["tokens"][who])


def _versions(answer) -> dict[int, int]:
    return {item["agenda_item_id"]: item["version"] for item in answer.json["items"]}


def test_publishing_shows_the_agenda_to_members(client, world):
    tokens, path = world["tokens"], f"/api/v1/meetings/{world['meeting']}/agenda"
    assert client.get(path, headers=tokens["member"]).status_code == 403
    assert client.post(f"{path}/publish", headers=tokens["member"]).status_code == 403
    answer = client.post(f"{path}/publish", headers=tokens["secretary"])
    assert answer.status_code == 200
    assert answer.json["status"] == "published" and answer.json["published_at"]
    agenda = client.get(path, headers=tokens["member"])
    assert [i["title"] for i in agenda.json["items"]][-2:] == ["Begroting", "Planning"]
    assert all(i["minutes"] is None for i in agenda.json["items"])


def test_the_secretary_reads_draft_minutes(client, world):
    answer = _minutes(client, world)
    assert answer.status_code == 200
    assert answer.json["state"] == "draft"
    by_id = {item["agenda_item_id"]: item for item in answer.json["items"]}
    assert by_id[world["first"]]["title"] == "Begroting"
    assert by_id[world["first"]]["text"] == DRAFT
    assert by_id[world["second"]]["text"] == ""
    assert set(by_id[world["first"]]) == {"agenda_item_id", "title", "text", "version"}


def test_nobody_else_reads_draft_minutes(client, world):
    client.post(
        f"/api/v1/meetings/{world['meeting']}/agenda/publish", headers=world["tokens"]["secretary"]
    )
    member = _minutes(client, world, "member")
    assert member.status_code == 403 and DRAFT not in member.get_data(as_text=True)
    assert _minutes(client, world, "outsider").status_code == 404
    anonymous = client.get(f"/api/v1/meetings/{world['meeting']}/minutes")
    assert anonymous.status_code == 404


def _put(client, world, *changes, meeting="meeting"):
    """PUT the minutes of ``world[meeting]`` as the secretary: ``(item_id, text, version)``."""
    items = [{"agenda_item_id": i, "text": text, "version": v} for i, text, v in changes]
    return client.put(
        f"/api/v1/meetings/{world[meeting]}/minutes",
        json={"items": items},
        headers=world["tokens"]["secretary"],
    )


def test_a_put_saves_any_subset_of_items(client, world):
    versions = _versions(_minutes(client, world))
    second = world["second"]
    answer = _put(client, world, (second, "Goedgekeurd.", versions[second]))
    assert answer.status_code == 200
    by_id = {item["agenda_item_id"]: item for item in answer.json["items"]}
    assert by_id[second]["text"] == "Goedgekeurd."
    assert by_id[second]["version"] > versions[second]
    assert by_id[world["first"]]["text"] == DRAFT
    assert by_id[world["first"]]["version"] == versions[world["first"]]
    assert _versions(_minutes(client, world)) == _versions(answer)


def test_a_stale_version_saves_none_and_names_the_item(client, world):
    versions = _versions(_minutes(client, world))
    first, second = world["first"], world["second"]
    answer = _put(
        client, world, (second, "Nieuw.", versions[second]), (first, "Oud.", versions[first] - 1)
    )
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "conflict"
    assert set(answer.json["error"]["fields"]) == {f"items.{first}"}
    after = _minutes(client, world)
    assert _versions(after) == versions
    assert {i["agenda_item_id"]: i["text"] for i in after.json["items"]}[second] == ""


def test_a_put_names_only_items_of_the_meeting_once(client, world):
    versions = _versions(_minutes(client, world))
    change = (world["first"], "x", versions[world["first"]])
    twice = _put(client, world, change, change)
    assert twice.status_code == 400 and "items" in twice.json["error"]["fields"]
    assert _put(client, world, change, meeting="later").status_code == 400
    assert _versions(_minutes(client, world)) == versions


def test_writes_need_a_token_and_the_right_role(client, world):
    meeting = world["meeting"]
    body = {"items": []}
    for method, path, json in [
        ("PUT", f"/api/v1/meetings/{meeting}/minutes", body),
        ("POST", f"/api/v1/meetings/{meeting}/minutes/share", None),
        ("POST", f"/api/v1/meetings/{meeting}/minutes/approve", {"in_meeting_id": world["later"]}),
        ("POST", f"/api/v1/meetings/{meeting}/agenda/publish", None),
    ]:
        assert client.open(path, method=method, json=json).status_code == 401, path
        member = client.open(path, method=method, json=json, headers=world["tokens"]["member"])
        assert member.status_code == 403, path
        outsider = client.open(path, method=method, json=json, headers=world["tokens"]["outsider"])
        assert outsider.status_code == 404, path
        unknown = path.replace(f"/{meeting}/", "/999999/")
        secretary = world["tokens"]["secretary"]
        assert client.open(unknown, method=method, json=json, headers=secretary).status_code == 404
    assert _minutes(client, world).json["state"] == "draft"


def test_shared_then_approved_minutes(client, world):
    meeting, secretary = world["meeting"], world["tokens"]["secretary"]
    approve = f"/api/v1/meetings/{meeting}/minutes/approve"
    early = client.post(approve, json={"in_meeting_id": world["later"]}, headers=secretary)
    assert early.status_code == 400 and _minutes(client, world).json["state"] == "draft"

    shared = client.post(f"/api/v1/meetings/{meeting}/minutes/share", headers=secretary)
    assert shared.status_code == 200 and shared.json["state"] == "for_comment"
    member = _minutes(client, world, "member")
    assert member.status_code == 200 and member.json["state"] == "for_comment"
    again = client.post(f"/api/v1/meetings/{meeting}/minutes/share", headers=secretary)
    assert again.status_code == 400

    itself = client.post(approve, json={"in_meeting_id": meeting}, headers=secretary)
    assert itself.status_code == 400 and "in_meeting_id" in itself.json["error"]["fields"]
    approved = client.post(approve, json={"in_meeting_id": world["later"]}, headers=secretary)
    assert approved.status_code == 200 and approved.json["state"] == "approved"
    assert _minutes(client, world, "member").json["state"] == "approved"
    late = _put(client, world, (world["first"], "x", _versions(approved)[world["first"]]))
    assert late.status_code == 403
    assert {i["agenda_item_id"]: i["text"] for i in _minutes(client, world).json["items"]}[
        world["first"]
    ] == DRAFT


def test_approval_without_a_body_happens_at_the_next_meeting(client, world):
    meeting, secretary = world["meeting"], world["tokens"]["secretary"]
    client.post(f"/api/v1/meetings/{meeting}/minutes/share", headers=secretary)
    approved = client.post(f"/api/v1/meetings/{meeting}/minutes/approve", headers=secretary)
    assert approved.status_code == 200 and approved.json["state"] == "approved"
    db.session.expire_all()
    assert db.session.get(Agenda, meeting).approved_in_meeting_id == world["later"]
    # the last meeting of the body has no next one to approve its minutes in
    last = f"/api/v1/meetings/{world['later']}/minutes/approve"
    client.post(f"/api/v1/meetings/{world['later']}/minutes/share", headers=secretary)
    refused = client.post(last, headers=secretary)
    assert refused.status_code == 400 and "in_meeting_id" in refused.json["error"]["fields"]
