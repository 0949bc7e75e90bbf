"""The agenda and the minutes as Markdown and as Word documents (python-docx)."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.shared import Pt
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from rosemeet.agendas.queries import AgendaView
from rosemeet.core.text import without_control_characters as _clean
from rosemeet.meetings.models import Meeting


def file_name(meeting: Meeting, what: str, fmt: str) -> str:
    """A safe file name: "agenda-AG-2027-03-09.docx"."""
    codes = "-".join(b.code for b in meeting.bodies) or "rosemeet"
    name = f"{what}-{codes}-{meeting.local_start:%Y-%m-%d}.{fmt}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _heading(view: AgendaView, what: str) -> tuple[str, str]:
    meeting = view.meeting
    title = _("Agenda") if what == "agenda" else _("Minutes")
    bodies = " + ".join(b.name for b in meeting.bodies)
    when = format_datetime(meeting.local_start, "full")
    place = f" · {meeting.location}" if meeting.location else ""
    return f"{title}: {meeting.display_title}", f"{bodies} · {when}{place}"


def _meta(item) -> str:
    parts = [item.kind.label]
    if item.planned_minutes is not None:
        parts.append(_("%(n)d min", n=item.planned_minutes))
    if item.presenter_name:
        parts.append(item.presenter_name)
    if item.origin_text:
        parts.append(item.origin_text)
    return " · ".join(parts)


def to_markdown(view: AgendaView, what: str) -> str:
    """The agenda (descriptions) or the minutes (per item) as Markdown text."""
    title, sub = _heading(view, what)
    lines = [f"# {title}", "", sub, ""]
    if what == "minutes":
        lines += [f"{_('Status:')} {view.minutes_status.label}", ""]
    for n, item in enumerate(view.items, 1):
        lines += [f"## {n}. {item.title}", "", f"*{_meta(item)}*", ""]
        text = item.description if what == "agenda" else item.minutes
        if text:
            lines += [text.strip(), ""]
        if what == "agenda":
            lines += [f"- <{link}>" for link in item.link_list]
            if item.link_list:
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_docx(view: AgendaView, what: str) -> bytes:
    """The agenda or the minutes as a .docx file (Markdown kept as plain paragraphs); control
    characters stored before input refused them are dropped (Word files cannot hold them)."""
    title, sub = _heading(view, what)
    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    document.core_properties.title = _clean(title)
    document.add_heading(_clean(title), level=0)
    document.add_paragraph(_clean(sub))
    if what == "minutes":
        document.add_paragraph(f"{_('Status:')} {view.minutes_status.label}")
    for n, item in enumerate(view.items, 1):
        document.add_heading(_clean(f"{n}. {item.title}"), level=1)
        document.add_paragraph(_clean(_meta(item))).runs[0].italic = True
        text = _clean((item.description if what == "agenda" else item.minutes) or "")
        for block in (text or "").strip().split("\n\n"):
            if not block.strip():
                continue
            for line in block.splitlines():
                stripped = line.strip()
                if stripped.startswith(("- ", "* ")):
                    document.add_paragraph(stripped[2:], style="List Bullet")
                else:
                    document.add_paragraph(stripped)
        if what == "agenda":
            for link in item.link_list:
                document.add_paragraph(_clean(link), style="List Bullet")
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = _clean(
        " + ".join(b.name for b in view.meeting.bodies)
        + " · "
        + format_date(view.meeting.local_start, "medium")
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
