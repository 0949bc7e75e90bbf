"""Time zones: everything is stored in UTC and shown in Europe/Brussels.

Days and times a person reads go through Babel in the active locale (the person's, or the
one ``force_locale`` sets for a mail or for text stored as data), in one family of formats:
Babel's "medium" date ("12 jan 2027"), as the templates' ``date`` filter shows it, and its
"short" time. Machine-readable values (exports, ``datetime=`` attributes, form values) stay ISO.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_time

#: The network's time zone; series may carry another IANA zone.
LOCAL_TZ_NAME = "Europe/Brussels"
LOCAL_TZ = ZoneInfo(LOCAL_TZ_NAME)


def to_local(value: datetime, tz: str | ZoneInfo = LOCAL_TZ) -> datetime:
    """Convert an aware datetime to local time (Europe/Brussels unless told)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return value.astimezone(zone)


def local_today() -> date:
    """Today's date in Brussels."""
    return datetime.now(LOCAL_TZ).date()


def format_day(value: date | datetime) -> str:
    """A day as a person reads it: Babel's medium date in the active locale ("12 jan 2027").

    A datetime counts as the day it is in its own zone (a meeting's ``local_start`` is in the
    meeting's zone): Flask-Babel would otherwise rebase it to Brussels and could shift the day.
    """
    day = value.date() if isinstance(value, datetime) else value
    text: str = format_date(day, "medium")  # Flask-Babel is untyped
    return text


def format_day_time(value: datetime) -> str:
    """A day and a time of day ("12 jan 2027 19:30"), in the datetime's own zone."""
    return f"{format_day(value)} {format_time(value, 'short', rebase=False)}"
