"""The documents API: attach a PDF or a link, list, read with versions, a new version, rename,
remove (and the file gone from the storage), who sees what, and the refusals (too large, a
type not allowed, empty) that leave nothing stored."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from rosemeet.accounts import operations as accounts
from rosemeet.documents import operations as ops
from rosemeet.documents.models import Document, StoredFile
from rosemeet.documents.storage import storage
from rosemeet.extensions import db
from tests.documents.conftest import ag, docx_bytes, files, pdf_bytes

#: the documents' fixtures, used here (``files``: each test's own empty storage)
FIXTURES = (ag, docx_bytes, files, pdf_bytes)


@pytest.fixture
def tokens(ag):
    """API headers of the Actiegroep's people."""
    made = {
        name: {"Authorization": f"Bearer {accounts.create_api_token(person, 't')[1]}"}
        for name, person in (
            ("secretary", ag.secretary),
            ("member", ag.member),
            ("other", ag.other),
            ("outsider", ag.outsider),
        )
    }
    db.session.commit()
    return made


def _upload(client, path, headers, data: bytes, name="Cijfers Q3.pdf", **fields):
    body = {"file": (io.BytesIO(data), name), **fields}
    return client.post(path, data=body, headers=headers, content_type="multipart/form-data")


def _kept() -> set[str]:
    return set(storage().kept())


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def test_a_pdf_is_attached_listed_and_read_with_its_versions(client, ag, tokens, pdf_bytes):
    path = f"/api/v1/agenda-items/{ag.item.id}/documents"
    response = _upload(client, path, tokens["secretary"], pdf_bytes, title="Cijfers VDAB Q3")
    assert response.status_code == 201, response.json
    document = response.json
    assert response.headers["Location"].endswith(f"/api/v1/documents/{document['id']}")
    assert document["title"] == "Cijfers VDAB Q3" and document["kind"] == "file"
    assert document["target"] == {"kind": "agenda_item", "id": ag.item.id}
    assert (document["family"], document["content_type"]) == ("pdf", "application/pdf")
    assert document["size"] == len(pdf_bytes) and document["url"] is None
    assert document["created_by"] == {"id": ag.secretary.id, "name": "Sara Secretaris"}
    latest = document["latest"]
    assert (latest["number"], latest["filename"]) == (1, "Cijfers Q3.pdf")
    assert latest["download_url"] == f"/documents/{document['id']}/download"
    assert [v["download_url"] for v in document["versions"]] == [
        f"/documents/{document['id']}/versions/1/download"
    ]
    assert _kept() == {latest["sha256"]}

    listed = client.get(path, headers=tokens["member"]).json
    assert (listed["total"], listed["page"]) == (1, 1)
    assert [d["title"] for d in listed["items"]] == ["Cijfers VDAB Q3"]
    one = client.get(f"/api/v1/documents/{document['id']}", headers=tokens["member"])
    assert one.status_code == 200 and one.json["versions"] == document["versions"]


def test_a_new_version_becomes_the_latest_and_the_old_one_stays(
    client,
    ag,
    tokens,
    pdf_bytes,
    docx_bytes,
):
    path = f"/api/v1/meetings/{ag.meeting.id}/documents"
    document = _upload(client, path, tokens["secretary"], pdf_bytes).json
    response = _upload(
        client,
        f"/api/v1/documents/{document['id']}/versions",
        tokens["secretary"],
        docx_bytes,
        name="kader.docx",
    )
    assert response.status_code == 201, response.json
    assert [v["number"] for v in response.json["versions"]] == [1, 2]
    assert response.json["latest"]["filename"] == "kader.docx"
    assert response.json["family"] == "text_document"
    assert response.json["versions"][1]["download_url"].endswith("/versions/2/download")


def test_removing_a_document_deletes_its_file_unless_another_version_uses_it(
    client,
    ag,
    tokens,
    pdf_bytes,
):
    item = _upload(
        client, f"/api/v1/agenda-items/{ag.item.id}/documents", tokens["secretary"], pdf_bytes
    ).json
    decision = _upload(
        client, f"/api/v1/decisions/{ag.decision.id}/documents", tokens["secretary"], pdf_bytes
    ).json
    sha256 = item["latest"]["sha256"]
    response = client.delete(f"/api/v1/documents/{item['id']}", headers=tokens["secretary"])
    assert response.status_code == 204
    assert (
        client.get(f"/api/v1/documents/{item['id']}", headers=tokens["secretary"]).status_code
        == 404
    )
    assert _kept() == {sha256}  # the decision's document still uses it
    client.delete(f"/api/v1/documents/{decision['id']}", headers=tokens["secretary"])
    assert _kept() == set()
    assert not (storage().root / sha256[:2] / sha256[2:4] / sha256).exists()
    assert _count(StoredFile) == 0


