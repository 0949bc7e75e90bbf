"""The series and meeting forms as a planner meets them: the dates shown before saving, every
overlap named, each error under its own field, and sensible prefilled values."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from rosemeet.extensions import db
from rosemeet.mail.models import OutboxMessage
from rosemeet.meetings.models import Meeting, MeetingSeries
from tests.conftest import brussels
from tests.meetings.conftest import SERIES_FORM


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def error_of(html: str, field: str) -> str:
    """The error text shown under a field (the macro's ``<small id="<field>-error">``)."""
    found = re.search(rf'<small[^>]*id="{field}-error"[^>]*>(.*?)</small>', html, re.S)
    return found.group(1).strip() if found else ""


def test_until_a_date_without_a_date_is_explained_under_the_date(client, auth, team):
    db.session.commit()
    auth.login(team["admin"].email)
    data = {**SERIES_FORM, "until": ""}
    answer = client.post(f"/bodies/{team['ag'].id}/series/new", data=data)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert error_of(html, "until") == "Kies de laatste datum van de reeks."
    assert count(MeetingSeries) == 0


def test_the_series_form_shows_its_dates_and_overlaps_before_saving(
    client, auth, team, make_meeting
):
    ag = team["ag"]
    clash = make_meeting(ag, starts_at=brussels(2027, 3, 9, 15), title="Werkbezoek")
    before = count(Meeting), count(OutboxMessage)
    db.session.commit()
    auth.login(team["admin"].email)
    answer = client.post(f"/bodies/{ag.id}/series/new", data={**SERIES_FORM, "preview": "1"})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    preview = html[html.index('data-testid="series-preview"') :]
    assert "Deze reeks plant voorlopig 6 vergaderingen" in preview
    days = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', preview)
    assert days == [
        "dinsdag 12 januari 2027, 14:00",
        "dinsdag 9 maart 2027, 14:00",
        "dinsdag 11 mei 2027, 14:00",
        "dinsdag 13 juli 2027, 14:00",
        "dinsdag 14 september 2027, 14:00",
        "dinsdag 9 november 2027, 14:00",
    ]
    assert "Overlapt met Werkbezoek om 15:00" in preview
    assert "1 ervan overlapt met andere vergaderingen" in preview
    # nothing saved, nothing queued, and the form keeps what was typed
    assert (count(Meeting), count(OutboxMessage)) == before
    assert count(MeetingSeries) == 0
    assert 'value="W13, Kortrijk"' in html
    assert clash.id  # the overlapping meeting is still there
    saved = client.post(f"/bodies/{ag.id}/series/new", data=SERIES_FORM)
    assert saved.status_code == 302
    assert count(Meeting) == before[0] + 6


def test_a_preview_of_a_refused_series_shows_the_refusal(client, auth, team):
    db.session.commit()
    auth.login(team["admin"].email)
    data = {**SERIES_FORM, "preset": "custom", "rrule": "FREQ=SECONDLY", "preview": "1"}
    html = client.post(f"/bodies/{team['ag'].id}/series/new", data=data).get_data(as_text=True)
    assert error_of(html, "rrule")
    assert 'data-testid="series-preview"' not in html
    assert count(MeetingSeries) == 0


def test_every_overlap_is_counted_after_saving(client, auth, team, make_meeting):
    ag = team["ag"]
    for day in (12,):
        make_meeting(ag, starts_at=brussels(2027, 1, day, 15), title="Januari-overleg")
    for month, day in ((3, 9), (5, 11), (7, 13), (9, 14)):
        make_meeting(ag, starts_at=brussels(2027, month, day, 15), title=f"Overleg {month}")
    db.session.commit()
    auth.login(team["admin"].email)
    answer = client.post(f"/bodies/{ag.id}/series/new", data=SERIES_FORM, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert html.count("Let op: dit overlapt met") == 3
    assert "…en nog 2 overlappingen." in html


def test_the_one_off_form_starts_with_the_body_address(client, auth, team):
    db.session.commit()
    auth.login(team["admin"].email)
    html = client.get(f"/meetings/new?body={team['ag'].id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="location"[^>]*value="W13, Kortrijk"', html)
