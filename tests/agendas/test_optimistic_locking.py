"""Optimistic locking in the database: a save that raced another one is refused (the UPDATE
says ``WHERE version = <read>``), never written over it, and answers the conflict page or 409.

"Another request" is played by a plain UPDATE in the test's transaction, run at the moment
the other request would commit: after this request read the row and passed the version check
in Python, before it writes. The real thing (gunicorn, several processes) is in
tests/test_concurrent_edits.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries
from rosemeet.agendas.models import AgendaItem, MinutesRevision
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.followups.models import FollowUp, FollowUpStatus
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import Meeting, MeetingSeries
from tests.conftest import brussels


@pytest.fixture
def meeting(rose, make_meeting):
    """A meeting of the Actiegroep in March 2027 (committed: views commit too)."""
    m = make_meeting(rose.ag)
    db.session.commit()
    return m


@pytest.fixture
def meanwhile(monkeypatch):
    """``meanwhile(module, "function", Model, row_id, title=...)``: right after the function
    returns (once), another request commits a save of that row (new values, the next version;
    ``deleted=True``: it removes the row), while this request keeps the row as it read it."""

    def arrange(module, name: str, model, row_id: int, *, deleted=False, also=(), **values):
        original = getattr(module, name)
        table = model.__table__
        statement = (
            table.delete().where(table.c.id == row_id)
            if deleted
            else update(table)
            .where(table.c.id == row_id)
            .values(version=table.c.version + 1, **values)
        )
        pending = [statement]

        def wrapper(*args, **kwargs):
            result = original(*args, **kwargs)
            if pending:
                row = db.session.get(model, row_id)
                read = {a.key: getattr(row, a.key) for a in inspect(model).column_attrs}
                for other in (pending.pop(), *also):
                    db.session.execute(other)
                db.session.commit()  # the other request's commit (a savepoint in tests)
                for key, value in read.items():  # ... and what this request still holds
                    set_committed_value(row, key, value)
            return result

        monkeypatch.setattr(module, name, wrapper)

    return arrange


def _saved_by_other(model, row_id: int, **values):
    """An UPDATE as another request would have committed it: new values, the next version."""
    table = model.__table__
    return update(table).where(table.c.id == row_id).values(version=table.c.version + 1, **values)


def _stored(model, row_id: int, column: str):
    table = model.__table__
    return db.session.execute(select(table.c[column]).where(table.c.id == row_id)).scalar_one()


# --- agenda items ---------------------------------------------------------------------------------


def test_an_item_save_that_raced_another_is_refused_not_written(rose, meeting, meanwhile):
    item = ops.add_item(meeting, title="Begroting")
    read = item.version
    meanwhile(ops, "_check_version", AgendaItem, item.id, title="Begroting 2027")
    with pytest.raises(ops.VersionConflict):
        ops.update_item(item, version=read, title="Begroting 2028")
    assert _stored(AgendaItem, item.id, "title") == "Begroting 2027"
    assert _stored(AgendaItem, item.id, "version") == read + 1
    assert queries.meeting_items(meeting)  # the session is still usable


def test_a_minutes_save_that_raced_another_is_a_conflict_not_a_unique_violation(
    rose, meeting, meanwhile
):
    item = ops.add_item(meeting, title="Begroting")
    read = item.version
    revisions = MinutesRevision.__table__
    other = insert(revisions).values(item_id=item.id, version=read + 1, text="Van Sara")
    meanwhile(ops, "_check_version", AgendaItem, item.id, minutes="Van Sara", also=[other])
    with pytest.raises(ops.VersionConflict):
        ops.save_minutes(item, "Van Mo", version=read, by=rose.member)
    assert _stored(AgendaItem, item.id, "minutes") == "Van Sara"
    texts = db.session.scalars(select(revisions.c.text).where(revisions.c.item_id == item.id))
    assert list(texts) == ["Van Sara"]


def test_every_minutes_save_is_a_new_version_even_of_the_same_text(rose, meeting):
    item = ops.add_item(meeting, title="Begroting")
    ops.save_minutes(item, "Goedgekeurd.", version=item.version, by=rose.secretary)
    ops.save_minutes(item, "Goedgekeurd.", version=item.version, by=rose.secretary)
    assert [r.version for r in item.revisions] == [2, 3] and item.version == 3


def test_the_item_page_answers_409_with_both_versions_when_another_save_won(
    client, auth, rose, meeting, meanwhile
):
    item = ops.add_item(meeting, title="Begroting")
    db.session.commit()
    auth.login(rose.secretary.email)
    meanwhile(ops, "_check_version", AgendaItem, item.id, title="Begroting Sara")
    response = client.post(
        f"/agenda-items/{item.id}/edit",
        data={"title": "Begroting Mo", "kind": "discussion", "version": item.version},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Begroting Sara" in html and "Begroting Mo" in html
    assert _stored(AgendaItem, item.id, "title") == "Begroting Sara"


def test_the_minutes_page_answers_409_and_shows_the_losing_text_back(
    client, auth, rose, meeting, meanwhile
):
    item = ops.add_item(meeting, title="Begroting")
    read = item.version
    db.session.commit()
    auth.login(rose.secretary.email)
    other = insert(MinutesRevision.__table__).values(
        item_id=item.id, version=read + 1, text="Tekst Vera"
    )
    meanwhile(ops, "_check_version", AgendaItem, item.id, minutes="Tekst Vera", also=[other])
    response = client.post(
        f"/agenda-items/{item.id}/minutes",
        data={f"item-{item.id}-minutes": "Tekst Sara", f"item-{item.id}-version": read},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Tekst Vera" in html and "Tekst Sara" in html
    assert f'value="{read + 1}"' in html  # saving again from this page is possible
    assert _stored(AgendaItem, item.id, "minutes") == "Tekst Vera"


def test_an_item_removed_meanwhile_shows_the_typed_text_back(
    client, auth, rose, meeting, meanwhile
):
    item = ops.add_item(meeting, title="Begroting")
    read = item.version
    db.session.commit()
    auth.login(rose.secretary.email)
    meanwhile(ops, "_check_version", AgendaItem, item.id, deleted=True)
    response = client.post(
        f"/agenda-items/{item.id}/minutes",
        data={f"item-{item.id}-minutes": "Mijn lange tekst", f"item-{item.id}-version": read},
    )
    assert response.status_code == 409
    assert "Mijn lange tekst" in response.get_data(as_text=True)


def test_the_api_answers_409_in_its_error_shape_when_another_save_won(
    client, rose, meeting, meanwhile
):
    from rosemeet.accounts.operations import create_api_token

    item = ops.add_item(meeting, title="Begroting")
    _token, plain = create_api_token(rose.secretary, "test")
    db.session.commit()
    meanwhile(ops, "_check_version", AgendaItem, item.id, minutes="Van Sara")
    response = client.patch(
        f"/api/v1/agenda-items/{item.id}",
        json={"version": item.version, "minutes": "Van Mo"},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert set(response.json["error"]) >= {"code", "message", "fields"}


def test_a_remove_that_raced_a_save_is_refused(rose, meeting):
    item = ops.add_item(meeting, title="Begroting")
    db.session.execute(_saved_by_other(AgendaItem, item.id, title="Begroting (nieuw)"))
    with pytest.raises(ops.VersionConflict):
        ops.delete_item(item)
    assert _stored(AgendaItem, item.id, "title") == "Begroting (nieuw)"


# --- places on the agenda -----------------------------------------------------------------------


def test_two_items_cannot_share_a_place_on_an_agenda(rose, meeting):
    first = ops.add_item(meeting, title="Begroting")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(AgendaItem(meeting_id=meeting.id, position=first.position, title="Dubbel"))
        db.session.flush()


def test_an_item_added_while_another_took_the_last_place_gets_the_next_one(
    rose, meeting, monkeypatch
):
    ops.ensure_agenda(meeting)
    original = ops._last_position
    stale = [True]

    def read_before_the_other_committed(m):
        if stale:
            stale.pop()
            return original(m) - 1  # the other request's item was not there yet
        return original(m)

    monkeypatch.setattr(ops, "_last_position", read_before_the_other_committed)
    item = ops.add_item(meeting, title="Nieuw punt", planned_minutes=10)
    positions = [i.position for i in queries.meeting_items(meeting)]
    assert len(positions) == len(set(positions))
    assert item.position == max(positions) and item.title == "Nieuw punt"
    assert item.planned_minutes == 10 and item.id is not None


def test_backlog_items_never_collide(rose):
    first = ops.add_backlog_item(rose.ag, "Deelfietsen")
    second = ops.add_backlog_item(rose.ag, "Leiedal")
    assert first.position == second.position == 0 and first.id != second.id


def test_reordering_swaps_places_and_does_not_make_open_minutes_stale(rose, meeting):
    items = queries.meeting_items(meeting)
    added = ops.add_item(meeting, title="Begroting")
    read = added.version
    ids = [i.id for i in items] + [added.id]
    ops.reorder(meeting, list(reversed(ids)))
    ops.move_item(added, 1)  # the first item one place down
    db.session.expire_all()
    order = [i.id for i in queries.meeting_items(meeting)]
    assert order == [ids[-2], ids[-1], *reversed(ids[:-2])]
    assert [i.position for i in queries.meeting_items(meeting)] == list(range(1, len(ids) + 1))
    ops.save_minutes(added, "Besproken.", version=read, by=rose.secretary)  # not stale
    ops.delete_item(queries.meeting_items(meeting)[0])
    assert [i.position for i in queries.meeting_items(meeting)] == list(range(1, len(ids)))


def test_a_backlog_item_pulled_in_takes_the_next_free_place(rose, meeting):
    backlog = ops.add_backlog_item(rose.ag, "Deelfietsen")
    ops.pull_into(backlog, meeting)
    positions = [i.position for i in queries.meeting_items(meeting)]
    assert positions == list(range(1, len(positions) + 1)) and backlog.position == positions[-1]


# --- meetings, series and follow-ups --------------------------------------------------------------


def test_a_meeting_move_that_raced_another_save_is_refused(rose, meeting, meanwhile):
    read = meeting.version
    meanwhile(meetings, "_check_times", Meeting, meeting.id, location="Kortrijk")
    with pytest.raises(meetings.MeetingError) as caught:
        meetings.update_meeting(meeting, location="Brugge", version=read)
    assert caught.value.code == "conflict"
    assert _stored(Meeting, meeting.id, "location") == "Kortrijk"


def test_a_meeting_saved_from_a_stale_form_is_refused(rose, meeting):
    read = meeting.version
    meetings.update_meeting(meeting, location="Kortrijk", version=read)
    assert meeting.version == read + 1
    with pytest.raises(meetings.MeetingConflict):
        meetings.update_meeting(meeting, location="Brugge", version=read)
    assert meeting.location == "Kortrijk"


def test_a_cancellation_that_raced_a_move_is_refused(rose, meeting):
    db.session.execute(_saved_by_other(Meeting, meeting.id, location="Kortrijk"))
    with pytest.raises(meetings.MeetingConflict):
        meetings.cancel_meeting(meeting, "Geen quorum")
    assert _stored(Meeting, meeting.id, "status") == "scheduled"


def test_a_series_change_that_raced_another_is_refused(rose):
    series, _created = meetings.create_series(
        [rose.ag],
        meetings.SeriesSettings(
            rrule="FREQ=MONTHLY;BYDAY=2TU",
            first_date=brussels(2027, 1, 12).date(),
            start_time=brussels(2027, 1, 12).time(),
            duration_minutes=120,
            location="W13, Kortrijk",
        ),
        notify_new=False,
    )
    later = next(m for m in series.meetings if m.starts_at > brussels(2027, 3, 1))
    db.session.execute(_saved_by_other(MeetingSeries, series.id, location="Brugge"))
    settings = meetings.SeriesSettings(
        rrule="FREQ=MONTHLY;BYDAY=2WE",
        first_date=later.local_start.date(),
        start_time=later.local_start.time(),
        duration_minutes=90,
        location="W13, Kortrijk",
    )
    with pytest.raises(meetings.MeetingConflict):
        meetings.change_following(later, settings)
    assert _stored(MeetingSeries, series.id, "location") == "Brugge"


def test_the_meeting_form_answers_409_and_keeps_what_was_typed(
    client, auth, rose, meeting, meanwhile
):
    auth.login(rose.secretary.email)
    page = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{meeting.version}"' in page
    meanwhile(meetings, "_check_times", Meeting, meeting.id, location="Kortrijk")
    start = meeting.local_start
    response = client.post(
        f"/meetings/{meeting.id}/edit",
        data={
            "title": "",
            "day": start.date().isoformat(),
            "start_time": start.strftime("%H:%M"),
            "end_time": (start + timedelta(hours=2)).strftime("%H:%M"),
            "location": "Het Pand, Gent",
            "version": meeting.version,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Het Pand, Gent" in html and "intussen" in html
    assert _stored(Meeting, meeting.id, "location") == "Kortrijk"


def test_the_meetings_api_answers_409_when_another_save_won(client, rose, meeting, meanwhile):
    from rosemeet.accounts.operations import create_api_token

    _token, plain = create_api_token(rose.secretary, "test")
    db.session.commit()
    meanwhile(meetings, "_check_times", Meeting, meeting.id, location="Kortrijk")
    response = client.patch(
        f"/api/v1/meetings/{meeting.id}",
        json={"location": "Brugge"},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"
    assert _stored(Meeting, meeting.id, "location") == "Kortrijk"


@pytest.fixture
def follow_up(rose, meeting):
    """A follow-up recorded on an item of the meeting."""
    item = ops.add_item(meeting, title="Begroting")
    found = followups.create_follow_up(item, title="Offerte vragen", by=rose.secretary)
    db.session.commit()
    return found


def _follow_up_fields(follow_up: FollowUp, **changes) -> dict:
    fields = {
        "title": follow_up.title,
        "description": follow_up.description,
        "owner_person": follow_up.owner_person,
        "owner_organisation": follow_up.owner_organisation,
        "due_on": follow_up.due_on,
        "report_to_body": follow_up.report_to_body,
        "actions": follow_up.actions,
    }
    return {**fields, **changes}


def test_a_follow_up_save_that_raced_another_is_refused(rose, follow_up, meanwhile):
    read = follow_up.version
    meanwhile(
        followups, "_check_report_to", FollowUp, follow_up.id, title="Offerte vragen aan Leiedal"
    )
    with pytest.raises(followups.FollowUpError) as caught:
        followups.update_follow_up(
            follow_up, **_follow_up_fields(follow_up, title="Offerte schrappen"), version=read
        )
    assert caught.value.code == "conflict"
    assert _stored(FollowUp, follow_up.id, "title") == "Offerte vragen aan Leiedal"


def test_a_follow_up_saved_from_a_stale_form_is_refused(rose, follow_up):
    read = follow_up.version
    followups.update_follow_up(follow_up, **_follow_up_fields(follow_up, title="A"), version=read)
    with pytest.raises(followups.FollowUpConflict):
        followups.update_follow_up(
            follow_up, **_follow_up_fields(follow_up, title="B"), version=read
        )
    assert follow_up.title == "A"


def test_a_status_change_that_raced_another_save_is_refused(rose, follow_up):
    db.session.execute(_saved_by_other(FollowUp, follow_up.id, status="lopend"))
    with pytest.raises(followups.FollowUpConflict):
        followups.set_status(follow_up, FollowUpStatus.DONE, rose.secretary)
    assert _stored(FollowUp, follow_up.id, "status") == "lopend"


def test_the_follow_up_form_answers_409_and_keeps_what_was_typed(
    client, auth, rose, follow_up, meanwhile
):
    auth.login(rose.secretary.email)
    page = client.get(f"/follow-ups/{follow_up.id}").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{follow_up.version}"' in page
    meanwhile(followups, "_check_report_to", FollowUp, follow_up.id, title="Door Vera")
    response = client.post(
        f"/follow-ups/{follow_up.id}/edit",
        data={"title": "Door Sara getypt", "version": follow_up.version},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Door Sara getypt" in html and "Door Vera" in html
    assert _stored(FollowUp, follow_up.id, "title") == "Door Vera"
    count = db.session.scalar(select(func.count(FollowUp.id)))
    assert count == 1


def test_the_cancel_page_answers_409_and_keeps_the_reason_typed(
    client, auth, rose, meeting, meanwhile
):
    auth.login(rose.secretary.email)
    meanwhile(meetings, "check_version", Meeting, meeting.id, location="Kortrijk")
    response = client.post(
        f"/meetings/{meeting.id}/cancel", data={"reason": "De zaal is niet vrij"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "De zaal is niet vrij" in html and "intussen" in html
    assert _stored(Meeting, meeting.id, "status") == "scheduled"
