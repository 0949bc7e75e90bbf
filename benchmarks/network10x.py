"""The ROSE network at a scale, for the page benchmarks (issue 20): ``--scale 1`` is the real
network (10 bodies, 60 organisations, 150 people), ``--scale 10`` ten times it (100 bodies,
600 organisations, 1,500 people); every body has 15-25 members (a chair, one or two
secretaries, members) and five years of meetings (3.5 years past, 1.5 years ahead), each
agenda its standard items plus ``--items`` topics; the meetings held have minutes, presence,
about 1.5 decisions and 1.5 follow-ups, some of them referred to another body.

    .venv/bin/python benchmarks/network10x.py [--scale 10] [--database-url postgresql://...]

Without --database-url a SQLite file in a temporary folder is filled (and removed): the run
only prints how long it took and what it made. A PostgreSQL database must be empty; it is
migrated and filled, and left filled (``benchmarks/pages.py`` reuses it). Prints the admin's
(regisseur's) and an ordinary member's login.

People, organisations, bodies, memberships and the meeting series go through the app's own
operations (so the standard agenda items and their search documents are the app's); the
bulk of the history (topic items, minutes and their revisions, agenda states, presence,
decisions, follow-ups and their search documents) is inserted in bulk, with the values the
operations would write.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import bindparam, func, insert, inspect, select, text, update

from rosemeet import create_app
from rosemeet.accounts import operations as accounts
from rosemeet.accounts.models import Person
from rosemeet.accounts.queries import find_by_email
from rosemeet.agendas.models import (
    Agenda,
    AgendaItem,
    AgendaStatus,
    ItemKind,
    ItemRole,
    ItemSource,
    MinutesRevision,
    MinutesStatus,
)
from rosemeet.core import catalogs
from rosemeet.core.time import local_today
from rosemeet.extensions import db
from rosemeet.followups.models import (
    Decision,
    FollowUp,
    FollowUpStatus,
    SearchDocument,
    SearchKind,
)
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import (
    Attendance,
    Meeting,
    Presence,
    Response,
    ResponseChannel,
    meeting_body,
)
from rosemeet.network import operations as network
from rosemeet.network.models import (
    Body,
    BodyKind,
    BodyRelation,
    Membership,
    Organisation,
    OrganisationKind,
    RelationKind,
    Role,
)

#: the regisseur: an administrator
ADMIN_EMAIL = "regisseur@rose.example.org"
#: an ordinary member (role "member") of an action group and a working group
MEMBER_EMAIL = "lid@rose.example.org"
#: the password of both
PASSWORD = "benchmark password 20"
#: what one unit of scale holds
BODIES, ORGANISATIONS, PEOPLE = 10, 60, 150
#: how far back the meetings go and how far ahead (the series horizon: 18 months)
PAST_MONTHS = 42
BRUSSELS = ZoneInfo("Europe/Brussels")

#: one unit's bodies: kind, name, rule, start time, is_public; the first three prepare or
#: receive the others' reports (see ``RELATIONS``)
UNIT_BODIES = [
    (BodyKind.GENERAL_ASSEMBLY, "Algemene vergadering", "FREQ=YEARLY;BYMONTH=3,6,10;BYDAY=3WE"),
    (BodyKind.ACTION_GROUP, "Actiegroep", "FREQ=MONTHLY;BYDAY=2TU"),
    (BodyKind.COUNCIL, "Regionaal overleg arbeidszorg", "FREQ=MONTHLY;INTERVAL=2;BYDAY=1TH"),
    (BodyKind.WORKING_GROUP, "Fabriek mobiliteit", "FREQ=MONTHLY;INTERVAL=2;BYDAY=3TH"),
    (BodyKind.WORKING_GROUP, "Fabriek opleiding", "FREQ=MONTHLY;INTERVAL=2;BYDAY=3TU"),
    (BodyKind.WORKING_GROUP, "Lerend netwerk", "FREQ=MONTHLY;BYDAY=-1TH"),
    (BodyKind.WORKING_GROUP, "Fabriek maatwerk", "FREQ=MONTHLY;INTERVAL=2;BYDAY=2WE"),
    (BodyKind.WORKING_GROUP, "Fabriek lokale diensten", "FREQ=MONTHLY;INTERVAL=2;BYDAY=4MO"),
    (BodyKind.WORKING_GROUP, "Regionaal loopbaanzorg", "FREQ=MONTHLY;BYDAY=1MO"),
    (BodyKind.ADHOC, "Werkgroep jobbeurs", "FREQ=MONTHLY;INTERVAL=2;BYDAY=2FR"),
]
#: (source, target, kind) within a unit, by position in UNIT_BODIES
RELATIONS = [
    (1, 0, RelationKind.PREPARES),
    (2, 1, RelationKind.REPORTS_TO),
    *((n, 1, RelationKind.REPORTS_TO) for n in range(3, 10)),
]
START_TIMES = [clock(9, 0), clock(9, 30), clock(10, 0), clock(13, 30), clock(14, 0)]
PLACES = ["W13, Kortrijk", "STAM, Menen", "VDAB Kortrijk", "Stadhuis Waregem", "De Leie, Harelbeke"]
ORG_KINDS = list(OrganisationKind)
FIRST = ["An", "Bart", "Chloë", "Dirk", "Els", "Frank", "Griet", "Hans", "Ilse", "Jan", "Katrien"]
LAST = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
]
TOPICS = [
    ("Mobiliteit", "fietsen voor werkzoekenden"),
    ("Opleiding", "taalcoaching op de werkvloer"),
    ("Tewerkstelling", "instroom uit het OCMW"),
    ("Kinderopvang", "plaatsen voor ouders in opleiding"),
    ("Maatwerk", "begeleiding van doelgroepwerknemers"),
    ("Subsidies", "het nieuwe ESF-project"),
    ("Jobbeurs", "de wervingsdag in het najaar"),
    ("Huisvesting", "wonen en werken in de regio"),
    ("Rapportering", "de jaarcijfers van het actieplan"),
    ("Samenwerking", "afspraken met de lokale besturen"),
    ("Digitalisering", "computerlessen voor werknemers"),
    ("Welzijn", "doorverwijzing naar arbeidszorg"),
]
SENTENCES = [
    "{org} licht de stand van zaken toe over {subject}.",
    "De leden bespreken {subject} en de gevolgen voor de doelgroep.",
    "Er is bezorgdheid over het budget; {org} bekijkt of er extra middelen zijn.",
    "Afgesproken wordt dat {person} tegen de volgende vergadering een voorstel uitwerkt.",
    "De cijfers tonen een stijging van de instroom; de uitstroom blijft achter.",
    "{person} meldt dat de samenwerking met {org} goed loopt.",
    "Het punt komt terug op de agenda van de volgende vergadering.",
]


@dataclass
class Network:
    """What was made: the logins, counts per kind of row and the seconds each step took."""

    admin_email: str = ADMIN_EMAIL
    member_email: str = MEMBER_EMAIL
    password: str = PASSWORD
    counts: dict[str, int] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)


# --- the network, through the operations ----------------------------------------------------


def _people(rng: random.Random, unit: int, orgs: list) -> list[Person]:
    """The unit's people, most of them working for one of its organisations."""
    people = []
    for n in range(PEOPLE):
        number = unit * PEOPLE + n
        email = MEMBER_EMAIL if number == 0 else f"persoon{number:05}@rose.example.org"
        people.append(
            accounts.create_person(
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {number:05}",
                email=email,
                organisation=rng.choice(orgs) if rng.random() < 0.9 else None,
            )
        )
    return people


