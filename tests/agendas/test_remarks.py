"""Remarks on minutes sent for comments: who may make and handle them, accepting a proposed
wording as a new revision, answering, the forms on the minutes page, and the next meeting's
approval item that lists them with their handling."""

from __future__ import annotations

import pytest
from flask import render_template_string

from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries, remarks
from rosemeet.agendas.models import AgendaItem, MinutesRemark, RemarkStatus
from rosemeet.core.permissions import can
from rosemeet.extensions import db
from tests.conftest import brussels


@pytest.fixture
def first(rose, make_meeting):
    """The AG meeting of 12 January with an item "Begroting" whose minutes are written."""
    meeting = make_meeting(rose.ag, starts_at=brussels(2027, 1, 12))
    item = ops.add_item(meeting, title="Begroting")
    ops.save_minutes(item, "De begroting is besproken.", version=item.version, by=rose.secretary)
    meeting.test_item = item
    return meeting


@pytest.fixture
def for_comment(first):
    ops.send_minutes_for_comment(first)
    return first


def _item(meeting) -> AgendaItem:
    return meeting.test_item


# --- without HTTP ----------------------------------------------------------------------------


def test_remarks_only_while_the_minutes_are_sent_for_comments(rose, first, make_meeting):
    item = _item(first)
    assert not can(rose.member, "add_remark", item)
    with pytest.raises(remarks.RemarkError) as caught:
        remarks.add_remark(item, "Te vroeg", by=rose.member)
    assert caught.value.code == "state"

    ops.send_minutes_for_comment(first)
    assert can(rose.member, "add_remark", item)
    assert not can(rose.outsider, "add_remark", item)
    remark = remarks.add_remark(item, "  Mo was er ook.  ", "Mo en Sara waren er.", by=rose.member)
    assert remark.text == "Mo was er ook." and remark.status is RemarkStatus.OPEN

    second = make_meeting(rose.ag, starts_at=brussels(2027, 3, 9))
    ops.approve_minutes(first, in_meeting=second, by=rose.secretary)
    assert not can(rose.member, "add_remark", item)
    with pytest.raises(remarks.RemarkError):
        remarks.add_remark(item, "Te laat", by=rose.member)


def test_a_remark_needs_text_without_control_characters(rose, for_comment):
    item = _item(for_comment)
    for text in ("", "   ", "met\x1bstuurteken", "x" * (remarks.TEXT_MAX + 1)):
        with pytest.raises(remarks.RemarkError) as caught:
            remarks.add_remark(item, text, by=rose.member)
        assert caught.value.field == "text"
    with pytest.raises(remarks.RemarkError) as caught:
        remarks.add_remark(item, "Goed", "tekst\x00", by=rose.member)
    assert caught.value.field == "proposed_text"


def test_accepting_applies_the_wording_as_a_new_revision(rose, for_comment):
    item = _item(for_comment)
    before = item.version
    remark = remarks.add_remark(
        item, "Bedrag klopt niet", "Begroting: **12 000 euro**.", by=rose.member
    )
    assert can(rose.secretary, "handle", remark) and not can(rose.member, "handle", remark)

    remarks.accept_remark(remark, by=rose.secretary)

    assert item.minutes == "Begroting: **12 000 euro**." and item.version > before
    assert remark.status is RemarkStatus.ACCEPTED and remark.applied_version == item.version
    assert remark.handled_by == rose.secretary and remark.handled_at is not None
    newest = queries.revisions_of(for_comment)[0]
    assert newest.text == "Begroting: **12 000 euro**." and newest.saved_by == rose.secretary
    with pytest.raises(remarks.RemarkError) as caught:
        remarks.accept_remark(remark, by=rose.secretary)
    assert caught.value.code == "state"


def test_a_remark_without_wording_is_answered_not_accepted(rose, for_comment):
    item = _item(for_comment)
    remark = remarks.add_remark(item, "Waarom geen cijfers?", by=rose.member)
    with pytest.raises(remarks.RemarkError):
        remarks.accept_remark(remark, by=rose.secretary)
    with pytest.raises(remarks.RemarkError) as caught:
        remarks.answer_remark(remark, "  ", by=rose.secretary)
    assert caught.value.field == "answer"
    assert remarks.open_remark_count(for_comment) == 1

    remarks.answer_remark(remark, "De cijfers staan in de bijlage.", by=rose.secretary)

    assert remark.status is RemarkStatus.ANSWERED and remark.answer.startswith("De cijfers")
    assert item.minutes == "De begroting is besproken."  # unchanged
    assert remarks.open_remark_count(for_comment) == 0
    assert remarks.remarks_of(for_comment) == {item.id: [remark]}


