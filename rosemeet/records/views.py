"""Pages of the official record: the agenda and the minutes printed and downloaded."""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import current_user

from rosemeet.agendas import queries
from rosemeet.core.permissions import get_or_404
from rosemeet.meetings.models import Meeting
from rosemeet.meetings.queries import load_meeting
from rosemeet.records import exporter

bp = Blueprint("records", __name__)


def _meeting(meeting_id: int, what: str) -> Meeting:
    """The meeting, if the visitor may read its agenda or its minutes (as their pages)."""
    get_or_404(
        current_user, Meeting, meeting_id, "view_agenda" if what == "agenda" else "view_minutes"
    )
    return load_meeting(meeting_id)


@bp.get("/meetings/<int:meeting_id>/<any(agenda, minutes):what>/print")
def printable(meeting_id: int, what: str):
    """A printable agenda or minutes page."""
    meeting = _meeting(meeting_id, what)
    return render_template(
        "records/print.html",
        meeting=meeting,
        view=queries.load_agenda(meeting),
        what=what,
        sections=queries.agenda_sections(meeting) if what == "agenda" else [],
    )


@bp.get("/meetings/<int:meeting_id>/<any(agenda, minutes):what>.<any(docx, md):fmt>")
def download(meeting_id: int, what: str, fmt: str):
    """The agenda or the minutes as a Word document or as Markdown."""
    meeting = _meeting(meeting_id, what)
    view = queries.load_agenda(meeting)
    name = exporter.file_name(meeting, what, fmt)
    body: str | bytes
    if fmt == "md":
        body, mimetype = exporter.to_markdown(view, what), "text/markdown; charset=utf-8"
    else:
        body = exporter.to_docx(view, what)
        mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