def _unit(rng: random.Random, unit: int, first: date, today: date) -> None:
    """One unit of scale: organisations, people, bodies, relations, memberships, series."""
    orgs = [
        network.save_organisation(
            None,
            name=f"Organisatie {unit * ORGANISATIONS + n:04}",
            abbreviation=f"O{unit * ORGANISATIONS + n:04}",
            kind=ORG_KINDS[n % len(ORG_KINDS)],
        )
        for n in range(ORGANISATIONS)
    ]
    people = _people(rng, unit, orgs)
    bodies = []
    for n, (kind, name, _rule) in enumerate(UNIT_BODIES):
        bodies.append(
            network.save_body(
                None,
                name=f"{name} {unit + 1:02}",
                code=f"B{unit:02}{n}",
                kind=kind,
                default_location=rng.choice(PLACES),
                is_public=kind is BodyKind.GENERAL_ASSEMBLY,
            )
        )
    for source, target, kind in RELATIONS:
        network.add_relation(bodies[source], bodies[target], kind)
    member = people[0] if unit == 0 else None  # MEMBER_EMAIL: in the action group and a factory
    for n, body in enumerate(bodies):
        size = rng.randint(15, 25)
        pool = people[1:] if member is not None else people
        seats = rng.sample(pool, size - (member is not None and n in (1, 3)))
        for position, person in enumerate(seats):
            role = (
                Role.CHAIR
                if position == 0
                else Role.SECRETARY
                if position <= (1 if n % 2 else 2)
                else Role.MEMBER
            )
            network.save_membership(None, body=body, person=person, role=role)
        if member is not None and n in (1, 3):
            network.save_membership(None, body=body, person=member, role=Role.MEMBER)
    for body, (_kind, _name, rule) in zip(bodies, UNIT_BODIES, strict=True):
        meetings.create_series(
            [body],
            meetings.SeriesSettings(
                rrule=rule,
                first_date=first,
                start_time=rng.choice(START_TIMES),
                duration_minutes=120,
            ),
            today=today,
            notify_new=False,
        )


