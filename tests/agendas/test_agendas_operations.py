"""Domain tests: templates, order, backlog, proposals, publishing, minutes, reminders."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from rosemeet.agendas import operations as ops
from rosemeet.agendas import queries
from rosemeet.agendas.models import (
    ItemKind,
    ItemRole,
    ItemSource,
    MinutesStatus,
    ProposalStatus,
)
from rosemeet.agendas.reminders import agendas_due, minutes_due
from rosemeet.agendas.signals import minutes_approved
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage
from rosemeet.meetings import operations as meetings
from rosemeet.network import operations as network
from tests.conftest import brussels


def titles(meeting):
    return [i.title for i in queries.meeting_items(meeting)]


def outbox(kind):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


# --- template -----------------------------------------------------------------------------------


def test_a_new_agenda_starts_with_the_standard_items_in_dutch(rose, make_meeting):
    meeting = make_meeting(rose.ag)  # a new meeting gets its agenda at once
    assert queries.agenda_of(meeting) is not None
    items = queries.meeting_items(meeting)
    assert [i.title for i in items] == ["Welkom", "Goedkeuring vorig verslag", "Opvolglijst"]
    assert [i.role for i in items] == [
        ItemRole.WELCOME,
        ItemRole.APPROVE_MINUTES,
        ItemRole.FOLLOWUPS,
    ]
    ops.ensure_agenda(meeting)  # a second opening adds nothing
    assert len(queries.meeting_items(meeting)) == 3
    assert queries.followups_item(items).title == "Opvolglijst"


def test_the_body_template_is_used_and_a_joint_meeting_gets_each_standard_item_once(
    rose, make_meeting
):
    ops.remove_template_item(rose.ag, 1)
    ops.add_template_item(rose.ag, title="Rondvraag", kind=ItemKind.INFORMATION)
    ops.move_template_item(rose.ag, 3, -1)
    assert [r.title for r in queries.template_of(rose.ag)] == [
        "Goedkeuring vorig verslag",
        "Rondvraag",
        "Opvolglijst",
    ]
    with pytest.raises(ops.AgendaError):
        ops.add_template_item(
            rose.ag, title="Nog eens", kind=ItemKind.DECISION, role=ItemRole.FOLLOWUPS
        )
    joint = make_meeting(rose.ag, rose.av)
    ops.ensure_agenda(joint)
    got = titles(joint)
    assert got.count("Opvolglijst") == 1 and got.count("Goedkeuring vorig verslag") == 1
    assert "Rondvraag" in got and "Welkom" in got


# --- items and order ----------------------------------------------------------------------------


def test_items_are_added_at_the_end_and_moved_and_reordered(rose, make_meeting, make_action):
    meeting = make_meeting(rose.ag)
    action = make_action("Mobiliteit van doelgroepmedewerkers")
    item = ops.add_item(
        meeting,
        title="  Fietsproject  ",
        planned_minutes=30,
        actions=[action],
        links="https://a.be",
    )
    assert item.position == 4 and item.title == "Fietsproject" and item.actions == [action]
    ops.move_item(item, -1)
    assert titles(meeting)[2] == "Fietsproject"
    ops.move_item(queries.meeting_items(meeting)[0], -1)  # the first one stays first
    assert titles(meeting)[0] == "Welkom"
    ids = [i.id for i in queries.meeting_items(meeting)]
    ops.reorder(meeting, list(reversed(ids)))
    assert titles(meeting)[0] == "Opvolglijst"
    with pytest.raises(ops.AgendaError):
        ops.reorder(meeting, ids[:-1])
    view = queries.load_agenda(meeting)
    assert view.planned_minutes == 5 + 5 + 15 + 30 and view.meeting_minutes == 120
    assert not view.over_time
    ops.add_item(meeting, title="Lang punt", planned_minutes=90)
    assert queries.load_agenda(meeting).over_time


def test_links_must_be_web_addresses(rose, make_meeting):
    meeting = make_meeting(rose.ag)
    with pytest.raises(ops.AgendaError) as caught:
        ops.add_item(meeting, title="x", links="javascript:alert(1)")
    assert caught.value.field == "links"


def test_plan_actions_are_found_by_number_or_words(rose, make_action):
    mobility = make_action("Mobiliteit van, naar en tijdens het werk", number="2.1")
    other = make_action("Werkbaar werk in de sociale economie", number="3.4")
    assert queries.search_actions("mobiliteit werk") == [mobility]
    assert queries.search_actions(f"#{other.id}") == [other]
    assert queries.search_actions("3.4") == [other]
    assert queries.search_actions("100%_") == []


# --- backlog and proposals ----------------------------------------------------------------------


def test_a_backlog_item_is_offered_until_pulled_into_a_meeting(rose, make_meeting):
    meeting = make_meeting(rose.ag)
    item = ops.add_backlog_item(
        rose.ag, "Terugkoppeling ROA 5 mrt 2027", "Beslissingen", ItemSource.FEEDBACK, "uit ROA"
    )
    assert queries.load_agenda(meeting, with_backlog=True).backlog == [item]
    ops.pull_into(item, meeting)
    assert item.meeting_id == meeting.id and item.body_id is None
    assert titles(meeting)[-1] == "Terugkoppeling ROA 5 mrt 2027"
    assert queries.backlog_of([rose.ag.id]) == []


def test_a_proposal_is_accepted_onto_the_chosen_meeting(rose, make_meeting):
    meeting = make_meeting(rose.ag)
    proposal = ops.propose(rose.ag, proposer=rose.member, title="Jobbeurs", planned_minutes=20)
    item = ops.accept_proposal(proposal, meeting, by=rose.secretary)
    assert proposal.status is ProposalStatus.ACCEPTED and proposal.item is item
    assert item.source is ItemSource.PROPOSAL and item.origin_text == "voorgesteld door Mo Lid"
    assert queries.my_proposals(rose.member) == [proposal]
    with pytest.raises(ops.AgendaError):
        ops.decline_proposal(proposal, "te laat", by=rose.secretary)


def test_a_deferred_proposal_waits_in_the_backlog_and_a_declined_one_has_a_reason(
    rose, make_meeting
):
    first = ops.propose(rose.ag, proposer=rose.member, title="Later bespreken")
    backlog_item = ops.defer_proposal(first, by=rose.secretary)
    assert first.status is ProposalStatus.DEFERRED
    assert backlog_item.body_id == rose.ag.id and backlog_item.meeting_id is None
    next_meeting = make_meeting(rose.ag)
    assert queries.load_agenda(next_meeting, with_backlog=True).backlog == [backlog_item]
    second = ops.propose(rose.ag, proposer=rose.member, title="Niet nodig")
    with pytest.raises(ops.AgendaError):
        ops.decline_proposal(second, "  ", by=rose.secretary)
    ops.decline_proposal(second, "Al besproken in oktober", by=rose.secretary)
    assert second.status is ProposalStatus.DECLINED and second.reason == "Al besproken in oktober"


def test_proposing_to_an_archived_body_or_a_cancelled_meeting_is_refused(rose, make_meeting):
    meeting = make_meeting(rose.ag)
    meetings.cancel_meeting(meeting, "Zomerstop")
    proposal = ops.propose(rose.ag, proposer=rose.member, title="Iets")
    with pytest.raises(ops.AgendaError) as caught:
        ops.accept_proposal(proposal, meeting, by=rose.secretary)
    assert caught.value.code == "cancelled" and proposal.status is ProposalStatus.PENDING
    network.archive_body(rose.ag)
    with pytest.raises(ops.AgendaError) as caught:
        ops.propose(rose.ag, proposer=rose.member, title="Nog iets")
    assert "gearchiveerd" in caught.value.message


def test_the_actiegroep_sends_an_item_to_the_av_in_one_click(rose, make_meeting):
    ag_meeting = make_meeting(rose.ag)
    av_meeting = make_meeting(rose.av, starts_at=brussels(2027, 3, 17, 9, 30))
    item = ops.add_item(ag_meeting, title="Regionale jobbeurs 2027")
    assert queries.prepared_bodies(ag_meeting) == [(rose.ag, rose.av)]
    proposal = ops.send_to_body(item, rose.av, by=rose.secretary)
    assert proposal.from_body is rose.ag and proposal.source_item is item
    with pytest.raises(ops.AgendaError):
        ops.send_to_body(item, rose.av, by=rose.secretary)  # once is enough
    with pytest.raises(ops.AgendaError):
        ops.send_to_body(ops.add_item(av_meeting, title="x"), rose.ag, by=rose.av_secretary)
    accepted = ops.accept_proposal(proposal, av_meeting, by=rose.av_secretary)
    assert accepted.origin_text.startswith("uit Actiegroep ROSE ")


# --- publishing ---------------------------------------------------------------------------------


def test_publishing_writes_one_mail_per_invitee_and_later_changes_join_it(rose, make_meeting):
    meeting = make_meeting(rose.ag)
    ops.add_item(meeting, title="Begroting")
    assert outbox("agenda") == []  # drafts are not mailed
    assert ops.publish_agenda(meeting) == 2
    mails = outbox("agenda")
    assert sorted(m.to_email for m in mails) == ["mo@rose.example.org", "sara@rose.example.org"]
    assert mails[0].subject.startswith("Agenda: ") and "Begroting" in mails[0].text_body
    ops.add_item(meeting, title="Rondvraag")
    ops.move_item(queries.meeting_items(meeting)[-1], -1)
    mails = outbox("agenda")
    assert len(mails) == 2  # coalesced per meeting and person
    assert all("Rondvraag" in m.text_body and "gewijzigd" in m.subject for m in mails)
    assert all(m.next_attempt_at > m.created_at for m in mails)  # a short delay


def test_a_cancelled_meeting_is_not_published(rose, make_meeting):
    meeting = make_meeting(rose.ag)
    meetings.cancel_meeting(meeting, "Geen quorum")
    with pytest.raises(ops.AgendaError):
        ops.publish_agenda(meeting)


# --- minutes ------------------------------------------------------------------------------------


def test_a_stale_minutes_save_is_refused_and_changes_nothing(rose, make_meeting):
    meeting = make_meeting(rose.ag)
    item = ops.add_item(meeting, title="Begroting")
    opened = item.version
    ops.save_minutes(item, "Sara's tekst", version=opened, by=rose.secretary)
    with pytest.raises(ops.VersionConflict):
        ops.save_minutes(item, "Mo's tekst", version=opened, by=rose.member)
    assert item.minutes == "Sara's tekst"
    with pytest.raises(ops.VersionConflict):
        ops.update_item(item, version=opened, title="Anders")
    assert item.title == "Begroting"


def test_minutes_go_from_draft_to_comments_to_approved_and_then_are_read_only(rose, make_meeting):
    first = make_meeting(rose.ag, starts_at=brussels(2027, 1, 12))
    second = make_meeting(rose.ag, starts_at=brussels(2027, 3, 9))
    item = ops.add_item(first, title="Begroting")
    ops.save_minutes(item, "Eerste versie", version=item.version, by=rose.secretary)
    ops.save_minutes(item, "Tweede versie", version=item.version, by=rose.secretary)
    with pytest.raises(ops.AgendaError):
        ops.approve_minutes(first, in_meeting=second, by=rose.secretary)  # still a draft
    assert ops.send_minutes_for_comment(first) == 2
    assert len(outbox("minutes")) == 2
    with pytest.raises(ops.AgendaError):
        ops.approve_minutes(second, in_meeting=first, by=rose.secretary)  # not earlier
    heard = []

    def receiver(meeting, **kw):
        heard.append((meeting, kw["approved_in"]))

    assert queries.previous_meeting(second) == first
    with minutes_approved.connected_to(receiver):
        agenda = ops.approve_minutes(first, in_meeting=second, by=rose.secretary)
    assert agenda.minutes_status is MinutesStatus.APPROVED and agenda.approved_in_meeting_id == (
        second.id
    )
    assert heard == [(first, second)]
    with pytest.raises(ops.AgendaError) as caught:
        ops.save_minutes(item, "Nog iets", version=item.version, by=rose.secretary)
    assert caught.value.code == "approved" and item.minutes == "Tweede versie"
    assert [r.text for r in queries.revisions_of(first)] == ["Tweede versie", "Eerste versie"]


# --- reminders ----------------------------------------------------------------------------------


def test_the_agenda_reminder_goes_n_days_before_and_the_minutes_reminder_3_days_after(
    rose, make_meeting
):
    meeting = make_meeting(rose.ag, starts_at=brussels(2027, 3, 9))
    ops.publish_agenda(meeting)
    ops.set_reminder_days(rose.ag, 5)
    assert list(agendas_due(date(2027, 3, 3))) == []
    due = list(agendas_due(date(2027, 3, 4)))
    assert sorted(r.person.name for r in due) == ["Mo Lid", "Sara Secretaris"]
    assert len({r.key for r in due}) == 2
    assert list(minutes_due(date(2027, 3, 11))) == []
    written = list(minutes_due(date(2027, 3, 12)))
    assert [r.person.name for r in written] == ["Sara Secretaris"]
    ops.send_minutes_for_comment(meeting)
    assert list(minutes_due(date(2027, 3, 13))) == []
