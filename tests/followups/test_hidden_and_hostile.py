"""What a review of the loops and the minutes page found: decisions stay with those who may
read them, a closing group moves its follow-ups only to a body it sees, an answer is text
without control characters, a title stays text in a feedback item, odd minutes fields give
no 500, and the text typed in other items survives a conflict."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import MinutesDraft
from rosemeet.core.markdown import render_markdown
from rosemeet.extensions import db
from rosemeet.followups import feedback
from rosemeet.followups import operations as ops
from rosemeet.followups.models import FollowUpStatus
from tests.followups.test_closing import rase  # noqa: F401 (the fixture)


def test_an_anonymous_visitor_of_a_public_agenda_does_not_read_its_decisions(
    rose, make_item, client, auth
):
    rose.ag.is_public = True
    item = make_item(rose.ag_march, "Begroting 2027")
    ops.record_decision(item, "De begroting wordt goedgekeurd.")
    agendas.publish_agenda(rose.ag_march)
    db.session.commit()
    page = f"/meetings/{rose.ag_march.id}/agenda"
    anonymous = client.get(page).get_data(as_text=True)
    assert "Begroting 2027" in anonymous and "De begroting wordt goedgekeurd." not in anonymous
    auth.login(rose.member.email)
    assert "De begroting wordt goedgekeurd." in client.get(page).get_data(as_text=True)


def test_a_closing_group_moves_its_follow_ups_only_to_a_body_it_sees(rase, client, auth):  # noqa: F811
    rose = rase
    auth.login(rose.secretary.email)  # chairs RASE; not a member of the closed LDE-fabriek
    response = client.post(
        f"/bodies/{rose.rase.id}/close",
        data={
            "closing_report": "Klaar.",
            "follow_ups": "move",
            "move_to_body_id": str(rose.lde.id),
            "confirm": "y",
        },
    )
    assert response.status_code in (200, 400)
    db.session.expire_all()
    assert not rose.rase.is_archived
    assert rose.open_one.body_id == rose.rase.id
    huge = "9" * 5000
    response = client.post(
        f"/bodies/{rose.rase.id}/close",
        data={"closing_report": "Klaar.", "follow_ups": "move", "move_to_body_id": huge},
    )
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("answer", ["met\x00nul", "belletje\x07", "x" * 10_001])
def test_an_answer_with_control_characters_or_too_long_is_refused(rose, make_follow_up, answer):
    follow_up = make_follow_up(rose.ag_march)
    with pytest.raises(ops.FollowUpError) as caught:
        ops.set_status(follow_up, FollowUpStatus.DONE, rose.secretary, resolution=answer)
    assert caught.value.field == "resolution"
    assert follow_up.status is FollowUpStatus.OPEN and follow_up.resolution is None


def test_a_title_stays_text_in_the_feedback_item(rose, make_follow_up):
    make_follow_up(rose.roa_april, "[Meld je opnieuw aan](https://evil.example) **nu**")
    text, _actions = feedback.feedback_text(rose.roa_april, rose.roa, rose.ag)
    html = str(render_markdown(text))
    assert "evil.example" in html and 'href="https://evil.example"' not in html
    assert "**nu**" in html and "<strong>nu</strong>" not in html


def test_odd_minutes_fields_give_no_500(rose, make_item, client, auth):
    make_item(rose.ag_march, "Varia")
    db.session.commit()
    auth.login(rose.secretary.email)
    for key in ("item-" + "9" * 5000, "item-٣", "item-0"):
        response = client.post(
            f"/meetings/{rose.ag_march.id}/minutes",
            data={f"{key}-version": "1", f"{key}-minutes": "tekst", "save_all": ""},
        )
        assert response.status_code < 500, key


def test_a_conflict_on_one_item_keeps_the_text_typed_in_the_others(rose, make_item, client, auth):
    first, second = make_item(rose.ag_march, "Begroting"), make_item(rose.ag_march, "Varia")
    read = first.version
    agendas.save_minutes(first, "Roel schreef eerst.", version=read, by=rose.roa_secretary)
    db.session.commit()
    auth.login(rose.secretary.email)
    response = client.post(
        f"/meetings/{rose.ag_march.id}/minutes",
        data={
            f"item-{first.id}-version": str(read),
            f"item-{first.id}-minutes": "Sara's tekst",
            f"item-{second.id}-version": str(second.version),
            f"item-{second.id}-minutes": "Wat Sara bij Varia typte",
            "save_item": str(first.id),
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Sara&#39;s tekst" in body
    db.session.expire_all()
    kept = db.session.scalars(
        select(MinutesDraft.text).where(
            MinutesDraft.item_id == second.id, MinutesDraft.person_id == rose.secretary.id
        )
    ).all()
    assert kept == ["Wat Sara bij Varia typte"]