# --- the history, in bulk -------------------------------------------------------------------


def _text(rng: random.Random, subject: str, orgs: list[str], names: list[str], n: int) -> str:
    """A few sentences of minutes about a subject."""
    picked = rng.sample(SENTENCES, n)
    return " ".join(
        s.format(subject=subject, org=rng.choice(orgs), person=rng.choice(names)) for s in picked
    )


def _chunks(rows: list[dict], size: int = 2000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _pairs(statement) -> dict:
    """The rows of a two-column query as a dict."""
    return dict(db.session.execute(statement).all())


def _insert(model, rows: list[dict]) -> None:
    """A bulk INSERT of the rows (in chunks: one statement per chunk on both engines)."""
    for chunk in _chunks(rows):
        db.session.execute(insert(model), chunk)


def _history(rng: random.Random, items_per_agenda: int, now: datetime, today: date) -> dict:
    """Topic items, minutes, agenda states, presence, decisions, follow-ups, search documents
    for every meeting made by the series; returns the counts."""
    s = db.session
    body_code = _pairs(select(Body.id, Body.code))
    seats: dict[int, list[tuple[int, Role]]] = defaultdict(list)
    for body_id, person_id, role in s.execute(
        select(Membership.body_id, Membership.person_id, Membership.role)
    ):
        seats[body_id].append((person_id, role))
    person_org = _pairs(select(Person.id, Person.organisation_id))
    person_name = _pairs(select(Person.id, Person.name))
    org_names = list(s.scalars(select(Organisation.name).order_by(Organisation.id).limit(50)))
    targets: dict[int, list[int]] = defaultdict(list)
    for source, target in s.execute(
        select(BodyRelation.source_body_id, BodyRelation.target_body_id)
    ):
        targets[source].append(target)
    by_body: dict[int, list[tuple[int, datetime, str]]] = defaultdict(list)
    for meeting_id, starts_at, zone, body_id in s.execute(
        select(Meeting.id, Meeting.starts_at, Meeting.timezone, meeting_body.c.body_id)
        .join(meeting_body, meeting_body.c.meeting_id == Meeting.id)
        .order_by(meeting_body.c.body_id, Meeting.starts_at)
    ):
        by_body[body_id].append((meeting_id, starts_at, zone))
    standard = defaultdict(list)
    for item_id, meeting_id, role, title in s.execute(
        select(AgendaItem.id, AgendaItem.meeting_id, AgendaItem.role, AgendaItem.title).where(
            AgendaItem.meeting_id.is_not(None)
        )
    ):
        standard[meeting_id].append((item_id, role, title))

    items, agenda_rows, attendances, standard_minutes = [], [], [], []
    plans: list[dict] = []  # per held meeting: what the next steps need
    for body_id, rows in by_body.items():
        secretaries = [p for p, r in seats[body_id] if r is Role.SECRETARY]
        members = [p for p, _r in seats[body_id]]
        names = [person_name[p] for p in members]
        next_future_published = False
        for index, (meeting_id, starts_at, zone) in enumerate(rows):
            held = starts_at < now
            later = rows[index + 1] if index + 1 < len(rows) else None
            day = starts_at.astimezone(ZoneInfo(zone)).date()
            topics = rng.sample(TOPICS, items_per_agenda)
            secretary = rng.choice(secretaries)
            for n, (topic, subject) in enumerate(topics):
                minutes = _text(rng, subject, org_names, names, rng.randint(2, 4)) if held else None
                items.append(
                    {
                        "meeting_id": meeting_id,
                        "position": 4 + n,
                        "title": f"{topic}: {subject}",
                        "description": f"Toelichting over {subject} door de werkgroep.",
                        "kind": ItemKind.DECISION if n % 2 == 0 else ItemKind.DISCUSSION,
                        "presenter_id": rng.choice(members),
                        "planned_minutes": rng.choice((10, 15, 20, 30)),
                        "source": ItemSource.MANUAL,
                        "minutes": minutes,
                        "version": 2 if minutes else 1,
                        "created_at": starts_at - timedelta(days=21),
                        "updated_at": starts_at + timedelta(days=2) if held else starts_at,
                        "_saved_by": secretary,
                    }
                )
            # the agenda: held meetings published, their minutes approved at the next one
            # (the last held: sent for comments); of the coming ones the next is published
            publish = held or not next_future_published
            next_future_published = next_future_published or not held
            if held:
                approval = later if later is not None and later[1] < now else None
                approved = approval is not None
                agenda_rows.append(
                    {
                        "b_meeting": meeting_id,
                        "status": AgendaStatus.PUBLISHED,
                        "published_at": starts_at - timedelta(days=7),
                        "minutes_status": MinutesStatus.APPROVED
                        if approved
                        else MinutesStatus.FOR_COMMENT,
                        "minutes_sent_at": starts_at + timedelta(days=3),
                        "minutes_approved_at": approval[1] if approval else None,
                        "approved_in_meeting_id": approval[0] if approval else None,
                        "approved_by_id": secretary if approved else None,
                    }
                )
                for item_id, role, _title in standard[meeting_id]:
                    said = {
                        ItemRole.WELCOME: "De voorzitter verwelkomt de leden.",
                        ItemRole.APPROVE_MINUTES: "Het verslag van de vorige vergadering "
                        "wordt zonder opmerkingen goedgekeurd.",
                        ItemRole.FOLLOWUPS: "De opvolglijst wordt overlopen.",
                    }.get(role, "Besproken.")
                    standard_minutes.append(
                        {"b_id": item_id, "minutes": said, "_saved_by": secretary, "_at": starts_at}
                    )
                for person_id in members:
                    answer = rng.choices(
                        (Response.ACCEPTED, Response.DECLINED, Response.NEEDS_ACTION), (7, 2, 1)
                    )[0]
                    attendances.append(
                        {
                            "meeting_id": meeting_id,
                            "person_id": person_id,
                            "is_guest": False,
                            "response": answer,
                            "responded_at": None
                            if answer is Response.NEEDS_ACTION
                            else starts_at - timedelta(days=5),
                            "responded_via": None
                            if answer is Response.NEEDS_ACTION
                            else ResponseChannel.WEB,
                            "presence": Presence.PRESENT
                            if answer is Response.ACCEPTED and rng.random() < 0.95
                            else Presence.EXCUSED
                            if answer is Response.DECLINED
                            else Presence.ABSENT,
                        }
                    )
                plans.append(
                    {
                        "body": body_id,
                        "meeting": meeting_id,
                        "starts_at": starts_at,
                        "day": day,
                        "secretary": secretary,
                        "members": members,
                        "later": [m for m, at, _z in rows[index + 1 :] if at < now],
                    }
                )
            elif publish:
                agenda_rows.append(
                    {
                        "b_meeting": meeting_id,
                        "status": AgendaStatus.PUBLISHED,
                        "published_at": now - timedelta(days=1),
                        "minutes_status": MinutesStatus.DRAFT,
                        "minutes_sent_at": None,
                        "minutes_approved_at": None,
                        "approved_in_meeting_id": None,
                        "approved_by_id": None,
                    }
                )

    saved_by = [row.pop("_saved_by") for row in items]
    _insert(AgendaItem, items)
    topic_ids = {
        (meeting_id, position): item_id
        for item_id, meeting_id, position in s.execute(
            select(AgendaItem.id, AgendaItem.meeting_id, AgendaItem.position).where(
                AgendaItem.position >= 4, AgendaItem.meeting_id.is_not(None)
            )
        )
    }
    revisions = []
    for row, by in zip(items, saved_by, strict=True):
        row["id"] = topic_ids[(row["meeting_id"], row["position"])]
        if row["minutes"]:
            revisions.append(
                {
                    "item_id": row["id"],
                    "version": 2,
                    "text": row["minutes"],
                    "saved_by_id": by,
                    "saved_at": row["updated_at"],
                }
            )
    for row in standard_minutes:
        revisions.append(
            {
                "item_id": row["b_id"],
                "version": 2,
                "text": row["minutes"],
                "saved_by_id": row.pop("_saved_by"),
                "saved_at": row.pop("_at") + timedelta(days=2),
            }
        )
    table = AgendaItem.__table__
    for chunk in _chunks(standard_minutes):
        s.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(minutes=bindparam("minutes"), version=2),
            chunk,
        )
    _insert(MinutesRevision, revisions)
    agendas = Agenda.__table__
    for chunk in _chunks(agenda_rows):
        s.execute(
            update(agendas).where(agendas.c.meeting_id == bindparam("b_meeting")),
            chunk,
        )
    _insert(Attendance, attendances)

    decisions: list[dict] = []
    numbers: dict[tuple[int, int], int] = defaultdict(int)
    for plan in plans:
        for n in range(1 if rng.random() < 0.5 else 2):
            year = plan["day"].year
            numbers[(plan["body"], year)] += 1
            item_id = topic_ids[(plan["meeting"], 4 + 2 * n)]
            decisions.append(
                {
                    "body_id": plan["body"],
                    "year": year,
                    "sequence": numbers[(plan["body"], year)],
                    "agenda_item_id": item_id,
                    "meeting_id": plan["meeting"],
                    "text": f"De vergadering keurt het voorstel goed over "
                    f"{TOPICS[(item_id + n) % len(TOPICS)][1]}.",
                    "decided_on": plan["day"],
                    "recorded_by_id": plan["secretary"],
                    "created_at": plan["starts_at"] + timedelta(days=1),
                }
            )
    _insert(Decision, decisions)
    decision_of = {
        item: (decision_id, body, year, sequence)
        for decision_id, item, body, year, sequence in s.execute(
            select(
                Decision.id,
                Decision.agenda_item_id,
                Decision.body_id,
                Decision.year,
                Decision.sequence,
            )
        )
    }

    follow_ups = []
    for plan in plans:
        for n in range(1 if rng.random() < 0.5 else 2):
            item_id = topic_ids[(plan["meeting"], 4 + n)]
            decision = decision_of.get(item_id)
            owner = rng.choice(plan["members"])
            due = plan["day"] + timedelta(days=rng.randint(30, 90))
            old = due < today - timedelta(days=60)
            status = (
                rng.choices(
                    (FollowUpStatus.DONE, FollowUpStatus.DROPPED, FollowUpStatus.OPEN), (85, 5, 10)
                )[0]
                if old
                else rng.choice((FollowUpStatus.OPEN, FollowUpStatus.ONGOING))
            )
            closed = not status.is_open
            refer = targets.get(plan["body"]) if rng.random() < 0.2 else None
            closed_in = next(iter(plan["later"][1:2]), None) if closed else None
            subject = TOPICS[(item_id + n) % len(TOPICS)][1]
            follow_ups.append(
                {
                    "title": f"Voorstel uitwerken over {subject}",
                    "description": f"Contact opnemen met de partners over {subject}.",
                    "body_id": plan["body"],
                    "agenda_item_id": item_id,
                    "decision_id": decision[0] if decision and n == 0 else None,
                    "origin_meeting_id": plan["meeting"],
                    "owner_person_id": owner,
                    "owner_organisation_id": person_org.get(owner),
                    "due_on": due,
                    "status": status,
                    "report_to_body_id": rng.choice(refer) if refer else None,
                    "closed_at": datetime.combine(due, clock(12), UTC) if closed else None,
                    "closed_by_id": plan["secretary"] if closed else None,
                    "resolution": f"Afgerond: {subject} is geregeld." if closed else None,
                    "closed_in_meeting_id": closed_in,
                    "created_by_id": plan["secretary"],
                    "created_at": plan["starts_at"] + timedelta(days=1),
                    "updated_at": datetime.combine(due, clock(12), UTC)
                    if closed
                    else plan["starts_at"] + timedelta(days=1),
                    "version": 2 if closed else 1,
                }
            )
    _insert(FollowUp, follow_ups)

    # the search documents the flush hook would have written (search.py's SOURCES)
    meeting_day = {p["meeting"]: (p["body"], p["day"]) for p in plans}
    for body_id, rows in by_body.items():
        for meeting_id, starts_at, zone in rows:
            meeting_day.setdefault(
                meeting_id, (body_id, starts_at.astimezone(ZoneInfo(zone)).date())
            )
    documents = []
    for row in items:
        body_id, day = meeting_day[row["meeting_id"]]
        base = {"body_id": body_id, "meeting_id": row["meeting_id"], "happened_on": day}
        documents.append(
            {
                **base,
                "kind": SearchKind.AGENDA_ITEM,
                "object_id": row["id"],
                "title": row["title"],
                "content": row["description"],
            }
        )
        if row["minutes"]:
            documents.append(
                {
                    **base,
                    "kind": SearchKind.MINUTES,
                    "object_id": row["id"],
                    "title": row["title"],
                    "content": row["minutes"],
                }
            )
    titles, meeting_of = {}, {}
    for meeting_id, rows in standard.items():
        for item_id, _role, title in rows:
            titles[item_id], meeting_of[item_id] = title, meeting_id
    for row in standard_minutes:
        body_id, day = meeting_day[meeting_of[row["b_id"]]]
        documents.append(
            {
                "kind": SearchKind.MINUTES,
                "object_id": row["b_id"],
                "body_id": body_id,
                "meeting_id": meeting_of[row["b_id"]],
                "happened_on": day,
                "title": titles[row["b_id"]],
                "content": row["minutes"],
            }
        )
    for decision_id, body_id, meeting_id, day, wording, year, sequence in s.execute(
        select(
            Decision.id,
            Decision.body_id,
            Decision.meeting_id,
            Decision.decided_on,
            Decision.text,
            Decision.year,
            Decision.sequence,
        )
    ):
        documents.append(
            {
                "kind": SearchKind.DECISION,
                "object_id": decision_id,
                "body_id": body_id,
                "meeting_id": meeting_id,
                "happened_on": day,
                "title": f"{body_code[body_id]}-{year}-{sequence:02d}",
                "content": wording,
            }
        )
    for follow_up_id, body_id, meeting_id, due, title, description, resolution in s.execute(
        select(
            FollowUp.id,
            FollowUp.body_id,
            FollowUp.origin_meeting_id,
            FollowUp.due_on,
            FollowUp.title,
            FollowUp.description,
            FollowUp.resolution,
        )
    ):
        documents.append(
            {
                "kind": SearchKind.FOLLOW_UP,
                "object_id": follow_up_id,
                "body_id": body_id,
                "meeting_id": meeting_id,
                "happened_on": due,
                "title": title,
                "content": "\n".join(t for t in (description, resolution) if t),
            }
        )
    _insert(SearchDocument, documents)
    return {
        "topic items": len(items),
        "minutes revisions": len(revisions),
        "attendances": len(attendances),
        "decisions": len(decisions),
        "follow-ups": len(follow_ups),
        "referrals": sum(1 for f in follow_ups if f["report_to_body_id"]),
        "search documents (bulk)": len(documents),
    }


