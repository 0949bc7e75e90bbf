"""Meetings without HTTP: generation, the horizon, splitting, joint meetings, overlaps,
quorum, answers, the outbox, and bad input that leaves nothing behind."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from rosemeet.core.time import to_local
from rosemeet.extensions import db
from rosemeet.mail.models import MessageStatus, OutboxMessage
from rosemeet.meetings import operations as ops
from rosemeet.meetings import queries
from rosemeet.meetings.models import (
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Presence,
    QuorumBasis,
    Response,
)
from rosemeet.network import operations as network
from rosemeet.network.models import Role
from tests.meetings.conftest import NOW, TODAY, brussels


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def mark_all_sent() -> None:
    """The queued messages went out (so later changes become new messages)."""
    for message in db.session.scalars(select(OutboxMessage)):
        message.status, message.attempts = MessageStatus.SENT, 1


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


@pytest.fixture
def ag(ctx, make_person, make_body):
    """The Actiegroep with a secretary, a chair, a member without e-mail and an observer."""
    people = {
        "secretary": make_person("Rita Regisseur"),
        "chair": make_person("Chris Voorzitter", locale="en"),
        "member": make_person("Pieter Peeters", email=None),
        "observer": make_person("Olaf Waarnemer"),
    }
    body = make_body(
        "Actiegroep ROSE",
        code="AG",
        members={
            people["secretary"]: Role.SECRETARY,
            people["chair"]: Role.CHAIR,
            people["member"]: Role.MEMBER,
            people["observer"]: Role.OBSERVER,
        },
    )
    body.people = people
    return body


# --- generation -------------------------------------------------------------------------------


def test_series_every_two_months_stays_at_14h_brussels_across_dst(ag, make_series):
    series, meetings = make_series(ag)
    local = [to_local(m.starts_at) for m in meetings]
    assert [d.date() for d in local] == [
        date(2027, 1, 12),
        date(2027, 3, 9),
        date(2027, 5, 11),
        date(2027, 7, 13),
        date(2027, 9, 14),
        date(2027, 11, 9),
    ]
    assert {(d.hour, d.minute) for d in local} == {(14, 0)}
    # in UTC the hour follows daylight saving: 13:00 in winter, 12:00 in summer
    assert [m.starts_at.hour for m in meetings] == [13, 13, 12, 12, 12, 13]
    assert all(m.ends_at - m.starts_at == timedelta(hours=2) for m in meetings)
    assert len({m.uid for m in meetings}) == 6 and all(
        m.uid.endswith("@rosemeet") for m in meetings
    )
    assert all(m.sequence == 0 and m.bodies == [ag] for m in meetings)
    assert series.generated_until == date(2028, 5, 26)


def test_series_across_the_year_end(ag, make_series):
    _series, meetings = make_series(
        ag, rrule="FREQ=MONTHLY;BYDAY=-1TH;COUNT=4", first_date=date(2027, 11, 1)
    )
    assert [to_local(m.starts_at).date() for m in meetings] == [
        date(2027, 11, 25),
        date(2027, 12, 30),
        date(2028, 1, 27),
        date(2028, 2, 24),
    ]


def test_one_series_that_cannot_be_extended_holds_up_none_of_the_others(
    ag, make_series, monkeypatch
):
    first, _ = make_series(ag, rrule="FREQ=MONTHLY;BYDAY=1MO", first_date=date(2026, 12, 1))
    make_series(ag, rrule="FREQ=MONTHLY;BYDAY=1TH", first_date=date(2026, 12, 1))
    extend = ops.extend_series

    def edited_meanwhile(series, today):
        if series.id == first.id:
            raise StaleDataError("a user saved this series at the same moment")
        return extend(series, today)

    monkeypatch.setattr(ops, "extend_series", edited_meanwhile)
    # the second series gets the first Thursdays of June and July 2028 all the same
    assert ops.extend_all_series(date(2027, 1, 10)) == 2


def test_horizon_extension_is_idempotent(ag, make_series):
    series, meetings = make_series(ag, rrule="FREQ=MONTHLY;BYDAY=1MO", first_date=date(2026, 12, 1))
    assert to_local(meetings[-1].starts_at).date() == date(2028, 5, 1)
    assert ops.extend_all_series(TODAY) == 0
    assert ops.extend_all_series(TODAY) == 0
    # the horizon moves to 10 July 2028: the first Mondays of June and July are added
    assert ops.extend_all_series(date(2027, 1, 10)) == 2
    assert ops.extend_all_series(date(2027, 1, 10)) == 0
    dates = db.session.scalars(
        select(Meeting.occurrence_date).where(Meeting.series_id == series.id)
    ).all()
    assert len(dates) == len(set(dates)) == 20


def test_an_adhoc_groups_planned_end_stops_its_series(make_body, make_series, make_person):
    group = make_body(
        "Werkgroep RLZ", code="RLZ", starts_on=date(2026, 9, 1), ends_on=date(2027, 6, 30)
    )
    _series, meetings = make_series(group, rrule="FREQ=MONTHLY;BYDAY=1MO", first_date=TODAY)
    assert to_local(meetings[-1].starts_at).date() == date(2027, 6, 7)
    assert len(meetings) == 7

    network.save_body(
        group, name=group.name, code="RLZ", kind=group.kind, starts_on=group.starts_on,
        ends_on=date(2027, 3, 31),
    )  # fmt: skip
    ops.extend_all_series(TODAY)
    statuses = [(to_local(m.starts_at).month, m.status) for m in meetings]
    assert statuses[-3:] == [(4, MeetingStatus.CANCELLED)] + [
        (m, MeetingStatus.CANCELLED) for m in (5, 6)
    ]
    assert meetings[3].status is MeetingStatus.SCHEDULED  # March

    with pytest.raises(ops.MeetingError, match="eindigt op"):
        make_series(group, rrule="FREQ=MONTHLY;BYDAY=1MO", first_date=date(2027, 5, 1))


def test_one_off_meeting_and_joint_meeting(make_body, make_person, make_meeting):
    roa_member, ag_member, both = make_person("Nina"), make_person("Mia"), make_person("Sam")
    roa = make_body("ROA", code="ROA", members={roa_member: Role.MEMBER, both: Role.SECRETARY})
    ag = make_body("Actiegroep", code="AG", members={ag_member: Role.MEMBER, both: Role.MEMBER})
    joint = make_meeting(roa, ag, starts_at=brussels(2027, 5, 20), title="Jaarlijks overleg")
    assert joint.series_id is None and {b.code for b in joint.bodies} == {"ROA", "AG"}
    assert [p.name for p in queries.invitees(joint)] == ["Mia", "Nina", "Sam"]
    assert joint in queries.body_meetings(roa, upcoming=True)
    assert joint in queries.body_meetings(ag, upcoming=True)
    assert len(outbox("meeting_invite")) == 3  # Sam once, though in both bodies


# --- this meeting / this and the following ---------------------------------------------------


def test_move_one_meeting_leaves_the_others(ag, make_series):
    _series, meetings = make_series(ag)
    march = meetings[1]
    uid = march.uid
    assert ops.update_meeting(
        march, starts_at=brussels(2027, 3, 16, 10), ends_at=brussels(2027, 3, 16, 12)
    )
    assert (march.uid, march.sequence, march.occurrence_date) == (uid, 1, date(2027, 3, 9))
    assert [to_local(m.starts_at).day for m in meetings] == [12, 16, 11, 13, 14, 9]
    # the moved meeting is not generated again on its old date
    assert ops.extend_all_series(date(2027, 1, 1)) == 0


def test_this_and_following_splits_the_series_and_keeps_past_meetings(ag, make_series):
    series, meetings = make_series(
        ag, rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU", first_date=date(2026, 1, 1)
    )
    past = [m for m in meetings if m.ends_at < brussels(2026, 11, 26)]
    assert len(past) == 6
    before = [(m.id, m.starts_at, m.sequence) for m in past]
    january = next(m for m in meetings if m.occurrence_date == date(2027, 1, 12))
    march = next(m for m in meetings if m.occurrence_date == date(2027, 3, 9))

    settings = ops.SeriesSettings(
        rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU",
        first_date=date(2027, 3, 9),
        start_time=time(10, 0),
        duration_minutes=90,
        location="VDAB Kortrijk",
    )
    mark_all_sent()
    new = ops.change_following(march, settings)

    assert new.id != series.id and new.previous_id == series.id
    assert series.rrule == "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;UNTIL=20270308"
    assert [(m.id, m.starts_at, m.sequence) for m in past] == before
    assert january.series_id == series.id and to_local(january.starts_at).hour == 14
    assert march.series_id == new.id and to_local(march.starts_at).hour == 10
    assert march.location == "VDAB Kortrijk" and march.sequence == 1
    assert march.ends_at - march.starts_at == timedelta(minutes=90)
    following = db.session.scalars(select(Meeting).where(Meeting.series_id == new.id)).all()
    assert {to_local(m.starts_at).hour for m in following} == {10}
    assert len(outbox("meeting_update")) == 3 * len(following)  # 3 invitees with e-mail

    with pytest.raises(ops.MeetingError, match="Voorbije vergaderingen"):
        ops.change_following(past[-1], settings)


def test_this_and_following_with_another_rule_cancels_dates_it_drops(ag, make_series):
    _series, meetings = make_series(ag)
    may = meetings[2]
    settings = ops.SeriesSettings(
        rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=3WE;UNTIL=20271231",
        first_date=may.occurrence_date,
        start_time=time(14, 0),
        duration_minutes=120,
        location="W13, Kortrijk",
    )
    new = ops.change_following(may, settings)
    assert [m.status for m in meetings[2:]] == [MeetingStatus.CANCELLED] * 4
    fresh = db.session.scalars(
        select(Meeting).where(Meeting.series_id == new.id).order_by(Meeting.starts_at)
    ).all()
    assert [to_local(m.starts_at).date() for m in fresh] == [
        date(2027, 5, 19),
        date(2027, 7, 21),
        date(2027, 9, 15),
        date(2027, 11, 17),
    ]


def test_this_and_following_from_the_first_meeting_changes_the_series_itself(ag, make_series):
    series, meetings = make_series(ag)
    settings = ops.SeriesSettings(
        rrule="FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU;UNTIL=20271231",
        first_date=date(2027, 1, 1),
        start_time=time(9, 30),
        duration_minutes=120,
        location="W13, Kortrijk",
    )
    assert ops.change_following(meetings[0], settings) is series
    assert {to_local(m.starts_at).strftime("%H:%M") for m in meetings} == {"09:30"}
    assert db.session.scalar(select(func.count(MeetingSeries.id))) == 1


# --- overlaps ---------------------------------------------------------------------------------


def test_overlap_warning_only_when_invitees_are_shared(ag, make_body, make_person, make_meeting):
    rita = ag.people["secretary"]
    roa = make_body("ROA", code="ROA", members={rita: Role.MEMBER})
    lde = make_body("LDE-fabriek", code="LDE", members={make_person("Lotte"): Role.CHAIR})
    first = make_meeting(ag, starts_at=brussels(2027, 3, 9, 14))
    shared = make_meeting(roa, starts_at=brussels(2027, 3, 9, 15))
    apart = make_meeting(lde, starts_at=brussels(2027, 3, 9, 15))
    later = make_meeting(roa, starts_at=brussels(2027, 3, 9, 17))

    overlaps = queries.find_overlaps([shared])
    assert [(o.other.id, o.shared) for o in overlaps] == [(first.id, ["Rita Regisseur"])]
    assert queries.find_overlaps([apart]) == []
    assert queries.find_overlaps([later]) == []  # 17:00 starts when the ROA meeting ends
    ops.cancel_meeting(first, "Zaal niet vrij")
    assert queries.find_overlaps([shared]) == []


# --- attendance, quorum, answers ---------------------------------------------------------------


def test_quorum_of_half_the_member_organisations(
    make_body, make_person, make_organisation, make_meeting
):
    w13, stam, vdab = (make_organisation(n) for n in ("W13", "STAM", "VDAB"))
    a1, a2 = make_person("A1", organisation=w13), make_person("A2", organisation=w13)
    b, c = make_person("B", organisation=stam), make_person("C", organisation=vdab)
    observer = make_person("Obs")
    seats = {a1: Role.CHAIR, a2: Role.MEMBER, b: Role.MEMBER, c: Role.MEMBER}
    av = make_body("AV", code="AV", members={**seats, observer: Role.OBSERVER})
    meeting = make_meeting(av)
    assert queries.quorum_results(meeting) == []
    ops.set_quorum_rule(av, QuorumBasis.ORGANISATIONS, 50)
    ops.record_presence(meeting, a1, Presence.PRESENT)
    ops.record_presence(meeting, a2, Presence.PRESENT)
    ops.record_presence(meeting, observer, Presence.PRESENT)
    (result,) = queries.quorum_results(meeting)
    assert (result.total, result.needed, result.present, result.reached) == (3, 2, 1, False)
    ops.record_presence(meeting, b, Presence.PRESENT)
    ops.record_presence(meeting, c, Presence.EXCUSED)
    (result,) = queries.quorum_results(meeting)
    assert (result.present, result.reached) == (2, True)

    stranger = make_person("Niet uitgenodigd")
    with pytest.raises(ops.MeetingError):
        ops.record_presence(meeting, stranger, Presence.PRESENT)


def test_rsvp_link_names_one_invitee_of_one_meeting(ag, make_person, make_meeting):
    meeting = make_meeting(ag)
    chair = ag.people["chair"]
    token = ops.rsvp_token(meeting, chair)
    assert queries.load_rsvp_token(token) == (meeting, chair)
    assert queries.load_rsvp_token(token[:-2] + "xx") is None
    assert queries.load_rsvp_token("nonsense") is None
    stranger = make_person("Buitenstaander")
    assert queries.load_rsvp_token(ops.rsvp_token(meeting, stranger)) is None

    ops.respond(meeting, chair, Response.ACCEPTED)
    ops.respond(meeting, chair, Response.TENTATIVE)
    (row,) = [a for a in meeting.attendances if a.person_id == chair.id]
    assert row.response is Response.TENTATIVE and row.responded_at is not None
    with pytest.raises(ops.MeetingError):
        ops.respond(meeting, stranger, Response.ACCEPTED)


def test_guests_are_invited_besides_the_members(ag, make_person, make_meeting):
    guest = make_person("Gast van POM")
    meeting = make_meeting(ag, guests=[guest], invite_roles=[Role.CHAIR, Role.SECRETARY])
    assert [p.name for p in queries.invitees(meeting)] == [
        "Chris Voorzitter",
        "Gast van POM",
        "Rita Regisseur",
    ]


# --- the outbox -------------------------------------------------------------------------------


def test_every_change_invitees_must_hear_about_queues_one_message_each(ag, make_series):
    _series, meetings = make_series(ag)
    invites = outbox("meeting_invite")
    # secretary, chair and observer have an address; the member has none
    assert len(invites) == 6 * 3
    first = meetings[0]
    keys = {m.key for m in invites if m.key.startswith(f"meeting:{first.id}:")}
    assert keys == {f"meeting:{first.id}:v0:{p.id}" for p in ag.people.values() if p.email}
    dutch = next(m for m in invites if m.person_id == ag.people["secretary"].id)
    assert dutch.subject == "Uitnodiging: Actiegroep ROSE"
    assert "dinsdag 12 januari 2027, 14:00-16:00" in dutch.text_body
    assert "/rsvp/" not in dutch.text_body  # the answer links are made when it is sent
    from rosemeet.mail.delivery import build_email

    sent = build_email(dutch, "rosemeet@localhost").get_body(("plain",)).get_content()
    assert "http://rosemeet.test/rsvp/" in sent
    english = next(m for m in invites if m.person_id == ag.people["chair"].id)
    assert english.subject == "Invitation: Actiegroep ROSE"

    mark_all_sent()  # the invitations went out
    ops.update_meeting(first, location="VDAB Kortrijk", online_url=None)
    updates = outbox("meeting_update")
    assert len(updates) == 3
    assert {m.key for m in updates} == {f"meeting:{first.id}:v1:{m.person_id}" for m in updates}
    ops.update_meeting(first, location="VDAB Kortrijk", online_url=None)  # nothing changed
    assert len(outbox("meeting_update")) == 3
    ops.cancel_meeting(first, "Te weinig agendapunten")
    # the update had not gone out yet: each person gets one message, the cancellation
    assert outbox("meeting_update") == []
    cancels = outbox("meeting_cancel")
    assert len(cancels) == 3 and first.sequence == 2
    assert all(m.calendar_method == "CANCEL" for m in cancels)
    assert "Te weinig agendapunten" in cancels[0].text_body


def test_a_meeting_cancelled_before_its_invitation_left_sends_nothing(ag, make_meeting):
    meeting = make_meeting(ag)
    waiting = [m for m in outbox("meeting_invite") if m.key.startswith(f"meeting:{meeting.id}:")]
    assert waiting
    ops.cancel_meeting(meeting, "Vergissing")
    assert [
        m
        for m in outbox("meeting_invite") + outbox("meeting_cancel")
        if m.key.startswith(f"meeting:{meeting.id}:")
    ] == []


def test_a_meeting_cancelled_while_its_invitation_is_being_sent_gets_a_cancellation(
    ag, make_meeting, monkeypatch
):
    meeting = make_meeting(ag)
    invites = len(outbox("meeting_invite"))
    found = ops.pending_message

    def claimed_right_after_reading(key):
        """A delivery run claims the invitation between reading and withdrawing it."""
        message = found(key)
        if message is not None:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(claimed_by="deliverer", claimed_until=NOW + timedelta(minutes=5))
                .execution_options(synchronize_session=False)
            )
        return message

    monkeypatch.setattr(ops, "pending_message", claimed_right_after_reading)
    ops.cancel_meeting(meeting, "Vergissing")
    cancels = [m for m in outbox("meeting_cancel") if m.key.startswith(f"meeting:{meeting.id}:")]
    assert len(cancels) == invites > 0


def test_meetings_and_their_messages_share_one_transaction(ag, make_meeting):
    savepoint = db.session.begin_nested()
    make_meeting(ag)
    assert count(Meeting) == 1 and len(outbox()) == 3
    savepoint.rollback()
    assert count(Meeting) == 0 and len(outbox()) == 0


def test_past_meetings_are_not_announced(ag, make_series):
    make_series(ag, rrule="FREQ=MONTHLY;BYDAY=2TU;COUNT=4", first_date=date(2026, 9, 1))
    assert len(outbox("meeting_invite")) == 1 * 3  # only December is still to come


# --- bad input leaves nothing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rrule", "start", "first", "field", "code"),
    [
        ("FREQ=MONTHLY;BYDAY=2XX", time(14), date(2027, 1, 1), "rrule", "syntax"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", time(14), date(2027, 1, 1), "rrule", "no_dates"),
        ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", time(2, 30), date(2027, 1, 1), "start_time", "nonexistent_time"),  # noqa: E501
        ("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", time(2, 30), date(2027, 1, 1), "start_time", "ambiguous_time"),  # noqa: E501
        ("FREQ=WEEKLY;BYDAY=MO,TH", time(14), date(2027, 1, 1), "rrule", "too_frequent"),
        ("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20261231", time(14), date(2027, 1, 1), "until", "invalid"),
        ("FREQ=DAILY", time(14), date(2027, 1, 1), "rrule", "frequency"),
    ],
)  # fmt: skip
def test_bad_series_is_refused_and_nothing_is_generated(
    ag, make_series, rrule, start, first, field, code
):
    with pytest.raises(ops.MeetingError) as caught:
        make_series(ag, rrule=rrule, start_time=start, first_date=first)
    assert (caught.value.field, caught.value.code) == (field, code)
    db.session.rollback()
    assert count(MeetingSeries) == count(Meeting) == len(outbox()) == 0


def test_no_series_or_meeting_for_an_archived_body(ag, make_series, make_meeting):
    network.archive_body(ag)
    with pytest.raises(ops.MeetingError, match="gearchiveerd"):
        make_series(ag)
    with pytest.raises(ops.MeetingError, match="gearchiveerd"):
        make_meeting(ag)
    db.session.rollback()
    assert count(Meeting) == 0


def test_cancelled_meetings_cannot_be_moved_or_cancelled_again(ag, make_meeting):
    meeting = make_meeting(ag)
    with pytest.raises(ops.MeetingError, match="eindigt voor"):
        ops.update_meeting(
            meeting, starts_at=brussels(2027, 3, 9, 16), ends_at=brussels(2027, 3, 9, 15)
        )
    with pytest.raises(ops.MeetingError, match="waarom"):
        ops.cancel_meeting(meeting, "  ")
    ops.cancel_meeting(meeting, "Ziekte")
    with pytest.raises(ops.MeetingError, match="geannuleerd") as caught:
        ops.update_meeting(
            meeting, starts_at=brussels(2027, 3, 10), ends_at=brussels(2027, 3, 10, 16)
        )
    assert caught.value.code == "cancelled"
    with pytest.raises(ops.MeetingError, match="al geannuleerd"):
        ops.cancel_meeting(meeting, "Nog eens")
    assert meeting.sequence == 1


def test_a_body_with_meetings_cannot_be_deleted(ag, make_meeting, make_body):
    make_meeting(ag)
    with pytest.raises(network.NetworkError, match="Archiveer"):
        network.delete_body(ag)
    empty = make_body("Lege werkgroep", code="LEEG")
    ops.set_quorum_rule(empty, QuorumBasis.MEMBERS, 50)
    network.delete_body(empty)  # a quorum rule is no history


def test_an_online_link_must_be_http(ag, make_meeting):
    meeting = make_meeting(ag)
    with pytest.raises(ops.MeetingError, match="https://"):
        ops.update_meeting(meeting, location=None, online_url="javascript:alert(1)")
    ops.update_meeting(meeting, location=None, online_url="https://meet.example.org/ag")
    assert meeting.online_url == "https://meet.example.org/ag"
