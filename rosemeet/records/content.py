"""One content model for a record (an agenda or minutes), shared by the print page, the PDF,
the Word document and the Markdown file: ``record(meeting, what, viewer)``.

Everything is read here, as far as ``viewer`` may read it (the views already checked that the
viewer reads the agenda or the minutes themselves); the formats only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from flask_babel import get_locale
from flask_babel import gettext as _

from rosemeet.agendas import queries as agendas
from rosemeet.agendas.models import AgendaItem, MinutesStatus
from rosemeet.core.permissions import can
from rosemeet.core.text import without_control_characters as clean
from rosemeet.documents.queries import meeting_papers, paper_line
from rosemeet.followups import queries as followups
from rosemeet.followups.models import Decision, FollowUp
from rosemeet.meetings import queries as meetings
from rosemeet.meetings.models import Meeting, Presence, Response

#: what a record is of
KINDS = ("agenda", "minutes")


def _locale() -> str:
    return str(get_locale() or "nl")


def long_date(day: date) -> str:
    """ "dinsdag 12 januari 2027" / "Tuesday 12 January 2027" in the user's language."""
    return babel_date(day, "EEEE d MMMM y", locale=_locale())


def short_date(day: date) -> str:
    """ "12 januari 2027" / "12 January 2027"."""
    return babel_date(day, "d MMMM y", locale=_locale())


def clock(moment: datetime) -> str:
    """ "14:00" (the wall clock of ``moment``'s own zone)."""
    return babel_time(moment.time(), "HH:mm", locale=_locale())


def when(meeting: Meeting) -> str:
    """ "dinsdag 12 januari 2027, 14:00-16:00"; a meeting over two days names both."""
    start, end = meeting.local_start, meeting.local_end
    if start.date() == end.date():
        return f"{long_date(start.date())}, {clock(start)}-{clock(end)}"
    return f"{long_date(start.date())}, {clock(start)} - {long_date(end.date())}, {clock(end)}"


@dataclass
class Quorum:
    """A body's quorum at the meeting, as one line."""

    body: str
    reached: bool
    text: str


@dataclass
class Attendance:
    """Who was there (names with their organisation), who was excused, who was absent."""

    present: list[str] = field(default_factory=list)
    excused: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    quorum: list[Quorum] = field(default_factory=list)

    @property
    def recorded(self) -> bool:
        return bool(self.present or self.excused or self.absent)


@dataclass
class FollowUpLine:
    """A follow-up as the record shows it."""

    title: str
    owner: str
    due: str
    report_to: str
    decision: str
    status: str


@dataclass
class DecisionLine:
    """A decision with its number ("AG-2027-03")."""

    number: str
    text: str


@dataclass
class Item:
    """An agenda item: its number, title, a line about it, its text (Markdown) and outcomes."""

    number: int
    title: str
    meta: str
    text: str
    links: list[str]
    decisions: list[DecisionLine] = field(default_factory=list)
    follow_ups: list[FollowUpLine] = field(default_factory=list)


@dataclass
class Section:
    """A section other domains add to the agenda (the opvolglijst, feedback, ...)."""

    key: str
    title: str
    rows: list[str]


@dataclass
class Record:
    """Everything one record shows, in reading order."""

    meeting: Meeting
    what: str
    kind: str
    title: str
    bodies: str
    when: str
    date: str
    place: str
    state: str
    approved: bool
    attendance: Attendance | None
    items: list[Item]
    sections: list[Section]

    @property
    def footer(self) -> str:
        """ "Actiegroep ROSE · 9 maart 2027 · Goedgekeurd op ..."."""
        return " · ".join(p for p in (self.bodies, self.date, self.state) if p)


def _person(person) -> str:
    org = person.organisation
    if org is None:
        return person.name
    return f"{person.name} ({org.abbreviation or org.name})"


def attendance(meeting: Meeting) -> Attendance:
    """Present, excused and absent invitees and guests, by name; the quorum per body."""
    out = Attendance()
    rows = sorted(meeting.attendances, key=lambda a: a.person.name.casefold())
    recorded = any(a.presence is not None for a in rows)
    for row in rows:
        name = clean(_person(row.person))
        if row.is_guest:
            name += " ({})".format(_("guest"))
        if row.presence is Presence.PRESENT:
            out.present.append(name)
        elif row.presence is Presence.EXCUSED or (
            row.presence is None and row.response is Response.DECLINED
        ):
            out.excused.append(name)
        elif row.presence is Presence.ABSENT:
            out.absent.append(name)
    if recorded:
        for result in meetings.quorum_results(meeting):
            numbers = {
                "body": result.body.name,
                "present": result.present,
                "needed": result.needed,
                "total": result.total,
            }
            if result.reached:
                text = _(
                    "%(body)s: quorum reached (%(present)d present; %(needed)d of %(total)d "
                    "needed)",
                    **numbers,
                )
            else:
                text = _(
                    "%(body)s: quorum not reached (%(present)d present; %(needed)d of "
                    "%(total)d needed)",
                    **numbers,
                )
            out.quorum.append(Quorum(result.body.name, result.reached, text))
    return out


def _meta(item: AgendaItem, what: str) -> str:
    parts = [str(item.kind.label)]
    if item.planned_minutes is not None and what == "agenda":
        parts.append(_("%(n)d min", n=item.planned_minutes))
    if item.presenter_name:
        parts.append(item.presenter_name)
    if item.origin_text:
        parts.append(item.origin_text)
    return " · ".join(parts)


