"""Documents as JSON: a document with its versions (metadata; the bytes come from its download
URLs), the multipart upload of a new document or version, a link sent as JSON, and a change of
title, visibility or address."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from werkzeug.datastructures import FileStorage

from rosemeet.accounts.schemas import PersonSchema
from rosemeet.core import schemas as s
from rosemeet.documents.filetypes import ALLOWED
from rosemeet.documents.models import Document, DocumentVersion, FileFamily, TargetKind
from rosemeet.documents.operations import MAX_TITLE, MAX_URL


def download_url(document: Document) -> str:
    """Where the latest version of a file document is downloaded (a path on this site)."""
    return f"{request.script_root}/documents/{document.id}/download"


def version_download_url(version: DocumentVersion) -> str:
    """Where one version of a file document is downloaded (a path on this site)."""
    return (
        f"{request.script_root}/documents/{version.document_id}/versions/{version.number}/download"
    )


def _family(document: Document) -> FileFamily | None:
    """The kind of the document as the library filters it."""
    if document.is_link:
        return FileFamily.LINK
    latest = document.latest
    entry = ALLOWED.get(latest.file.content_type) if latest is not None else None
    return entry[0] if entry else None


class File(s.Base, Upload):
    """An uploaded file: a part of a multipart/form-data body with a file name."""

    default_error_messages = {**s.FIELD_MESSAGES, "invalid": _l("Send a file (a file part).")}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return value


class TargetRefSchema(s.Schema):
    """What a document is attached to: its kind and its id (for the minutes: the meeting's)."""

    kind = s.Choice(TargetKind, dump_only=True, required=True)
    id = s.Id(dump_only=True, required=True)


def _target(document: Document) -> dict[str, Any]:
    """The target of a document as ``TargetRefSchema`` dumps it."""
    return {"kind": document.target_kind, "id": document.target.id}


class VersionSchema(s.Schema):
    """One upload of a file document."""

    number = s.Integer(dump_only=True, required=True, metadata={"description": "From 1."})
    filename = s.Text(dump_only=True, required=True, metadata={"description": "Made safe."})
    size = s.Integer(
        dump_only=True,
        required=True,
        source=lambda v: v.file.size,
        metadata={"description": "Bytes."},
    )
    content_type = s.Text(
        dump_only=True,
        required=True,
        source=lambda v: v.file.content_type,
        metadata={"description": "Detected from the content, never from the name."},
    )
    sha256 = s.Text(dump_only=True, required=True, source=lambda v: v.file_sha256)
    uploaded_at = s.Moment(dump_only=True, required=True)
    uploaded_by = s.Object(PersonSchema, dump_only=True, allow_none=True)
    download_url = s.Text(
        dump_only=True,
        required=True,
        source=version_download_url,
        metadata={"description": "This version's bytes (the same bearer token is accepted)."},
    )


class LatestVersionSchema(VersionSchema):
    """The version shown: downloaded from the document's own download URL."""

    download_url = s.Text(
        dump_only=True,
        required=True,
        source=lambda v: download_url(v.document),
        metadata={"description": "The latest version's bytes (the same bearer token works)."},
    )


class DocumentSchema(s.Schema):
    """A document: a file with its versions, or a link to a paper that lives elsewhere."""

    id = s.Id(dump_only=True, required=True)
    title = s.Text(required=True, blank=False, max_length=MAX_TITLE)
    kind = s.Text(
        dump_only=True,
        required=True,
        source=lambda d: "link" if d.is_link else "file",
        metadata={"enum": ["file", "link"]},
    )
    url = s.Url(
        required=True,
        allow_none=True,
        max_length=MAX_URL,
        metadata={"description": "A link's http(s) address; null for a file."},
    )
    internal = s.Flag(
        required=True,
        metadata={"description": "Visible only to the chair and the secretary of the body."},
    )
    target = s.Object(TargetRefSchema, dump_only=True, required=True, source=_target)
    family = s.Choice(FileFamily, dump_only=True, allow_none=True, source=_family)
    content_type = s.Text(
        dump_only=True,
        allow_none=True,
        source=lambda d: d.latest.file.content_type if d.latest else None,
    )
    size = s.Integer(
        dump_only=True,
        allow_none=True,
        source=lambda d: d.latest.file.size if d.latest else None,
        metadata={"description": "The latest version's, in bytes."},
    )
    created_at = s.Moment(dump_only=True, required=True)
    created_by = s.Object(PersonSchema, dump_only=True, allow_none=True)
    updated_at = s.Moment(dump_only=True, required=True)
    latest = s.Object(LatestVersionSchema, dump_only=True, allow_none=True)
    versions = s.Object(
        VersionSchema,
        many=True,
        dump_only=True,
        required=True,
        metadata={"description": "Oldest first; empty for a link."},
    )


#: the body of PATCH /documents/{id}: a new title, visibility or (a link's) address
DOCUMENT_CHANGE = DocumentSchema(only=("title", "internal", "url"), partial=True)


class DocumentUploadSchema(s.Schema):
    """A new document as multipart/form-data: a file (or, for a link, a url) and a title."""

    file = File(metadata={"description": "The file; leave it out for a link."})
    title = s.Text(
        max_length=MAX_TITLE,
        metadata={"description": "By default the file's name without its extension."},
    )
    url = s.Text(
        max_length=MAX_URL,
        metadata={"description": "Instead of a file: the http(s) address of a link."},
    )
    internal = s.Flag(
        load_default=False,
        metadata={"description": "true: only the chair and the secretary of the body see it."},
    )

    @ma.validates_schema
    def file_or_url(self, data: dict, **kwargs: Any) -> None:
        """A file or a URL, not both, not neither."""
        if ("file" in data) == bool((data.get("url") or "").strip()):
            raise ma.ValidationError(
                str(_l("Send a file or a url (for a link), not both.")), "file"
            )


class DocumentLinkSchema(s.Schema):
    """A new link as JSON: a paper that lives elsewhere."""

    url = s.Url(required=True, blank=False, max_length=MAX_URL)
    title = s.Text(
        max_length=MAX_TITLE, metadata={"description": "By default the address's host name."}
    )
    internal = s.Flag(load_default=False)


class NewVersionSchema(s.Schema):
    """A new version of a file document, as multipart/form-data."""

    file = File(required=True)
