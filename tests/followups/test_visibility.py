"""Who sees what in the lists (security issue #16, finding 14): proposals between bodies on
the referrals page, and follow-ups and fed-back items of closed bodies on public agendas."""

from __future__ import annotations

import pytest

from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups import operations as ops
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, RelationKind, Role
from tests.conftest import PASSWORD, brussels
from tests.followups.conftest import make_meeting_at


@pytest.fixture
def av(rose, make_person, make_body):
    """The public algemene vergadering, with Anna as its secretary, meeting 16/6/2027."""
    rose.av_secretary = make_person("Anna AV", email="anna@rose.example.org", password=PASSWORD)
    rose.av = make_body(
        "Algemene vergadering ROSE",
        code="AV",
        kind=BodyKind.GENERAL_ASSEMBLY,
        is_public=True,
        members={rose.av_secretary: Role.SECRETARY},
    )
    rose.av_may = make_meeting_at(rose.av, brussels(2027, 5, 19, 18))
    rose.av_june = make_meeting_at(rose.av, brussels(2027, 6, 16, 18))
    return rose


def referrals_page(client, auth, email) -> str:
    auth.login(email)
    html = client.get("/follow-ups/referrals").get_data(as_text=True)
    auth.logout()
    return html


def test_referrals_list_a_proposal_only_to_its_proposer_and_the_receiving_body(av, client, auth):
    rose = av
    agendas.propose(
        rose.av, proposer=rose.secretary, title="Voorstel AG voor de AV", from_body=rose.ag
    )
    agendas.propose(
        rose.ag, proposer=rose.roa_secretary, title="Voorstel ROA voor de AG", from_body=rose.roa
    )
    db.session.commit()
    to_av, to_ag = "Voorstel AG voor de AV", "Voorstel ROA voor de AG"

    outsider = referrals_page(client, auth, rose.outsider.email)
    assert to_av not in outsider and to_ag not in outsider
    member = referrals_page(client, auth, rose.member.email)  # in AG and ROA, runs neither
    assert to_av not in member and to_ag not in member
    proposer = referrals_page(client, auth, rose.roa_secretary.email)
    assert to_ag in proposer and to_av not in proposer
    deciding = referrals_page(client, auth, rose.av_secretary.email)
    assert to_av in deciding and to_ag not in deciding
    both = referrals_page(client, auth, rose.secretary.email)  # proposed one, decides the other
    assert to_av in both and to_ag in both


@pytest.fixture
def roa_to_av(av, make_item, make_follow_up):
    """A follow-up of the closed ROA that reports back to the public AV, one of the AV's own,
    and the AV's June agenda published."""
    rose = av
    secret = make_follow_up(rose.roa_april, "Vertrouwelijk ROA-punt", report_to_body=rose.av)
    own = make_follow_up(rose.av_may, "Zaal boeken voor de AV")
    agendas.ensure_agenda(rose.av_june)
    agendas.publish_agenda(rose.av_june)
    db.session.commit()
    rose.secret, rose.own = secret, own
    return rose


def agenda_texts(client, meeting) -> list[str]:
    return [
        client.get(f"/meetings/{meeting.id}").get_data(as_text=True),
        client.get(f"/meetings/{meeting.id}/agenda/print").get_data(as_text=True),
        client.get(f"/api/v1/meetings/{meeting.id}/agenda").get_data(as_text=True),
    ]


def test_anonymous_visitors_of_a_public_agenda_see_no_follow_up_of_a_closed_body(roa_to_av, client):
    rose = roa_to_av
    page, printed, api = agenda_texts(client, rose.av_june)
    assert "Algemene vergadering ROSE" in page  # the public agenda itself is shown
    for text in (page, printed, api):
        assert "Vertrouwelijk ROA-punt" not in text
        assert "Zaal boeken voor de AV" not in text  # follow-ups are for logged-in readers


def test_logged_in_outsiders_see_the_public_body_s_follow_ups_but_not_the_closed_one_s(
    roa_to_av, client, auth
):
    rose = roa_to_av
    auth.login(rose.outsider.email)
    page, printed, _api = agenda_texts(client, rose.av_june)
    for text in (page, printed):
        assert "Zaal boeken voor de AV" in text
        assert "Vertrouwelijk ROA-punt" not in text
    assert client.get(f"/follow-ups/{rose.secret.id}").status_code == 404
    assert "Vertrouwelijk ROA-punt" not in client.get("/follow-ups").get_data(as_text=True)
    assert "Vertrouwelijk ROA-punt" not in client.get("/follow-ups/referrals").get_data(
        as_text=True
    )


