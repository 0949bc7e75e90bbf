"""Hostile input never answers 5xx (security finding 6).

The corpus is what the security probe sent: ids beyond what the database holds, dates out of
range, deeply nested JSON, a scalar where a list is expected (and the other way round), text
where a number is expected, a documented field the route did not handle, lone surrogates, a second
organisation whose name differs only in a non-ASCII capital, a body edit without its aliases.
Each gets a clean 400/404/409 (JSON error shape on the API, the form error or a 404 page on
HTML) and leaves no ERROR record in the log (no traceback)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest

from rosemeet.accounts import operations as accounts
from rosemeet.accounts.models import Person
from rosemeet.agendas import operations as agendas
from rosemeet.core.time import local_today
from rosemeet.core.web import MAX_ID
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.recurrence import Preset, PresetParams, SeriesEnd, preset_rrule
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, OrganisationKind, RelationKind, Role
from rosemeet.plan.importer import HeadingKind
from rosemeet.plan.models import PlanAction, PlanHeading
from tests.conftest import BRUSSELS, PASSWORD
from tests.plan.conftest import plan_period

HUGE = "99999999999999999999999"
DEEP = "[" * 5000 + "]" * 5000


@dataclass
class World:
    """Ids and bearer headers of a small seeded network."""

    ids: dict[str, list[int]]
    admin: dict[str, str]
    member: dict[str, str]
    member_email: str

    def first(self, name: str) -> int:
        return self.ids[name][0]


def seed_world() -> World:
    """A network with organisations, bodies, a series, meetings with agendas, decisions,
    follow-ups and plan actions; an admin and a member (secretary of the Actiegroep), each
    with an API token. Call inside an app context; commits (savepoints in tests)."""
    admin = accounts.create_person(
        name="Rita Regisseur", email="regisseur@rose.example.org", is_admin=True
    )
    member = accounts.create_person(name="Sara Secretaris", email="sara@rose.example.org")
    other = accounts.create_person(name="Mo Lid", email="mo@rose.example.org")
    w13 = network.save_organisation(
        None, name="Intercommunale W13", kind=OrganisationKind.PARTNER, aliases=["W13"]
    )
    vzw = network.save_organisation(None, name="Vzw Ommekeer", kind=OrganisationKind.PARTNER)
    av = network.save_body(
        None,
        name="Algemene vergadering",
        code="AV",
        kind=BodyKind.GENERAL_ASSEMBLY,
        is_public=True,
        aliases=["ROSE AV"],
    )
    ag = network.save_body(None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP)
    roa = network.save_body(None, name="Regionaal overleg", code="ROA", kind=BodyKind.COUNCIL)
    for body, role in ((av, Role.MEMBER), (ag, Role.SECRETARY)):
        network.save_membership(None, body=body, person=member, role=role)
    network.save_membership(None, body=ag, person=other, role=Role.MEMBER)
    network.add_relation(ag, av, RelationKind.PREPARES)
    first = local_today() + timedelta(days=30)
    _series, generated = meetings.create_series(
        [ag],
        meetings.SeriesSettings(
            rrule=preset_rrule(
                PresetParams(preset=Preset.MONTHLY, weekday=1, week=2), SeriesEnd.after(3)
            ),
            first_date=first,
            start_time=time(14, 0),
            duration_minutes=120,
            location="W13, Kortrijk",
        ),
        notify_new=False,
    )
    starts = datetime.combine(first + timedelta(days=5), time(14, 0), BRUSSELS)
    one_off = meetings.create_meeting(
        [av, ag],
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        location="Kortrijk",
        notify_new=False,
    )
    heading = PlanHeading(
        plan=plan_period(),
        key="seed-h",
        kind=HeadingKind.OBJECTIVE,
        number="2.1",
        title="Mobiliteit",
        level=2,
        position=1,
    )
    actions = [
        PlanAction(
            plan=heading.plan, key=f"seed-a-{n}", heading=heading, title=f"Actie {n}", position=n
        )
        for n in (1, 2)
    ]
    db.session.add_all([heading, *actions])
    db.session.flush()
    items, decisions, follow_ups = [], [], []
    for meeting in (one_off, generated[0]):
        item = agendas.add_item(meeting, title="Mobiliteit", actions=actions[:1])
        items.append(item)
        items.append(agendas.add_item(meeting, title="Varia"))
        agendas.publish_agenda(meeting)
        decisions.append(followups.record_decision(item, "Goedgekeurd", actions[:1], by=member))
        follow_ups.append(
            followups.create_follow_up(
                item, title="Offerte vragen", by=member, report_to_body=roa, owner_person=other
            )
        )
    admin_token = accounts.create_api_token(admin, "seed")[1]
    member_token = accounts.create_api_token(member, "seed")[1]
    db.session.commit()
    return World(
        ids={
            "body_id": [av.id, ag.id, roa.id],
            "meeting_id": [one_off.id, *(m.id for m in generated[:3])],
            "item_id": [i.id for i in items],
            "follow_up_id": [f.id for f in follow_ups],
            "decision_id": [d.id for d in decisions],
            "action_id": [a.id for a in actions],
            "organisation_id": [w13.id, vzw.id],
            "person_id": [admin.id, member.id, other.id],
        },
        admin={"Authorization": f"Bearer {admin_token}"},
        member={"Authorization": f"Bearer {member_token}"},
        member_email=member.email,
    )


@pytest.fixture
def world(ctx) -> World:
    """The seeded network."""
    return seed_world()


def _login(auth, person_id: int) -> None:
    person = db.session.get(Person, person_id)
    accounts.set_password(person, PASSWORD)  # a password costs time: only where needed
    db.session.commit()
    auth.login(person.email)


@pytest.fixture
def login_member(world, auth):
    """Log the test client in as the member (secretary of the Actiegroep)."""
    _login(auth, world.ids["person_id"][1])


@pytest.fixture
def login_admin(world, auth):
    """Log the test client in as the admin."""
    _login(auth, world.ids["person_id"][0])


@pytest.fixture
def no_errors_logged(caplog):
    """Fail when anything logs at ERROR or above (an unhandled exception does)."""
    caplog.set_level(logging.ERROR)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def _api_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if field is not None:
        assert field in error["fields"], error
    return error


# --- ids --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/meetings/{HUGE}",
        f"/api/v1/meetings/{MAX_ID + 1}",
        f"/api/v1/bodies/{HUGE}",
        f"/api/v1/bodies/{HUGE}/members",
        f"/api/v1/meetings/{HUGE}/agenda",
        f"/api/v1/meetings/{HUGE}/agenda-items",
    ],
)
def test_api_ids_beyond_the_database_are_404(client, world, no_errors_logged, path):
    _api_error(client.get(path), 404)
    _api_error(client.get(path, headers=world.admin), 404)


@pytest.mark.parametrize("ident", [HUGE, str(MAX_ID + 1)])
def test_api_writes_to_ids_beyond_the_database_are_404_not_405(
    client, world, no_errors_logged, ident
):
    for method, path in (
        ("PATCH", f"/api/v1/meetings/{ident}"),
        ("POST", f"/api/v1/meetings/{ident}/cancel"),
        ("PATCH", f"/api/v1/agenda-items/{ident}"),
    ):
        _api_error(client.open(path, method=method, json={}, headers=world.admin), 404)


def test_api_largest_id_is_a_plain_404(client, world, no_errors_logged):
    _api_error(client.get(f"/api/v1/meetings/{MAX_ID}", headers=world.admin), 404)


@pytest.mark.parametrize(
    "path",
    [
        f"/meetings/{HUGE}",
        f"/bodies/{HUGE}",
        f"/meetings/{HUGE}.ics",
        f"/meetings/{HUGE}/agenda",
    ],
)
def test_html_ids_beyond_the_database_are_404(client, world, no_errors_logged, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "text/html" in response.content_type


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/v1/follow-ups", ["body", "owner", "action", "report_to"]),
        ("/api/v1/decisions", ["body", "year"]),
    ],
)
@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1), "abc", "-1"])
def test_api_query_ids_that_are_no_ids(client, world, no_errors_logged, path, names, value):
    for name in names:
        _api_error(client.get(f"{path}?{name}={value}", headers=world.admin), 400, name)


def test_api_meetings_filter_with_huge_body_id(client, world, no_errors_logged):
    _api_error(client.get(f"/api/v1/meetings?body={HUGE}", headers=world.admin), 400, "body")


@pytest.mark.parametrize(
    "path",
    [
        f"/meetings/calendar?month=2027-03&body={HUGE}",
        f"/follow-ups?body={HUGE}&owner={HUGE}&organisation={HUGE}&action={HUGE}",
        f"/follow-ups/referrals?body={HUGE}",
        f"/decisions?body={HUGE}&year={HUGE}",
        f"/plan?body={HUGE}&theme={HUGE}&year={HUGE}",
        f"/meetings/new?body={HUGE}",
    ],
)
def test_html_query_ids_beyond_the_database(client, login_member, world, no_errors_logged, path):
    response = client.get(path)
    assert response.status_code in (200, 403, 404), response.status_code


def test_body_ids_in_json_beyond_the_database(client, world, no_errors_logged):
    body = {
        "body_ids": [int(HUGE)],
        "starts_at": "2027-03-09T14:00:00+01:00",
        "ends_at": "2027-03-09T16:00:00+01:00",
    }
    response = client.post("/api/v1/meetings", json=body, headers=world.admin)
    assert response.status_code in (400, 404)
    assert response.json["error"]["code"]
    item = world.first("item_id")
    for payload in (
        {"text": "Besluit", "action_ids": [int(HUGE)]},
        {"text": "Besluit", "body_id": int(HUGE)},
    ):
        response = client.post(
            f"/api/v1/agenda-items/{item}/decisions", json=payload, headers=world.admin
        )
        _api_error(response, 400)
    response = client.post(
        "/api/v1/feeds", json={"scope": "body", "id": int(HUGE)}, headers=world.member
    )
    assert response.status_code in (400, 404)
    assert response.json["error"]["code"]


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["from=0001-01-01", "to=9999-12-31", "from=9999-12-31", "from=0001-01-01&to=0001-12-31"],
)
def test_api_meeting_list_dates_out_of_range(client, world, no_errors_logged, query):
    _api_error(client.get(f"/api/v1/meetings?{query}"), 400)


@pytest.mark.parametrize(
    "month", ["9999-12", "0001-01", "1000-01", "2027-13", "2027-00", "99999999999999999999-01"]
)
def test_calendar_refuses_impossible_months(client, world, no_errors_logged, month):
    response = client.get(f"/meetings/calendar?month={month}")
    assert response.status_code == 404
    assert "text/html" in response.content_type


def test_calendar_still_shows_a_real_month(client, world, no_errors_logged):
    assert client.get("/meetings/calendar?month=2100-12").status_code == 200
    assert client.get("/meetings/calendar?month=1990-01").status_code == 200
    assert client.get("/meetings/calendar?month=nonsense").status_code == 200


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("9999-12-31T23:00:00+00:00", "9999-12-31T23:30:00+00:00"),
        ("0001-01-01T00:00:00+00:00", "0001-01-01T01:00:00+00:00"),
        ("2027-03-09T14:00:00+01:00", "9999-12-31T23:59:00-23:59"),
    ],
)
def test_api_meeting_times_out_of_range(client, world, no_errors_logged, starts_at, ends_at):
    body = {"body_ids": [world.first("body_id")], "starts_at": starts_at, "ends_at": ends_at}
    _api_error(client.post("/api/v1/meetings", json=body, headers=world.admin), 400)
    meeting = world.first("meeting_id")
    response = client.patch(
        f"/api/v1/meetings/{meeting}",
        json={"starts_at": starts_at, "ends_at": ends_at},
        headers=world.admin,
    )
    error = _api_error(response, 400)
    assert set(error["fields"]) & {"starts_at", "ends_at"}


def test_api_series_and_follow_up_dates_out_of_range(client, world, no_errors_logged):
    body = world.first("body_id")
    series = {
        "rrule": "FREQ=MONTHLY;BYDAY=2TU",
        "starts_on": "9999-12-01",
        "start_time": "14:00",
        "duration_minutes": 120,
    }
    response = client.post(f"/api/v1/bodies/{body}/series", json=series, headers=world.admin)
    _api_error(response, 400, "starts_on")
    item = world.first("item_id")
    response = client.post(
        f"/api/v1/agenda-items/{item}/follow-ups",
        json={"title": "Later", "due_on": "9999-12-31"},
        headers=world.admin,
    )
    _api_error(response, 400, "due_on")


def test_api_body_dates_out_of_range(client, world, no_errors_logged):
    body = {"name": "Werkgroep X", "code": "WGX", "kind": "adhoc", "ends_on": "9999-12-31"}
    _api_error(client.post("/api/v1/bodies", json=body, headers=world.admin), 400, "ends_on")


RANGE_MESSAGE = "tussen de jaren 1990 en 2100"


@pytest.mark.parametrize(
    ("day", "start"), [("9999-12-31", "23:00"), ("0001-01-01", "00:30"), ("1000-06-01", "14:00")]
)
def test_html_meeting_forms_with_far_dates(
    client, login_member, world, no_errors_logged, day, start
):
    """The form comes back with what was typed and says which years it takes."""
    ag = world.ids["body_id"][1]
    meeting = world.ids["meeting_id"][1]  # a meeting of the Actiegroep's series
    times = {"start_time": start, "end_time": "23:45"}
    pages = [
        ("/meetings/new", {"day": day, **times, "body_ids": str(ag), "invite_roles": "member"}),
        (f"/meetings/{meeting}/edit", {"day": day, **times}),
        (
            f"/bodies/{ag}/series/new",
            {
                "starts_on": day,
                "start_time": start,
                "duration_minutes": "60",
                "timezone": "Europe/Brussels",
                "preset": "monthly",
                "week": "1",
                "weekday": "1",
                "end": "never",
                "invite_roles": "member",
            },
        ),
        (
            f"/meetings/{meeting}/following",
            {
                "start_time": start,
                "duration_minutes": "60",
                "timezone": "Europe/Brussels",
                "preset": "monthly",
                "week": "1",
                "weekday": "1",
                "end": "until",
                "until": day,
                "invite_roles": "member",
            },
        ),
    ]
    for path, data in pages:
        response = client.post(path, data=data, headers={"Accept-Language": "nl-BE"})
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 400), path
        assert day in html and RANGE_MESSAGE in html, path


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_html_body_and_membership_dates_out_of_range(
    client, login_admin, world, no_errors_logged, day
):
    ag = world.ids["body_id"][1]
    data = {"name": "Actiegroep ROSE", "code": "AG", "kind": "action_group", "ends_on": day}
    response = client.post(f"/bodies/{ag}/edit", data=data)
    assert response.status_code == 200 and RANGE_MESSAGE in response.get_data(as_text=True)
    person = world.ids["person_id"][0]
    response = client.post(
        f"/bodies/{ag}/members", data={"person_id": str(person), "role": "member", "since": day}
    )
    assert response.status_code == 400 and RANGE_MESSAGE in response.get_data(as_text=True)


# --- JSON shape -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/meetings"),
        ("post", "/api/v1/organisations"),
        ("post", "/api/v1/feeds"),
        ("patch", "/api/v1/meetings/{meeting_id}"),
        ("patch", "/api/v1/agenda-items/{item_id}"),
        ("post", "/api/v1/meetings/{meeting_id}/agenda-items"),
    ],
)
@pytest.mark.parametrize("payload", [DEEP, '{"a": ' * 5000 + "1" + "}" * 5000])
def test_deeply_nested_json_is_invalid_json(client, world, no_errors_logged, method, path, payload):
    path = path.format(meeting_id=world.first("meeting_id"), item_id=world.first("item_id"))
    response = client.open(
        path,
        method=method.upper(),
        data=payload,
        content_type="application/json",
        headers=world.admin,
    )
    error = _api_error(response, 400)
    assert error["code"] == "invalid_json"


def test_moderately_nested_json_is_refused_too(client, world, no_errors_logged):
    payload = {"title": "x", "body_ids": [world.first("body_id")]}
    node = payload
    for _ in range(200):
        node["nested"] = {}
        node = node["nested"]
    response = client.post("/api/v1/meetings", json=payload, headers=world.admin)
    assert _api_error(response, 400)["code"] == "invalid_json"


def test_scalar_where_a_list_is_expected(client, world, no_errors_logged):
    meeting, item = world.first("meeting_id"), world.first("item_id")
    times = {"starts_at": "2027-03-09T14:00:00+01:00", "ends_at": "2027-03-09T16:00:00+01:00"}
    cases = [
        ("post", f"/api/v1/meetings/{meeting}/agenda-items", {"title": "x", "action_ids": 5}),
        ("patch", f"/api/v1/agenda-items/{item}", {"version": 1, "action_ids": 5}),
        ("post", "/api/v1/meetings", {**times, "body_ids": 2}),
        ("post", "/api/v1/meetings", {**times, "body_ids": [2], "guest_ids": 3}),
        ("post", "/api/v1/meetings", {**times, "body_ids": [2], "invite_roles": "member"}),
        ("patch", f"/api/v1/meetings/{meeting}", {"guest_ids": 3}),
        ("post", f"/api/v1/agenda-items/{item}/decisions", {"text": "x", "action_ids": 5}),
        ("post", f"/api/v1/agenda-items/{item}/follow-ups", {"title": "x", "action_ids": 5}),
        ("post", f"/api/v1/agenda-items/{item}/decisions", {"text": "x", "action_ids": {"a": 1}}),
        ("post", "/api/v1/organisations", {"name": "X", "kind": "partner", "aliases": 5}),
    ]
    field_of = {
        "action_ids": "action_ids",
        "body_ids": "body_ids",
        "guest_ids": "guest_ids",
        "invite_roles": "invite_roles",
        "aliases": "aliases",
    }
    for method, path, body in cases:
        response = client.open(path, method=method.upper(), json=body, headers=world.admin)
        name = next(k for k in body if k in field_of and not isinstance(body[k], list))
        _api_error(response, 400, field_of[name])


def test_list_where_a_scalar_is_expected(client, world, no_errors_logged):
    meeting, item, follow_up = (
        world.first("meeting_id"),
        world.first("item_id"),
        world.first("follow_up_id"),
    )
    cases = [
        ("post", "/api/v1/feeds", {"scope": ["body"]}, "scope"),
        ("post", "/api/v1/feeds", {"scope": {"x": 1}}, "scope"),
        ("post", "/api/v1/feeds", {"scope": "body", "id": [1]}, "id"),
        ("post", "/api/v1/organisations", {"name": ["a", "b"], "kind": "partner"}, "name"),
        ("post", "/api/v1/bodies", {"name": "X", "code": "X", "kind": ["adhoc"]}, "kind"),
        ("patch", f"/api/v1/meetings/{meeting}", {"title": ["a"]}, "title"),
        (
            "patch",
            f"/api/v1/meetings/{meeting}",
            {"starts_at": ["2027-03-09T14:00:00+01:00"]},
            "starts_at",
        ),
        ("post", f"/api/v1/meetings/{meeting}/cancel", {"reason": ["a"]}, "reason"),
        ("post", f"/api/v1/meetings/{meeting}/attendance", {"response": ["accepted"]}, "response"),
        ("patch", f"/api/v1/agenda-items/{item}", {"version": 1, "title": {"a": 1}}, "title"),
        ("patch", f"/api/v1/follow-ups/{follow_up}", {"status": ["done"]}, "status"),
        ("post", f"/api/v1/agenda-items/{item}/follow-ups", {"title": ["x"]}, "title"),
    ]
    for method, path, body, field in cases:
        response = client.open(path, method=method.upper(), json=body, headers=world.admin)
        _api_error(response, 400, field)


def test_text_where_a_number_is_expected(client, world, no_errors_logged):
    meeting, item = world.first("meeting_id"), world.first("item_id")
    cases = [
        (
            "post",
            f"/api/v1/meetings/{meeting}/agenda-items",
            {"title": "x", "presenter_id": "abc"},
            "presenter_id",
        ),
        (
            "patch",
            f"/api/v1/agenda-items/{item}",
            {"version": 1, "presenter_id": "abc"},
            "presenter_id",
        ),
        (
            "post",
            f"/api/v1/meetings/{meeting}/agenda-items",
            {"title": "x", "presenter_id": int(HUGE)},
            "presenter_id",
        ),
        (
            "post",
            f"/api/v1/meetings/{meeting}/agenda-items",
            {"title": "x", "action_ids": ["abc"]},
            "action_ids",
        ),
        (
            "post",
            f"/api/v1/meetings/{meeting}/agenda-items",
            {"title": "x", "planned_minutes": "veel"},
            "planned_minutes",
        ),
        ("post", f"/api/v1/meetings/{meeting}/attendance", {"person_id": "abc"}, "person_id"),
        ("post", f"/api/v1/meetings/{meeting}/attendance", {"person_id": int(HUGE)}, "person_id"),
        (
            "post",
            f"/api/v1/agenda-items/{item}/follow-ups",
            {"title": "x", "owner_person_id": "abc"},
            "owner_person_id",
        ),
        (
            "post",
            "/api/v1/meetings",
            {"body_ids": ["abc"], "starts_at": "2027-03-09T14:00:00+01:00"},
            "body_ids",
        ),
        ("post", "/api/v1/meetings", {"body_ids": [True]}, "body_ids"),
    ]
    for method, path, body, field in cases:
        response = client.open(path, method=method.upper(), json=body, headers=world.admin)
        _api_error(response, 400, field)


# --- guests on PATCH /meetings/{id} (documented in MeetingInput) ------------------------------


def test_patch_meeting_changes_its_guests(client, world, no_errors_logged):
    meeting = world.first("meeting_id")
    guest = world.ids["person_id"][0]  # the admin is no member of the meeting's bodies
    response = client.patch(
        f"/api/v1/meetings/{meeting}", json={"guest_ids": [guest]}, headers=world.admin
    )
    assert response.status_code == 200, response.json
    attendance = client.get(f"/api/v1/meetings/{meeting}", headers=world.admin).json["attendance"]
    assert [a["person"]["id"] for a in attendance if a["guest"]] == [guest]
    response = client.patch(
        f"/api/v1/meetings/{meeting}", json={"location": "Brugge"}, headers=world.admin
    )
    assert response.status_code == 200
    attendance = client.get(f"/api/v1/meetings/{meeting}", headers=world.admin).json["attendance"]
    assert [a["person"]["id"] for a in attendance if a["guest"]] == [guest]  # kept
    response = client.patch(
        f"/api/v1/meetings/{meeting}", json={"guest_ids": []}, headers=world.admin
    )
    assert response.status_code == 200
    attendance = client.get(f"/api/v1/meetings/{meeting}", headers=world.admin).json["attendance"]
    assert not [a for a in attendance if a["guest"]]


def test_patch_meeting_refuses_unknown_guests(client, world, no_errors_logged):
    meeting = world.first("meeting_id")
    for guests in ([424242], [int(HUGE)], ["abc"]):
        response = client.patch(
            f"/api/v1/meetings/{meeting}", json={"guest_ids": guests}, headers=world.admin
        )
        _api_error(response, 400, "guest_ids")


# --- lone surrogates --------------------------------------------------------------------------

SURROGATE_JSON = '"Vergadering \\ud800 X"'


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("post", "/api/v1/organisations", '{"name": %s, "kind": "partner"}'),
        ("post", "/api/v1/bodies", '{"name": %s, "code": "SUR", "kind": "adhoc"}'),
        ("patch", "/api/v1/meetings/{meeting_id}", '{"title": %s}'),
        ("post", "/api/v1/meetings/{meeting_id}/cancel", '{"reason": %s}'),
        ("post", "/api/v1/meetings/{meeting_id}/agenda-items", '{"title": %s}'),
        ("post", "/api/v1/agenda-items/{item_id}/follow-ups", '{"title": %s}'),
        ("post", "/api/v1/organisations", '{%s: "x", "name": "Y", "kind": "partner"}'),
    ],
)
def test_lone_surrogates_in_json(client, world, no_errors_logged, method, path, template):
    path = path.format(meeting_id=world.first("meeting_id"), item_id=world.first("item_id"))
    response = client.open(
        path,
        method=method.upper(),
        data=template % SURROGATE_JSON,
        content_type="application/json",
        headers=world.admin,
    )
    assert _api_error(response, 400)["code"] == "invalid_json"


@pytest.mark.parametrize(
    "raw", [b"name=%ED%A0%80&code=AG&kind=action_group", b"name=\xed\xa0\x80&code=AG&kind=x"]
)
def test_invalid_utf8_in_html_forms(client, login_member, world, no_errors_logged, raw):
    """A browser cannot send a lone surrogate; the bytes of one arrive as text without it."""
    body = world.ids["body_id"][1]
    response = client.post(
        f"/bodies/{body}/edit", data=raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 302, 400)
    name = client.get(f"/api/v1/bodies/{body}", headers=world.admin).json["name"]
    name.encode("utf-8")  # whatever was stored is valid Unicode
    response = client.get("/search?q=%ED%A0%80")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "path", ["/meetings/calendar", "/api/v1/meetings", "/api/v1/follow-ups", "/follow-ups", "/plan"]
)
def test_query_strings_that_are_no_utf8(client, login_member, world, no_errors_logged, path):
    """Raw bytes in the query string (a client that does not percent-encode) are a 400."""
    response = client.get(
        path, headers=world.admin, environ_overrides={"QUERY_STRING": "month=\xed\xa0\x80"}
    )
    assert response.status_code == 400
    if path.startswith("/api/"):
        _api_error(response, 400)


# --- names that differ only beyond ASCII ------------------------------------------------------


@pytest.mark.parametrize("second", ["Ëlektra vzw", "ëlektra VZW", "  Ëlektra   vzw "])
def test_second_organisation_with_the_same_name_is_a_conflict(
    client, world, no_errors_logged, second
):
    first = client.post(
        "/api/v1/organisations",
        json={"name": "Ëlektra vzw", "kind": "partner"},
        headers=world.admin,
    )
    assert first.status_code == 201
    response = client.post(
        "/api/v1/organisations", json={"name": second, "kind": "partner"}, headers=world.admin
    )
    _api_error(response, 409, "name")


def test_second_body_with_the_same_name_is_a_conflict(client, world, no_errors_logged):
    first = {"name": "Werkgroep Één", "code": "EEN", "kind": "adhoc"}
    assert client.post("/api/v1/bodies", json=first, headers=world.admin).status_code == 201
    again = {"name": "werkgroep ÉÉN", "code": "EEN2", "kind": "adhoc"}
    _api_error(client.post("/api/v1/bodies", json=again, headers=world.admin), 409, "name")


def test_second_organisation_in_the_html_form(client, login_admin, no_errors_logged):
    data = {"name": "Ëlektra vzw", "kind": "partner"}
    assert client.post("/organisations/new", data=data).status_code == 302
    response = client.post("/organisations/new", data={**data, "name": "ËLEKTRA vzw"})
    assert response.status_code == 200
    assert "bestaat al" in response.get_data(as_text=True) or "already exists" in (
        response.get_data(as_text=True)
    )


# --- a body edit without its aliases ----------------------------------------------------------


def test_body_edit_without_aliases_keeps_them(client, login_member, world, no_errors_logged):
    body = world.ids["body_id"][1]  # the Actiegroep, where the member is secretary
    network_body = db.session.get(network.Body, body)
    network.set_aliases(network_body, ["De Actiegroep"])
    db.session.commit()
    response = client.post(
        f"/bodies/{body}/edit",
        data={"name": "Actiegroep ROSE", "code": "AG", "kind": "action_group"},
    )
    assert response.status_code == 302
    api = client.get(f"/api/v1/bodies/{body}", headers=world.admin).json
    assert api["aliases"] == ["De Actiegroep"]


def test_organisation_edit_without_aliases_keeps_them(client, login_admin, world, no_errors_logged):
    org = world.first("organisation_id")
    response = client.post(
        f"/organisations/{org}/edit", data={"name": "Intercommunale W13", "kind": "partner"}
    )
    assert response.status_code == 302
    names = {
        o["name"]: o["aliases"]
        for o in client.get("/api/v1/organisations", headers=world.admin).json["items"]
    }
    assert names["Intercommunale W13"] == ["W13"]


# --- the safety net ---------------------------------------------------------------------------


def test_an_unexpected_api_error_answers_the_json_shape(app, client, world, monkeypatch, caplog):
    from rosemeet.api import network as api_network

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_network.queries, "visible_bodies", broken)
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/bodies")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_server_error"
    assert "boom" not in response.get_data(as_text=True)
    assert any(r.levelno == logging.ERROR for r in caplog.records)
