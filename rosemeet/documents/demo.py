"""Demo documents (after the follow-ups' demo step): a paper on the Actiegroep's mobility item
in two versions, a meeting paper for its next meeting, and the body's standing link to the
VDAB's overview of training ("bestaande overzichten van VDAB", plan action 1.x)."""

from __future__ import annotations

import io

from sqlalchemy import select

from rosemeet.accounts.models import Person
from rosemeet.agendas.models import AgendaItem
from rosemeet.documents import operations as ops
from rosemeet.documents.models import TargetKind
from rosemeet.documents.queries import Target
from rosemeet.extensions import db
from rosemeet.meetings import queries as meetings
from rosemeet.network.models import Body

NOTE_1 = "Nota deelfietsen\n\nTien deelfietsen voor doelgroepmedewerkers, eerste raming.\n"
NOTE_2 = NOTE_1 + "\nTweede versie: met de offerte van de fietsenleverancier.\n"
AGENDA_NOTE = "Praktisch\n\nWe vergaderen in zaal 2; parking achter het gebouw.\n"


def load_demo() -> None:
    """Attach the demo papers (nothing when the Actiegroep or its item is missing)."""
    ag = db.session.scalar(select(Body).where(Body.code == "AG"))
    rita = db.session.scalar(select(Person).where(Person.email == "regisseur@rose.example.org"))
    item = db.session.scalar(
        select(AgendaItem).where(AgendaItem.title == "Mobiliteit van doelgroepmedewerkers")
    )
    if ag is None or item is None:
        return
    note = ops.attach_file(
        Target(TargetKind.AGENDA_ITEM, item),
        upload=io.BytesIO(NOTE_1.encode()),
        filename="nota-deelfietsen.txt",
        title="Nota deelfietsen",
        by=rita,
    )
    ops.add_version(
        note, upload=io.BytesIO(NOTE_2.encode()), filename="nota-deelfietsen.txt", by=rita
    )
    ops.attach_link(
        Target(TargetKind.BODY, ag),
        url="https://www.vdab.be/opleidingen",
        title="Opleidingsaanbod VDAB",
        by=rita,
    )
    upcoming = meetings.body_meetings(ag, upcoming=True, limit=1)
    if upcoming:
        ops.attach_file(
            Target(TargetKind.MEETING, upcoming[0]),
            upload=io.BytesIO(AGENDA_NOTE.encode()),
            filename="praktisch.txt",
            title="Praktische afspraken",
            by=rita,
        )
