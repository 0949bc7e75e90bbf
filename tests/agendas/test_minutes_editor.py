"""The one minutes editor: save every changed item at once, each with its own version check;
one item saved keeps what was typed in the others; drafts kept while typing."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import func, select

from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries
from rosemeet.agendas.models import AgendaItem, MinutesDraft, MinutesRevision
from rosemeet.extensions import db


@pytest.fixture
def meeting(rose, make_meeting):
    m = make_meeting(rose.ag)
    db.session.commit()
    return m


@pytest.fixture
def items(meeting):
    """Three items of the meeting's agenda (after its standard ones)."""
    made = [ops.add_item(meeting, title=t) for t in ("Begroting", "Fietsproject", "Varia")]
    db.session.commit()
    return made


def _revisions(item_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(MinutesRevision).where(MinutesRevision.item_id == item_id)
    )


def _stored(item_id: int) -> str | None:
    db.session.expire_all()
    return db.session.get(AgendaItem, item_id).minutes


def _textarea(page: str, item_id: int) -> str:
    match = re.search(rf'<textarea id="item-{item_id}-minutes"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no field for item {item_id}"
    return htmllib.unescape(match.group(1))


def _fields(*rows) -> dict[str, object]:
    data: dict[str, object] = {}
    for item, text, version in rows:
        data[f"item-{item.id}-minutes"] = text
        data[f"item-{item.id}-version"] = version
    return data


# --- operations -----------------------------------------------------------------------------


def test_save_all_gives_only_the_changed_items_a_new_version(rose, meeting, items):
    a, b, c = items
    ops.save_minutes(b, "Al besproken.", version=b.version, by=rose.secretary)
    before = {i.id: i.version for i in items}
    outcome = ops.save_all_minutes(
        meeting,
        {
            a.id: ("Begroting goedgekeurd.", a.version),
            b.id: ("Al besproken.\r\n", b.version),  # the same text, typed back
            c.id: ("", c.version),  # empty as it was
        },
        rose.secretary,
    )
    assert [i.id for i in outcome.saved] == [a.id]
    assert sorted(outcome.unchanged) == sorted([b.id, c.id]) and not outcome.conflicts
    assert a.version == before[a.id] + 1 and b.version == before[b.id]
    assert c.version == before[c.id]
    assert (_revisions(a.id), _revisions(b.id), _revisions(c.id)) == (1, 1, 0)


def test_a_stale_item_conflicts_and_the_others_are_saved(rose, meeting, items):
    a, b, c = items
    read = {i.id: i.version for i in items}
    ops.save_minutes(b, "Tekst van Vera", version=read[b.id], by=rose.av_secretary)
    outcome = ops.save_all_minutes(
        meeting,
        {
            a.id: ("Tekst A", read[a.id]),
            b.id: ("Tekst van Sara", read[b.id]),
            c.id: ("Tekst C", read[c.id]),
        },
        rose.secretary,
    )
    assert {i.id for i in outcome.saved} == {a.id, c.id}
    [conflict] = outcome.conflicts
    assert conflict.item_id == b.id and conflict.item is not None
    assert conflict.mine == "Tekst van Sara" and conflict.item.minutes == "Tekst van Vera"
    assert _stored(b.id) == "Tekst van Vera" and _revisions(b.id) == 1  # nothing half-written
    assert _stored(a.id) == "Tekst A" and _stored(c.id) == "Tekst C"


def test_an_item_saved_by_someone_else_but_left_alone_here_is_no_conflict(rose, meeting, items):
    a, b, _c = items
    read = b.version
    ops.save_minutes(b, "Tekst van Vera", version=read, by=rose.av_secretary)
    outcome = ops.save_all_minutes(
        meeting, {a.id: ("Nieuw", a.version), b.id: ("", read)}, rose.secretary
    )
    assert not outcome.conflicts and outcome.unchanged == [b.id]
    assert _stored(b.id) == "Tekst van Vera"


def test_an_item_of_another_meeting_is_never_written(rose, meeting, items, make_meeting):
    other = make_meeting(rose.ag)
    foreign = ops.add_item(other, title="Elders")
    outcome = ops.save_all_minutes(
        meeting, {foreign.id: ("Overschreven", foreign.version)}, rose.secretary
    )
    assert outcome.conflicts[0].item is None and not outcome.saved
    assert _stored(foreign.id) is None


def test_drafts_are_replaced_per_person_and_gone_once_the_item_is_saved(rose, meeting, items):
    a, b, _c = items
    ops.keep_draft(a, "Eerste", version=a.version, by=rose.secretary)
    ops.keep_draft(a, "Tweede", version=a.version, by=rose.secretary)
    ops.keep_draft(a, "Van Mo", version=a.version, by=rose.member)
    ops.keep_draft(b, "Klad B", version=b.version, by=rose.secretary)
    mine = queries.drafts_of(meeting, rose.secretary)
    assert {k: d.text for k, d in mine.items()} == {a.id: "Tweede", b.id: "Klad B"}
    ops.save_all_minutes(meeting, {a.id: ("Tweede", a.version)}, rose.secretary)
    assert set(queries.drafts_of(meeting, rose.secretary)) == {b.id}  # b was not saved
    assert queries.drafts_of(meeting, rose.member)[a.id].text == "Van Mo"  # not my draft


def test_a_draft_equal_to_the_saved_text_is_forgotten(rose, meeting, items):
    a = items[0]
    ops.save_minutes(a, "Bewaard", version=a.version, by=rose.secretary)
    ops.keep_draft(a, "Bewaard en meer", version=a.version, by=rose.secretary)
    ops.keep_draft(a, "Bewaard ", version=a.version, by=rose.secretary)
    assert db.session.scalar(select(func.count()).select_from(MinutesDraft)) == 0


def test_approved_minutes_refuse_a_save_all(rose, meeting, items):
    agenda = ops.ensure_agenda(meeting)
    from rosemeet.agendas.models import MinutesStatus

    agenda.minutes_status = MinutesStatus.APPROVED
    with pytest.raises(ops.AgendaError):
        ops.save_all_minutes(meeting, {items[0].id: ("x", items[0].version)}, rose.secretary)


# --- views ----------------------------------------------------------------------------------


def test_the_page_has_one_form_and_the_slots_sit_outside_it(client, auth, rose, meeting, items):
    auth.login(rose.secretary.email)
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert page.count('id="minutes-form"') == 1
    form = re.search(r'<form id="minutes-form".*?</form>', page, re.S).group(0)
    assert "<form" not in form[5:]  # nothing nests in it
    for item in items:
        assert re.search(rf'<textarea id="item-{item.id}-minutes"[^>]*form="minutes-form"', page)
        assert f'name="save_item" value="{item.id}"' in page
    assert "Alle punten bewaren" in page and "Verslag van dit punt bewaren" in page


def test_one_submit_without_javascript_keeps_all_three_texts(client, auth, rose, meeting, items):
    auth.login(rose.secretary.email)
    a, b, c = items
    response = client.post(
        f"/meetings/{meeting.id}/minutes",
        data={
            **_fields(
                (a, "Tekst A", a.version), (b, "Tekst B", b.version), (c, "Tekst C", c.version)
            ),
            "save_all": "1",
        },
    )
    assert response.status_code == 302
    assert [_stored(i.id) for i in items] == ["Tekst A", "Tekst B", "Tekst C"]
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "Bewaard:" in page


def test_saving_one_item_keeps_the_text_typed_in_the_others(client, auth, rose, meeting, items):
    auth.login(rose.secretary.email)
    a, b, c = items
    response = client.post(
        f"/meetings/{meeting.id}/minutes",
        data={
            **_fields((a, "Tekst A", a.version), (b, "Tekst B", b.version), (c, "", c.version)),
            "save_item": str(b.id),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _stored(b.id) == "Tekst B" and _stored(a.id) is None
    assert _textarea(page, a.id) == "Tekst A" and _textarea(page, b.id) == "Tekst B"
    assert "nog niet bewaard" in page.lower()
    # ... and A is kept as my draft, so a closed tab loses nothing
    assert queries.drafts_of(meeting, rose.secretary)[a.id].text == "Tekst A"
    # the version A was read at stays in the form: saving it later is checked against it
    assert f'name="item-{a.id}-version" value="{a.version}"' in page
    client.post(
        f"/meetings/{meeting.id}/minutes",
        data={**_fields((a, "Tekst A", a.version), (b, "Tekst B", b.version + 1)), "save_all": "1"},
    )
    assert _stored(a.id) == "Tekst A" and _revisions(b.id) == 1


def test_a_stale_item_shows_both_texts_and_the_others_are_saved(client, auth, rose, meeting, items):
    a, b, _c = items
    read_a, read_b = a.version, b.version
    ops.save_minutes(a, "Tekst van Vera", version=read_a, by=rose.av_secretary)
    db.session.commit()
    auth.login(rose.secretary.email)
    response = client.post(
        f"/meetings/{meeting.id}/minutes",
        data={**_fields((a, "Tekst van Sara", read_a), (b, "Tekst B", read_b)), "save_all": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # B's save stands: the answer commits
    assert "Tekst van Vera" in page and "Tekst van Sara" in page
    assert "De andere punten zijn bewaard" in page and "Fietsproject" in page
    assert _stored(a.id) == "Tekst van Vera" and _stored(b.id) == "Tekst B"
    assert queries.drafts_of(meeting, rose.secretary)[a.id].text == "Tekst van Sara"
    # merging there saves against the version now shown
    db.session.expire_all()
    current = db.session.get(AgendaItem, a.id).version
    assert f'name="item-{a.id}-version" value="{current}"' in page
    client.post(
        f"/meetings/{meeting.id}/minutes",
        data={**_fields((a, "Vera en Sara", current)), "save_all": "1"},
    )
    assert _stored(a.id) == "Vera en Sara"
    assert not queries.drafts_of(meeting, rose.secretary)


def test_only_stale_items_answer_409_and_write_nothing(client, auth, rose, meeting, items):
    a = items[0]
    read = a.version
    ops.save_minutes(a, "Tekst van Vera", version=read, by=rose.av_secretary)
    db.session.commit()
    auth.login(rose.secretary.email)
    response = client.post(
        f"/meetings/{meeting.id}/minutes",
        data={**_fields((a, "Tekst van Sara", read)), "save_all": "1"},
    )
    assert response.status_code == 409
    assert "Tekst van Sara" in response.get_data(as_text=True)
    assert _stored(a.id) == "Tekst van Vera"


def test_a_server_draft_is_offered_and_restored_without_javascript(
    client, auth, rose, meeting, items
):
    a = items[0]
    ops.keep_draft(a, "Wat ik typte", version=a.version, by=rose.secretary)
    db.session.commit()
    auth.login(rose.secretary.email)
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    notice = re.search(rf'<div class="draft-found"[^>]*id="draft-{a.id}".*?</div>', page, re.S)
    assert notice and "Niet bewaarde tekst van" in notice.group(0)
    assert "Wat ik typte" in notice.group(0) and "Terugzetten" in notice.group(0)
    response = client.post(
        f"/meetings/{meeting.id}/minutes",
        data={**_fields((a, "", a.version)), "restore_draft": str(a.id)},
    )
    assert _textarea(response.get_data(as_text=True), a.id) == "Wat ik typte"
    assert _stored(a.id) is None  # restored, not saved
    client.post(
        f"/meetings/{meeting.id}/minutes",
        data={**_fields((a, "", a.version)), "discard_draft": str(a.id)},
    )
    assert not queries.drafts_of(meeting, rose.secretary)
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert f'id="draft-{a.id}"' not in page


def test_drafts_json_keeps_and_discards(client, auth, rose, meeting, items):
    a = items[0]
    auth.login(rose.secretary.email)
    url = f"/meetings/{meeting.id}/minutes/drafts"
    body = {"items": [{"agenda_item_id": a.id, "text": "Klad", "version": a.version}]}
    assert client.post(url, json=body).json["kept"] == [a.id]
    assert queries.drafts_of(meeting, rose.secretary)[a.id].text == "Klad"
    assert client.post(url, json={"items": [], "discard": [a.id]}).status_code == 200
    assert not queries.drafts_of(meeting, rose.secretary)
    huge = {"agenda_item_id": a.id, "text": "x", "version": 2**70}
    nul = {"agenda_item_id": a.id, "text": "x\x00", "version": a.version}
    for bad in (
        {"items": "x"},
        {"items": [{"agenda_item_id": "1"}]},
        [1],
        None,
        {"items": [huge]},
        {"items": [nul]},
    ):
        assert client.post(url, json=bad).status_code == 400
    auth.logout()
    auth.login(rose.outsider.email)
    assert client.post(url, json=body).status_code in (403, 404)


def test_preview_renders_the_apps_sanitised_markdown(client, auth, rose, meeting):
    auth.login(rose.secretary.email)
    url = f"/meetings/{meeting.id}/minutes/preview"
    html = client.post(url, json={"text": "**Besluit** <script>alert(1)</script>"}).json["html"]
    assert "<strong>Besluit</strong>" in html and "<script" not in html
    assert client.post(url, json={"text": 5}).status_code == 400


def test_odd_form_input_never_gives_a_500(client, auth, rose, meeting, items):
    a = items[0]
    auth.login(rose.secretary.email)
    url = f"/meetings/{meeting.id}/minutes"
    for data in (
        {f"item-{a.id}-minutes": "x", f"item-{a.id}-version": str(2**70), "save_all": "1"},
        {f"item-{a.id}-minutes": "x\x00", f"item-{a.id}-version": a.version, "save_all": "1"},
        {"item-2147483647-minutes": "x", "item-2147483647-version": "1", "save_all": "1"},
        {"restore_draft": "99999999999999999999"},
        {"save_item": "abc"},
    ):
        assert client.post(url, data=data).status_code < 500
    assert _stored(a.id) is None
