"""The ROA loop, issue 17: the fed-back item carries the real documents (the minutes' link,
decisions, referrals dealt with and their answers, what is still open), and the Actiegroep's
next agenda lists the agendas the ROA published since it last met ("Agenda ROA <date>")."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import AgendaItem, ItemSource
from rosemeet.extensions import db
from rosemeet.followups import feedback
from rosemeet.followups import operations as ops
from rosemeet.followups.models import FollowUpStatus
from tests.conftest import brussels
from tests.followups.conftest import make_meeting_at


def _headers(person):
    _token, plain = accounts.create_api_token(person, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def _fed_back(rose) -> AgendaItem:
    (item,) = db.session.scalars(
        select(AgendaItem).where(
            AgendaItem.body_id == rose.ag.id,
            AgendaItem.meeting_id.is_(None),
            AgendaItem.source == ItemSource.FEEDBACK,
        )
    ).all()
    return item


def test_the_fed_back_item_carries_link_decisions_answers_and_open_items(
    rose, make_item, make_follow_up, time_machine
):
    asked = make_follow_up(
        rose.ag_march, "Vraag: hoeveel trajectbegeleiders?", report_to_body=rose.roa
    )
    waiting = make_follow_up(rose.ag_march, "Vraag: budget fietsen?", report_to_body=rose.roa)
    elsewhere = make_follow_up(rose.ag_march, "Intern AG-punt")
    time_machine.move_to(datetime(2027, 4, 1, 14, 0, tzinfo=UTC), tick=False)  # in the meeting
    item = make_item(rose.roa_april, "Activering langdurig zieken", actions=[rose.action])
    decision = ops.record_decision(item, "Het ROA start een werkgroep.", [rose.action])
    make_follow_up(rose.roa_april, "Lijst trajectbegeleiders bezorgen", item=item)
    ops.set_status(
        asked,
        FollowUpStatus.DONE,
        rose.roa_secretary,
        rose.roa_april,
        resolution="Er zijn er twaalf.\n\nDe lijst volgt.",
    )
    ops.set_status(elsewhere, FollowUpStatus.DONE, rose.secretary)
    agendas.send_minutes_for_comment(rose.roa_april)
    agendas.approve_minutes(rose.roa_april, in_meeting=rose.roa_june, by=rose.roa_secretary)

    text = _fed_back(rose).description
    minutes_url = f"http://rosemeet.test/meetings/{rose.roa_april.id}/minutes"
    assert f"[Lees het goedgekeurde verslag]({minutes_url})" in text
    assert f"- {decision.number}: Het ROA start een werkgroep." in text
    assert "**Behandelde doorverwijzingen van Actiegroep ROSE**" in text
    assert "- Vraag: hoeveel trajectbegeleiders? (afgehandeld)\n  Er zijn er twaalf." in text
    assert "  De lijst volgt." in text
    assert "- Lijst trajectbegeleiders bezorgen" in text
    assert "- Vraag: budget fietsen? — doorverwezen door AG, nog open" in text
    assert "Intern AG-punt" not in text
    assert "Geen besluiten" not in text and "Geen open opvolgpunten" not in text
    # the order of the sections: decisions, referrals dealt with, still open
    assert text.index("Besluiten") < text.index("Behandelde") < text.index("Open opvolgpunten")
    assert text.index("Open opvolgpunten") < text.index("budget fietsen")
    assert waiting.is_open


def test_a_meeting_without_outcomes_says_so(rose):
    agendas.send_minutes_for_comment(rose.roa_april)
    agendas.approve_minutes(rose.roa_april, in_meeting=rose.roa_june, by=rose.roa_secretary)
    text = _fed_back(rose).description
    assert "- Geen besluiten." in text
    assert "- Geen doorverwijzingen behandeld." in text
    assert "- Geen open opvolgpunten." in text
    assert f"/meetings/{rose.roa_april.id}/minutes)" in text


# --- "Agenda ROA <date>" -----------------------------------------------------------------------


def _titles(meeting, viewer=None) -> list[str]:
    return [row.title for row in feedback.reported_agendas(meeting, viewer)]


def test_the_next_agenda_lists_each_published_roa_agenda_once(
    rose, make_item, client, auth, time_machine
):
    # published before the Actiegroep's March meeting: on the March agenda, not on May's
    agendas.publish_agenda(rose.roa_april)
    assert _titles(rose.ag_march) == ["Agenda ROA 1 apr 2027"]
    assert _titles(rose.ag_may) == []
    time_machine.move_to(brussels(2027, 3, 20), tick=False)  # after the March meeting
    roa_may = make_meeting_at(rose.roa, brussels(2027, 4, 29, 13, 30))
    agendas.publish_agenda(roa_may)
    agendas.publish_agenda(roa_may)  # again: nothing changes
    make_item(roa_may, "Nagekomen punt")  # changed after publishing: still one line
    agendas.publish_agenda(rose.roa_june)  # published before May 11 too
    assert _titles(rose.ag_may) == ["Agenda ROA 29 apr 2027", "Agenda ROA 3 jun 2027"]
    time_machine.move_to(brussels(2027, 5, 20), tick=False)  # after the May meeting
    later = make_meeting_at(rose.roa, brussels(2027, 7, 1, 13, 30))
    agendas.publish_agenda(later)
    assert _titles(rose.ag_may) == ["Agenda ROA 29 apr 2027", "Agenda ROA 3 jun 2027"]
    db.session.commit()

    auth.login(rose.secretary.email)
    html = client.get(f"/meetings/{rose.ag_may.id}/agenda").get_data(as_text=True)
    assert html.count(f'href="/meetings/{roa_may.id}/agenda"') == 1
    assert html.count("Agenda ROA 29 apr 2027") == 1
    assert html.index('id="follow-ups"') < html.index('id="reported-agendas"')
    # the linked agenda opens for the Actiegroep's secretary
    assert client.get(f"/meetings/{roa_may.id}/agenda").status_code == 200
    auth.logout()

    response = client.get(
        f"/api/v1/meetings/{rose.ag_may.id}/agenda", headers=_headers(rose.secretary)
    )
    (section,) = [s for s in response.json["sections"] if s["key"] == "reported_agendas"]
    assert section["items"] == [
        {
            "meeting_id": roa_may.id,
            "body": "Regionaal Overleg Activering",
            "date": "2027-04-29",
            "title": "Agenda ROA 29 apr 2027",
            "url": f"http://rosemeet.test/meetings/{roa_may.id}/agenda",
        },
        {
            "meeting_id": rose.roa_june.id,
            "body": "Regionaal Overleg Activering",
            "date": "2027-06-03",
            "title": "Agenda ROA 3 jun 2027",
            "url": f"http://rosemeet.test/meetings/{rose.roa_june.id}/agenda",
        },
    ]


def test_only_published_agendas_of_reporting_bodies_for_who_may_read_them(rose, make_body):
    agendas.ensure_agenda(rose.roa_april)  # a draft
    agendas.publish_agenda(rose.lde_april)  # the LDE-fabriek reports to nobody
    assert _titles(rose.ag_march) == []
    agendas.publish_agenda(rose.roa_april)
    assert _titles(rose.ag_march, rose.secretary) == ["Agenda ROA 1 apr 2027"]
    assert _titles(rose.ag_march, rose.outsider) == []
    # the receiving body's agenda does not list itself, nor the ROA's list the Actiegroep's
    agendas.publish_agenda(rose.ag_may)
    assert _titles(rose.roa_june) == []
