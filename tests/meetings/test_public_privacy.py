"""A public body's meeting: visitors see when and where, not who is invited or what they
answered; members (and API callers with a token) see the attendance."""

from __future__ import annotations

from rosemeet.accounts import operations as accounts
from rosemeet.extensions import db
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import Response
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD, plain_meeting


def _public_meeting(make_person, make_body):
    member = make_person("Greet Geheim", email="greet@rose.example.org", password=PASSWORD)
    body = make_body(
        "Algemene vergadering ROSE",
        code="AV",
        kind=BodyKind.GENERAL_ASSEMBLY,
        is_public=True,
        members={member: Role.MEMBER},
    )
    meeting = plain_meeting(body)
    meetings.respond(meeting, member, Response.DECLINED)
    db.session.commit()
    return meeting, member


def test_a_visitor_sees_no_names_or_answers(ctx, client, make_person, make_body):
    meeting, _member = _public_meeting(make_person, make_body)
    page = client.get(f"/meetings/{meeting.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Greet Geheim" not in text
    assert 'data-testid="attendance-private"' in text
    api = client.get(f"/api/v1/meetings/{meeting.id}")
    assert api.status_code == 200 and api.json["attendance"] == []


def test_a_member_sees_the_attendance(ctx, client, auth, make_person, make_body):
    meeting, member = _public_meeting(make_person, make_body)
    auth.login(member.email)
    assert "Greet Geheim" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    _row, secret = accounts.create_api_token(member, "script")
    db.session.commit()
    api = client.get(
        f"/api/v1/meetings/{meeting.id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert [a["person"]["name"] for a in api.json["attendance"]] == ["Greet Geheim"]
