"""The official record: one content model, rendered as PDF, Word, Markdown and print page."""

from __future__ import annotations

import io

from docx import Document
from pypdf import PdfReader

from rosemeet.records import content
from tests.records.conftest import NOW  # noqa: F401 (the clock the fixtures use)


def _pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_record_gathers_title_block_attendance_items_outcomes_and_state(approved, app):
    rose = approved
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        rec = content.record(rose.january, "minutes", None)
    assert rec.when == "dinsdag 12 januari 2027, 14:00-16:00"
    assert rec.place == "W13, Kortrijk" and rec.bodies == "Actiegroep ROSE"
    assert rec.attendance is not None
    assert rec.attendance.present == ["Mo Lid (W13)", "Sara Secretaris"]
    assert rec.attendance.excused == ["Ann Ander"] and rec.attendance.absent == ["Eve English"]
    assert [q.reached for q in rec.attendance.quorum] == [True]
    bikes = rec.items[-2]
    assert bikes.title == "Deelfietsen" and "**10 deelfietsen**" in bikes.text
    assert [d.number for d in bikes.decisions] == ["AG-2027-01"]
    (follow_up,) = bikes.follow_ups
    assert (follow_up.owner, follow_up.due, follow_up.decision) == (
        "Mo Lid (W13)",
        "1 maart 2027",
        "AG-2027-01",
    )
    assert rec.state.startswith("Goedgekeurd op 10 februari 2027 in ")
    assert "9 februari 2027" in rec.state


def test_english_dates_in_the_english_locale(approved, app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        rec = content.record(approved.january, "minutes", None)
    assert rec.when == "Tuesday 12 January 2027, 14:00-16:00"
    assert rec.state.startswith("Approved on 10 February 2027 in ")


def test_minutes_pdf_holds_references_attendance_and_state(approved, client, auth):
    rose = approved
    auth.login(rose.member.email)
    response = client.get(f"/meetings/{rose.january.id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data[:5] == b"%PDF-"
    text, pages = _pdf_text(response.data)
    for expected in (
        "AG-2027-01",
        "AG-2027-02",
        "Aanwezig",
        "Mo Lid (W13)",
        "Verontschuldigd",
        "Ann Ander",
        "Afwezig",
        "Goedgekeurd op 10 februari 2027",
        "dinsdag 12 januari 2027, 14:00-16:00",
        "Offertes opvragen",
        f"p. 1/{pages}",
    ):
        assert expected in text, expected
    assert "**" not in text


def test_word_renders_markdown_as_formatting(approved, client, auth):
    rose = approved
    auth.login(rose.member.email)
    response = client.get(f"/meetings/{rose.january.id}/minutes.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    paragraphs = document.paragraphs
    text = "\n".join(p.text for p in paragraphs)
    assert "**" not in text and "10 deelfietsen" in text
    bold = [r.text for p in paragraphs for r in p.runs if r.bold]
    assert "10 deelfietsen" in bold
    italic = [r.text for p in paragraphs for r in p.runs if r.italic]
    assert "twee" in italic
    styles = {p.text: p.style.name for p in paragraphs}
    assert styles["offerte A"] == "List Bullet" and styles["eerst"] == "List Number"
    assert styles["Verloop"].startswith("Heading")
    assert "AG-2027-01: We kopen tien deelfietsen." in text
    assert "Goedgekeurd op 10 februari 2027" in text and "Ann Ander" in text
    rels = [r.target_ref for r in document.part.rels.values() if "hyperlink" in r.reltype]
    assert rels == ["https://rose.example.org/nota"]


def test_markdown_download_has_one_charset_and_the_same_content(approved, client, auth):
    rose = approved
    auth.login(rose.member.email)
    response = client.get(f"/meetings/{rose.january.id}/minutes.md")
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.get_data(as_text=True)
    assert "**AG-2027-01**: We kopen tien deelfietsen." in text
    assert "Verontschuldigd: Ann Ander" in text and "Goedgekeurd op" in text


def test_word_handles_every_markdown_block_without_literal_marks(app):
    from rosemeet.records.exporter import add_markdown

    text = (
        "# Kop\n\n- een\n  - twee\n\n1. eerst\n\n   vervolg\n\n> geciteerd **vet**\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n"
        "[intern](/pad) en `x` en ~~weg~~\n\n---\n"
    )
    document = Document()
    with app.test_request_context():
        add_markdown(document, text)
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 2", "Kop") in styles
    assert ("List Bullet", "een") in styles and ("List Bullet 2", "twee") in styles
    assert ("List Continue", "vervolg") in styles and ("Quote", "geciteerd vet") in styles
    assert document.tables[0].cell(1, 1).text == "2"
    everything = "\n".join(t for _s, t in styles)
    assert "intern en x en weg" in everything
    assert "**" not in everything and "[" not in everything and "~~" not in everything
    assert not [r for r in document.part.rels.values() if "hyperlink" in r.reltype]