def test_a_link_as_json_or_as_a_form_field(client, ag, tokens):
    path = f"/api/v1/follow-ups/{ag.follow_up.id}/documents"
    response = client.post(
        path,
        json={"url": "https://www.vdab.be/trends", "title": "Overzichten VDAB"},
        headers=tokens["secretary"],
    )
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "link" and response.json["family"] == "link"
    assert response.json["url"] == "https://www.vdab.be/trends"
    assert response.json["latest"] is None and response.json["versions"] == []
    form = client.post(
        path,
        data={"url": "https://example.org/kader"},
        headers=tokens["secretary"],
        content_type="multipart/form-data",
    )
    assert form.status_code == 201 and form.json["title"] == "example.org"
    bad = client.post(path, json={"url": "javascript:alert(1)"}, headers=tokens["secretary"])
    assert "url" in _error(bad, 400)["fields"]
    changed = client.patch(
        f"/api/v1/documents/{form.json['id']}",
        json={"title": "Het kader", "url": "https://example.org/kader-2"},
        headers=tokens["secretary"],
    )
    assert changed.status_code == 200, changed.json
    assert (changed.json["title"], changed.json["url"]) == (
        "Het kader",
        "https://example.org/kader-2",
    )
    versions = _upload(
        client, f"/api/v1/documents/{form.json['id']}/versions", tokens["secretary"], b"tekst"
    )
    _error(versions, 400)


def test_minutes_annexes_have_their_own_path(client, ag, tokens, pdf_bytes):
    path = f"/api/v1/meetings/{ag.meeting.id}/minutes/documents"
    response = _upload(client, path, tokens["secretary"], pdf_bytes, name="bijlage.pdf")
    assert response.status_code == 201, response.json
    assert response.json["target"] == {"kind": "minutes", "id": ag.meeting.id}
    papers = client.get(f"/api/v1/meetings/{ag.meeting.id}/documents", headers=tokens["secretary"])
    assert papers.json["total"] == 0  # the meeting's own papers are not its minutes' annexes
    assert client.get(path, headers=tokens["secretary"]).json["total"] == 1


def test_an_outsider_gets_404_and_internal_documents_stay_with_the_secretary(
    client,
    ag,
    tokens,
    pdf_bytes,
):
    path = f"/api/v1/agenda-items/{ag.item.id}/documents"
    shown = _upload(client, path, tokens["secretary"], pdf_bytes).json
    internal = _upload(
        client, path, tokens["secretary"], b"Vertrouwelijk", name="nota.txt", internal="true"
    ).json
    assert internal["internal"] is True
    for document in (shown, internal):
        answer = client.get(f"/api/v1/documents/{document['id']}", headers=tokens["outsider"])
        _error(answer, 404, "not_found")
        assert client.get(f"/api/v1/documents/{document['id']}").status_code == 404
    _error(client.get(path, headers=tokens["outsider"]), 404)
    _error(_upload(client, path, tokens["outsider"], pdf_bytes), 404)
    assert (
        client.get(f"/api/v1/documents/{internal['id']}", headers=tokens["member"]).status_code
        == 404
    )
    assert [d["id"] for d in client.get(path, headers=tokens["member"]).json["items"]] == [
        shown["id"]
    ]
    assert client.get(path, headers=tokens["secretary"]).json["total"] == 2


def test_who_may_add_change_and_remove(client, ag, tokens, pdf_bytes):
    item = f"/api/v1/agenda-items/{ag.item.id}/documents"
    _error(_upload(client, item, tokens["member"], pdf_bytes), 403, "forbidden")
    proposed = f"/api/v1/agenda-items/{ag.proposed.id}/documents"
    own = _upload(client, proposed, tokens["member"], pdf_bytes)  # Mo proposed this item
    assert own.status_code == 201, own.json
    refused = _upload(client, proposed, tokens["member"], b"tekst", name="a.txt", internal="1")
    assert "internal" in _error(refused, 403)["fields"]
    theirs = f"/api/v1/documents/{own.json['id']}"
    _error(client.delete(theirs, headers=tokens["other"]), 403)
    _error(client.patch(theirs, json={"title": "Nee"}, headers=tokens["other"]), 403)
    _error(_upload(client, f"{theirs}/versions", tokens["other"], pdf_bytes), 403)
    assert (
        client.patch(theirs, json={"title": "Mijn punt"}, headers=tokens["member"]).json["title"]
        == "Mijn punt"
    )
    assert client.delete(theirs, headers=tokens["secretary"]).status_code == 204


