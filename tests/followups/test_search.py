"""Search over agenda items, minutes, decisions and follow-ups, on SQLite (FTS5) and
PostgreSQL (tsvector), with permissions."""

from __future__ import annotations

from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups import operations as ops
from rosemeet.followups import search
from rosemeet.followups.models import SearchKind


def _kinds(hits):
    return sorted(h.kind.value for h in hits)


def test_every_kind_is_found_by_prefix_and_kept_in_step(rose, make_item, make_follow_up):
    item = make_item(
        rose.ag_march, "Mobiliteit", description="Deelfietsen voor doelgroepmedewerkers"
    )
    agendas.save_minutes(
        item, "We bespraken de deelfietsen van Leiedal.", version=item.version, by=rose.secretary
    )
    ops.record_decision(item, "Proefproject deelfietsen starten.")
    follow_up = make_follow_up(rose.ag_march, "Offerte deelfietsen opvragen", item=item)
    agendas.ensure_agenda(rose.ag_march)
    agendas.publish_agenda(rose.ag_march)
    agendas.send_minutes_for_comment(rose.ag_march)
    hits = search.search(rose.member, "deelfiets")
    assert _kinds(hits) == ["agenda_item", "decision", "follow_up", "minutes"]
    assert _kinds(search.search(rose.member, "DEELFIETSEN leiedal")) == ["minutes"]
    # changes and deletions are followed
    ops.update_follow_up(
        follow_up,
        title="Offerte steps opvragen",
        description=None,
        owner_person=None,
        owner_organisation=None,
        due_on=None,
        report_to_body=None,
        actions=[],
    )
    assert SearchKind.FOLLOW_UP not in {h.kind for h in search.search(rose.member, "deelfiets")}
    assert [h.obj for h in search.search(rose.member, "steps")] == [follow_up]
    db.session.delete(follow_up)
    db.session.flush()
    assert search.search(rose.member, "steps") == []


def test_search_respects_permissions(rose, make_item, make_follow_up):
    item = make_item(rose.ag_march, "Vertrouwelijk dossier")
    ops.record_decision(item, "Vertrouwelijk besluit.")
    make_follow_up(rose.ag_march, "Vertrouwelijk opvolgpunt", item=item)
    # a draft agenda: members do not see the item yet, the secretary does
    assert _kinds(search.search(rose.member, "vertrouwelijk")) == ["decision", "follow_up"]
    assert "agenda_item" in _kinds(search.search(rose.secretary, "vertrouwelijk"))
    assert search.search(rose.outsider, "vertrouwelijk") == []


def test_odd_queries_are_harmless(rose, make_item):
    make_item(rose.ag_march, 'Quote " en sterretje *')
    for query in ('"', "*", "AND OR NOT", "a", "  ", "'; DROP TABLE x; --", 'NEAR("x")'):
        assert isinstance(search.search(rose.secretary, query), list)
    assert [h.title for h in search.search(rose.secretary, "sterretje")] == [
        'Quote " en sterretje *'
    ]


def test_a_members_search_costs_the_same_statements_for_few_hits_and_many(
    rose, make_item, make_follow_up, count_queries
):
    def add(n: int) -> None:
        for meeting in (rose.ag_march, rose.ag_may, rose.roa_april):
            for k in range(n):
                item = make_item(meeting, f"Fietsplan {k}", description="Deelfietsen in de regio")
                make_follow_up(meeting, f"Deelfietsen bestellen {k}", item=item)
        for meeting in (rose.ag_march, rose.ag_may, rose.roa_april):
            agendas.ensure_agenda(meeting)
            agendas.publish_agenda(meeting)
        db.session.commit()

    def cost() -> tuple[int, int]:
        db.session.expire_all()
        with count_queries() as counter:
            hits = search.search(rose.member, "deelfiets")
        return counter.count, len(hits)

    add(1)
    few, few_hits = cost()
    add(6)
    many, many_hits = cost()
    assert many_hits > 3 * few_hits
    assert many == few


def test_the_candidates_are_drawn_from_what_the_member_may_see(rose, make_item, monkeypatch):
    """Matches in a closed body the member is not in never crowd out the member's own: the
    visibility cut comes before the best CANDIDATES are taken."""
    for k in range(6):  # the LDE-fabriek is closed and Mo is not a member
        make_item(rose.lde_april, f"Deelfietsen deelfietsen deelfietsen {k}")
    mine = make_item(rose.ag_march, "Deelfietsen voor de Actiegroep")
    for meeting in (rose.lde_april, rose.ag_march):
        agendas.ensure_agenda(meeting)
        agendas.publish_agenda(meeting)
    db.session.commit()
    monkeypatch.setattr(search, "CANDIDATES", 3)
    assert [h.obj for h in search.search(rose.member, "deelfiets")] == [mine]
