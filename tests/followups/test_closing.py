"""Closing an ad-hoc group ("Werkgroep afronden"): the report travels to the body it reports
to, its follow-ups are closed or moved, its meetings stop, it is archived; refusals write
nothing."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from rosemeet.agendas.models import AgendaItem, ItemSource
from rosemeet.extensions import db
from rosemeet.followups import closing
from rosemeet.followups.models import FollowUpStatus
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import Meeting, MeetingStatus
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, RelationKind, Role
from tests.conftest import brussels
from tests.followups.conftest import TODAY

REPORT = "RASE stelde het **actieplan** op.\n\n[Eindnota](https://rose.example.org/nota.pdf)"


def _meeting(group, starts_at, *bodies):
    return meetings.create_meeting(
        [group, *bodies],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        location="W13",
        after_end=True,
    )


@pytest.fixture
def rase(rose, make_body, make_follow_up):
    """RASE, an ad-hoc group past its end (31/12/2020) that reports back to the Actiegroep;
    Sara chairs it, Mo is a member. A meeting in October 2026 raised two follow-ups (one
    referred to the ROA); a monthly series and a joint meeting with the Actiegroep lie ahead."""
    group = make_body(
        "Werkgroep RASE",
        code="RASE",
        kind=BodyKind.ADHOC,
        starts_on=date(2019, 1, 1),
        ends_on=date(2020, 12, 31),
        members={rose.secretary: Role.CHAIR, rose.member: Role.MEMBER},
    )
    network.add_relation(group, rose.ag, RelationKind.REPORTS_TO)
    rose.rase = group
    rose.october = _meeting(group, brussels(2026, 10, 1))
    rose.open_one = make_follow_up(rose.october, "Nota afwerken")
    rose.referred = make_follow_up(
        rose.october, "Vraag aan het ROA", report_to_body=rose.roa, item=None
    )
    rose.done_one = make_follow_up(rose.october, "Al gedaan")
    rose.done_one.status = FollowUpStatus.DONE
    rose.future = _meeting(group, brussels(2027, 1, 14))
    rose.joint = _meeting(group, brussels(2027, 2, 4), rose.ag)
    settings = meetings.SeriesSettings(
        rrule="FREQ=MONTHLY;BYDAY=1MO",
        first_date=TODAY,
        start_time=time(14, 0),
        duration_minutes=120,
        location="W13",
    )
    rose.series, _made = meetings.create_series([group], settings, after_end=True)
    db.session.flush()
    return rose


def _feedback_items(body):
    return db.session.scalars(
        select(AgendaItem).where(
            AgendaItem.body_id == body.id, AgendaItem.source == ItemSource.FEEDBACK
        )
    ).all()


def _scheduled_future(group):
    return db.session.scalars(
        select(Meeting).where(
            Meeting.bodies.any(id=group.id),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > brussels(2026, 11, 26, 13),
        )
    ).all()


def test_closing_records_feeds_back_closes_stops_and_archives(rase):
    group = rase.rase
    assert len(_scheduled_future(group)) > 10  # the series, the one-off and the joint meeting
    done = closing.close_group(group, report=REPORT, by=rase.secretary)

    assert group.is_archived and group.closing_report == REPORT
    # the report is feedback in the Actiegroep's backlog
    (item,) = _feedback_items(rase.ag)
    assert item.meeting_id is None and item.title == "Slotverslag RASE"
    assert "**actieplan**" in item.description and "Werkgroep RASE" in item.origin_text
    assert done.feedback == [item]
    # its open follow-ups are done, the referral too, with the resolution and the report
    for follow_up in (rase.open_one, rase.referred):
        assert follow_up.status is FollowUpStatus.DONE
        assert follow_up.resolution.startswith("Afgesloten bij het afronden van de werkgroep.")
        assert "**actieplan**" in follow_up.resolution
        assert follow_up.closed_by is rase.secretary
    assert rase.done_one.resolution is None  # closed before: untouched
    # no meetings after today: the series ended, the one-off cancelled, the joint one goes on
    assert _scheduled_future(group) == []
    assert rase.future.status is MeetingStatus.CANCELLED
    assert rase.future.cancel_reason == "Werkgroep RASE is afgerond."
    assert rase.joint.status is MeetingStatus.SCHEDULED and rase.joint.bodies == [rase.ag]
    assert rase.october.status is MeetingStatus.SCHEDULED  # the past stays as it was
    assert rase.series.generated_until == TODAY
    assert meetings.extend_all_series(TODAY + timedelta(days=40)) == 0


def test_follow_ups_can_move_to_another_body(rase):
    closing.close_group(
        rase.rase, report=REPORT, follow_ups=closing.MOVE, move_to=rase.roa, by=rase.secretary
    )
    assert rase.open_one.body is rase.roa and rase.open_one.status is FollowUpStatus.OPEN
    # the referral to the ROA now sits in the ROA itself: it refers nowhere any more
    assert rase.referred.body is rase.roa and rase.referred.report_to_body is None
    assert rase.rase.is_archived


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"report": "   "}, "closing_report"),
        ({"report": REPORT, "follow_ups": closing.MOVE}, "move_to_body_id"),
        ({"report": REPORT, "follow_ups": "forget"}, "follow_ups"),
    ],
)
def test_a_refusal_writes_nothing(rase, arguments, field):
    with pytest.raises(closing.ClosingError) as refused:
        closing.close_group(rase.rase, by=rase.secretary, **arguments)
    assert refused.value.field == field
    _nothing_changed(rase)


def test_moving_to_an_archived_body_or_itself_is_refused(rase):
    network.archive_body(rase.lde)
    for target in (rase.lde, rase.rase):
        with pytest.raises(closing.ClosingError, match="niet gearchiveerd"):
            closing.close_group(rase.rase, report=REPORT, follow_ups=closing.MOVE, move_to=target)
    _nothing_changed(rase)


def test_only_an_active_adhoc_group_is_closed(rase):
    with pytest.raises(closing.ClosingError):
        closing.close_group(rase.lde, report=REPORT)
    closing.close_group(rase.rase, report=REPORT)
    with pytest.raises(closing.ClosingError) as again:
        closing.close_group(rase.rase, report=REPORT)
    assert again.value.status == 409


def _nothing_changed(rase):
    db.session.expire_all()
    assert not rase.rase.is_archived and rase.rase.closing_report is None
    assert rase.open_one.status is FollowUpStatus.OPEN and rase.open_one.body is rase.rase
    assert _feedback_items(rase.ag) == []
    assert rase.future.status is MeetingStatus.SCHEDULED


# --- the page -------------------------------------------------------------------------------------


def test_the_chair_closes_the_group_on_its_page(rase, client, auth):
    db.session.commit()
    url = f"/bodies/{rase.rase.id}/close"
    auth.login(rase.member.email)
    assert client.get(url).status_code == 403
    assert "Werkgroep afronden" not in client.get(f"/bodies/{rase.rase.id}").get_data(True)
    auth.logout()

    auth.login(rase.secretary.email)
    page = client.get(f"/bodies/{rase.rase.id}").get_data(as_text=True)
    assert f'href="{url}"' in page and "Werkgroep afronden" in page
    form = client.get(url).get_data(as_text=True)
    assert "Nota afwerken" in form and "Actiegroep ROSE" in form

    refused = client.post(url, data={"closing_report": "", "follow_ups": "move", "confirm": "y"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Schrijf het slotverslag." in html
    assert re.search(r'<input checked[^>]*value="move"', html)  # what was chosen stays
    moved = client.post(url, data={"closing_report": REPORT, "follow_ups": "move", "confirm": "y"})
    assert "Kies het orgaan dat de open opvolgpunten overneemt." in moved.get_data(as_text=True)
    db.session.expire_all()
    assert not rase.rase.is_archived

    done = client.post(url, data={"closing_report": REPORT, "follow_ups": "close", "confirm": "y"})
    assert done.status_code == 302
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Slotverslag" in shown and "<strong>actieplan</strong>" in shown
    assert "is afgerond" in shown
    assert client.get(url).status_code == 403  # closed once: no second time


def test_an_admin_cannot_close_a_body_that_is_no_adhoc_group(rase, client, auth, admin):
    db.session.commit()
    auth.login(admin.email)
    assert client.get(f"/bodies/{rase.ag.id}/close").status_code == 404
    assert client.get(f"/bodies/{rase.rase.id}/close").status_code == 200
