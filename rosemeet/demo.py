"""Demo data: the real ROSE network of DOMAIN.md with fictitious people."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import func, select

from rosemeet.accounts import operations as accounts
from rosemeet.core.hooks import demo_steps
from rosemeet.extensions import db
from rosemeet.network import operations as network
from rosemeet.network.models import Body, BodyKind, OrganisationKind, RelationKind, Role

#: password of every demo account (shown by ``make run``)
DEMO_PASSWORD = "rosemeet-demo"  # noqa: S105 (demo data, printed on purpose)

ORGANISATIONS = [
    # name, abbreviation, kind, aliases
    (
        "Intercommunale W13",
        "W13",
        OrganisationKind.PUBLIC_AGENCY,
        ["regie", "regisseur", "Expert Zorg W13"],
    ),
    ("VDAB", "VDAB", OrganisationKind.PUBLIC_AGENCY, []),
    ("POM West-Vlaanderen", "POM", OrganisationKind.PUBLIC_AGENCY, []),
    ("Intercommunale Leiedal", "Leiedal", OrganisationKind.PUBLIC_AGENCY, []),
    ("STAM vzw", "STAM", OrganisationKind.AZ, ["vzw STAM"]),
    (
        "Lokale besturen Zuid-West-Vlaanderen",
        "LB",
        OrganisationKind.LOCAL_GOVERNMENT,
        ["Lokale besturen (LB)", "Lokale besturen"],
    ),
    ("Stad Kortrijk", None, OrganisationKind.LOCAL_GOVERNMENT, []),
    ("Stad Menen", None, OrganisationKind.LOCAL_GOVERNMENT, []),
    ("OCMW Waregem", None, OrganisationKind.LOCAL_GOVERNMENT, []),
    ("Provincie West-Vlaanderen", None, OrganisationKind.PUBLIC_AGENCY, ["provincie"]),
    ("Kringwinkel Zuid", None, OrganisationKind.SE_COMPANY, []),
    ("Maatwerkbedrijf De Leie", "MWB De Leie", OrganisationKind.MAATWERK, []),
    ("LDE-dienst Buurtwerk Zuid", None, OrganisationKind.LDE, []),
    ("UNIZO", None, OrganisationKind.PARTNER, []),
    ("VOKA West-Vlaanderen", "VOKA", OrganisationKind.PARTNER, []),
]

BODIES = [
    # name, code, kind, public, starts, ends, location, aliases, description
    (
        "ROSE algemene vergadering",
        "AV",
        BodyKind.GENERAL_ASSEMBLY,
        True,
        None,
        None,
        "W13, Doorniksesteenweg 216, 8500 Kortrijk",
        ["ROSE", "AV", "algemene ROSE vergadering"],
        "Afgevaardigden van SEC, NEC, sociale partners en andere regionale spelers; "
        "een 3-tal keer per jaar.",
    ),
    (
        "Actiegroep ROSE",
        "AG",
        BodyKind.ACTION_GROUP,
        False,
        None,
        None,
        "W13, Doorniksesteenweg 216, 8500 Kortrijk",
        ["Actiegroep"],
        "Bereidt de agendapunten van de algemene vergadering voor en werkt concrete acties uit; "
        "om de 2 maanden.",
    ),
    (
        "LDE-fabriek",
        "LDE",
        BodyKind.WORKING_GROUP,
        False,
        None,
        None,
        None,
        ["LDE fabriek"],
        "Werkgroep van alle LDE-organisaties van de regio; 2-maandelijks.",
    ),
    (
        "AZ-fabriek",
        "AZ",
        BodyKind.WORKING_GROUP,
        False,
        None,
        None,
        None,
        ["AZ fabriek"],
        "Werkgroep arbeidszorg, naar analogie van de LDE-fabriek.",
    ),
    (
        "Regionaal Overleg Activering",
        "ROA",
        BodyKind.COUNCIL,
        False,
        None,
        None,
        "W13, Kortrijk",
        ["ROA"],
        "De diensthoofden activering van de lokale besturen, gefaciliteerd door W13.",
    ),
    (
        "Lerend netwerk trajectbegeleiders",
        "LN",
        BodyKind.WORKING_GROUP,
        False,
        None,
        None,
        None,
        ["LN", "lerend netwerk"],
        "Maandelijks; driemaandelijkse intervisie door VDAB.",
    ),
    (
        "Werkgroep RASE",
        "RASE",
        BodyKind.ADHOC,
        False,
        date(2019, 1, 15),
        date(2020, 12, 31),
        None,
        ["RASE", "Regionale Actie Sociale Energie"],
        "Regionale Actie Sociale Energie: SE-organisaties leren van elkaar over duurzaamheid "
        "en energie.",
    ),
    (
        "Werkgroep re-integratie langdurig zieken",
        "RLZ",
        BodyKind.ADHOC,
        False,
        date(2025, 9, 1),
        date(2027, 6, 30),
        None,
        ["werkgroep re-integratie"],
        "Re-integratie van langdurig zieken.",
    ),
]

RELATIONS = [
    ("AG", "AV", RelationKind.PREPARES),
    ("ROA", "AG", RelationKind.REPORTS_TO),
    ("LN", "ROA", RelationKind.REPORTS_TO),
    ("RASE", "AV", RelationKind.REPORTS_TO),
    ("RLZ", "AV", RelationKind.REPORTS_TO),
]

PEOPLE = [
    # name, email (None: no login), organisation, admin, [(body code, role)], label of the demo role
    (
        "Rita Regisseur",
        "regisseur@rose.example.org",
        "W13",
        True,
        [("AV", Role.SECRETARY), ("AG", Role.SECRETARY)],
        "admin (regisseur)",
    ),
    (
        "Chris Voorzitter",
        "voorzitter@rose.example.org",
        "Kringwinkel Zuid",
        False,
        [("AG", Role.CHAIR), ("AV", Role.CHAIR)],
        "chair of the Actiegroep",
    ),
    (
        "Sam Secretaris",
        "secretaris@rose.example.org",
        "Stad Kortrijk",
        False,
        [("ROA", Role.SECRETARY), ("AG", Role.MEMBER)],
        "secretary of the ROA",
    ),
    (
        "Mia Lid",
        "lid@rose.example.org",
        "STAM vzw",
        False,
        [("AG", Role.MEMBER), ("AZ", Role.MEMBER), ("AV", Role.MEMBER)],
        "member",
    ),
    (
        "Olaf Waarnemer",
        "waarnemer@rose.example.org",
        "VDAB",
        False,
        [("AG", Role.OBSERVER), ("LN", Role.MEMBER)],
        "observer",
    ),
    (
        "Nina Noordhout",
        "nina@rose.example.org",
        "Stad Menen",
        False,
        [("ROA", Role.MEMBER), ("LDE", Role.MEMBER)],
        None,
    ),
    ("Pieter Peeters", None, "OCMW Waregem", False, [("ROA", Role.MEMBER)], None),
    (
        "Lotte Lambrecht",
        "lotte@rose.example.org",
        "LDE-dienst Buurtwerk Zuid",
        False,
        [("LDE", Role.CHAIR), ("RLZ", Role.MEMBER)],
        None,
    ),
]


def load_demo(force: bool = False) -> list[tuple[str, str]]:
    """Load the demo network unless data exists; return the (e-mail, role) of the demo logins."""
    if not force and db.session.scalar(select(func.count(Body.id))):
        return []
    organisations = {}
    for name, abbreviation, org_kind, aliases in ORGANISATIONS:
        org = network.save_organisation(
            None, name=name, kind=org_kind, abbreviation=abbreviation, aliases=aliases
        )
        organisations[abbreviation or name] = org
        organisations[name] = org
    bodies = {}
    for name, code, body_kind, public, starts, ends, location, aliases, description in BODIES:
        bodies[code] = network.save_body(
            None,
            name=name,
            code=code,
            kind=body_kind,
            is_public=public,
            starts_on=starts,
            ends_on=ends,
            default_location=location,
            aliases=aliases,
            description=description,
        )
    for source, target, relation_kind in RELATIONS:
        network.add_relation(bodies[source], bodies[target], relation_kind)
    logins = []
    for name, email, org_key, admin, seats, label in PEOPLE:
        person = accounts.create_person(
            name=name, email=email, organisation=organisations[org_key], is_admin=admin
        )
        if email and label:
            accounts.set_password(person, DEMO_PASSWORD)
            logins.append((email, label))
        for code, role in seats:
            network.save_membership(
                None, body=bodies[code], person=person, role=role, since=date(2024, 1, 1)
            )
    db.session.flush()
    for step in demo_steps(current_app):
        step()  # each domain adds its part (plan, meetings, ...), registered in its setup
    return logins
