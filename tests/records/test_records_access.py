"""Who gets which record: the PDF follows the rules of the agenda and minutes pages; the
archive of a body lists only approved minutes; WeasyPrint reads only local static files."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from rosemeet.records.pdf import StaticOnlyFetcher, static_root


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("what", ["agenda", "minutes"])
def test_a_non_member_gets_404_on_the_pdf_of_a_closed_body_s_meeting(approved, client, auth, what):
    auth.login(approved.outsider.email)
    assert client.get(f"/meetings/{approved.january.id}/{what}.pdf").status_code == 404
    assert client.get(f"/bodies/{approved.ag.id}/minutes/2027.pdf").status_code == 404


def test_anonymous_visitors_get_404_too(approved, client):
    assert client.get(f"/meetings/{approved.january.id}/minutes.pdf").status_code == 404


def test_draft_minutes_pdf_is_refused_to_a_member_as_the_minutes_page_is(held, client, auth):
    auth.login(held.member.email)
    page = client.get(f"/meetings/{held.january.id}/minutes").status_code
    assert page in (403, 404)
    for suffix in (".pdf", ".docx", ".md", "/print"):
        assert client.get(f"/meetings/{held.january.id}/minutes{suffix}").status_code == page
    auth.logout()
    auth.login(held.secretary.email)  # who writes them reads the draft, marked as such
    response = client.get(f"/meetings/{held.january.id}/minutes.pdf")
    assert response.status_code == 200 and "Status: Ontwerp" in _text(response.data)


def test_agenda_pdf_holds_the_descriptions_and_the_state(held, client, auth):
    auth.login(held.member.email)
    response = client.get(f"/meetings/{held.january.id}/agenda.pdf")
    assert response.status_code == 200
    text = _text(response.data)
    assert "Agenda: Actiegroep ROSE" in text and "Voorstel fietsen" in text
    assert "Gepubliceerd" in text and "**" not in text


def test_english_readers_get_an_english_pdf(approved, client, auth):
    auth.login(approved.english.email)
    text = _text(client.get(f"/meetings/{approved.january.id}/minutes.pdf").data)
    assert "Tuesday 12 January 2027, 14:00-16:00" in text
    assert "Approved on 10 February 2027" in text and "Present" in text


def test_the_print_page_shows_the_same_content(approved, client, auth):
    auth.login(approved.member.email)
    html = client.get(f"/meetings/{approved.january.id}/minutes/print").get_data(as_text=True)
    for expected in ("AG-2027-01", "Verontschuldigd", "Ann Ander", "Goedgekeurd op", "<strong>10"):
        assert expected in html, expected
    assert "Midden-Europese" not in html and "dinsdag 12 januari 2027, 14:00-16:00" in html


def test_the_archive_lists_approved_minutes_per_year_beside_the_decisions(approved, client, auth):
    rose = approved
    auth.login(rose.member.email)
    body_page = client.get(f"/bodies/{rose.ag.id}").get_data(as_text=True)
    assert f'href="/bodies/{rose.ag.id}/minutes"' in body_page
    html = client.get(f"/bodies/{rose.ag.id}/minutes").get_data(as_text=True)
    assert "2027" in html and "dinsdag 12 januari 2027" in html
    assert "dinsdag 9 februari 2027" not in html  # its minutes are not approved
    assert f"/decisions?body={rose.ag.id}&amp;year=2027" in html and "AG-2027-01" in html
    response = client.get(f"/bodies/{rose.ag.id}/minutes/2027.pdf")
    assert response.status_code == 200
    assert "AG-2027-02" in _text(response.data)
    assert client.get(f"/bodies/{rose.ag.id}/minutes/2026.pdf").status_code == 404


def test_the_archive_is_empty_while_nothing_is_approved(held, client, auth):
    auth.login(held.member.email)
    html = client.get(f"/bodies/{held.ag.id}/minutes").get_data(as_text=True)
    assert "Nog geen goedgekeurde verslagen." in html
    assert client.get(f"/bodies/{held.ag.id}/minutes/2027.pdf").status_code == 404


def test_the_pdf_fetcher_serves_only_local_static_files(app):
    with app.app_context():
        root = static_root()
        fetcher = StaticOnlyFetcher(root)
        assert fetcher.allows((root / "fonts" / "DejaVuSans.ttf").as_uri())
        for url in (
            "https://fonts.example.org/font.ttf",
            "http://127.0.0.1/x.css",
            (root.parent / "config.py").as_uri(),
            (root / "fonts" / ".." / ".." / "config.py").as_uri(),
            "file://elsewhere/etc/passwd",
        ):
            assert not fetcher.allows(url), url
            with pytest.raises(ValueError):
                fetcher.fetch(url)


def test_the_pdf_embeds_the_vendored_font(approved, client, auth):
    auth.login(approved.member.email)
    reader = PdfReader(io.BytesIO(client.get(f"/meetings/{approved.january.id}/minutes.pdf").data))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    # the @font-face family of static/css/records_pdf.css: the vendored files, not the system's
    assert fonts and all("Record-Sans" in name for name in fonts), fonts


def test_control_characters_stored_before_input_refused_them_give_no_500(held, client, auth):
    held.bikes.title = "Begroting\x0b2027"
    held.bikes.minutes = "Verslag\x1b met **stuurteken**"
    from rosemeet.extensions import db

    db.session.commit()
    auth.login(held.secretary.email)
    for suffix in (".pdf", ".docx", ".md", "/print"):
        response = client.get(f"/meetings/{held.january.id}/minutes{suffix}")
        assert response.status_code == 200, suffix
    assert "stuurteken" in _text(client.get(f"/meetings/{held.january.id}/minutes.pdf").data)
