"""The documents' pages: attach files or a link, a document with its versions, rename, remove,
download (after the permission check, never as a page), a meeting's papers as one ZIP and a
body's library; and the helpers of the lists on the pages of what documents belong to."""

from __future__ import annotations

import tempfile
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from rosemeet.agendas.models import AgendaItem
from rosemeet.core.errors import Refused
from rosemeet.core.forms import ConfirmForm, attempt, show_error
from rosemeet.core.permissions import can, get_or_404
from rosemeet.core.web import parse_id, safe_next
from rosemeet.documents import operations as ops
from rosemeet.documents import papers, queries
from rosemeet.documents.filetypes import INLINE
from rosemeet.documents.forms import MAX_FILES, AttachForm, DocumentForm, LibraryForm, VersionForm
from rosemeet.documents.models import Document, DocumentVersion, FileFamily, TargetKind
from rosemeet.documents.permissions import add_to_item, may_add, may_read, runs_any
from rosemeet.documents.queries import Target, load_target, target_of
from rosemeet.documents.storage import storage
from rosemeet.extensions import csrf, db
from rosemeet.meetings.models import Meeting
from rosemeet.network.models import Body

bp = Blueprint("documents", __name__)

#: what an upload form's body may hold beyond its files (boundaries, headers, text fields)
SLACK = 256 * 1024
#: a served file is never a page: no script, no form, no same-origin access
SANDBOX = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


# --- helpers of the templates ----------------------------------------------------------------


def document_helpers() -> dict:
    """What the documents' lists on other pages call (template hooks)."""
    return {
        "documents_of": lambda kind, obj: queries.visible_documents(
            current_user, Target(TargetKind(kind), obj)
        ),
        "may_attach": lambda kind, obj: may_add(current_user, Target(TargetKind(kind), obj)),
        "meeting_papers": lambda meeting: queries.meeting_papers(current_user, meeting),
        "item_documents": item_documents,
        "may_attach_to_item": may_attach_to_item,
        "action_documents": lambda action: queries.action_documents(current_user, action),
        "standing_links": lambda body: queries.standing_links(current_user, body),
        "search_documents": lambda query: queries.search(current_user, query),
        "mail_papers": queries.mail_papers,
        "document_href": queries.document_href,
        "document_kind": queries.document_kind,
        "file_size": file_size,
        "max_upload_mb": lambda: ops.max_upload_bytes() // (1024 * 1024),
        "max_files": MAX_FILES,
        "documents_assets_needed": assets_needed,
    }


def item_documents(item: AgendaItem) -> list[Document]:
    """The documents of an agenda item the visitor may read, read once per meeting and request
    (the agenda shows them under each item)."""
    meeting = item.meeting
    if meeting is None:
        return queries.visible_documents(current_user, Target(TargetKind.AGENDA_ITEM, item))
    loaded = g.setdefault("documents_of_items", {})
    if meeting.id not in loaded:
        by_item: dict[int, list[Document]] = {}
        for paper in queries.meeting_papers(current_user, meeting):
            if paper.item is not None:
                by_item.setdefault(paper.item.id, []).append(paper.document)
        loaded[meeting.id] = by_item
    return loaded[meeting.id].get(item.id, [])


def may_attach_to_item(item: AgendaItem) -> bool:
    """``permissions.add_to_item`` for the visitor, with the items they proposed read once per
    request (the agenda asks for each of its items)."""
    if "documents_proposed" not in g:
        g.documents_proposed = (
            queries.proposed_item_ids(current_user) if current_user.is_authenticated else set()
        )
    return add_to_item(current_user, item, proposed=g.documents_proposed)


def assets_needed() -> bool:
    """True the first time a page asks: the documents' stylesheet and script are linked once,
    however many lists a page shows."""
    if g.get("documents_assets"):
        return False
    g.documents_assets = True
    return True


def file_size(size: int) -> str:
    """A size as people read it: 820 KB, 4,2 MB."""
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_decimal(max(1, round(size / 1024))))
    return _("%(n)s MB", n=format_decimal(round(size / (1024 * 1024), 1), format="#,##0.#"))


def target_url(target: Target) -> str:
    """The page of what documents are attached to, at their list."""
    obj = target.obj
    if target.kind is TargetKind.MEETING:
        return url_for("meetings.meeting", meeting_id=obj.id) + "#papers"
    if target.kind is TargetKind.MINUTES:
        return url_for("agendas.minutes", meeting_id=obj.id) + "#minutes-documents"
    if target.kind is TargetKind.AGENDA_ITEM:
        if obj.meeting_id is not None:
            return url_for("agendas.agenda", meeting_id=obj.meeting_id) + f"#item-{obj.id}"
        return url_for("followups.item_outcomes", item_id=obj.id)
    if target.kind is TargetKind.DECISION:
        return url_for("followups.decision", decision_id=obj.id) + "#documents"
    if target.kind is TargetKind.FOLLOW_UP:
        return url_for("followups.follow_up", follow_up_id=obj.id) + "#documents"
    if target.kind is TargetKind.ACTION:
        return url_for("plan.action", action_id=obj.id) + f"#documents-{obj.id}"
    return url_for("network.body", body_id=obj.id) + "#library"


