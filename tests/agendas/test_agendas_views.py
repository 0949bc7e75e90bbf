"""View tests: who sees what, inert payloads, kept input, keyboard order, conflicts, budget."""

from __future__ import annotations

import io

import pytest
from docx import Document
from sqlalchemy import event, select

from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries
from rosemeet.agendas.models import AgendaItem
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def meeting(rose, make_meeting):
    m = make_meeting(rose.ag)
    db.session.commit()
    return m


def test_members_see_only_published_agendas_secretaries_see_drafts(client, auth, rose, meeting):
    auth.login(rose.member.email)
    assert client.get(f"/meetings/{meeting.id}/agenda").status_code == 403
    assert "nog niet gepubliceerd" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    auth.logout()
    auth.login(rose.secretary.email)
    html = client.get(f"/meetings/{meeting.id}/agenda").get_data(as_text=True)
    assert "Goedkeuring vorig verslag" in html and "Agenda publiceren" in html
    client.post(f"/meetings/{meeting.id}/agenda/publish")
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "agenda"))
    auth.logout()
    auth.login(rose.member.email)
    html = client.get(f"/meetings/{meeting.id}/agenda").get_data(as_text=True)
    assert "Opvolglijst" in html and "Agenda publiceren" not in html and "Omhoog" not in html
    assert (
        client.post(f"/meetings/{meeting.id}/agenda/items/new", data={"title": "x"}).status_code
        == 403
    )
    auth.logout()
    auth.login(rose.outsider.email)
    assert client.get(f"/meetings/{meeting.id}/agenda").status_code == 404


def test_payloads_in_every_text_field_stay_inert(client, auth, rose, meeting):
    auth.login(rose.secretary.email)
    response = client.post(
        f"/meetings/{meeting.id}/agenda/items/new",
        data={
            "title": PAYLOAD,
            "kind": "decision",
            "description": PAYLOAD + "\n\n[klik](javascript:alert(1))",
            "presenter_text": PAYLOAD,
            "planned_minutes": "10",
            "links": "",
        },
    )
    assert response.status_code == 302
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.kind == "decision"))
    client.post(
        f"/agenda-items/{item.id}/minutes",
        data={f"item-{item.id}-minutes": PAYLOAD, f"item-{item.id}-version": item.version},
    )
    for url in (
        f"/meetings/{meeting.id}/agenda",
        f"/meetings/{meeting.id}/minutes",
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}/agenda/print",
        f"/meetings/{meeting.id}/minutes/history",
    ):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert 'href="javascript:' not in html, url


