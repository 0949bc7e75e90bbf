"""How long does the minutes PDF of a full meeting take? Builds a meeting of 15 items (minutes
in Markdown, a decision and a follow-up on each, 12 invitees with their presence), approves
its minutes, and prints the median time to gather the record, to lay out its HTML and to
render the PDF (WeasyPrint) over a few runs (``--repeat``, ``--items``)."""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from _scratch import scratch_app
from flask import render_template
from pypdf import PdfReader

from rosemeet.accounts import operations as accounts
from rosemeet.agendas import operations as agendas
from rosemeet.extensions import db
from rosemeet.followups import operations as followups
from rosemeet.meetings import operations as meetings
from rosemeet.meetings.models import Presence
from rosemeet.meetings.queries import load_meeting
from rosemeet.network import operations as network
from rosemeet.network.models import BodyKind, Role
from rosemeet.records import content
from rosemeet.records.pdf import render_pdf

BRUSSELS = ZoneInfo("Europe/Brussels")
MINUTES = (
    "De werkgroep bespreekt het voorstel. We kopen **10 deelfietsen** en *twee* laadpalen.\n\n"
    "- offerte A van de leverancier\n- offerte B, met onderhoud\n- offerte C\n\n"
    "Zie [de nota](https://rose.example.org/nota). " + "Verdere toelichting volgt. " * 12
)


def build(items: int) -> int:
    people = [
        accounts.create_person(name=f"Lid {i:02d}", email=f"lid{i}@rose.example.org")
        for i in range(12)
    ]
    body = network.save_body(None, name="Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP)
    for i, person in enumerate(people):
        role = Role.SECRETARY if i == 0 else Role.MEMBER
        network.save_membership(None, body=body, person=person, role=role)
    start = datetime(2027, 1, 12, 14, tzinfo=BRUSSELS)
    meeting, later = (
        meetings.create_meeting(
            [body], starts_at=at, ends_at=at + timedelta(hours=2), location="W13", notify_new=False
        )
        for at in (start, start + timedelta(days=28))
    )
    agendas.ensure_agenda(meeting)
    for n in range(items):
        item = agendas.add_item(meeting, title=f"Punt {n + 1}", description="Voorstel")
        item.minutes = MINUTES
        decision = followups.record_decision(item, f"Besluit over punt {n + 1}.")
        followups.create_follow_up(
            item,
            title=f"Opvolging van punt {n + 1}",
            decision=decision,
            owner_person=people[n % 12],
            due_on=date(2027, 3, 1),
        )
    for i, person in enumerate(people):
        presence = Presence.PRESENT if i % 4 else Presence.EXCUSED
        meetings.record_presence(meeting, person, presence)
    agendas.publish_agenda(meeting)
    agendas.send_minutes_for_comment(meeting)
    agendas.approve_minutes(meeting, in_meeting=later, by=people[0])
    db.session.commit()
    return meeting.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with scratch_app() as app:
        with app.app_context():
            meeting_id = build(args.items)
        gather, layout, pdf, pages = [], [], [], 0
        for _ in range(args.repeat):
            with app.test_request_context(headers={"Accept-Language": "nl"}):
                t0 = time.perf_counter()
                rec = content.record(load_meeting(meeting_id), "minutes", None)
                t1 = time.perf_counter()
                html = render_template("records/record_pdf.html", records=[rec])
                t2 = time.perf_counter()
                data = render_pdf(html)
                t3 = time.perf_counter()
                db.session.remove()
            gather.append(t1 - t0)
            layout.append(t2 - t1)
            pdf.append(t3 - t2)
            pages = len(PdfReader(io.BytesIO(data)).pages)
        total = [a + b + c for a, b, c in zip(gather, layout, pdf, strict=True)]
        print(
            f"minutes PDF of {args.items} items ({len(data) // 1024} KiB, {pages} pages), "
            f"median of {args.repeat} runs: {statistics.median(total):.2f} s "
            f"(record {statistics.median(gather) * 1000:.0f} ms, "
            f"HTML {statistics.median(layout) * 1000:.0f} ms, "
            f"WeasyPrint {statistics.median(pdf):.2f} s)"
        )


if __name__ == "__main__":
    main()