# --- the whole ------------------------------------------------------------------------------


def is_filled(app: Flask) -> bool:
    """Does the database hold a network made by this script (its admin)?"""
    with app.app_context():
        if "person" not in inspect(db.engine).get_table_names():
            return False
        found = db.session.scalar(select(Person.id).where(Person.email == ADMIN_EMAIL))
        db.session.rollback()
        return found is not None


def fill(app: Flask, scale: int, *, items: int = 5, seed: int = 20, say=print) -> Network:
    """Fill the (migrated, empty) database with the network at ``scale``."""
    rng = random.Random(seed)
    result = Network()
    today = local_today()
    now = datetime.now(UTC)
    first = (today - relativedelta(months=PAST_MONTHS)).replace(day=1)
    with app.test_request_context():
        began = time.perf_counter()
        admin = accounts.create_person(name="Regisseur ROSE", email=ADMIN_EMAIL, is_admin=True)
        accounts.set_password(admin, PASSWORD)
        for unit in range(scale):
            _unit(rng, unit, first, today)
            db.session.commit()
            if unit % 5 == 4 or unit == scale - 1:
                say(f"  unit {unit + 1}/{scale}: {time.perf_counter() - began:.0f} s")
        member = find_by_email(MEMBER_EMAIL)
        assert member is not None
        accounts.set_password(member, PASSWORD)
        db.session.commit()
        result.steps["network and series (operations)"] = time.perf_counter() - began
        began = time.perf_counter()
        result.counts.update(_history(rng, items, now, today))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # statistics for the planner, as autovacuum
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        result.steps["history (bulk)"] = time.perf_counter() - began
        for label, model in (
            ("people", Person),
            ("bodies", Body),
            ("memberships", Membership),
            ("meetings", Meeting),
            ("agenda items", AgendaItem),
            ("search documents", SearchDocument),
        ):
            result.counts[label] = db.session.scalar(select(func.count()).select_from(model))
        result.counts["meetings held"] = db.session.scalar(
            select(func.count(Meeting.id)).where(Meeting.starts_at < now)
        )
        db.session.rollback()
    return result