def target_name(target: Target) -> str:
    """What documents are attached to, in words ("Agenda item: Mobiliteit")."""
    obj = target.obj
    if target.kind in (TargetKind.MEETING, TargetKind.MINUTES):
        name = obj.display_title
    elif target.kind is TargetKind.DECISION:
        name = obj.number
    elif target.kind is TargetKind.BODY:
        name = obj.name
    else:
        name = obj.title
    return f"{target.kind.label}: {name}"


def _show(form, error: Refused, _field: str | None = None) -> None:
    """A refusal next to the field it is about (the files for anything about the upload)."""
    field = error.field if error.field in ("title", "url") else None
    show_error(form, error, field or ("files" if hasattr(form, "files") else "file"))


def _allow_upload(files: int) -> None:
    """Raise this request's size limit to what ``files`` uploads may weigh (the app's limit
    stays low for every other form)."""
    request.max_content_length = ops.max_upload_bytes() * files + SLACK


def _target_or_404(kind: str, ident: int) -> Target:
    target = load_target(kind, ident)
    if target is None or not may_read(current_user, target):
        abort(404)
    return target


# --- attaching -------------------------------------------------------------------------------


@bp.route("/documents/new/<kind>/<int:ident>", methods=["GET", "POST"])
@csrf.exempt  # the form's own token is checked (after the size limit is raised): validate()
@login_required
def attach(kind: str, ident: int):
    """Attach one or more files, or a link, to an object."""
    target = _target_or_404(kind, ident)
    if not may_add(current_user, target):
        abort(403)
    _allow_upload(MAX_FILES)
    status = 400 if request.method == "POST" else 200
    try:
        back = safe_next(target_url(target))
        form = AttachForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = AttachForm(formdata=None)
        form.files.errors = [ops.too_large_message()]
        return _attach_page(form, target, target_url(target)), 413
    if submitted:
        uploads = [f for f in form.files.data or [] if getattr(f, "filename", None)]
        url = (form.url.data or "").strip()
        if uploads and url:
            form.url.errors = [_("Attach files or give a link, not both at once.")]
        elif not uploads and not url:
            form.files.errors = [_("Choose a file, or give a link.")]
        elif len(uploads) > MAX_FILES:
            form.files.errors = [_("Attach at most %(n)d files at once.", n=MAX_FILES)]
        else:
            internal = bool(form.internal.data) and runs_any(current_user, target)
            title = form.title.data if len(uploads) <= 1 else None
            with attempt(form, show=_show) as tried:
                if url:
                    ops.attach_link(
                        target, url=url, title=title, by=current_user, internal=internal
                    )
                for upload in uploads:
                    ops.attach_file(
                        target,
                        upload=upload.stream,
                        filename=upload.filename,
                        title=title,
                        by=current_user,
                        internal=internal,
                    )
            if tried.refused is None:
                count = len(uploads) or 1
                flash(ngettext("%(num)d document attached.", "%(num)d documents attached.", count))
                return redirect(back)
            status = tried.refused.status
    return _attach_page(form, target, back), status


def _attach_page(form: AttachForm, target: Target, back: str) -> str:
    return render_template(
        "documents/attach.html",
        form=form,
        target=target,
        target_name=target_name(target),
        back=back,
        may_internal=runs_any(current_user, target),
    )


# --- one document ----------------------------------------------------------------------------


def _document(document_id: int, action: str = "view") -> Document:
    return get_or_404(current_user, Document, document_id, action)


def _document_page(document: Document, **forms: Any) -> str:
    target = target_of(document)
    manage = can(current_user, "edit", document)
    if manage and "edit_form" not in forms:
        forms["edit_form"] = DocumentForm(formdata=None, obj=document)
    return render_template(
        "documents/document.html",
        document=document,
        target=target,
        target_name=target_name(target),
        target_url=target_url(target),
        manage=manage,
        may_internal=runs_any(current_user, target),
        version_form=forms.get("version_form") or VersionForm(formdata=None),
        edit_form=forms.get("edit_form"),
        confirm_form=ConfirmForm(),
    )