# --- pages -----------------------------------------------------------------------------------


def _minutes_item_html(app, item, user) -> str:
    """What the minutes page shows beside an item (its "minutes-item" slot)."""
    from flask_login import login_user

    with app.test_request_context("/"):
        login_user(user)
        return render_template_string(
            '{{ template_hook("minutes-item", item=item, meeting=item.meeting, editor=False) }}',
            item=item,
        )


def test_a_member_adds_a_remark_from_the_minutes_page_and_returns_to_it(
    app, client, auth, rose, for_comment
):
    item = _item(for_comment)
    db.session.commit()
    html = _minutes_item_html(app, item, rose.member)
    assert f'action="/agenda-items/{item.id}/remarks"' in html
    auth.login(rose.member.email)
    back = f"/meetings/{for_comment.id}/minutes#item-{item.id}"
    answer = client.post(
        f"/agenda-items/{item.id}/remarks",
        data={"text": "Mo was er ook.", "proposed_text": "Mo en Sara waren er.", "next": back},
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith(back)
    remark = db.session.query(MinutesRemark).one()
    assert (remark.author, remark.proposed_text) == (rose.member, "Mo en Sara waren er.")


def test_a_refused_remark_comes_back_with_the_message_and_the_typed_text(
    client, auth, rose, for_comment
):
    item = _item(for_comment)
    db.session.commit()
    auth.login(rose.member.email)
    for data in (
        {"text": "", "proposed_text": "Mijn voorstel van tekst"},
        {"text": "stuur\x1bteken", "proposed_text": "Mijn voorstel van tekst"},
        {"text": "x" * 6000, "proposed_text": "Mijn voorstel van tekst"},
        {"text": "Goed", "proposed_text": "Mijn voorstel van tekst" + "y" * 60000},
    ):
        answer = client.post(f"/agenda-items/{item.id}/remarks", data=data)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400, data
        assert "Mijn voorstel van tekst" in page and 'class="field-error"' in page
    assert db.session.query(MinutesRemark).count() == 0


def test_outsiders_and_drafts_and_approved_minutes_take_no_remarks(
    client, auth, rose, first, make_meeting
):
    item = _item(first)
    db.session.commit()
    auth.login(rose.member.email)
    assert client.post(
        f"/agenda-items/{item.id}/remarks", data={"text": "Te vroeg"}
    ).status_code in (
        403,
        404,
    )
    ops.send_minutes_for_comment(first)
    db.session.commit()
    auth.logout()
    auth.login(rose.outsider.email)
    assert client.post(f"/agenda-items/{item.id}/remarks", data={"text": "Ik ook"}).status_code in (
        403,
        404,
    )
    auth.logout()
    auth.login(rose.member.email)
    remark_id = client.post(f"/agenda-items/{item.id}/remarks", data={"text": "Goed"})
    assert remark_id.status_code == 302
    remark = db.session.query(MinutesRemark).one()
    # a member may not handle it
    assert (
        client.post(f"/minutes-remarks/{remark.id}/answer", data={"answer": "Nee"}).status_code
        == 403
    )
    second = make_meeting(rose.ag, starts_at=brussels(2027, 3, 9))
    ops.approve_minutes(first, in_meeting=second, by=rose.secretary)
    db.session.commit()
    assert (
        client.post(f"/agenda-items/{item.id}/remarks", data={"text": "Te laat"}).status_code == 403
    )
    assert db.session.query(MinutesRemark).count() == 1


def test_the_secretary_accepts_and_answers_beside_the_item(app, client, auth, rose, for_comment):
    item = _item(for_comment)
    accepted = remarks.add_remark(item, "Bedrag", "Begroting: 12 000 euro.", by=rose.member)
    answered = remarks.add_remark(item, "Waarom?", by=rose.member)
    db.session.commit()
    html = _minutes_item_html(app, item, rose.secretary)
    assert f"/minutes-remarks/{accepted.id}/accept" in html
    assert f"/minutes-remarks/{answered.id}/accept" not in html  # no wording to accept
    assert f"/minutes-remarks/{answered.id}/answer" in html
    auth.login(rose.secretary.email)
    back = f"/meetings/{for_comment.id}/minutes#item-{item.id}"

    refused = client.post(f"/minutes-remarks/{answered.id}/answer", data={"answer": "\x07"})
    assert refused.status_code == 400 and 'class="field-error"' in refused.get_data(as_text=True)
    done = client.post(f"/minutes-remarks/{accepted.id}/accept", data={"next": back})
    assert done.status_code == 302 and done.headers["Location"].endswith(back)
    done = client.post(
        f"/minutes-remarks/{answered.id}/answer",
        data={"answer": "Zie de bijlage.", "next": "https://evil.example/"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(back)

    db.session.expire_all()
    item = db.session.get(AgendaItem, item.id)
    assert item.minutes == "Begroting: 12 000 euro."
    assert queries.revisions_of(for_comment)[0].text == "Begroting: 12 000 euro."
    handled = {r.id: r for r in remarks.remarks_of(for_comment)[item.id]}
    assert handled[accepted.id].applied_version == item.version
    assert handled[answered.id].answer == "Zie de bijlage."
    # handled remarks stay beside the item, folded away
    html = _minutes_item_html(app, item, rose.secretary)
    assert 'class="remarks-handled"' in html and "Zie de bijlage." in html
    assert f"/minutes-remarks/{answered.id}/answer" not in html
    # a second handling is refused with its message, not a 500
    again = client.post(f"/minutes-remarks/{answered.id}/answer", data={"answer": "Nogmaals"})
    assert again.status_code == 409 and "Nogmaals" in again.get_data(as_text=True)
    # the minutes' history keeps both remarks with their handling
    history = client.get(f"/meetings/{for_comment.id}/minutes/history").get_data(as_text=True)
    kept = history[history.index('id="remarks-history"') :]
    assert "Bedrag" in kept and "Aanvaard" in kept
    assert "Waarom?" in kept and "Zie de bijlage." in kept and "Beantwoord" in kept


def test_the_next_meetings_approval_item_lists_the_remarks_and_their_handling(
    client, auth, rose, for_comment, make_meeting
):
    item = _item(for_comment)
    second = make_meeting(rose.ag, starts_at=brussels(2027, 3, 9))
    accepted = remarks.add_remark(item, "Bedrag klopt niet", "12 000 euro.", by=rose.member)
    remarks.accept_remark(accepted, by=rose.secretary)
    answered = remarks.add_remark(item, "Waarom geen cijfers?", by=rose.member)
    remarks.answer_remark(answered, "Ze staan in de bijlage.", by=rose.secretary)
    remarks.add_remark(item, "Nog een vraag", by=rose.member)
    db.session.commit()
    auth.login(rose.secretary.email)
    page = client.get(f"/meetings/{second.id}/agenda").get_data(as_text=True)
    assert 'id="approval-remarks"' in page
    section = page.split('id="approval-remarks"', 1)[1].split("</section>", 1)[0]
    assert "Bedrag klopt niet" in section and f"versie {item.version}" in section
    assert "Waarom geen cijfers?" in section and "Ze staan in de bijlage." in section
    assert "Nog een vraag" in section and "Mo Lid" in section
    assert str(RemarkStatus.ACCEPTED.label) in section


# --- the API ---------------------------------------------------------------------------------


def _bearer(person) -> dict:
    from rosemeet.accounts import operations as accounts

    return {"Authorization": f"Bearer {accounts.create_api_token(person, 'test')[1]}"}


def test_the_api_adds_and_lists_remarks(client, rose, first):
    item = _item(first)
    member, outsider = _bearer(rose.member), _bearer(rose.outsider)
    url = f"/api/v1/agenda-items/{item.id}/remarks"
    assert client.post(url, json={"text": "Te vroeg"}, headers=member).status_code in (403, 404)
    ops.send_minutes_for_comment(first)
    db.session.commit()
    assert client.post(url, json={"text": "Ik ook"}, headers=outsider).status_code in (403, 404)
    refused = client.post(url, json={"text": " ", "extra": 1}, headers=member)
    assert refused.status_code == 400 and "text" in refused.get_json()["error"]["fields"]

    made = client.post(
        url, json={"text": "Bedrag", "proposed_text": "12 000 euro."}, headers=member
    )
    assert made.status_code == 201
    body = made.get_json()
    assert (body["status"], body["author"], body["agenda_item_id"]) == ("open", "Mo Lid", item.id)

    listed = client.get(f"/api/v1/meetings/{first.id}/minutes/remarks", headers=member)
    assert listed.status_code == 200
    data = listed.get_json()
    assert data["open"] == 1 and data["minutes_status"] == "for_comment"
    assert [r["text"] for r in data["items"]] == ["Bedrag"]