def test_anonymous_writes_get_401(client, ag, pdf_bytes):
    path = f"/api/v1/agenda-items/{ag.item.id}/documents"
    _error(_upload(client, path, {}, pdf_bytes), 401, "unauthorized")
    _error(client.delete("/api/v1/documents/1"), 401)
    _error(client.patch("/api/v1/documents/1", json={"title": "x"}), 401)
    _error(_upload(client, "/api/v1/documents/1/versions", {}, pdf_bytes), 401)
    assert _count(Document) == 0 and _kept() == set()


def test_too_large_is_413_naming_the_limit_and_nothing_is_stored(app, client, ag, tokens):
    path = f"/api/v1/agenda-items/{ag.item.id}/documents"
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        past_the_file_limit = b"a" * (1024 * 1024 + 10)
        error = _error(_upload(client, path, tokens["secretary"], past_the_file_limit), 413)
        assert "1 MB" in error["message"] and error["code"] == "too_large"
        past_the_request_limit = b"a" * (3 * 1024 * 1024)
        error = _error(_upload(client, path, tokens["secretary"], past_the_request_limit), 413)
        assert "1 MB" in error["message"] and error["fields"] == {"file": [error["message"]]}
    finally:
        app.config["MAX_UPLOAD_MB"] = 25
    assert _count(Document) == 0 and _kept() == set()
    assert not list((storage().root / "tmp").glob("*"))


def test_a_type_not_allowed_is_refused_naming_it(client, ag, tokens):
    path = f"/api/v1/agenda-items/{ag.item.id}/documents"
    page = b"<!doctype html><html><script>alert(1)</script></html>"
    error = _error(_upload(client, path, tokens["secretary"], page, name="cijfers.pdf"), 400)
    assert "text/html" in error["message"] and error["code"] == "type_not_allowed"
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)
    error = _error(_upload(client, path, tokens["secretary"], program, name="a.exe"), 400)
    assert "application/" in error["message"]
    assert _count(Document) == 0 and _kept() == set()


def test_an_empty_file_and_bad_fields_are_400(client, ag, tokens, pdf_bytes):
    path = f"/api/v1/agenda-items/{ag.item.id}/documents"
    headers = tokens["secretary"]
    assert "file" in _error(_upload(client, path, headers, b""), 400)["fields"]
    nothing = client.post(path, data={"title": "x"}, headers=headers)
    assert "file" in _error(nothing, 400)["fields"]
    both = _upload(client, path, headers, pdf_bytes, url="https://example.org")
    assert "file" in _error(both, 400)["fields"]
    control = _upload(client, path, headers, pdf_bytes, title="a\x00b")
    assert "title" in _error(control, 400)["fields"]
    long_title = _upload(client, path, headers, pdf_bytes, title="x" * 301)
    assert "title" in _error(long_title, 400)["fields"]
    unknown = _upload(client, path, headers, pdf_bytes, colour="red")
    assert "colour" in _error(unknown, 400)["fields"]
    not_a_file = client.post(
        f"/api/v1/documents/{ops.MAX_TITLE}/versions", data={"file": "tekst"}, headers=headers
    )
    assert not_a_file.status_code == 404  # the path first: no such document
    assert _count(Document) == 0 and _kept() == set()


def test_a_hostile_file_name_is_made_safe(client, ag, tokens, pdf_bytes):
    path = f"/api/v1/agenda-items/{ag.item.id}/documents"
    name = "../../etc/" + "x" * 1000 + ".pdf"
    response = _upload(client, path, tokens["secretary"], pdf_bytes, name=name)
    assert response.status_code == 201, response.json
    filename = response.json["latest"]["filename"]
    assert "/" not in filename and filename.endswith(".pdf") and len(filename) <= 150


def test_the_openapi_document_lists_the_documents_paths(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    for kind in ("meetings/{meeting_id}", "agenda-items/{item_id}", "decisions/{decision_id}"):
        assert {"get", "post"} <= set(paths[f"/{kind}/documents"])
    for kind in (
        "follow-ups/{follow_up_id}",
        "actions/{action_id}",
        "meetings/{meeting_id}/minutes",
    ):
        assert {"get", "post"} <= set(paths[f"/{kind}/documents"])
    assert {"get", "patch", "delete"} <= set(paths["/documents/{document_id}"])
    upload = paths["/documents/{document_id}/versions"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    post = paths["/agenda-items/{item_id}/documents"]["post"]
    assert {"201", "400", "413"} <= set(post["responses"])
    form = spec["components"]["schemas"]["DocumentUpload"]["properties"]
    assert form["file"] == {
        "description": "The file; leave it out for a link.",
        "type": "string",
        "format": "binary",
    }