@bp.get("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    """A document: where it belongs, its versions (the latest first), and its forms."""
    return _document_page(_document(document_id))


@bp.post("/documents/<int:document_id>/versions")
@csrf.exempt  # checked by the form, after the size limit is raised
@login_required
def add_version(document_id: int):
    """Upload a new version of a file document."""
    document = _document(document_id, "add_version")
    _allow_upload(1)
    try:
        form = VersionForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form = VersionForm(formdata=None)
        form.file.errors = [ops.too_large_message()]
        return _document_page(document, version_form=form), 413
    status = 400
    if submitted:
        upload = form.file.data
        if not getattr(upload, "filename", None):
            form.file.errors = [_("Choose the file of the new version.")]
        else:
            with attempt(form, show=_show) as tried:
                version = ops.add_version(
                    document, upload=upload.stream, filename=upload.filename, by=current_user
                )
            if tried.refused is None:
                flash(_("Version %(n)d uploaded.", n=version.number))
                return redirect(url_for("documents.document", document_id=document.id))
            status = tried.refused.status
    return _document_page(document, version_form=form), status


@bp.post("/documents/<int:document_id>/edit")
@login_required
def edit(document_id: int):
    """Rename a document, change a link's address, make it internal or not."""
    document = _document(document_id, "edit")
    form = DocumentForm()
    if form.validate_on_submit():
        internal = form.internal.data if runs_any(current_user, target_of(document)) else None
        with attempt(form) as tried:
            ops.update_document(
                document,
                title=form.title.data,
                url=form.url.data if document.is_link else None,
                internal=internal,
            )
        if tried.refused is None:
            flash(_("The document is saved."))
            return redirect(url_for("documents.document", document_id=document.id))
    return _document_page(document, edit_form=form), 400


@bp.post("/documents/<int:document_id>/delete")
@login_required
def delete(document_id: int):
    """Remove a document with all its versions."""
    document = _document(document_id, "delete")
    back = target_url(target_of(document))
    if ConfirmForm().validate_on_submit():
        ops.delete_document(document)
        flash(_("The document is removed."))
    return redirect(safe_next(back))


# --- serving ---------------------------------------------------------------------------------


def _reader():
    """Who downloads: the bearer of an API token (scripts), else the logged-in visitor."""
    header = request.headers.get("Authorization")
    if header is None:
        return current_user
    from rosemeet.accounts.operations import person_for_api_token

    scheme, _sep, token = header.partition(" ")
    person = person_for_api_token(token.strip()) if scheme.lower() == "bearer" else None
    if person is None:  # a script's answer, not the login page
        abort(
            Response(
                _("The token is unknown or revoked."),
                401,
                {"WWW-Authenticate": "Bearer", "Content-Type": "text/plain; charset=utf-8"},
            )
        )
    return person


@bp.get("/documents/<int:document_id>/download")
@bp.get("/documents/<int:document_id>/versions/<int:number>/download", endpoint="download_version")
def download(document_id: int, number: int | None = None):
    """The bytes of a document's latest version (or of one version): only after the permission
    check, as a download (PDFs and images may show in the browser), never as a page."""
    reader = _reader()
    document = db.session.get(Document, document_id)
    if document is None or not can(reader, "view", document):
        if not getattr(reader, "is_authenticated", False):
            from flask_login import login_url

            return redirect(login_url("accounts.login", next_url=request.full_path))
        abort(404)
    version = _version(document, number)
    if version is None:
        abort(404)
    return serve(version)


def _version(document: Document, number: int | None) -> DocumentVersion | None:
    if number is None:
        return document.latest
    return next((v for v in document.versions if v.number == number), None)


def serve(version: DocumentVersion) -> Response:
    """Send a version's file: streamed from the storage, with its real type, ETag and ranges,
    ``attachment`` unless it is a PDF or an image, sandboxed, never cached for others."""
    stored = version.file
    files = storage()
    path = files.path(stored.sha256)
    try:
        source: Any = path if path is not None and path.is_file() else files.open(stored.sha256)
    except FileNotFoundError:
        abort(404)
    response = send_file(
        source,
        mimetype=stored.content_type,
        as_attachment=stored.content_type not in INLINE,
        download_name=version.filename,
        conditional=True,
        etag=stored.sha256,
        last_modified=version.uploaded_at,
        max_age=None,
    )
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    return response


@bp.get("/meetings/<int:meeting_id>/papers.zip")
@login_required
def papers_zip(meeting_id: int):
    """Every paper of a meeting the visitor may read, in one ZIP, numbered in agenda order."""
    meeting = get_or_404(current_user, Meeting, meeting_id, "view_agenda")
    found = queries.meeting_papers(current_user, meeting)
    if not found:
        flash(_("This meeting has no papers yet."))
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    archive = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it)
    papers.write_zip(found, meeting, archive)
    archive.seek(0)
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=papers.zip_name(meeting),
        max_age=None,
    )
    response.cache_control.private = True
    return response


# --- a body's library ------------------------------------------------------------------------


@bp.get("/bodies/<int:body_id>/documents")
@login_required
def library(body_id: int):
    """Every document attached in a body, searchable by title and text, by year and kind."""
    body = get_or_404(current_user, Body, body_id)
    form = LibraryForm(request.args)
    years = queries.library_years(body)
    form.year.choices = [("", _("All years")), *[(str(y), str(y)) for y in years]]
    form.family.choices = [("", _("All kinds")), *[(f.value, f.label) for f in FileFamily]]
    valid = form.validate()
    year = parse_id(form.year.data) if valid else None
    family = FileFamily.parse(form.family.data) if valid and form.family.data else None
    documents = queries.library(
        current_user,
        body,
        query=(form.q.data or "") if valid else "",
        year=year,
        family=family,
    )
    return render_template(
        "documents/library.html",
        body=body,
        form=form,
        documents=documents,
        links=queries.standing_links(current_user, body),
        may_add=may_add(current_user, Target(TargetKind.BODY, body)),
        filtered=bool(valid and (form.q.data or year or family)),
    )
