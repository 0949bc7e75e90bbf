"""Documents without HTTP: attaching files and links, versions, who may see and add, the
refusals, and that a failed or removed upload leaves neither a row nor a file."""

from __future__ import annotations

import io
import os
import time

import pytest
from sqlalchemy import func, select

from rosemeet.core.permissions import can
from rosemeet.documents import operations as ops
from rosemeet.documents.filetypes import detect, safe_filename
from rosemeet.documents.models import Document, DocumentVersion, FileFamily, StoredFile
from rosemeet.documents.operations import DocumentError
from rosemeet.documents.queries import documents_of, meeting_papers
from rosemeet.documents.storage import storage
from rosemeet.extensions import db


def _attach(target, data: bytes, name: str = "cijfers.pdf", title: str = "", by=None, **kw):
    return ops.attach_file(target, upload=io.BytesIO(data), filename=name, title=title, by=by, **kw)


def _kept() -> set[str]:
    return set(storage().kept())


def _staged() -> list[str]:
    return os.listdir(storage().root / "tmp") if (storage().root / "tmp").exists() else []


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_pdf_on_an_item_is_kept_under_its_hash_with_its_text(ag, pdf_bytes):
    item = ag.target("agenda_item", ag.item)
    document = _attach(item, pdf_bytes, "Cijfers Q3.pdf", by=ag.secretary)
    db.session.commit()
    version = document.latest
    assert (document.title, version.number, version.filename) == ("Cijfers Q3", 1, "Cijfers Q3.pdf")
    assert version.file.content_type == "application/pdf" and version.file.size == len(pdf_bytes)
    assert "Opleidingsaanbod VDAB" in version.file.text
    with storage().open(version.file_sha256) as stored:
        assert stored.read() == pdf_bytes
    assert [d.title for d in documents_of(item)] == ["Cijfers Q3"]


def test_the_same_content_twice_is_stored_once(ag, pdf_bytes):
    first = _attach(ag.target("agenda_item", ag.item), pdf_bytes, by=ag.secretary)
    second = _attach(ag.target("decision", ag.decision), pdf_bytes, by=ag.secretary)
    db.session.commit()
    assert first.latest.file_sha256 == second.latest.file_sha256
    assert _count(StoredFile) == 1


def test_a_new_version_keeps_the_old_one_in_the_history(ag, pdf_bytes, docx_bytes):
    document = _attach(ag.target("agenda_item", ag.item), pdf_bytes, by=ag.secretary)
    db.session.commit()
    ops.add_version(document, upload=io.BytesIO(docx_bytes), filename="nota.docx", by=ag.member)
    db.session.commit()
    assert [(v.number, v.filename) for v in document.versions] == [
        (1, "cijfers.pdf"),
        (2, "nota.docx"),
    ]
    assert document.latest.file.content_type.endswith("wordprocessingml.document")
    assert "LB-LDE" in document.latest.file.text


def test_workbooks_are_searchable_by_their_cells(ag, xlsx_bytes):
    document = _attach(ag.target("follow_up", ag.follow_up), xlsx_bytes, "cijfers.xlsx")
    assert "Doorstroomcijfers" in document.latest.file.text and "42" in document.latest.file.text


def test_a_link_needs_an_http_address(ag):
    target = ag.target("meeting", ag.meeting)
    link = ops.attach_link(target, url="https://www.vdab.be/opleidingen", title="", by=None)
    assert link.is_link and link.title == "www.vdab.be" and link.latest is None
    for bad in ("javascript:alert(1)", "ftp://x.org/a", "https://", "http://a.b/\x00"):
        with pytest.raises(DocumentError) as refused:
            ops.attach_link(target, url=bad, title="Kwaad", by=None)
        assert refused.value.field == "url"


@pytest.mark.parametrize(
    ("data", "name", "named"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 400, "setup.pdf", "application/x-msdownload"),
        (b"<!DOCTYPE html><script>alert(1)</script>", "nota.pdf", "text/html"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "logo.png", "svg"),
        (bytes(range(256)) * 4, "data.csv", "application/octet-stream"),
    ],
)
def test_a_type_that_is_not_allowed_is_refused_with_its_detected_type(ag, data, name, named):
    before = _kept()
    with pytest.raises(DocumentError) as refused:
        _attach(ag.target("agenda_item", ag.item), data, name)
    assert named in refused.value.message and refused.value.status == 415
    assert _count(Document) == 0 and _kept() == before and _staged() == []


def test_an_empty_file_and_a_too_large_one_are_refused_and_leave_nothing(ag, app, monkeypatch):
    target = ag.target("agenda_item", ag.item)
    with pytest.raises(DocumentError, match="leeg"):
        _attach(target, b"", "leeg.txt")
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    with pytest.raises(DocumentError) as refused:
        _attach(target, b"a" * (1024 * 1024 + 1), "groot.txt")
    assert refused.value.status == 413 and "1 MB" in refused.value.message
    assert _count(Document) == 0 and _count(StoredFile) == 0 and _staged() == []


