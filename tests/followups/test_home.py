"""The home page says what is next for me: my next meetings with my answer, my open
follow-ups with their due date, and the proposals waiting for the bodies I run."""

from __future__ import annotations

from datetime import date

from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups.models import FollowUpStatus
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import Response


def section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def test_a_member_sees_answers_follow_ups_and_nothing_to_handle(rose, make_follow_up, client, auth):
    meetings.respond(rose.ag_march, rose.member, Response.ACCEPTED)
    make_follow_up(
        rose.ag_march,
        "Offerte fietsen opvragen",
        owner_person=rose.member,
        due_on=date(2026, 11, 20),
    )
    done = make_follow_up(rose.ag_march, "Zaal reserveren", owner_person=rose.member)
    done.status = FollowUpStatus.DONE
    agendas.propose(rose.ag, proposer=rose.member, title="Jobbeurs 2027")
    db.session.commit()
    auth.login(rose.member.email)
    html = client.get("/").get_data(as_text=True)
    upcoming = section(html, "home-meetings")
    assert upcoming.index("9 maart 2027") < upcoming.index("1 april 2027")  # soonest first
    assert "Jouw antwoord: Komt" in upcoming  # the AG meeting of 9 March
    assert "Nog niet geantwoord: antwoord nu" in upcoming  # the ROA meeting of 1 April
    assert "LDE" not in upcoming  # not invited
    mine = section(html, "home-followups")
    assert "Offerte fietsen opvragen" in mine and "tegen 20 nov 2026" in mine
    assert "over tijd" in mine
    assert "Zaal reserveren" not in mine  # done
    assert "Er wachten geen voorstellen op jou." in section(html, "home-proposals")


def test_the_secretary_sees_the_proposals_waiting_for_her_body(rose, client, auth):
    agendas.propose(rose.ag, proposer=rose.member, title="Jobbeurs 2027")
    agendas.propose(rose.ag, proposer=rose.member, title="Fietsen")
    agendas.propose(rose.roa, proposer=rose.member, title="Vervoer")  # not her body
    db.session.commit()
    auth.login(rose.secretary.email)
    waiting = section(client.get("/").get_data(as_text=True), "home-proposals")
    assert "2 voorstellen wachten voor Actiegroep ROSE" in waiting
    assert "Regionaal Overleg Activering" not in waiting
