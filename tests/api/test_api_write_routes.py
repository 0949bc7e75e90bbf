"""Every API route that writes checks who calls it, whatever the body holds.

A body without an editable field (``{}``, ``{"version": 0}``) must never be a way around
the permission checks, and an answer never shows what the caller may not read (draft minutes
of a public body's published agenda are the case the security probe found)."""

from __future__ import annotations

import re

import pytest

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.documents import operations as documents
from rosemeet.documents.models import TargetKind
from rosemeet.documents.queries import Target
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.network.models import BodyKind, Role
from rosemeet.plan.importer import HeadingKind
from rosemeet.plan.models import PlanAction, PlanHeading
from tests.conftest import plain_meeting
from tests.plan.conftest import plan_period

SECRET = "Ontwerpverslag: vertrouwelijk bedrag 48.000 euro"
WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
#: routes any logged-in person may use on their own behalf (their own feed, their answer)
OWN_BEHALF = {"api.create_feed", "api.attendance"}


@pytest.fixture
def world(ctx, make_person, make_body):
    """A public body with a published agenda whose item has draft minutes."""
    secretary = make_person("Sara Secretaris")
    observer = make_person("Wim Waarnemer")
    outsider = make_person("Olga Buiten")
    body = make_body(
        "AV",
        code="AV",
        kind=BodyKind.GENERAL_ASSEMBLY,
        is_public=True,
        members={secretary: Role.SECRETARY, observer: Role.OBSERVER},
    )
    meeting = plain_meeting(body)
    item = agendas.add_item(meeting, title="Begroting")
    agendas.publish_agenda(meeting)
    agendas.save_minutes(item, SECRET, version=item.version, by=secretary)
    follow_up = followups.create_follow_up(item, title="Offerte vragen", by=secretary)
    decision = followups.record_decision(item, "Goedgekeurd", by=secretary)
    document = documents.attach_link(
        Target(TargetKind.AGENDA_ITEM, item),
        url="https://example.org/nota",
        title="Nota",
        by=secretary,
    )
    heading = PlanHeading(
        plan=plan_period(),
        key="h-walk",
        kind=HeadingKind.OBJECTIVE,
        number="1.1",
        title="Doel",
        level=2,
        position=1,
    )
    action = PlanAction(plan=heading.plan, key="a-walk", heading=heading, title="Actie", position=1)
    db.session.add_all([heading, action])
    db.session.flush()
    tokens = {
        "observer": accounts.create_api_token(observer, "t")[1],
        "outsider": accounts.create_api_token(outsider, "t")[1],
    }
    db.session.commit()
    ids = {
        "meeting_id": meeting.id,
        "item_id": item.id,
        "follow_up_id": follow_up.id,
        "body_id": body.id,
        "action_id": action.id,
        "decision_id": decision.id,
        "document_id": document.id,
    }
    return ids, tokens


def write_routes(app) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        for method in sorted((rule.methods or set()) & WRITE_METHODS):
            routes.append((rule.endpoint, method, rule.rule))
    return routes


def test_the_walk_covers_the_api(app):
    endpoints = {endpoint for endpoint, _m, _r in write_routes(app)}
    assert {"api.update_agenda_item", "api.update_follow_up", "api.patch_action"} <= endpoints


@pytest.mark.parametrize("caller", ["anonymous", "observer", "outsider"])
@pytest.mark.parametrize("body", [{}, {"version": 0}], ids=["empty", "version-only"])
def test_no_write_route_answers_without_permission(app, client, world, caller, body):
    ids, tokens = world
    headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller in tokens else {}
    for endpoint, method, rule in write_routes(app):
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)
        response = client.open(path, method=method, json=body, headers=headers)
        where = f"{method} {path} as {caller}"
        assert response.status_code < 500, where
        assert SECRET not in response.get_data(as_text=True), where
        if caller == "anonymous":
            assert response.status_code in (401, 404), where
        elif endpoint not in OWN_BEHALF:
            assert response.status_code in (400, 403, 404), where


def test_version_only_patch_shows_no_draft_minutes_to_a_reader(client, world):
    """The probe's exact request: anonymous, on a public body's published agenda."""
    ids, _tokens = world
    response = client.patch(f"/api/v1/agenda-items/{ids['item_id']}", json={"version": 0})
    assert response.status_code == 401
    item = client.get(f"/api/v1/meetings/{ids['meeting_id']}/agenda-items").json["items"][-1]
    assert item["title"] == "Begroting" and item["minutes"] is None
