"""Pages of the official record: the agenda and the minutes printed and downloaded (PDF, Word,
Markdown), and the minutes archive of a body."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from rosemeet.core.permissions import get_or_404
from rosemeet.extensions import db
from rosemeet.followups import queries as followups
from rosemeet.meetings.models import Meeting
from rosemeet.meetings.queries import load_meeting
from rosemeet.network.models import Body
from rosemeet.records import content, exporter, pdf, queries

bp = Blueprint("records", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _meeting(meeting_id: int, what: str) -> Meeting:
    """The meeting, if the visitor may read its agenda or its minutes (as their pages)."""
    get_or_404(
        current_user, Meeting, meeting_id, "view_agenda" if what == "agenda" else "view_minutes"
    )
    return load_meeting(meeting_id)


def _attachment(body: str | bytes, mimetype: str, name: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/meetings/<int:meeting_id>/<any(agenda, minutes):what>/print")
def printable(meeting_id: int, what: str):
    """A printable agenda or minutes page."""
    meeting = _meeting(meeting_id, what)
    return render_template("records/print.html", rec=content.record(meeting, what, current_user))


@bp.get("/meetings/<int:meeting_id>/<any(agenda, minutes):what>.<any(docx, md):fmt>")
def download(meeting_id: int, what: str, fmt: str):
    """The agenda or the minutes as a Word document or as Markdown."""
    meeting = _meeting(meeting_id, what)
    rec = content.record(meeting, what, current_user)
    name = exporter.file_name(meeting, what, fmt)
    if fmt == "md":
        # Response adds "; charset=utf-8" to a text/* mimetype itself
        return _attachment(exporter.to_markdown(rec), "text/markdown", name)
    return _attachment(exporter.to_docx(rec), DOCX, name)


@bp.get("/meetings/<int:meeting_id>/<any(agenda, minutes):what>.pdf")
def pdf_file(meeting_id: int, what: str):
    """The agenda or the minutes as PDF."""
    meeting = _meeting(meeting_id, what)
    html = render_template(
        "records/record_pdf.html", records=[content.record(meeting, what, current_user)]
    )
    name = exporter.file_name(meeting, what, "pdf")
    return _attachment(pdf.render_pdf(html), "application/pdf", name)


@bp.get("/bodies/<int:body_id>/minutes")
def archive(body_id: int):
    """Every approved minutes of a body, per year, beside that year's decisions."""
    body = get_or_404(current_user, Body, body_id)
    years = queries.by_year(queries.approved_minutes(body, current_user))
    decisions = {
        year: list(db.session.scalars(followups.decisions(current_user, body.id, year)))
        if current_user.is_authenticated
        else []
        for year, _meetings in years
    }
    return render_template(
        "records/archive.html",
        body=body,
        years=years,
        decisions=decisions,
        when=content.when,
    )


@bp.get("/bodies/<int:body_id>/minutes/<int:year>.pdf")
def year_pdf(body_id: int, year: int):
    """All approved minutes of a body of one year in one PDF."""
    body = get_or_404(current_user, Body, body_id)
    meetings = queries.approved_minutes(body, current_user, year)
    if not meetings:
        abort(404)
    records = [content.record(load_meeting(m.id), "minutes", current_user) for m in meetings]
    html = render_template("records/record_pdf.html", records=records)
    name = exporter.file_name_of(body, year)
    return _attachment(pdf.render_pdf(html), "application/pdf", name)
