"""Every write of documents: attach a file or a link, add a version, rename, remove, and the
clean-up of files no version uses any more.

An upload is copied in chunks to the storage's staging area while it is hashed (memory stays
flat whatever the size), its type is detected from the content and checked against the
allow-list and the limits, and only then kept under its hash and recorded. A refusal removes
the staged copy; a transaction that rolls back after a file was kept removes that file again
(``track_files``), and a file whose last version is removed goes once the removal is
committed. Nothing half-stored stays: neither a row without a file nor a file without a row.
"""

from __future__ import annotations

import logging
from typing import BinaryIO
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rosemeet.core.errors import Refused
from rosemeet.core.text import forbidden_character
from rosemeet.db import utcnow
from rosemeet.documents import extract
from rosemeet.documents.filetypes import detect, safe_filename
from rosemeet.documents.models import Document, DocumentVersion, StoredFile
from rosemeet.documents.queries import (
    Target,
    file_in_use,
    forget_mail_papers,
    meeting_bytes,
    target_meeting,
)
from rosemeet.documents.storage import TooLarge, storage
from rosemeet.extensions import db

logger = logging.getLogger(__name__)

#: the longest title and address kept
MAX_TITLE = 300
MAX_URL = 2000
#: session.info keys: files kept in this transaction / files to remove once it commits
_NEW_FILES = "rosemeet_new_files"
_GONE_FILES = "rosemeet_gone_files"
#: a kept file without a row is removed once it is this old (seconds): younger ones may
#: belong to an upload that has not committed yet
ORPHAN_AGE = 3600


class DocumentError(Refused):
    """A document operation refused: the message says why."""


def max_upload_bytes() -> int:
    """The largest file accepted (``ROSEMEET_MAX_UPLOAD_MB``)."""
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def _megabytes(size: int) -> str:
    from flask_babel import format_decimal

    return format_decimal(round(size / (1024 * 1024), 1), format="#,##0.#")


def too_large_message() -> str:
    """What a refused upload says about the size limit."""
    return _(
        "The file is too large: at most %(limit)s MB per file.",
        limit=current_app.config["MAX_UPLOAD_MB"],
    )


def _title(title: str | None, fallback: str) -> str:
    title = (title or "").strip() or fallback
    if forbidden_character(title):
        raise DocumentError(_("The title may not hold control characters."), "title")
    if len(title) > MAX_TITLE:
        raise DocumentError(
            _("The title is too long: at most %(n)d characters.", n=MAX_TITLE), "title"
        )
    return title


def _store(upload: BinaryIO, filename: str | None, target: Target) -> tuple[StoredFile, str]:
    """Receive an upload into the storage: its file row (new or the existing one for the same
    content) and its safe name. Refused: empty, too large, a type not allowed, the meeting's
    total exceeded."""
    files = storage()
    try:
        staged = files.stage(upload, max_upload_bytes())
    except TooLarge:
        raise DocumentError(too_large_message(), "file", code="too_large", status=413) from None
    try:
        if staged.size == 0:
            raise DocumentError(_("The file is empty."), "file")
        detected = detect(staged.head, filename or "")
        if not detected.allowed:
            raise DocumentError(
                _(
                    "Files of this type cannot be attached (%(type)s). Attach a PDF, an office "
                    "or OpenDocument file, an image, a text or CSV file, or a ZIP archive.",
                    type=detected.content_type,
                ),
                "file",
                code="type_not_allowed",
                status=415,
            )
        meeting = target_meeting(target)
        limit = int(current_app.config["MAX_MEETING_UPLOAD_MB"]) * 1024 * 1024
        if meeting is not None and meeting_bytes(meeting) + staged.size > limit:
            raise DocumentError(
                _(
                    "The papers of this meeting would pass %(limit)s MB together. Remove an "
                    "old version or link to the paper instead.",
                    limit=current_app.config["MAX_MEETING_UPLOAD_MB"],
                ),
                "file",
                code="too_large",
                status=413,
            )
        stored = db.session.get(StoredFile, staged.sha256)
        if stored is None:
            text = extract.extract_text(staged.path, detected.content_type)
            stored = _file_row(staged.sha256, staged.size, detected.content_type, text)
    except BaseException:
        files.discard(staged)
        raise
    if files.keep(staged):
        db.session.info.setdefault(_NEW_FILES, set()).add(staged.sha256)
    return stored, safe_filename(filename, detected.content_type)


def _file_row(sha256: str, size: int, content_type: str, text: str | None) -> StoredFile:
    """The file row of new content; when another upload of the same content recorded it first,
    theirs."""
    try:
        with db.session.begin_nested():
            stored = StoredFile(sha256=sha256, size=size, content_type=content_type, text=text)
            db.session.add(stored)
    except IntegrityError:
        theirs = db.session.get(StoredFile, sha256)
        if theirs is None:
            raise
        return theirs
    return stored


