"""API resources of documents: attach a file (multipart/form-data) or a link to a meeting, an
agenda item, a meeting's minutes, a decision, a follow-up, a plan action or a body; list an
object's documents; read a document with its versions; upload a new version; rename, make
internal or remove it. The bytes are downloaded from the ``download_url`` of the answer
(``GET /documents/{id}/download``, outside the API, with the same bearer token).

An upload is read only after the caller and the path are checked (401, 404, 403 first), with
the request's size limit raised to the file limit for that request alone; a body past it is a
413 in the API's error shape that says the limit in MB. A type not allowed (told from the
content) is a 400 ``type_not_allowed`` that names the detected type.
"""

from __future__ import annotations

import http
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import marshmallow as ma
from flask import request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from rosemeet.api.base import (
    OPTIONAL_TOKEN,
    api_user,
    bp,
    errors,
    field_messages,
    get_visible,
    listing,
    not_found,
    paginate,
    read,
    require_login,
)
from rosemeet.core.errors import ApiError
from rosemeet.core.permissions import can
from rosemeet.documents import operations as ops
from rosemeet.documents.models import Document, TargetKind
from rosemeet.documents.permissions import may_add, may_read, runs_any
from rosemeet.documents.queries import MODELS, Target, target_of, visible_documents
from rosemeet.documents.schemas import (
    DOCUMENT_CHANGE,
    DocumentLinkSchema,
    DocumentSchema,
    DocumentUploadSchema,
    NewVersionSchema,
)
from rosemeet.extensions import db

#: what a multipart body may hold beyond the file (its boundaries, headers and text fields)
SLACK = 256 * 1024

#: the kinds of objects documents are attached to: their path and the name of their id
PATHS: list[tuple[TargetKind, str, str, str]] = [
    (TargetKind.MEETING, "/meetings/<int:meeting_id>/documents", "meeting_id", "a meeting"),
    (
        TargetKind.MINUTES,
        "/meetings/<int:meeting_id>/minutes/documents",
        "meeting_id",
        "a meeting's minutes (their annexes)",
    ),
    (TargetKind.AGENDA_ITEM, "/agenda-items/<int:item_id>/documents", "item_id", "an agenda item"),
    (TargetKind.DECISION, "/decisions/<int:decision_id>/documents", "decision_id", "a decision"),
    (
        TargetKind.FOLLOW_UP,
        "/follow-ups/<int:follow_up_id>/documents",
        "follow_up_id",
        "a follow-up",
    ),
    (TargetKind.ACTION, "/actions/<int:action_id>/documents", "action_id", "a plan action"),
    (TargetKind.BODY, "/bodies/<int:body_id>/documents", "body_id", "a body (its standing links)"),
]


def _error_response(*statuses: int) -> Callable:
    """Document error answers flask-smorest names after ``http.HTTPStatus`` (413)."""

    def decorate(func: Callable) -> Callable:
        for status in statuses:
            func = bp.alt_response(status, response=http.HTTPStatus(status).name)(func)
        return func

    return decorate


def _target(kind: TargetKind, ident: int) -> Target:
    """The object the path names: 404 when missing or unseen; 403 (401 anonymous) when it is
    seen but its documents are not (an agenda not yet published, draft minutes)."""
    obj = db.session.get(MODELS[kind], ident)
    user = api_user()
    if obj is None or not can(user, "view", obj):
        raise not_found()
    target = Target(kind, obj)
    if not may_read(user, target):
        require_login()
        raise ApiError(403, "forbidden", _("You may not do this."))
    return target


def _check_internal(target: Target, internal: bool | None) -> None:
    """Only those who run the body (and admins) make a document internal."""
    user = api_user()
    if internal and not (user.is_admin or runs_any(user, target)):
        message = _("Only the chair and the secretary of the body can make a document internal.")
        raise ApiError(403, "forbidden", message, {"internal": [message]})


def _form(schema: type[ma.Schema]) -> dict[str, Any]:
    """The multipart (or url-encoded) body loaded with ``schema``; read with the request's
    limit raised to the file limit (413 past it), a refused field a 400 that names it."""
    request.max_content_length = ops.max_upload_bytes() + SLACK
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge:
        message = ops.too_large_message()
        raise ApiError(413, "too_large", message, {"file": [message]}) from None
    data: dict[str, Any] = dict(form.items())
    data.update((name, upload) for name, upload in files.items() if upload.filename)
    try:
        return schema().load(data)
    except ma.ValidationError as error:
        raise ApiError(
            400, "invalid", _("Some fields are not valid."), field_messages(error.messages)
        ) from None


@contextmanager
def _type_refused_as_400() -> Iterator[None]:
    """A type not allowed is a 400 ``type_not_allowed`` (the operation's 415): the API
    answers 400 for every rule its document cannot express, and the type is told by the
    content, which no schema describes."""
    try:
        yield
    except ops.DocumentError as refusal:
        if refusal.code != "type_not_allowed":
            raise
        raise ApiError(400, refusal.code, refusal.message, {"file": [refusal.message]}) from None


