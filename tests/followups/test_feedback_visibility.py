"""The ROA loop, issue 17: a body that reports back to another shares its published agendas
and its approved minutes with the receiving body's members (the Actiegroep reads the ROA's),
never its drafts nor its minutes sent for comments; nobody else gains anything."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups import operations as ops
from rosemeet.followups import search
from rosemeet.network import operations as network
from tests.followups.conftest import TODAY

MINUTES = "Het ROA bespreekt de activering van langdurig zieken."


def _headers(person):
    _token, plain = accounts.create_api_token(person, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def roa(rose, make_item):
    """The ROA's April meeting with an item and its draft minutes; tokens for Sara (AG's
    secretary, not in the ROA) and Olga (in neither)."""
    rose.item = make_item(rose.roa_april, "Activering langdurig zieken")
    agendas.save_minutes(rose.item, MINUTES, version=rose.item.version, by=rose.roa_secretary)
    rose.sara = _headers(rose.secretary)
    rose.olga = _headers(rose.outsider)
    db.session.commit()
    return rose


def _page(client, auth, email, path):
    auth.login(email)
    response = client.get(path)
    auth.logout()
    return response.status_code, response.get_data(as_text=True)


def _pages(client, auth, email, meeting_id) -> dict[str, int]:
    return {
        name: _page(client, auth, email, f"/meetings/{meeting_id}{tail}")[0]
        for name, tail in (("meeting", ""), ("agenda", "/agenda"), ("minutes", "/minutes"))
    }


def _api(client, headers, meeting_id) -> dict[str, int]:
    return {
        what: client.get(f"/api/v1/meetings/{meeting_id}/{what}", headers=headers).status_code
        for what in ("agenda", "minutes")
    }


def _share(meeting):
    agendas.send_minutes_for_comment(meeting)
    db.session.commit()


def _approve(rose):
    agendas.approve_minutes(rose.roa_april, in_meeting=rose.roa_june, by=rose.roa_secretary)
    db.session.commit()


def test_nothing_of_a_draft_meeting_is_seen_by_the_receiving_body(roa, client, auth):
    rose = roa
    gone = {"meeting": 404, "agenda": 404, "minutes": 404}
    assert _pages(client, auth, rose.secretary.email, rose.roa_april.id) == gone
    assert _api(client, rose.sara, rose.roa_april.id) == {"agenda": 404, "minutes": 404}
    # minutes sent for comments are for the ROA's invitees, not for the Actiegroep
    _share(rose.roa_april)
    assert _pages(client, auth, rose.secretary.email, rose.roa_april.id) == gone
    assert _api(client, rose.sara, rose.roa_april.id) == {"agenda": 404, "minutes": 404}
    # the ROA's own members read them
    assert _pages(client, auth, rose.member.email, rose.roa_april.id)["minutes"] == 200


def test_a_published_agenda_is_read_by_the_receiving_body_but_not_minutes_for_comments(
    roa, client, auth
):
    rose = roa
    agendas.publish_agenda(rose.roa_april)
    _share(rose.roa_april)
    status, html = _page(client, auth, rose.secretary.email, f"/meetings/{rose.roa_april.id}")
    assert status == 200
    status, html = _page(
        client, auth, rose.secretary.email, f"/meetings/{rose.roa_april.id}/agenda"
    )
    assert status == 200 and "Activering langdurig zieken" in html and MINUTES not in html
    response = client.get(f"/api/v1/meetings/{rose.roa_april.id}/agenda", headers=rose.sara)
    assert response.status_code == 200
    assert [i["title"] for i in response.json["items"]][-1:] == ["Activering langdurig zieken"]
    assert all(i.get("minutes") is None for i in response.json["items"])
    # the meeting is seen, so its unshared minutes answer 403 (not readable either way)
    status, html = _page(
        client, auth, rose.secretary.email, f"/meetings/{rose.roa_april.id}/minutes"
    )
    assert status == 403 and MINUTES not in html
    response = client.get(f"/api/v1/meetings/{rose.roa_april.id}/minutes", headers=rose.sara)
    assert response.status_code == 403 and MINUTES not in response.get_data(as_text=True)
    # the item's decisions and follow-ups are part of the minutes: not before they are approved
    assert (
        _page(client, auth, rose.secretary.email, f"/agenda-items/{rose.item.id}/outcomes")[0]
        == 404
    )


def test_approved_minutes_are_read_by_the_receiving_body(roa, client, auth):
    rose = roa
    ops.record_decision(rose.item, "Het ROA start een werkgroep.")
    agendas.publish_agenda(rose.roa_april)
    _share(rose.roa_april)
    _approve(rose)
    for path in ("/minutes", "/minutes/print", "/minutes.md"):
        status, text = _page(
            client, auth, rose.secretary.email, f"/meetings/{rose.roa_april.id}{path}"
        )
        assert status == 200 and MINUTES in text, path
    response = client.get(f"/api/v1/meetings/{rose.roa_april.id}/minutes", headers=rose.sara)
    assert response.status_code == 200
    assert MINUTES in [i["text"] for i in response.json["items"]]
    response = client.get(f"/api/v1/meetings/{rose.roa_april.id}/agenda", headers=rose.sara)
    assert MINUTES in [i.get("minutes") for i in response.json["items"]]
    status, html = _page(
        client, auth, rose.secretary.email, f"/agenda-items/{rose.item.id}/outcomes"
    )
    assert status == 200 and "Het ROA start een werkgroep." in html
    # reading is all: the Actiegroep's secretary changes nothing of the ROA's
    response = client.post(
        f"/api/v1/meetings/{rose.roa_april.id}/agenda-items", json={"title": "X"}, headers=rose.sara
    )
    assert response.status_code == 403


def test_minutes_approved_without_a_published_agenda_show_no_agenda(roa, client, auth):
    rose = roa
    _share(rose.roa_april)
    _approve(rose)
    assert _pages(client, auth, rose.secretary.email, rose.roa_april.id) == {
        "meeting": 200,
        "agenda": 403,
        "minutes": 200,
    }
    assert _api(client, rose.sara, rose.roa_april.id) == {"agenda": 403, "minutes": 200}


def test_an_outsider_sees_nothing_even_of_shared_meetings(roa, client, auth):
    rose = roa
    agendas.publish_agenda(rose.roa_april)
    _share(rose.roa_april)
    _approve(rose)
    gone = {"meeting": 404, "agenda": 404, "minutes": 404}
    assert _pages(client, auth, rose.outsider.email, rose.roa_april.id) == gone
    assert _api(client, rose.olga, rose.roa_april.id) == {"agenda": 404, "minutes": 404}
    assert _api(client, {}, rose.roa_april.id) == {"agenda": 404, "minutes": 404}
    assert client.get(f"/meetings/{rose.roa_april.id}/minutes").status_code == 404
    # the relation goes one way: the ROA's secretary does not read the Actiegroep's minutes
    _share(rose.ag_march)
    agendas.approve_minutes(rose.ag_march, in_meeting=rose.ag_may, by=rose.secretary)
    db.session.commit()
    assert _pages(client, auth, rose.roa_secretary.email, rose.ag_march.id) == gone


def test_an_ended_membership_an_archived_body_or_a_removed_relation_shares_nothing(
    roa, client, auth
):
    rose = roa
    agendas.publish_agenda(rose.roa_april)
    _share(rose.roa_april)
    _approve(rose)
    (membership,) = [m for m in rose.ag.memberships if m.person_id == rose.secretary.id]
    membership.until = TODAY - timedelta(days=1)
    db.session.commit()
    gone = {"meeting": 404, "agenda": 404, "minutes": 404}
    assert _pages(client, auth, rose.secretary.email, rose.roa_april.id) == gone
    membership.until = None
    network.archive_body(rose.ag)
    db.session.commit()
    assert _pages(client, auth, rose.secretary.email, rose.roa_april.id) == gone
    network.unarchive_body(rose.ag)
    db.session.commit()
    assert _pages(client, auth, rose.secretary.email, rose.roa_april.id)["minutes"] == 200
    (relation,) = rose.roa.outgoing_relations
    network.remove_relation(relation)
    db.session.commit()
    assert _pages(client, auth, rose.secretary.email, rose.roa_april.id) == gone


def test_search_does_not_list_what_the_receiving_body_reads_one_at_a_time(roa):
    """The receiving body reads one shared meeting at a time; search (a list) is not widened."""
    rose = roa
    agendas.publish_agenda(rose.roa_april)
    _share(rose.roa_april)
    _approve(rose)
    assert [h.obj for h in search.search(rose.member, "langdurig zieken")]  # the ROA finds it
    assert search.search(rose.secretary, "langdurig zieken") == []
