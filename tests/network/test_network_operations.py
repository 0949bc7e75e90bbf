"""The network without HTTP: organisations, aliases, bodies, memberships, relations."""

from datetime import date

import pytest

from rosemeet.core.permissions import can
from rosemeet.network import operations as ops
from rosemeet.network import queries
from rosemeet.network.models import BodyKind, OrganisationKind, RelationKind, Role, normalize_name


def test_names_resolve_through_name_abbreviation_code_and_aliases(
    ctx, make_organisation, make_body
):
    lb = make_organisation(
        "Lokale besturen Zuid-West-Vlaanderen",
        abbreviation="LB",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        aliases=["Lokale besturen (LB)"],
    )
    w13 = make_organisation(
        "Intercommunale W13", abbreviation="W13", aliases=["regie", "regisseur"]
    )
    ag = make_body("Actiegroep ROSE", code="AG", aliases=["Actiegroep"])
    az = make_body("AZ-fabriek", code="AZ")
    assert queries.resolve_name("LB") is lb
    assert queries.resolve_name("Lokale besturen (LB)") is lb
    assert queries.resolve_name("  lokale   besturen (lb) ") is lb
    assert queries.resolve_name("regie") is w13 and queries.resolve_name("Regisseur") is w13
    assert queries.resolve_name("actiegroep") is ag
    assert queries.resolve_name("AZ-fabriek") is az
    assert queries.resolve_name("Unknown partner") is None


def test_an_alias_names_one_thing_only(ctx, make_organisation):
    make_organisation("Intercommunale W13", aliases=["regie"])
    with pytest.raises(ops.NetworkError, match='"Regie" hoort al bij Intercommunale W13'):
        make_organisation("Another", aliases=["Regie"])


def test_duplicate_names_and_codes_are_refused(ctx, make_organisation, make_body):
    make_organisation("VDAB")
    with pytest.raises(ops.NetworkError) as error:
        make_organisation("vdab")
    assert error.value.field == "name"
    make_body("Actiegroep ROSE", code="AG")
    with pytest.raises(ops.NetworkError) as error:
        make_body("Something else", code="ag")
    assert error.value.field == "code"


def test_an_adhoc_group_cannot_end_before_it_starts(ctx):
    with pytest.raises(ops.NetworkError, match="Het geplande einde ligt voor de start"):
        ops.save_body(
            None,
            name="RASE",
            code="RASE",
            kind=BodyKind.ADHOC,
            starts_on=date(2020, 1, 1),
            ends_on=date(2019, 12, 31),
        )


def test_membership_rules(ctx, make_person, make_body):
    person = make_person()
    body = make_body()
    ops.save_membership(None, body=body, person=person, role=Role.MEMBER)
    with pytest.raises(ops.NetworkError, match="al lid"):
        ops.save_membership(None, body=body, person=person, role=Role.CHAIR)
    with pytest.raises(ops.NetworkError, match="eindigt voor het begint"):
        ops.save_membership(
            None,
            body=make_body(),
            person=person,
            role=Role.MEMBER,
            since=date(2027, 1, 1),
            until=date(2026, 1, 1),
        )


def test_roles_decide_permissions(ctx, make_person, make_body):
    secretary, member, outsider, admin = (
        make_person(),
        make_person(),
        make_person(),
        make_person(admin=True),
    )
    closed = make_body(members={secretary: Role.SECRETARY, member: Role.MEMBER})
    public = make_body(is_public=True)
    assert can(secretary, "manage_members", closed) and can(secretary, "edit", closed)
    assert can(member, "view", closed) and not can(member, "edit", closed)
    assert not can(outsider, "view", closed) and can(outsider, "view", public)
    assert not can(secretary, "delete", closed) and can(admin, "delete", closed)


def test_a_past_membership_gives_no_rights(ctx, make_person, make_body):
    person = make_person()
    body = make_body()
    ops.save_membership(
        None,
        body=body,
        person=person,
        role=Role.SECRETARY,
        since=date(2020, 1, 1),
        until=date(2021, 1, 1),
    )
    assert not can(person, "edit", body)
    assert not can(person, "view", body)


def test_relations(ctx, make_body):
    ag, av, roa = make_body("Actiegroep"), make_body("AV"), make_body("ROA")
    ops.add_relation(ag, av, RelationKind.PREPARES)
    ops.add_relation(roa, ag, RelationKind.REPORTS_TO)
    assert queries.related_bodies(ag, RelationKind.PREPARES) == [av]
    assert queries.related_bodies(roa, RelationKind.REPORTS_TO) == [ag]
    with pytest.raises(ops.NetworkError):
        ops.add_relation(ag, av, RelationKind.PREPARES)
    with pytest.raises(ops.NetworkError):
        ops.add_relation(ag, ag, RelationKind.REPORTS_TO)


def test_a_body_without_history_can_be_deleted_and_archiving_keeps_it(ctx, make_body):
    body = make_body()
    ops.archive_body(body)
    assert body.is_archived
    ops.unarchive_body(body)
    assert not body.is_archived
    ops.delete_body(body)
    assert queries.resolve_name(body.code) is None


def test_the_name_index_agrees_with_resolve_name(ctx, make_organisation, make_body):
    make_organisation("Lokale besturen", abbreviation="LB", aliases=["Lokale besturen (LB)"])
    make_organisation("Intercommunale W13", abbreviation="W13", aliases=["regie"])
    make_body("Actiegroep ROSE", code="AG", aliases=["Actiegroep"])
    make_body("AZ-fabriek", code="AZ")
    index = queries.name_index()
    for name in [
        "LB",
        "lokale besturen (lb)",
        "REGIE",
        "w13",
        "actiegroep",
        "AZ-fabriek",
        "ag",
        "Intercommunale  W13.",
        "nobody",
    ]:
        assert index.get(normalize_name(name)) is queries.resolve_name(name), name
