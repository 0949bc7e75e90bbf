"""Domain tests: decision numbers, carry-over onto the next agendas, closing in the report-to
body, the ROA loop, the tracker and referrals, reminders and the digest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import AgendaItem, ItemSource
from rosemeet.extensions import db
from rosemeet.followups import digest, feedback, queries, reminders
from rosemeet.followups import operations as ops
from rosemeet.followups.models import Decision, FeedbackReport, FollowUpStatus
from rosemeet.network.models import Role
from tests.followups.conftest import TODAY, brussels, make_meeting_at


def tracked(user, flt, today):
    """The tracker's rows (its query, run)."""
    return list(db.session.scalars(queries.tracker(user, flt, today)))


def _numbers(decisions):
    return [d.number for d in decisions]


# --- numbering -------------------------------------------------------------------------------


def test_decisions_are_numbered_per_body_and_year(rose, make_item):
    item = make_item(rose.ag_march, actions=[rose.action])
    first = ops.record_decision(item, "We starten een proefproject fietsen.", [rose.action])
    second = ops.record_decision(item, "De regisseur vraagt offertes op.")
    roa_item = make_item(rose.roa_april, "Activering")
    roa = ops.record_decision(roa_item, "Het ROA steunt het proefproject.")
    next_year = make_meeting_at(rose.ag, brussels(2028, 1, 11))
    new_year = ops.record_decision(make_item(next_year), "Nieuw jaar, nieuwe nummers.")
    assert _numbers([first, second, roa, new_year]) == [
        "AG-2027-01",
        "AG-2027-02",
        "ROA-2027-01",
        "AG-2028-01",
    ]
    assert first.actions == [rose.action]
    assert first.decided_on == date(2027, 3, 9)


def test_a_number_taken_concurrently_is_retried_and_never_reused(rose, make_item, monkeypatch):
    item = make_item(rose.ag_march)
    ops.record_decision(item, "Eerste besluit.")
    real = ops.next_sequence
    calls = []

    def stale(body, year):  # another recorder read the same maximum a moment ago
        calls.append(1)
        return 1 if len(calls) == 1 else real(body, year)

    monkeypatch.setattr(ops, "next_sequence", stale)
    second = ops.record_decision(item, "Tweede besluit.")
    assert second.number == "AG-2027-02"
    assert len(calls) == 2
    numbers = db.session.scalars(select(Decision.sequence).where(Decision.body_id == rose.ag.id))
    assert sorted(numbers) == [1, 2]


def test_a_deleted_item_leaves_its_decision_in_the_register(rose, make_item):
    item = make_item(rose.ag_march)
    decision = ops.record_decision(item, "Blijft in het register.")
    agendas.delete_item(item)
    db.session.expire_all()
    assert db.session.get(Decision, decision.id).number == "AG-2027-01"


def test_an_empty_decision_and_a_backlog_item_are_refused(rose, make_item):
    with pytest.raises(ops.FollowUpError) as empty:
        ops.record_decision(make_item(rose.ag_march), "   ")
    assert empty.value.field == "text"
    backlog = agendas.add_backlog_item(rose.ag, "Later bespreken")
    with pytest.raises(ops.FollowUpError):
        ops.record_decision(backlog, "Kan niet zonder vergadering.")


# --- carry-over ------------------------------------------------------------------------------


def _carried(meeting):
    return {row.follow_up.id: row.referred for row in queries.meeting_follow_ups(meeting, None)}


def test_open_follow_ups_carry_over_to_the_next_meeting_of_their_body_and_of_the_report_to_body(
    rose, make_follow_up
):
    follow_up = make_follow_up(
        rose.ag_march,
        "Vraag het ROA naar vervoer voor doelgroepmedewerkers",
        owner_person=rose.member,
        due_on=date(2027, 4, 30),
        report_to_body=rose.roa,
    )
    own = make_follow_up(rose.ag_march, "Offerte fietsen", owner_person=rose.member)
    assert follow_up.owner_organisation == rose.w13  # the owner's organisation by default
    assert _carried(rose.ag_march) == {}  # raised there: not on its own opvolglijst
    assert _carried(rose.ag_may) == {follow_up.id: False, own.id: False}
    assert _carried(rose.roa_april) == {follow_up.id: True}
    assert _carried(rose.lde_april) == {}
    earlier_roa = make_meeting_at(rose.roa, brussels(2027, 2, 4))
    assert _carried(earlier_roa) == {}  # raised after that ROA meeting