@pytest.mark.parametrize("who", ["member", "av_secretary"])
def test_members_of_the_owning_and_the_report_to_body_still_see_it(roa_to_av, client, auth, who):
    rose = roa_to_av
    auth.login(getattr(rose, who).email)
    page, printed, _api = agenda_texts(client, rose.av_june)
    assert "Vertrouwelijk ROA-punt" in page and "Vertrouwelijk ROA-punt" in printed
    assert client.get(f"/follow-ups/{rose.secret.id}").status_code == 200
    assert "Vertrouwelijk ROA-punt" in client.get("/follow-ups/referrals").get_data(as_text=True)


def test_api_callers_see_the_agenda_s_follow_ups_they_may_read(roa_to_av, client):
    from rosemeet.accounts.operations import create_api_token

    rose = roa_to_av
    tokens = {}
    for who in ("outsider", "member"):
        _token, tokens[who] = create_api_token(getattr(rose, who), "t")
    db.session.commit()

    def carried(who):
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        agenda = client.get(f"/api/v1/meetings/{rose.av_june.id}/agenda", headers=headers).json
        (section,) = [s for s in agenda["sections"] if s["key"] == "follow_ups"]
        return {item["title"] for item in section["items"]}

    assert carried("outsider") == {"Zaal boeken voor de AV"}
    assert carried("member") == {"Zaal boeken voor de AV", "Vertrouwelijk ROA-punt"}


def test_fed_back_roa_decisions_stay_out_of_a_public_body_s_agenda_for_visitors(
    av, make_item, client, auth
):
    rose = av
    network.add_relation(rose.roa, rose.av, RelationKind.REPORTS_TO)
    item = make_item(rose.roa_april, "Activering langdurig zieken")
    ops.record_decision(item, "Het ROA start een vertrouwelijke werkgroep.")
    agendas.ensure_agenda(rose.roa_april)
    agendas.send_minutes_for_comment(rose.roa_april)
    agendas.approve_minutes(rose.roa_april, in_meeting=rose.roa_june, by=rose.roa_secretary)
    agendas.ensure_agenda(rose.av_june)
    agendas.publish_agenda(rose.av_june)
    db.session.commit()
    url = f"/api/v1/meetings/{rose.av_june.id}/agenda"

    def fed_back():
        (section,) = [s for s in client.get(url).json["sections"] if s["key"] == "fed_back"]
        return [i["title"] for i in section["items"]]

    assert fed_back() == []
    assert "vertrouwelijke werkgroep" not in client.get(url).get_data(as_text=True)
    auth.login(rose.av_secretary.email)  # runs the AV: its backlog is hers to plan
    printed = client.get(f"/meetings/{rose.av_june.id}/agenda/print").get_data(as_text=True)
    assert "Terugkoppeling ROA 1 apr 2027" in printed


def test_the_list_filters_agree_with_the_view_rules(roa_to_av, make_follow_up, admin):
    from flask_login import AnonymousUserMixin
    from sqlalchemy import select

    from rosemeet.agendas.models import Proposal
    from rosemeet.core.permissions import can
    from rosemeet.followups import queries
    from rosemeet.followups.models import FollowUp

    rose = roa_to_av
    make_follow_up(rose.ag_march, "AG naar ROA", report_to_body=rose.roa)
    make_follow_up(rose.ag_march, "Voor Mo", owner_person=rose.member)
    make_follow_up(rose.lde_april, "LDE intern")
    agendas.propose(rose.av, proposer=rose.member, title="Van Mo", from_body=rose.ag)
    agendas.propose(rose.roa, proposer=rose.secretary, title="AG aan ROA", from_body=rose.ag)
    db.session.flush()
    people = [rose.outsider, rose.member, rose.secretary, rose.roa_secretary, rose.av_secretary]
    for user in [AnonymousUserMixin(), admin, *people]:
        for model, condition in (
            (FollowUp, queries.readable_follow_ups(user)),
            (Proposal, queries.readable_proposals(user)),
        ):
            rows = db.session.scalars(select(model)).all()
            listed = set(db.session.scalars(select(model).where(condition)))
            assert listed == {row for row in rows if can(user, "view", row)}, (user, model)
