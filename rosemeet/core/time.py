"""Time zones: everything is stored in UTC and shown in Europe/Brussels."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

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
