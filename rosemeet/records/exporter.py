"""A record (``content.Record``) as Markdown and as a Word document (python-docx); the
Markdown people typed becomes Word formatting (markdown-it-py tokens to runs and styles)."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

from rosemeet.core.markdown import URL_SCHEMES
from rosemeet.core.markdown import escape_markdown as md
from rosemeet.core.text import without_control_characters as _clean
from rosemeet.meetings.models import Meeting
from rosemeet.records.content import Attendance, FollowUpLine, Item, Record

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def file_name(meeting: Meeting, what: str, fmt: str) -> str:
    """A safe file name: "agenda-AG-2027-03-09.docx"."""
    codes = "-".join(b.code for b in meeting.bodies) or "rosemeet"
    name = f"{what}-{codes}-{meeting.local_start:%Y-%m-%d}.{fmt}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def file_name_of(body, year: int) -> str:
    """The file name of a body's minutes of one year: "minutes-AG-2027.pdf"."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"minutes-{body.code or 'rosemeet'}-{year}.pdf")


def follow_up_text(f: FollowUpLine) -> str:
    """ "Zaal boeken · owner: Sara · due 1 April 2027 · reports to AV · AG-2027-01"."""
    parts = [f.title]
    if f.owner:
        parts.append(_("owner: %(name)s", name=f.owner))
    if f.due:
        parts.append(_("due %(date)s", date=f.due))
    if f.report_to:
        parts.append(_("reports to %(body)s", body=f.report_to))
    if f.decision:
        parts.append(f.decision)
    return " · ".join(parts)


def attendance_lines(a: Attendance) -> list[tuple[str, str]]:
    """(label, names) for present, excused and absent, the empty ones left out."""
    rows = [(_("Present"), a.present), (_("Excused"), a.excused), (_("Absent"), a.absent)]
    return [(label, ", ".join(names)) for label, names in rows if names]


# --- Markdown ----------------------------------------------------------------------------------


def _outcomes_md(item: Item) -> list[str]:
    lines: list[str] = []
    if item.decisions:
        lines += [f"**{_('Decisions')}**", ""]
        lines += [f"- **{d.number}**: {md(d.text)}" for d in item.decisions] + [""]
    if item.follow_ups:
        lines += [f"**{_('Follow-ups')}**", ""]
        lines += [f"- {md(follow_up_text(f))}" for f in item.follow_ups] + [""]
    return lines


def to_markdown(rec: Record) -> str:
    """The record as Markdown text: the title block, attendance, items, outcomes, state."""
    lines = [f"# {md(rec.title)}", "", md(rec.bodies), "", rec.when]
    if rec.place:
        lines += ["", md(rec.place)]
    lines += ["", f"{_('Status:')} {rec.state}", ""]
    if rec.attendance is not None:
        lines += [f"## {_('Attendance')}", ""]
        lines += [f"- {label}: {md(names)}" for label, names in attendance_lines(rec.attendance)]
        lines += [f"- {q.text}" for q in rec.attendance.quorum]
        if not rec.attendance.recorded:
            lines.append(_("No attendance recorded."))
        lines.append("")
    for item in rec.items:
        lines += [f"## {item.number}. {md(item.title)}", ""]
        if item.meta:
            lines += [f"*{item.meta}*", ""]
        if item.text:
            lines += [item.text, ""]
        if item.links:
            lines += [f"- {md(link)}" for link in item.links] + [""]
        lines += _outcomes_md(item)
    for section in rec.sections:
        lines += [f"## {section.title}", ""]
        lines += [f"- {md(row)}" for row in section.rows] + [""]
    return "\n".join(lines).rstrip() + "\n"


# --- Word --------------------------------------------------------------------------------------