def follow_up_line(f: FollowUp) -> FollowUpLine:
    """A follow-up's owner, due date and the body it reports back to, as text."""
    return FollowUpLine(
        title=clean(f.title),
        owner=clean(f.owner_label),
        due=short_date(f.due_on) if f.due_on else "",
        report_to=f.report_to_body.name if f.report_to_body else "",
        decision=f.decision.number if f.decision else "",
        status=str(f.status.label),
    )


def _outcomes(meeting: Meeting, viewer) -> tuple[dict, dict]:
    """Decisions and follow-ups of the meeting the viewer reads, per agenda item (two queries)."""
    decisions: dict[int | None, list[Decision]] = {}
    for d in followups.meeting_decisions(meeting):
        if viewer is None or can(viewer, "view", d):
            decisions.setdefault(d.agenda_item_id, []).append(d)
    raised: dict[int | None, list[FollowUp]] = {}
    for f in followups.raised_in(meeting):
        if viewer is None or can(viewer, "view", f):
            raised.setdefault(f.agenda_item_id, []).append(f)
    return decisions, raised


def state(meeting: Meeting, view: agendas.AgendaView, what: str) -> tuple[str, bool]:
    """The record's state as a sentence, and whether it is final."""
    if what == "agenda":
        return str(view.status.label), view.agenda is not None and view.agenda.is_published
    status = view.minutes_status
    agenda = view.agenda
    if status is MinutesStatus.APPROVED and agenda is not None:
        on = agenda.minutes_approved_at
        day = short_date(on.astimezone(meeting.zone).date()) if on else ""
        where = agenda.approved_in
        if where is not None:
            named = f"{where.display_title} ({short_date(where.local_start.date())})"
            text = _("Approved on %(date)s in %(meeting)s", date=day, meeting=named)
        else:
            text = _("Approved on %(date)s", date=day)
        return text, True
    return str(status.label), False


def _section_row(row: dict) -> str:
    parts = [clean(str(row.get("title") or ""))]
    if row.get("origin"):
        parts.append(str(row["origin"]))
    if row.get("owner_person") or row.get("owner_organisation"):
        parts.append(str(row.get("owner_person") or row.get("owner_organisation")))
    if row.get("due_on"):
        parts.append(_("due %(date)s", date=short_date(date.fromisoformat(str(row["due_on"])))))
    return clean(" · ".join(p for p in parts if p))


def sections(meeting: Meeting) -> list[Section]:
    """The sections other domains add to the agenda (they filter for whom the request
    answers), the empty ones left out."""
    out = []
    for section in agendas.agenda_sections(meeting):
        rows = [_section_row(r) for r in section.get("items", [])]
        if rows:
            out.append(Section(str(section.get("key", "")), str(section["title"]), rows))
    return out


def record(meeting: Meeting, what: str, viewer) -> Record:
    """The agenda (``what="agenda"``: descriptions, links, the opvolglijst) or the minutes
    (``"minutes"``: attendance and quorum, the minutes per item with their decisions and
    follow-ups) of ``meeting`` as far as ``viewer`` reads them (``None``: everything)."""
    if what not in KINDS:
        raise ValueError(what)
    view = agendas.load_agenda(meeting)
    kind = _("Agenda") if what == "agenda" else _("Minutes")
    decisions: dict = {}
    raised: dict = {}
    if what == "minutes":
        decisions, raised = _outcomes(meeting, viewer)
    item_papers, meeting_lines = _papers(meeting, viewer, what)
    items = []
    for n, item in enumerate(view.items, 1):
        text = (item.description if what == "agenda" else item.minutes) or ""
        items.append(
            Item(
                number=n,
                title=clean(item.title),
                meta=clean(_meta(item, what)),
                text=clean(text).strip(),
                links=([clean(link) for link in item.link_list] if what == "agenda" else [])
                + item_papers.get(item.id, []),
                decisions=[
                    DecisionLine(d.number, clean(d.text)) for d in decisions.get(item.id, [])
                ],
                follow_ups=[follow_up_line(f) for f in raised.get(item.id, [])],
            )
        )
    shown = {i.id for i in view.items}
    loose_d = [d for key, rows in decisions.items() if key not in shown for d in rows]
    loose_f = [f for key, rows in raised.items() if key not in shown for f in rows]
    if loose_d or loose_f:
        items.append(
            Item(
                number=len(items) + 1,
                title=_("Other decisions and follow-ups"),
                meta="",
                text="",
                links=[],
                decisions=[DecisionLine(d.number, clean(d.text)) for d in loose_d],
                follow_ups=[follow_up_line(f) for f in loose_f],
            )
        )
    text, final = state(meeting, view, what)
    return Record(
        meeting=meeting,
        what=what,
        kind=kind,
        title=clean(f"{kind}: {meeting.display_title}"),
        bodies=clean(" + ".join(b.name for b in meeting.bodies)),
        when=when(meeting),
        date=short_date(meeting.local_start.date()),
        place=clean(meeting.location or ""),
        state=text,
        approved=final,
        attendance=attendance(meeting) if what == "minutes" else None,
        items=items,
        sections=(sections(meeting) if what == "agenda" else [])
        + ([Section("papers", _("Papers"), meeting_lines)] if meeting_lines else []),
    )


def _papers(meeting: Meeting, viewer, what: str) -> tuple[dict[int, list[str]], list[str]]:
    """The documents as lines with their URLs (links, not attachments: a mailed or printed
    record stays small): per agenda item, and the meeting's own (with the minutes' annexes
    in the minutes)."""
    by_item: dict[int, list[str]] = {}
    others: list[str] = []
    for paper in meeting_papers(viewer, meeting):
        document = paper.document
        if document.on_minutes and what == "agenda":
            continue
        line = clean(paper_line(document))
        if paper.item is not None:
            by_item.setdefault(paper.item.id, []).append(line)
        else:
            others.append(line)
    return by_item, others