def _created(document: Document):
    """The 201 answer: the document, and where it is read."""
    return document, {"Location": url_for("api.get_document", document_id=document.id)}


def _attach(target: Target):
    """Attach the request's file or link to ``target``."""
    if request.is_json:
        data = read(DocumentLinkSchema)
        _check_internal(target, data["internal"])
        return ops.attach_link(
            target,
            url=data["url"],
            title=data.get("title"),
            by=api_user(),
            internal=data["internal"],
        )
    data = _form(DocumentUploadSchema)
    _check_internal(target, data["internal"])
    if "file" not in data:
        return ops.attach_link(
            target,
            url=data["url"],
            title=data.get("title"),
            by=api_user(),
            internal=data["internal"],
        )
    upload = data["file"]
    with _type_refused_as_400():
        return ops.attach_file(
            target,
            upload=upload.stream,
            filename=upload.filename,
            title=data.get("title"),
            by=api_user(),
            internal=data["internal"],
        )


#: the request body of a new document
NEW_DOCUMENT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": DocumentUploadSchema},
        "application/json": {"schema": DocumentLinkSchema},
    },
}
#: the request body of a new version
NEW_VERSION_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": NewVersionSchema}},
}


def _register(kind: TargetKind, path: str, param: str, noun: str) -> None:
    """The list and the upload endpoints of one kind of object."""
    slug = kind.value

    def list_documents(query: dict, **ids: int):
        return paginate(visible_documents(api_user(), _target(kind, ids[param])), query)

    list_documents.__name__ = f"list_{slug}_documents"
    list_documents.__doc__ = (
        f"List the documents of {noun} that the caller may read, oldest first (internal ones "
        "only for the chair and the secretary of the body)."
    )
    bp.get(path)(
        bp.doc(security=OPTIONAL_TOKEN)(
            listing(DocumentSchema)(errors(400, 401, 403, 404)(list_documents))
        )
    )

    def attach_document(**ids: int):
        require_login()
        target = _target(kind, ids[param])
        if not may_add(api_user(), target):
            raise ApiError(403, "forbidden", _("You may not do this."))
        return _created(_attach(target))

    attach_document.__name__ = f"attach_{slug}_document"
    attach_document.__doc__ = (
        f"Attach a document to {noun}: a file as multipart/form-data (``file``, ``title``, "
        "``internal``), or a link (``url``, ``title``) as a form or as JSON. The type is "
        "detected from the content and must be allowed (else a 400 ``type_not_allowed`` "
        "names the detected type); a file larger than the limit is a 413 that names it in "
        "MB; an empty file is a 400."
    )
    bp.post(path)(
        bp.doc(requestBody=NEW_DOCUMENT_BODY)(
            bp.response(201, DocumentSchema)(
                errors(400, 401, 403, 404)(_error_response(413)(attach_document))
            )
        )
    )


for _entry in PATHS:
    _register(*_entry)


@bp.get("/documents/<int:document_id>")
@bp.doc(security=OPTIONAL_TOKEN)
@bp.response(200, DocumentSchema)
@errors(404)
def get_document(document_id: int):
    """One document with its versions (the latest last) and their download URLs."""
    return get_visible(Document, document_id)


@bp.post("/documents/<int:document_id>/versions")
@bp.doc(requestBody=NEW_VERSION_BODY)
@bp.response(201, DocumentSchema)
@errors(400, 401, 403, 404)
@_error_response(413)
def add_document_version(document_id: int):
    """Upload a new version of a file document (multipart/form-data, ``file``); the earlier
    versions stay in its history. Its uploader and those who may add documents to its object
    may; a link has no versions (400)."""
    require_login()
    document = get_visible(Document, document_id, "add_version")
    upload = _form(NewVersionSchema)["file"]
    with _type_refused_as_400():
        ops.add_version(document, upload=upload.stream, filename=upload.filename, by=api_user())
    return document, {"Location": url_for("api.get_document", document_id=document.id)}


@bp.patch("/documents/<int:document_id>")
@bp.doc(
    requestBody={"required": True, "content": {"application/json": {"schema": DOCUMENT_CHANGE}}}
)
@bp.response(200, DocumentSchema)
@errors(400, 401, 403, 404)
def update_document(document_id: int):
    """Rename a document, change a link's address (a file's is a 400), or make it internal or
    not (internal: the chair and the secretary of the body only)."""
    require_login()
    document = get_visible(Document, document_id, "edit")
    data = read(DOCUMENT_CHANGE)
    _check_internal(target_of(document), data.get("internal"))
    return ops.update_document(
        document, title=data.get("title"), url=data.get("url"), internal=data.get("internal")
    )


@bp.delete("/documents/<int:document_id>")
@bp.response(204)
@errors(401, 403, 404)
def delete_document(document_id: int):
    """Remove a document with all its versions; files no other version uses are deleted."""
    require_login()
    ops.delete_document(get_visible(Document, document_id, "delete"))
    return ""