def attach_file(
    target: Target,
    *,
    upload: BinaryIO,
    filename: str | None,
    title: str | None,
    by,
    internal: bool = False,
) -> Document:
    """Attach an uploaded file to ``target`` as a new document (version 1)."""
    given = _title(title, "-") if (title or "").strip() else None  # refused before storing
    stored, name = _store(upload, filename, target)
    document = Document(
        **target.columns,
        title=given or _title(None, name.rsplit(".", 1)[0]),
        internal=internal,
        created_by_id=getattr(by, "id", None),
    )
    document.versions.append(
        DocumentVersion(
            number=1,
            file_sha256=stored.sha256,
            filename=name,
            uploaded_by_id=document.created_by_id,
        )
    )
    db.session.add(document)
    db.session.flush()
    forget_mail_papers()
    logger.info("document %s attached to %s %s", document.id, target.kind.value, target.obj.id)
    return document


def _url(url: str | None) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or forbidden_character(url):
        raise DocumentError(_("Give an address that starts with http:// or https://."), "url")
    if len(url) > MAX_URL:
        raise DocumentError(
            _("The address is too long: at most %(n)d characters.", n=MAX_URL), "url"
        )
    return url


def attach_link(
    target: Target, *, url: str | None, title: str | None, by, internal: bool = False
) -> Document:
    """Attach a link (a paper that lives elsewhere) to ``target``."""
    url = _url(url)
    document = Document(
        **target.columns,
        title=_title(title, urlsplit(url).netloc),
        url=url,
        internal=internal,
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(document)
    db.session.flush()
    forget_mail_papers()
    logger.info("link %s attached to %s %s", document.id, target.kind.value, target.obj.id)
    return document


def add_version(
    document: Document, *, upload: BinaryIO, filename: str | None, by
) -> DocumentVersion:
    """Upload a new version of a file document; the earlier ones stay in its history."""
    from rosemeet.documents.queries import target_of

    if document.is_link:
        raise DocumentError(_("A link has no versions: change its address instead."), "file")
    stored, name = _store(upload, filename, target_of(document))
    document.updated_at = utcnow()  # writes the document first: a second upload waits here
    db.session.flush()
    number = (
        db.session.scalar(
            select(DocumentVersion.number)
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.number.desc())
            .limit(1)
        )
        or 0
    ) + 1
    version = DocumentVersion(
        number=number,
        file_sha256=stored.sha256,
        filename=name,
        uploaded_by_id=getattr(by, "id", None),
    )
    document.versions.append(version)
    db.session.flush()
    forget_mail_papers()
    logger.info("document %s: version %s", document.id, number)
    return version


def update_document(
    document: Document,
    *,
    title: str | None = None,
    url: str | None = None,
    internal: bool | None = None,
) -> Document:
    """Rename a document, change a link's address, or make it internal or not."""
    if title is not None:
        document.title = _title(title, document.title)
    if url is not None:
        if not document.is_link:
            raise DocumentError(_("A file has no address: upload a new version instead."), "url")
        document.url = _url(url)
    if internal is not None:
        document.internal = internal
    db.session.flush()
    forget_mail_papers()
    return document


def delete_document(document: Document) -> None:
    """Remove a document with all its versions; the files no other version uses go once the
    removal is committed."""
    hashes = {v.file_sha256 for v in document.versions}
    db.session.delete(document)
    db.session.flush()
    forget_mail_papers()
    for sha256 in hashes:
        _forget_if_unused(sha256)
    logger.info("document %s removed", document.id)


def _forget_if_unused(sha256: str) -> None:
    if not file_in_use(sha256):
        stored = db.session.get(StoredFile, sha256)
        if stored is not None:
            db.session.delete(stored)
            db.session.flush()
        db.session.info.setdefault(_GONE_FILES, set()).add(sha256)


def remove_unused_files() -> int:
    """Remove file rows no version refers to, and kept files without a row (left by a crash
    between keeping and committing). Returns how many files went. The scheduler runs it daily."""
    unused = db.session.scalars(
        select(StoredFile.sha256).where(
            ~select(DocumentVersion.id)
            .where(DocumentVersion.file_sha256 == StoredFile.sha256)
            .exists()
        )
    ).all()
    for sha256 in unused:
        _forget_if_unused(sha256)
    known = set(db.session.scalars(select(StoredFile.sha256)))
    orphans = [sha for sha in storage().kept(older_than=ORPHAN_AGE) if sha not in known]
    db.session.info.setdefault(_GONE_FILES, set()).update(orphans)
    return len(unused) + len(orphans)


def track_files() -> None:
    """Keep the storage in step with transactions: files kept by a transaction that rolls
    back are removed, and files whose rows a committed transaction removed are deleted."""
    if not event.contains(FlaskSession, "after_commit", _after_commit):
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)
    gone = session.info.pop(_GONE_FILES, set())
    if gone:
        files = storage()
        for sha256 in gone:
            files.delete(sha256)


def _after_rollback(session: Session) -> None:
    session.info.pop(_GONE_FILES, None)
    new = session.info.pop(_NEW_FILES, set())
    if new:
        files = storage()
        for sha256 in new:
            files.delete(sha256)
