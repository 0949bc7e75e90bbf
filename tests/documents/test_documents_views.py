"""The documents' pages: attaching by the form, the lists on the pages of what they belong to,
downloading (headers, ETag, ranges, permissions), versions, the meeting's papers as a ZIP,
the library of a body and the search."""

from __future__ import annotations

import io
import re
import zipfile

from rosemeet.accounts.operations import create_api_token
from rosemeet.agendas.queries import meeting_items
from rosemeet.documents import operations as documents
from rosemeet.documents.models import Document
from rosemeet.extensions import db

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def _upload(client, path: str, content: bytes, name: str, **fields):
    data = {"csrf_token": _token(client, path), "files": (io.BytesIO(content), name), **fields}
    return client.post(path, data=data, content_type="multipart/form-data")


def _attach(ag, kind, obj, content=b"Agenda notes\n", name="nota.txt", title=None):
    return documents.attach_file(
        ag.target(kind, obj),
        upload=io.BytesIO(content),
        filename=name,
        title=title,
        by=ag.secretary,
    )


def test_the_secretary_attaches_a_pdf_to_an_item_and_the_agenda_lists_it(
    client, auth, ag, pdf_bytes
):
    auth.login(ag.secretary.email)
    path = f"/documents/new/agenda_item/{ag.item.id}"
    response = _upload(client, path, pdf_bytes, "Opleidingen VDAB.pdf", title="Aanbod VDAB")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/meetings/{ag.meeting.id}/agenda#item-{ag.item.id}"
    )
    page = client.get(f"/meetings/{ag.meeting.id}/agenda").get_data(as_text=True)
    assert "Aanbod VDAB" in page
    assert "PDF" in page
    meeting_page = client.get(f"/meetings/{ag.meeting.id}").get_data(as_text=True)
    assert "Aanbod VDAB" in meeting_page and "papers.zip" in meeting_page


def test_a_refused_upload_says_why_keeps_the_title_and_stores_nothing(client, auth, ag, files):
    auth.login(ag.secretary.email)
    path = f"/documents/new/meeting/{ag.meeting.id}"
    response = _upload(
        client, path, b"<html><script>alert(1)</script>", "x.pdf", title="Mijn titel"
    )
    assert response.status_code == 415
    page = response.get_data(as_text=True)
    assert "text/html" in page
    assert 'value="Mijn titel"' in page
    assert db.session.query(Document).count() == 0
    assert list(files.kept()) == []


def test_a_file_above_the_limit_is_a_413_that_names_the_limit(app, client, auth, ag, files):
    auth.login(ag.secretary.email)
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        path = f"/documents/new/meeting/{ag.meeting.id}"
        response = _upload(client, path, b"a" * (11 * 1024 * 1024 + 10), "big.txt")
    finally:
        app.config["MAX_UPLOAD_MB"] = 25
    assert response.status_code == 413
    assert "1 MB" in response.get_data(as_text=True)
    assert db.session.query(Document).count() == 0
    assert list(files.kept()) == []


def test_a_link_is_attached_with_its_title(client, auth, ag):
    auth.login(ag.secretary.email)
    path = f"/documents/new/body/{ag.body.id}"
    data = {
        "csrf_token": _token(client, path),
        "url": "https://www.vdab.be/opleidingen",
        "title": "Opleidingen VDAB",
    }
    assert client.post(path, data=data).status_code == 302
    page = client.get(f"/bodies/{ag.body.id}").get_data(as_text=True)
    assert 'href="https://www.vdab.be/opleidingen"' in page
    data["url"] = "javascript:alert(1)"
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "https://" in response.get_data(as_text=True)