def _hyperlink(paragraph: Paragraph, url: str, text: str, bold: bool, italic: bool) -> None:
    """A real Word hyperlink (a relationship and a w:hyperlink run), blue and underlined."""
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    for tag in ("w:b",) if bold else ():
        props.append(OxmlElement(tag))
    if italic:
        props.append(OxmlElement("w:i"))
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0563C1")
    props.append(color)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(underline)
    run.append(props)
    node = OxmlElement("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def _inline(paragraph: Paragraph, children: list[Token]) -> None:
    """Inline tokens as runs: bold, italic, strikethrough, code, links, line breaks."""
    bold = italic = strike = 0
    href: str | None = None
    link_text: list[str] = []
    for tok in children:
        kind = tok.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "s_open":
            strike += 1
        elif kind == "s_close":
            strike -= 1
        elif kind == "link_open":
            url = str(tok.attrs.get("href", ""))
            href = url if url.split(":", 1)[0].lower() in URL_SCHEMES else None
            link_text = []
            if href is None:
                href = ""  # an unsafe link: its text only
        elif kind == "link_close":
            text = _clean("".join(link_text))
            if href:
                _hyperlink(paragraph, href, text, bool(bold), bool(italic))
            elif text:
                paragraph.add_run(text)
            href = None
        elif kind in ("text", "code_inline", "softbreak", "hardbreak", "image"):
            content = {"softbreak": " ", "hardbreak": "\n"}.get(kind, tok.content)
            if href is not None:
                link_text.append(content)
                continue
            if kind == "hardbreak":
                paragraph.add_run().add_break()
                continue
            run = paragraph.add_run(_clean(content))
            run.bold = bool(bold) or None
            run.italic = bool(italic) or None
            run.font.strike = bool(strike) or None
            if kind == "code_inline":
                run.font.name = "Courier New"
                run.font.highlight_color = WD_COLOR_INDEX.GRAY_25


def _list_style(lists: list[str]) -> str:
    base = "List Bullet" if lists[-1] == "bullet" else "List Number"
    depth = min(len(lists), 3)
    return base if depth == 1 else f"{base} {depth}"


def add_markdown(document, text: str, heading_offset: int = 1) -> None:
    """Markdown as Word paragraphs: headings (below the item's own), paragraphs with bold,
    italic and hyperlinks, bulleted and numbered lists (nested up to three), quotes, code
    blocks and tables."""
    tokens = _parser.parse(text or "")
    lists: list[str] = []
    style: str | None = None
    quote = 0
    table: list[list[str]] | None = None
    row: list[str] = []
    cell_inline: list[Token] | None = None
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "bullet_list_open":
            lists.append("bullet")
        elif kind == "ordered_list_open":
            lists.append("ordered")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "heading_open":
            level = min(int(tok.tag[1]) + heading_offset, 9)
            style = f"Heading {level}"
        elif kind == "paragraph_open":
            if lists:
                style = _list_style(lists)
                # a second paragraph of one list item continues it (no new bullet)
                if tokens[i - 1].type != "list_item_open":
                    style = "List Continue" if len(lists) == 1 else f"List Continue {len(lists)}"
            elif quote:
                style = "Quote"
            else:
                style = None
        elif kind == "inline" and table is not None:
            cell_inline = tok.children or []
            row.append(_clean("".join(c.content for c in cell_inline)))
        elif kind == "inline":
            paragraph = document.add_paragraph(style=style)
            _inline(paragraph, tok.children or [])
        elif kind in ("fence", "code_block"):
            paragraph = document.add_paragraph(style="No Spacing")
            run = paragraph.add_run(_clean(tok.content.rstrip("\n")))
            run.font.name = "Courier New"
        elif kind == "hr":
            document.add_paragraph("—" * 10)
        elif kind == "table_open":
            table = []
        elif kind == "tr_close" and table is not None:
            table.append(row)
            row = []
        elif kind == "table_close" and table is not None:
            width = max((len(r) for r in table), default=0)
            if width:
                grid = document.add_table(rows=len(table), cols=width)
                grid.style = "Table Grid"
                for r, cells in enumerate(table):
                    for c, value in enumerate(cells):
                        grid.cell(r, c).text = value
                        if r == 0:
                            for run in grid.cell(r, c).paragraphs[0].runs:
                                run.bold = True
            table = None


def _label(document, label: str, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(_clean(label) + ": ").bold = True
    paragraph.add_run(_clean(text))


def to_docx(rec: Record) -> bytes:
    """The record as a .docx file; control characters stored before input refused them are
    dropped (Word files cannot hold them)."""
    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    document.core_properties.title = _clean(rec.title)
    document.add_heading(_clean(rec.title), level=0)
    document.add_paragraph(_clean(rec.bodies)).runs[0].bold = True
    document.add_paragraph(_clean(rec.when))
    if rec.place:
        document.add_paragraph(_clean(rec.place))
    state = document.add_paragraph()
    state.add_run(_("Status:") + " ").bold = True
    run = state.add_run(_clean(rec.state))
    if not rec.approved:
        run.font.color.rgb = RGBColor(0x9C, 0x3D, 0x00)
    if rec.attendance is not None:
        document.add_heading(_("Attendance"), level=1)
        for label, names in attendance_lines(rec.attendance):
            _label(document, label, names)
        for q in rec.attendance.quorum:
            document.add_paragraph(_clean(q.text))
        if not rec.attendance.recorded:
            document.add_paragraph(_("No attendance recorded."))
    for item in rec.items:
        document.add_heading(_clean(f"{item.number}. {item.title}"), level=1)
        if item.meta:
            document.add_paragraph(_clean(item.meta)).runs[0].italic = True
        add_markdown(document, _clean(item.text))
        for link in item.links:
            paragraph = document.add_paragraph(style="List Bullet")
            if link.split(":", 1)[0].lower() in URL_SCHEMES:
                _hyperlink(paragraph, link, _clean(link), False, False)
            else:
                paragraph.add_run(_clean(link))
        if item.decisions:
            document.add_paragraph().add_run(_("Decisions")).bold = True
            for d in item.decisions:
                paragraph = document.add_paragraph(style="List Bullet")
                paragraph.add_run(_clean(d.number) + ": ").bold = True
                paragraph.add_run(_clean(d.text))
        if item.follow_ups:
            document.add_paragraph().add_run(_("Follow-ups")).bold = True
            for f in item.follow_ups:
                document.add_paragraph(_clean(follow_up_text(f)), style="List Bullet")
    for section in rec.sections:
        document.add_heading(_clean(section.title), level=1)
        for text in section.rows:
            document.add_paragraph(_clean(text), style="List Bullet")
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = _clean(rec.footer)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