def test_a_refused_form_keeps_what_was_typed(client, auth, rose, meeting):
    auth.login(rose.secretary.email)
    response = client.post(
        f"/meetings/{meeting.id}/agenda/items/new",
        data={
            "title": "Fietsproject",
            "kind": "discussion",
            "description": "Mijn lange tekst",
            "links": "ftp://oud.example.org",
            "planned_minutes": "15",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Links beginnen met http" in html
    assert 'value="Fietsproject"' in html and "Mijn lange tekst" in html and "ftp://oud" in html


def test_the_keyboard_buttons_move_items_without_javascript(client, auth, rose, meeting):
    auth.login(rose.secretary.email)
    client.get(f"/meetings/{meeting.id}/agenda")
    items = queries.meeting_items(meeting)
    client.post(f"/agenda-items/{items[2].id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [i.title for i in queries.meeting_items(meeting)] == [
        "Welkom",
        "Opvolglijst",
        "Goedkeuring vorig verslag",
    ]
    ids = [i.id for i in reversed(queries.meeting_items(meeting))]
    response = client.post(
        f"/meetings/{meeting.id}/agenda/order",
        data={"order": ",".join(map(str, ids))},
        headers={"Accept": "application/json"},
    )
    assert response.json == {"ok": True}


def test_a_stale_minutes_save_shows_both_texts(client, auth, rose, meeting):
    item = ops.add_item(meeting, title="Begroting")
    opened = item.version
    ops.save_minutes(item, "Tekst van Sara", version=opened, by=rose.secretary)
    db.session.commit()
    auth.login(rose.secretary.email)
    response = client.post(
        f"/agenda-items/{item.id}/minutes",
        data={f"item-{item.id}-minutes": "Tekst van Mo", f"item-{item.id}-version": opened},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Tekst van Sara" in html and "Tekst van Mo" in html
    db.session.expire_all()
    assert db.session.get(AgendaItem, item.id).minutes == "Tekst van Sara"


def test_proposals_the_secretary_decides_and_the_proposer_follows(client, auth, rose, meeting):
    auth.login(rose.member.email)
    client.post(f"/bodies/{rose.ag.id}/propose", data={"title": "Jobbeurs", "kind": "discussion"})
    html = client.get("/proposals/mine").get_data(as_text=True)
    assert "Jobbeurs" in html and "Wacht op het secretariaat" in html
    auth.logout()
    auth.login(rose.secretary.email)
    page = client.get(f"/bodies/{rose.ag.id}/proposals").get_data(as_text=True)
    assert "Jobbeurs" in page
    assert f'<option value="{meeting.id}">9 mrt 2027 14:00 ' in page  # the meeting to choose
    proposal_id = int(page.split('id="proposal-')[1].split('"')[0])
    response = client.post(f"/proposals/{proposal_id}/decline", data={"reason": ""})
    assert response.status_code == 400
    client.post(f"/proposals/{proposal_id}/accept", data={"meeting_id": meeting.id})
    auth.logout()
    auth.login(rose.member.email)
    assert "Aanvaard" in client.get("/proposals/mine").get_data(as_text=True)


def test_exports_download_docx_and_markdown(client, auth, rose, meeting):
    ops.add_item(meeting, title="Begroting", description="- punt een")
    db.session.commit()
    auth.login(rose.secretary.email)
    md = client.get(f"/meetings/{meeting.id}/agenda.md")
    assert md.status_code == 200 and "## 4. Begroting" in md.get_data(as_text=True)
    docx = client.get(f"/meetings/{meeting.id}/agenda.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    assert "attachment" in docx.headers["Content-Disposition"]


def test_word_download_survives_control_characters_stored_before_input_refused_them(
    client, auth, rose, meeting
):
    item = ops.add_item(meeting, title="Begroting\x0b2027", description="punt\x1feen")
    item.minutes = "Verslag\x1b met stuurteken"
    db.session.commit()
    auth.login(rose.secretary.email)
    for what in ("agenda", "minutes"):
        response = client.get(f"/meetings/{meeting.id}/{what}.docx")
        assert response.status_code == 200 and response.data[:2] == b"PK", what
    text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert "Begroting" in text and "Verslag met stuurteken" in text


def test_the_agenda_page_query_count_does_not_grow_with_the_items(
    app, client, auth, rose, meeting, make_action
):
    auth.login(rose.secretary.email)
    client.get(f"/meetings/{meeting.id}/agenda")

    def add(n):
        ops.add_item(
            meeting, title=f"Punt {n}", presenter=rose.member, actions=[make_action(f"Actie {n}")]
        )
        ops.add_backlog_item(rose.ag, f"Wachtend {n}", actions=[make_action(f"Ander {n}")])

    add(0)
    db.session.commit()

    def count() -> int:
        statements = []

        def listener(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/meetings/{meeting.id}/agenda").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return statements

    few = len(count())
    for n in range(1, 13):
        add(n)
    db.session.commit()
    many = len(count())
    assert many == few, (few, many)
    assert many <= 40  # 38 since the opvolglijst shows what was handled and what waits


def test_the_action_page_lists_the_agenda_items_that_concern_it(
    client, auth, rose, meeting, make_action
):
    action = make_action("Mobiliteit van doelgroepmedewerkers")
    ops.add_item(meeting, title="Fietsproject", actions=[action])
    db.session.commit()
    auth.login(rose.secretary.email)
    html = client.get(f"/plan/actions/{action.id}").get_data(as_text=True)
    assert "Geschiedenis in de vergaderingen" in html and "Fietsproject" in html
    auth.logout()
    auth.login(rose.outsider.email)  # the draft agenda is not theirs to see
    assert "Fietsproject" not in client.get(f"/plan/actions/{action.id}").get_data(as_text=True)