def test_the_report_to_body_sees_where_the_follow_up_comes_from(rose, make_follow_up, client, auth):
    make_follow_up(rose.ag_march, "Vervoer naar de werkplek", report_to_body=rose.roa)
    agendas.ensure_agenda(rose.roa_april)  # the standard items include the opvolglijst
    agendas.publish_agenda(rose.roa_april)
    db.session.commit()
    auth.login(rose.roa_secretary.email)
    html = client.get(f"/meetings/{rose.roa_april.id}").get_data(as_text=True)
    assert "Vervoer naar de werkplek" in html
    assert "uit Actiegroep ROSE 9 mrt 2027" in html


def test_closing_in_the_report_to_body_shows_afgehandeld_at_the_origin(
    rose, make_follow_up, during
):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    during(rose.roa_april)
    ops.set_status(
        follow_up, FollowUpStatus.DONE, rose.roa_secretary, rose.roa_april, resolution="Ja."
    )
    assert (follow_up.closed_by, follow_up.closed_in_meeting) == (
        rose.roa_secretary,
        rose.roa_april,
    )
    assert follow_up.closed_at is not None
    # the ROA's meeting keeps it (closed there), later meetings no longer carry it
    assert _carried(rose.roa_april) == {follow_up.id: True}
    assert _carried(rose.roa_june) == {}
    assert _carried(rose.ag_may) == {}
    # the Actiegroep's tracker shows it as afgehandeld, and the referral as dealt with
    flt = queries.TrackerFilter(body_id=rose.ag.id, status=FollowUpStatus.DONE)
    assert tracked(rose.secretary, flt, TODAY) == [follow_up]
    (referral,) = queries.referrals(rose.secretary)
    assert (referral.state, referral.dealt_in) == ("dealt", rose.roa_april)


def test_closing_in_a_meeting_of_another_body_is_refused_with_a_reason(rose, make_follow_up):
    follow_up = make_follow_up(rose.ag_march, "Vervoer", report_to_body=rose.roa)
    with pytest.raises(ops.FollowUpError) as refused:
        ops.set_status(follow_up, FollowUpStatus.DONE, rose.secretary, rose.lde_april)
    assert refused.value.field == "closed_in_meeting_id"
    assert "Actiegroep ROSE / Regionaal Overleg Activering" in refused.value.message
    assert follow_up.status is FollowUpStatus.OPEN


def test_reopening_clears_the_closing_record(rose, make_follow_up, during):
    follow_up = make_follow_up(rose.ag_march)
    during(rose.ag_may)
    ops.set_status(
        follow_up, FollowUpStatus.DROPPED, rose.secretary, rose.ag_may, resolution="Niet nodig."
    )
    assert follow_up.resolution == "Niet nodig."
    ops.set_status(follow_up, FollowUpStatus.ONGOING, rose.member)
    assert follow_up.closed_at is None and follow_up.closed_in_meeting is None
    assert follow_up.resolution is None
    assert _carried(rose.ag_may) == {follow_up.id: False}


def test_a_past_due_date_is_a_warning_and_a_report_to_self_is_refused(rose, make_follow_up):
    follow_up = make_follow_up(rose.ag_march, due_on=TODAY - timedelta(days=3))
    assert "23 nov 2026" in ops.due_warning(follow_up.due_on, TODAY)
    assert ops.due_warning(TODAY, TODAY) is None
    with pytest.raises(ops.FollowUpError) as refused:
        make_follow_up(rose.ag_march, report_to_body=rose.ag)
    assert refused.value.field == "report_to_body_id"


# --- the ROA loop ----------------------------------------------------------------------------


def _approve(meeting, in_meeting, by):
    agendas.ensure_agenda(meeting)
    agendas.send_minutes_for_comment(meeting)
    agendas.approve_minutes(meeting, in_meeting=in_meeting, by=by)


