"""Proposals close their loop: the proposer and the sending body's secretaries hear the
outcome, and the sending item shows it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rosemeet.agendas import operations as ops
from rosemeet.agendas.models import ItemRole
from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage
from rosemeet.network import operations as network
from rosemeet.network.models import Role
from tests.conftest import brussels


def mails() -> dict[str, OutboxMessage]:
    """The proposal mails by address (a second mail to one address fails the test)."""
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "proposal")).all()
    by_address = {m.to_email: m for m in rows}
    assert len(by_address) == len(rows), "one mail per person"
    return by_address


@pytest.fixture
def sent(rose, make_meeting):
    """Mo sends an Actiegroep item to the AV; the AV meets on 17 March 2027."""
    ag_meeting = make_meeting(rose.ag)
    av_meeting = make_meeting(rose.av, starts_at=brussels(2027, 3, 17, 9, 30))
    item = ops.add_item(ag_meeting, title="Regionale jobbeurs 2027")
    proposal = ops.send_to_body(item, rose.av, by=rose.member)
    return proposal, av_meeting


def test_accepting_tells_the_proposer_and_the_sending_secretaries_once(rose, sent, make_person):
    proposal, av_meeting = sent
    second = make_person("Stijn Secretaris", email="stijn@rose.example.org", locale="en")
    network.save_membership(None, body=rose.ag, person=second, role=Role.SECRETARY)
    nameless = make_person("Zonder Mail", email=None)
    network.save_membership(None, body=rose.ag, person=nameless, role=Role.SECRETARY)
    ops.accept_proposal(proposal, av_meeting, by=rose.av_secretary)
    by_address = mails()
    assert sorted(by_address) == [
        "mo@rose.example.org",
        "sara@rose.example.org",
        "stijn@rose.example.org",
    ]
    dutch = by_address["mo@rose.example.org"]
    assert "Algemene vergadering heeft beslist over het voorstel" in dutch.subject
    assert "aanvaard voor de vergadering van 17 maart 2027" in dutch.text_body
    assert "17 maart 2027" in dutch.html_body
    english = by_address["stijn@rose.example.org"]
    assert "accepted the proposal" in english.text_body and "17 March 2027" in english.text_body


def test_the_sending_secretary_who_proposed_gets_one_mail(rose, make_meeting):
    ag_meeting = make_meeting(rose.ag)
    item = ops.add_item(ag_meeting, title="Begroting")
    proposal = ops.send_to_body(item, rose.av, by=rose.secretary)
    ops.defer_proposal(proposal, by=rose.av_secretary)
    mail = mails()["sara@rose.example.org"]
    assert list(mails()) == ["sara@rose.example.org"]
    assert "uitgesteld" in mail.text_body and "latere vergadering" in mail.text_body


def test_declining_mails_the_reason(rose, sent):
    proposal, _ = sent
    ops.decline_proposal(proposal, "Valt buiten de opdracht van de AV.", by=rose.av_secretary)
    by_address = mails()
    assert sorted(by_address) == ["mo@rose.example.org", "sara@rose.example.org"]
    text = by_address["mo@rose.example.org"].text_body
    assert "afgewezen" in text and "Valt buiten de opdracht van de AV." in text


def test_a_member_proposal_reaches_only_the_proposer_and_a_refused_decision_sends_nothing(
    rose, make_meeting
):
    proposal = ops.propose(rose.av, proposer=rose.member, title="Fietsroute")
    with pytest.raises(ops.AgendaError):
        ops.decline_proposal(proposal, " ", by=rose.av_secretary)
    assert mails() == {}
    ops.defer_proposal(proposal, by=rose.av_secretary)
    assert list(mails()) == ["mo@rose.example.org"]
    with pytest.raises(ops.AgendaError):
        ops.decline_proposal(proposal, "Te laat", by=rose.av_secretary)  # already decided
    assert len(mails()) == 1


def test_the_sending_item_shows_the_outcome(client, auth, rose, make_meeting):
    ag_meeting = make_meeting(rose.ag)
    av_meeting = make_meeting(rose.av, starts_at=brussels(2027, 3, 17, 9, 30))
    accepted = ops.send_to_body(
        ops.add_item(ag_meeting, title="Jobbeurs"), rose.av, by=rose.secretary
    )
    deferred = ops.send_to_body(
        ops.add_item(ag_meeting, title="Begroting"), rose.av, by=rose.secretary
    )
    declined = ops.send_to_body(ops.add_item(ag_meeting, title="Logo"), rose.av, by=rose.secretary)
    db.session.commit()
    auth.login(rose.secretary.email)
    page = client.get(f"/meetings/{ag_meeting.id}/agenda").get_data(as_text=True)
    assert page.count("naar AV gestuurd") == 3
    auth.logout()
    auth.login(rose.av_secretary.email)
    client.post(f"/proposals/{accepted.id}/accept", data={"meeting_id": av_meeting.id})
    client.post(f"/proposals/{deferred.id}/defer")
    client.post(f"/proposals/{declined.id}/decline", data={"reason": "Geen <b>budget</b>"})
    auth.logout()
    addresses = db.session.scalars(
        select(OutboxMessage.to_email).where(OutboxMessage.kind == "proposal")
    ).all()
    assert addresses == [rose.secretary.email] * 3  # Sara proposed all three: one mail each
    auth.login(rose.secretary.email)
    page = client.get(f"/meetings/{ag_meeting.id}/agenda").get_data(as_text=True)
    assert "aanvaard voor de AV van 17 maart 2027" in page
    assert "door de AV uitgesteld" in page
    assert "door de AV afgewezen: Geen &lt;b&gt;budget&lt;/b&gt;" in page
    assert "naar AV gestuurd" not in page
    minutes = client.get(f"/meetings/{ag_meeting.id}/minutes").get_data(as_text=True)
    assert "door de AV afgewezen: Geen &lt;b&gt;budget&lt;/b&gt;" in minutes


def test_an_item_shows_its_everyday_tools_and_folds_the_rest(client, auth, rose, make_meeting):
    ag_meeting = make_meeting(rose.ag)
    welcome = ops.add_item(ag_meeting, title="Welkom")
    welcome.role = ItemRole.WELCOME
    item = ops.add_item(ag_meeting, title="Regionale jobbeurs 2027")
    db.session.commit()
    auth.login(rose.secretary.email)
    page = client.get(f"/meetings/{ag_meeting.id}/agenda").get_data(as_text=True)

    def tools(item_id: int) -> str:
        start = page.index(f'action="/agenda-items/{item_id}/move"')
        return page[start : page.index("</footer>", start)]

    assert "Naar AV sturen" not in tools(welcome.id)  # a standard item goes nowhere
    folded = tools(item.id)
    assert folded.index("<summary") < folded.index("Naar AV sturen")
    assert folded.index("<summary") < folded.index("Verwijderen")
    assert folded.index("Bewerken") < folded.index("<summary")