def make_app(url: str, folder: Path) -> Flask:
    """The app on ``url`` (migrated), with its instance folder in ``folder``."""
    catalogs.compile_all()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder),
            "BASE_URL": "http://bench.test",
            "SMTP_HOST": "",
        }
    )
    with app.app_context():
        upgrade(revision="heads")
    return app


def report(made: Network, seconds: float) -> None:
    """Print the logins, the counts and the steps' seconds."""
    print(
        f"filled in {seconds:.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in made.steps.items())
        + ")"
    )
    print("  " + ", ".join(f"{k} {v:,}" for k, v in made.counts.items()))
    print(f"admin:  {made.admin_email} / {made.password}")
    print(f"member: {made.member_email} / {made.password}")


def main() -> None:
    """Fill a database at ``--scale`` and print what was made."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--items", type=int, default=5, help="topic items per agenda")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("ROSEMEET_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'network.db'}"
        app = make_app(url, Path(folder))
        with app.app_context():
            if db.session.scalar(select(func.count(Person.id))):
                sys.exit("the database is not empty")
            db.session.rollback()
        print(f"engine {url.split(':', 1)[0]}, scale {args.scale}")
        began = time.perf_counter()
        made = fill(app, args.scale, items=args.items, seed=args.seed)
        report(made, time.perf_counter() - began)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