def test_approved_roa_minutes_land_in_the_backlog_of_the_actiegroep(
    rose, make_item, make_follow_up
):
    item = make_item(rose.roa_april, "Activering langdurig zieken", actions=[rose.action])
    decision = ops.record_decision(item, "Het ROA start een werkgroep.", [rose.action])
    make_follow_up(rose.roa_april, "Lijst trajectbegeleiders bezorgen", item=item)
    closed = make_follow_up(rose.roa_april, "Al gedaan", item=item)
    ops.set_status(closed, FollowUpStatus.DONE, rose.roa_secretary)

    _approve(rose.roa_april, rose.roa_june, rose.roa_secretary)

    backlog = db.session.scalars(
        select(AgendaItem).where(AgendaItem.body_id == rose.ag.id, AgendaItem.meeting_id.is_(None))
    ).all()
    (fed_back,) = backlog
    assert fed_back.title == "Terugkoppeling ROA 1 apr 2027"
    assert fed_back.source is ItemSource.FEEDBACK
    assert fed_back.origin_text == "uit Regionaal Overleg Activering 1 apr 2027"
    assert decision.number in fed_back.description
    assert "Lijst trajectbegeleiders bezorgen" in fed_back.description
    assert "Al gedaan" not in fed_back.description
    assert fed_back.actions == [rose.action]
    # the Actiegroep's next agenda (JSON) offers it
    sections = {s["key"]: s for s in queries.agenda_sections(rose.ag_may, rose.secretary)}
    assert [i["title"] for i in sections["fed_back"]["items"]] == ["Terugkoppeling ROA 1 apr 2027"]
    # once per meeting and receiving body
    assert feedback.feed_back(rose.roa_april) == []
    assert len(db.session.scalars(select(FeedbackReport)).all()) == 1


def test_approving_actiegroep_minutes_feeds_nothing_back(rose, make_item):
    ops.record_decision(make_item(rose.ag_march), "Intern besluit.")
    _approve(rose.ag_march, rose.ag_may, rose.secretary)
    assert db.session.scalars(select(FeedbackReport)).all() == []


# --- tracker, mine, referrals ----------------------------------------------------------------


def test_the_tracker_filters_and_respects_who_may_read(rose, make_follow_up, make_person):
    late = make_follow_up(
        rose.ag_march, "Te laat", owner_person=rose.member, due_on=TODAY - timedelta(days=1)
    )
    action = make_follow_up(rose.ag_march, "Met actie", actions=[rose.action])
    roa_only = make_follow_up(rose.roa_april, "Alleen ROA")
    filters = queries.TrackerFilter
    assert tracked(rose.secretary, filters(overdue=True), TODAY) == [late]
    assert tracked(rose.secretary, filters(action_id=rose.action.id), TODAY) == [action]
    assert tracked(rose.secretary, filters(owner_person_id=rose.member.id), TODAY) == [late]
    assert roa_only not in tracked(rose.secretary, filters(), TODAY)
    assert tracked(rose.outsider, filters(), TODAY) == []
    assert queries.my_follow_ups(rose.member, TODAY) == [late]


def test_referrals_include_proposals_between_bodies(rose, make_item, make_person, make_body):
    av = make_body("Algemene vergadering", code="AV", members={rose.secretary: Role.SECRETARY})
    from rosemeet.network import operations as network
    from rosemeet.network.models import RelationKind

    network.add_relation(rose.ag, av, RelationKind.PREPARES)
    item = make_item(rose.ag_march, "Voorstel voor de AV")
    agendas.send_to_body(item, av, by=rose.secretary)
    rows = queries.referrals(rose.secretary)
    assert [(r.kind, r.title, r.state) for r in rows] == [
        ("proposal", "Voorstel voor de AV", "open")
    ]


# --- reminders and digest --------------------------------------------------------------------


def test_reminders_go_to_owners_once_per_due_date_and_weekly_when_overdue(rose, make_follow_up):
    soon = make_follow_up(
        rose.ag_march, "Binnenkort", owner_person=rose.member, due_on=TODAY + timedelta(days=7)
    )
    make_follow_up(rose.ag_march, "Later", owner_person=rose.member, due_on=TODAY + timedelta(8))
    late = make_follow_up(
        rose.ag_march, "Te laat", owner_person=rose.member, due_on=TODAY - timedelta(days=2)
    )
    due = list(reminders.follow_ups_due_soon(TODAY))
    assert [(r.person, r.context["follow_up"]) for r in due] == [(rose.member, soon)]
    assert due[0].key == f"follow-up {soon.id}:person {rose.member.id}:2026-12-03"
    overdue = list(reminders.follow_ups_overdue(TODAY))
    assert [r.context["follow_up"] for r in overdue] == [late]
    next_week = list(reminders.follow_ups_overdue(TODAY + timedelta(days=7)))
    assert overdue[0].key != next_week[0].key
    (same_week,) = reminders.follow_ups_overdue(TODAY + timedelta(days=1))
    assert overdue[0].key == same_week.key
    (section,) = digest.digest_sections(TODAY)
    assert "Te laat" in section["lines"][0] and "AG" in section["lines"][0]