def test_a_meeting_s_papers_have_a_total_limit(ag, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_MEETING_UPLOAD_MB", 1)
    half = b"x" * (600 * 1024)
    _attach(ag.target("meeting", ag.meeting), half, "een.txt")
    with pytest.raises(DocumentError) as refused:
        _attach(ag.target("agenda_item", ag.item), half + b"y", "twee.txt")
    assert refused.value.status == 413 and "1 MB" in refused.value.message
    # the limit is per meeting: a decision's papers do not count
    _attach(ag.target("decision", ag.decision), half + b"y", "twee.txt")


def test_names_lose_their_folders_and_control_characters_and_get_their_real_extension():
    pdf = "application/pdf"
    assert safe_filename("../../etc/passwd", pdf) == "passwd.pdf"
    assert safe_filename("C:\\Users\\an\\nota.PDF", pdf) == "nota.pdf"
    assert safe_filename("no\x00ta\r\n.pdf", pdf) == "no_ta.pdf"
    assert safe_filename("", pdf) == "document.pdf"
    assert safe_filename("Verslag été.docx", pdf) == "Verslag été.docx.pdf"
    long = safe_filename("a" * 1000 + ".pdf", pdf)
    assert len(long) <= 150 and long.endswith(".pdf")


def test_text_and_csv_are_told_apart_by_name_only_after_the_content_says_text():
    assert detect(b"naam;aantal\nW13;4\n", "cijfers.csv").content_type == "text/csv"
    assert detect(b"Beste leden,\nzie bijlage.", "nota.txt").family is FileFamily.PLAIN_TEXT
    assert detect("Café Kortrijk".encode("cp1252"), "x.txt").content_type == "text/plain"
    assert not detect(b"\x00\x01\x02binary", "x.csv").allowed


def test_a_rolled_back_upload_leaves_no_file(ag, pdf_bytes):
    before = _kept()
    _attach(ag.target("agenda_item", ag.item), pdf_bytes)
    assert len(_kept() - before) == 1  # kept, not yet committed
    db.session.rollback()
    assert _kept() == before and _count(StoredFile) == 0


def test_removing_the_last_user_of_a_file_removes_it_once_committed(ag, pdf_bytes, docx_bytes):
    shared = _attach(ag.target("agenda_item", ag.item), pdf_bytes)
    other = _attach(ag.target("decision", ag.decision), pdf_bytes)
    ops.add_version(other, upload=io.BytesIO(docx_bytes), filename="b.docx", by=None)
    db.session.commit()
    pdf, docx = (v.file_sha256 for v in other.versions)
    ops.delete_document(other)
    db.session.commit()
    assert pdf in _kept() and docx not in _kept()  # the PDF is still the item's
    assert db.session.get(StoredFile, docx) is None
    ops.delete_document(shared)
    db.session.commit()
    assert pdf not in _kept() and _count(StoredFile) == 0 and _count(DocumentVersion) == 0


def test_the_clean_up_removes_old_files_without_a_row_and_spares_young_ones(ag, pdf_bytes):
    document = _attach(ag.target("agenda_item", ag.item), pdf_bytes)
    db.session.commit()
    root = storage().root
    orphan = "ab" * 32
    (root / "ab" / "ab").mkdir(parents=True, exist_ok=True)
    (root / "ab" / "ab" / orphan).write_bytes(b"left by a crash")
    young = "cd" * 32
    (root / "cd" / "cd").mkdir(parents=True, exist_ok=True)
    (root / "cd" / "cd" / young).write_bytes(b"an upload under way")
    old = time.time() - 2 * ops.ORPHAN_AGE
    os.utime(root / "ab" / "ab" / orphan, (old, old))
    os.utime(storage().path(document.latest.file_sha256), (old, old))
    assert ops.remove_unused_files() == 1
    db.session.commit()
    assert orphan not in _kept() and young in _kept()
    assert document.latest.file_sha256 in _kept()
    storage().delete(young)


def test_who_sees_and_who_adds(ag, pdf_bytes):
    item = _attach(ag.target("agenda_item", ag.item), pdf_bytes, by=ag.secretary)
    internal = _attach(
        ag.target("agenda_item", ag.item), pdf_bytes, "intern.pdf", by=ag.secretary, internal=True
    )
    db.session.commit()
    assert can(ag.member, "view", item) and not can(ag.outsider, "view", item)
    assert can(ag.secretary, "view", internal) and not can(ag.member, "view", internal)
    # members add to the items they proposed, not to others; the secretary to all
    assert can(ag.member, "add_document", ag.proposed)
    assert not can(ag.member, "add_document", ag.item)
    assert can(ag.secretary, "add_document", ag.item)
    assert not can(ag.member, "delete", item) and can(ag.secretary, "delete", item)
    assert [p.document.title for p in meeting_papers(ag.member, ag.meeting)] == ["cijfers"]
    assert len(meeting_papers(ag.secretary, ag.meeting)) == 2
    assert meeting_papers(ag.outsider, ag.meeting) == []


def test_papers_come_in_agenda_order(ag, pdf_bytes):
    proposed = _attach(ag.target("agenda_item", ag.proposed), b"tweede punt", "b.txt")
    first = _attach(ag.target("agenda_item", ag.item), b"eerste punt", "a.txt")
    own = _attach(ag.target("meeting", ag.meeting), b"uitnodiging", "u.txt")
    annex = _attach(ag.target("minutes", ag.meeting), b"bijlage", "v.txt")
    db.session.commit()
    papers = meeting_papers(ag.secretary, ag.meeting)
    assert [p.document for p in papers] == [own, first, proposed, annex]
    numbers = [p.number for p in papers]
    assert numbers[0] == 0 and numbers[1] < numbers[2] < numbers[3]