def test_a_member_downloads_with_the_real_type_etag_ranges_and_a_sandbox(
    client, auth, ag, pdf_bytes
):
    document = _attach(ag, "agenda_item", ag.item, pdf_bytes, "cijfers.pdf")
    db.session.commit()
    auth.login(ag.member.email)
    response = client.get(f"/documents/{document.id}/download")
    assert response.status_code == 200
    assert response.data == pdf_bytes
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    etag = response.headers["ETag"]
    assert (
        client.get(
            f"/documents/{document.id}/download", headers={"If-None-Match": etag}
        ).status_code
        == 304
    )
    part = client.get(f"/documents/{document.id}/download", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == pdf_bytes[:10]


def test_text_is_downloaded_as_an_attachment_never_shown_as_a_page(client, auth, ag):
    document = _attach(ag, "meeting", ag.meeting, b"<b>niet vet</b> gewoon tekst\n", "nota.txt")
    db.session.commit()
    auth.login(ag.member.email)
    response = client.get(f"/documents/{document.id}/download")
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_an_outsider_gets_404_and_an_anonymous_visitor_the_login(client, auth, ag):
    document = _attach(ag, "meeting", ag.meeting)
    db.session.commit()
    anonymous = client.get(f"/documents/{document.id}/download")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    auth.login(ag.outsider.email)
    assert client.get(f"/documents/{document.id}/download").status_code == 404
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/documents/new/meeting/{ag.meeting.id}").status_code == 404


def test_a_script_downloads_with_its_api_token(client, ag, pdf_bytes):
    document = _attach(ag, "meeting", ag.meeting, pdf_bytes, "a.pdf")
    _token_row, secret = create_api_token(ag.member, "script")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/documents/{document.id}/download", headers=headers).data == pdf_bytes
    bad = client.get(f"/documents/{document.id}/download", headers={"Authorization": "Bearer x"})
    assert bad.status_code == 401


def test_internal_documents_are_seen_by_the_secretary_only(client, auth, ag):
    document = documents.attach_link(
        ag.target("meeting", ag.meeting),
        url="https://example.org/intern",
        title="Begroting intern",
        by=ag.secretary,
        internal=True,
    )
    db.session.commit()
    auth.login(ag.member.email)
    assert "Begroting intern" not in client.get(f"/meetings/{ag.meeting.id}").get_data(as_text=True)
    assert client.get(f"/documents/{document.id}").status_code == 404
    auth.logout()
    auth.login(ag.secretary.email)
    assert "Begroting intern" in client.get(f"/meetings/{ag.meeting.id}").get_data(as_text=True)


def test_a_new_version_becomes_the_download_and_the_old_one_stays(client, auth, ag):
    document = _attach(ag, "agenda_item", ag.item, b"versie een\n", "nota.txt")
    db.session.commit()
    auth.login(ag.secretary.email)
    page = f"/documents/{document.id}"
    data = {
        "csrf_token": _token(client, page),
        "file": (io.BytesIO(b"versie twee\n"), "nota-v2.txt"),
    }
    response = client.post(
        f"/documents/{document.id}/versions", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert client.get(f"/documents/{document.id}/download").data == b"versie twee\n"
    assert client.get(f"/documents/{document.id}/versions/1/download").data == b"versie een\n"
    history = client.get(page).get_data(as_text=True)
    assert "nota-v2.txt" in history and "nota.txt" in history


def test_a_member_attaches_to_the_item_they_proposed_only(client, auth, ag):
    auth.login(ag.member.email)
    assert (
        _upload(
            client, f"/documents/new/agenda_item/{ag.proposed.id}", b"Mijn nota\n", "mo.txt"
        ).status_code
        == 302
    )
    assert client.get(f"/documents/new/agenda_item/{ag.item.id}").status_code == 403
    assert client.get(f"/documents/new/meeting/{ag.meeting.id}").status_code == 403


def test_removing_a_document_removes_its_file(client, auth, ag, files):
    document = _attach(ag, "decision", ag.decision, b"besluit\n", "besluit.txt")
    db.session.commit()
    sha = document.latest.file_sha256
    auth.login(ag.secretary.email)
    page = f"/documents/{document.id}"
    response = client.post(
        f"/documents/{document.id}/delete", data={"csrf_token": _token(client, page)}
    )
    assert response.status_code == 302
    assert db.session.query(Document).count() == 0
    assert sha not in set(files.kept())


def test_the_papers_come_as_one_zip_in_agenda_order(client, auth, ag, pdf_bytes):
    _attach(ag, "meeting", ag.meeting, b"uitnodiging\n", "uitnodiging.txt", title="Uitnodiging")
    _attach(ag, "agenda_item", ag.proposed, b"mo\n", "mo.txt", title="Nota Mo")
    _attach(ag, "agenda_item", ag.item, pdf_bytes, "vdab.pdf", title="Cijfers")
    documents.attach_link(
        ag.target("agenda_item", ag.item), url="https://www.vdab.be", title="VDAB", by=ag.secretary
    )
    db.session.commit()
    auth.login(ag.member.email)
    response = client.get(f"/meetings/{ag.meeting.id}/papers.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    place = {item.id: n for n, item in enumerate(meeting_items(ag.meeting), 1)}
    cijfers = f"{place[ag.item.id]:02d} Cijfers VDAB - Cijfers.pdf"
    nota = f"{place[ag.proposed.id]:02d} Voorstel van Mo - Nota Mo.txt"
    assert names[:3] == ["00 Uitnodiging.txt", cijfers, nota]
    assert archive.read(cijfers) == pdf_bytes
    assert "https://www.vdab.be" in archive.read(names[-1]).decode()
    auth.logout()
    auth.login(ag.outsider.email)
    assert client.get(f"/meetings/{ag.meeting.id}/papers.zip").status_code == 404


def test_the_library_finds_a_pdf_by_its_text_and_filters_by_kind(
    client, auth, ag, pdf_bytes, docx_bytes
):
    _attach(ag, "agenda_item", ag.item, pdf_bytes, "aanbod.pdf", title="Aanbod")
    _attach(ag, "follow_up", ag.follow_up, docx_bytes, "kader.docx", title="Kader")
    db.session.commit()
    auth.login(ag.member.email)
    base = f"/bodies/{ag.body.id}/documents"
    found = client.get(base + "?q=opleidingsaanbod").get_data(as_text=True)
    assert "Aanbod" in found and "Kader" not in found
    by_kind = client.get(base + "?family=text_document").get_data(as_text=True)
    assert "Kader" in by_kind and ">Aanbod<" not in by_kind
    assert client.get(base + "?year=abc&family=nonsense&q=" + "x" * 500).status_code == 200
    auth.logout()
    auth.login(ag.outsider.email)
    assert client.get(base).status_code == 404


def test_search_finds_a_document_by_its_text_for_members_only(client, auth, ag, xlsx_bytes):
    _attach(ag, "meeting", ag.meeting, xlsx_bytes, "cijfers.xlsx", title="Tabel")
    db.session.commit()
    auth.login(ag.member.email)
    page = client.get("/search?q=doorstroomcijfers").get_data(as_text=True)
    assert "Tabel" in page
    auth.logout()
    auth.login(ag.outsider.email)
    assert "Tabel" not in client.get("/search?q=doorstroomcijfers").get_data(as_text=True)


def test_hostile_names_and_ids_never_give_a_500(client, auth, ag):
    auth.login(ag.secretary.email)
    path = f"/documents/new/meeting/{ag.meeting.id}"
    response = _upload(client, path, b"tekst\n", "../../etc/passwd\x00" + "a" * 1000 + ".txt")
    assert response.status_code == 302
    document = db.session.query(Document).one()
    assert "/" not in document.latest.filename and len(document.latest.filename) <= 150
    for url in (
        "/documents/new/nonsense/1",
        "/documents/new/meeting/99999",
        "/documents/99999/download",
        f"/documents/{document.id}/versions/99/download",
        "/meetings/99999/papers.zip",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(path, data={"csrf_token": _token(client, path)}).status_code == 400


def test_the_agenda_mail_and_the_print_view_link_the_papers(client, auth, ag, pdf_bytes):
    from sqlalchemy import select

    from rosemeet.agendas import operations as agendas
    from rosemeet.mail.models import OutboxMessage

    document = _attach(ag, "agenda_item", ag.item, pdf_bytes, "vdab.pdf", title="Cijfers Q3")
    documents.attach_file(
        ag.target("meeting", ag.meeting),
        upload=io.BytesIO(b"intern\n"),
        filename="intern.txt",
        title="Intern stuk",
        by=ag.secretary,
        internal=True,
    )
    agendas.notify_agenda(ag.meeting, agendas.ensure_agenda(ag.meeting), changed=True)
    db.session.commit()
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "agenda")).all()
    assert mails
    url = f"/documents/{document.id}/download"
    assert all("Cijfers Q3" in m.text_body and url in m.text_body for m in mails)
    assert not any("Intern stuk" in m.text_body for m in mails)
    auth.login(ag.member.email)
    printed = client.get(f"/meetings/{ag.meeting.id}/agenda/print").get_data(as_text=True)
    assert "Cijfers Q3" in printed and url in printed
