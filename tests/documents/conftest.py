"""Document fixtures: the Actiegroep (closed: secretary Sara, member Mo, outsider Olga) with a
meeting on Tuesday 12 January 2027 whose agenda has two items (one proposed by Mo), a decision
and a follow-up; and real files made here: a PDF with text, a Word file, a workbook."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from rosemeet.agendas import operations as agendas
from rosemeet.agendas.models import Proposal
from rosemeet.documents.models import TargetKind
from rosemeet.documents.queries import Target
from rosemeet.documents.storage import EXTENSION, LocalStorage, set_storage
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.meetings import operations as meetings
from rosemeet.network.models import BodyKind, Role
from tests.conftest import PASSWORD, brussels


@pytest.fixture(autouse=True)
def files(app, tmp_path):
    """A storage folder of each test's own: the database rolls back after a test, the files
    would not, so every test starts with an empty storage."""
    kept = app.extensions[EXTENSION]
    fresh = LocalStorage(tmp_path / "files")
    set_storage(app, fresh)
    yield fresh
    set_storage(app, kept)


class Network:
    """The people, the body, the meeting and its objects."""


@pytest.fixture
def ag(ctx, make_person, make_body):
    """The closed Actiegroep and its meeting of 12/1/2027 with a published agenda."""
    n = Network()
    n.secretary = make_person("Sara Secretaris", email="sara@rose.example.org", password=PASSWORD)
    n.member = make_person("Mo Lid", email="mo@rose.example.org", password=PASSWORD)
    n.other = make_person("Ann Ander", email="ann@rose.example.org", password=PASSWORD)
    n.outsider = make_person("Olga Buiten", email="olga@rose.example.org", password=PASSWORD)
    n.body = make_body(
        "Actiegroep ROSE",
        code="AG",
        kind=BodyKind.ACTION_GROUP,
        members={n.secretary: Role.SECRETARY, n.member: Role.MEMBER, n.other: Role.MEMBER},
    )
    starts = brussels(2027, 1, 12)
    n.meeting = meetings.create_meeting(
        [n.body],
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        location="W13, Kortrijk",
        notify_new=False,
    )
    agendas.ensure_agenda(n.meeting)
    n.item = agendas.add_item(n.meeting, title="Cijfers VDAB", description="De cijfers")
    n.proposed = agendas.add_item(n.meeting, title="Voorstel van Mo", description="Mo's punt")
    db.session.add(
        Proposal(body=n.body, proposer=n.member, title="Voorstel van Mo", item_id=n.proposed.id)
    )
    n.decision = followups.record_decision(n.item, "We delen de cijfers.")
    n.follow_up = followups.create_follow_up(n.item, title="Cijfers verspreiden")
    agendas.publish_agenda(n.meeting)
    db.session.commit()
    n.target = lambda kind, obj: Target(TargetKind(kind), obj)
    return n


def pdf_with_text(text: str) -> bytes:
    """A real one-page PDF whose text layer says ``text``."""
    from weasyprint import HTML

    return HTML(string=f"<html><body><p>{text}</p></body></html>").write_pdf()


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    """A PDF that says "Opleidingsaanbod VDAB Zuid-West-Vlaanderen 2027"."""
    return pdf_with_text("Opleidingsaanbod VDAB Zuid-West-Vlaanderen 2027")


@pytest.fixture(scope="session")
def docx_bytes() -> bytes:
    """A Word file that says "Kaderbesluit LB-LDE"."""
    import docx

    document = docx.Document()
    document.add_paragraph("Kaderbesluit LB-LDE en maatwerk")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def xlsx_bytes() -> bytes:
    """A workbook whose first cell says "Doorstroomcijfers"."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Doorstroomcijfers"
    workbook.active["B2"] = 42
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
