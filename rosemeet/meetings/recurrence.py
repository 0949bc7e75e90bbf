"""Recurrence of meeting series: RRULE presets, validation, expansion and splitting.

Pure module: no database and no Flask app needed (translations are looked up lazily, so
texts come out in Dutch inside a request and in English elsewhere).

Conventions:

* A rule is the value of an RFC 5545 RRULE without ``DTSTART``, stored in the canonical
  form returned by :func:`normalize_rrule`, e.g. ``FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU``.
* A series has a first date ("starts on"), a wall-clock start time and an IANA zone. Its
  meetings are the rule's dates on or after the first date; the first date itself is a
  meeting only if it matches the rule. The first meeting is the earliest date on or after
  the first date that fits the rule's pattern, and ``INTERVAL`` counts from that meeting
  (so "every 2 weeks on Thursday" starting on a Friday first meets six days later, not
  13). ``COUNT`` counts meetings from the first date.
* ``UNTIL`` is a local calendar date, inclusive, written as a DATE value
  (``UNTIL=20271231``). Date-time values are accepted on input and reduced to their date.
* Occurrences are computed in local wall-clock time, so a 14:00 meeting stays at 14:00
  across daylight saving; a start time that does not exist or exists twice on a meeting
  day (DST change nights) is refused.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as du
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

__all__ = [
    "DEFAULT_TZ",
    "END_CHOICES",
    "MAX_MEETINGS_PER_YEAR",
    "MAX_OCCURRENCES",
    "MONTH_CHOICES",
    "MONTH_NAMES",
    "PRESET_CHOICES",
    "WEEKDAY_CHOICES",
    "WEEKDAY_NAMES",
    "WEEK_CHOICES",
    "EndKind",
    "ErrorCode",
    "Occurrence",
    "Preset",
    "PresetParams",
    "RecurrenceError",
    "RuleSplit",
    "SeriesEnd",
    "default_preset_params",
    "describe_rrule",
    "expand",
    "format_date",
    "get_end",
    "normalize_rrule",
    "occurrence_dates",
    "parse_preset",
    "preset_rrule",
    "set_end",
    "split_rule",
    "validate_rrule",
    "validate_series",
]

#: Zone of a series unless it says otherwise.
DEFAULT_TZ = "Europe/Brussels"
#: Most meetings one call to :func:`expand` or :func:`occurrence_dates` may return.
MAX_OCCURRENCES = 600
#: Most meetings a rule may give in any window of 52 weeks (weekly is the densest allowed).
MAX_MEETINGS_PER_YEAR = 52
#: Window for the density check: 52 weeks, so that plain weekly (53 in some years) passes.
DENSITY_WINDOW = timedelta(days=364)
#: How far ahead validation looks for density, emptiness and DST problems.
CHECK_YEARS = 30
#: Start of the density check when no first date is known (a Monday).
_REFERENCE_DATE = date(2001, 1, 1)

_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQS = {"YEARLY": du.YEARLY, "MONTHLY": du.MONTHLY, "WEEKLY": du.WEEKLY}
_TOO_FINE_FREQS = {"DAILY", "HOURLY", "MINUTELY", "SECONDLY"}
#: Canonical order of the parts of a rule.
_ORDER = (
    "FREQ",
    "INTERVAL",
    "BYMONTH",
    "BYWEEKNO",
    "BYYEARDAY",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
    "WKST",
    "COUNT",
    "UNTIL",
)
#: Parts the series sets itself (start, time of day) or that belong to single meetings.
_FORBIDDEN_TIME_PARTS = {"DTSTART", "DTEND", "DURATION", "TZID", "BYHOUR", "BYMINUTE", "BYSECOND"}
_FORBIDDEN_SET_PARTS = {"RDATE", "EXDATE", "EXRULE"}
_INT_LIST_RANGES = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
}
_BYDAY_RE = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$")


# --------------------------------------------------------------------------- errors


class ErrorCode(StrEnum):
    """Machine-readable reason of a :class:`RecurrenceError`."""

    SYNTAX = "syntax"
    FORBIDDEN_PART = "forbidden_part"
    FREQUENCY = "frequency"
    TOO_FREQUENT = "too_frequent"
    NO_DATES = "no_dates"
    NONEXISTENT_TIME = "nonexistent_time"
    AMBIGUOUS_TIME = "ambiguous_time"
    TOO_MANY = "too_many"
    TIMEZONE = "timezone"
    INVALID_VALUE = "invalid_value"
    SPLIT = "split"


class RecurrenceError(ValueError):
    """A rule, series or expansion that cannot be used; the message is translatable."""

    def __init__(
        self, message: LazyString | str, code: ErrorCode, *, on: date | None = None
    ) -> None:
        super().__init__(message)
        #: Lazy (translatable) text for the user.
        self.message = message
        #: Why, for code that reacts to the error.
        self.code = code
        #: The meeting date concerned, when there is one.
        self.date = on

    def __str__(self) -> str:
        return str(self.message)


class _LazyDate:
    """A date shown as e.g. "Sunday 28 March 2027", translated when turned into text."""

    def __init__(self, value: date) -> None:
        self.value = value

    def __str__(self) -> str:
        return format_date(self.value)


def format_date(value: date) -> str:
    """Return a date in words in the current language, e.g. 'zondag 28 maart 2027'."""
    text: str = _("%(weekday)s %(day)d %(month)s %(year)d") % {
        "weekday": str(WEEKDAY_NAMES[value.weekday()]),
        "day": value.day,
        "month": str(MONTH_NAMES[value.month - 1]),
        "year": value.year,
    }
    return text


# --------------------------------------------------------------------------- names

WEEKDAY_NAMES: tuple[LazyString, ...] = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
MONTH_NAMES: tuple[LazyString, ...] = (
    _l("January"),
    _l("February"),
    _l("March"),
    _l("April"),
    _l("May"),
    _l("June"),
    _l("July"),
    _l("August"),
    _l("September"),
    _l("October"),
    _l("November"),
    _l("December"),
)
_ORDINALS: dict[int, LazyString] = {
    1: _l("first"),
    2: _l("second"),
    3: _l("third"),
    4: _l("fourth"),
    5: _l("fifth"),
    -1: _l("last"),
    -2: _l("second-to-last"),
}

#: Form choices: weekday number (0 = Monday) and its name.
WEEKDAY_CHOICES: list[tuple[int, LazyString]] = list(enumerate(WEEKDAY_NAMES))
#: Form choices: month number (1 = January) and its name.
MONTH_CHOICES: list[tuple[int, LazyString]] = [(i + 1, n) for i, n in enumerate(MONTH_NAMES)]
#: Form choices: week of the month for "the nth weekday" (-1 = the last one).
WEEK_CHOICES: list[tuple[int, LazyString]] = [(n, _ORDINALS[n]) for n in (1, 2, 3, 4, -1)]


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class _Rule:
    """A parsed rule: canonical parts without the end, plus COUNT or UNTIL."""

    parts: dict[str, str] = field(default_factory=dict)
    count: int | None = None
    until: date | None = None

    @property
    def freq(self) -> str:
        return self.parts["FREQ"]

    @property
    def interval(self) -> int:
        return int(self.parts.get("INTERVAL", "1"))

    def with_end(self, count: int | None, until: date | None) -> _Rule:
        return _Rule(dict(self.parts), count, until)

    def to_string(self) -> str:
        items = [f"{name}={self.parts[name]}" for name in _ORDER if name in self.parts]
        if self.count is not None:
            items.append(f"COUNT={self.count}")
        if self.until is not None:
            items.append(f"UNTIL={self.until:%Y%m%d}")
        return ";".join(items)

    def build(self, first_date: date, *, with_end: bool = True) -> du.rrule:
        """Return the dateutil rule on naive dates, starting at first_date (midnight)."""
        kwargs: dict[str, object] = {
            "freq": _FREQS[self.freq],
            "dtstart": datetime.combine(first_date, time()),
            "interval": self.interval,
            "wkst": _WEEKDAY_CODES.index(self.parts.get("WKST", "MO")),
        }
        for name in _INT_LIST_RANGES:
            if name in self.parts:
                kwargs[name.lower()] = [int(v) for v in self.parts[name].split(",")]
        if "BYDAY" in self.parts:
            kwargs["byweekday"] = [_weekday_of(item) for item in self.parts["BYDAY"].split(",")]
        if with_end:
            kwargs["count"] = self.count
            if self.until is not None:
                kwargs["until"] = datetime.combine(self.until, time(23, 59, 59))
        try:
            return du.rrule(**kwargs)  # type: ignore[arg-type]
        except ValueError as exc:
            raise RecurrenceError(
                _l("This recurrence rule cannot be used: %(detail)s.", detail=str(exc)),
                ErrorCode.SYNTAX,
            ) from exc

    def dates(self, first_date: date, *, with_end: bool = True) -> Iterator[date]:
        """Yield the series' dates on or after first_date, in order.

        The first meeting is the earliest date on or after first_date that fits the rule's
        pattern; INTERVAL counts from that meeting's week, month or year.
        """
        anchor: date | None = first_date
        if self.interval != 1:
            pattern = _Rule({k: v for k, v in self.parts.items() if k != "INTERVAL"})
            anchor = next(pattern.dates(first_date, with_end=False), None)
        if anchor is None:
            return
        for value in self.build(anchor, with_end=with_end):
            yield value.date()


def _weekday_of(item: str) -> du.weekday:
    match = _BYDAY_RE.match(item)
    assert match is not None  # checked by _parse
    nth = int(match.group(1)) if match.group(1) else None
    return du.weekday(_WEEKDAY_CODES.index(match.group(2)), nth)


def _syntax_error(fragment: str) -> RecurrenceError:
    return RecurrenceError(
        _l("Could not read “%(part)s” in the recurrence rule.", part=fragment), ErrorCode.SYNTAX
    )


def _int_list(name: str, value: str) -> str:
    low, high, signed = _INT_LIST_RANGES[name]
    numbers: list[int] = []
    for item in value.split(","):
        if not re.fullmatch(r"[+-]?\d{1,3}" if signed else r"\d{1,2}", item):
            raise _syntax_error(f"{name}={value}")
        number = int(item)
        if not low <= abs(number) <= high:
            raise _syntax_error(f"{name}={value}")
        numbers.append(number)
    return ",".join(str(n) for n in numbers)


def _parse_until(value: str) -> date:
    match = _UNTIL_RE.match(value)
    if match is None:
        raise _syntax_error(f"UNTIL={value}")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise _syntax_error(f"UNTIL={value}") from exc


def _positive_int(name: str, value: str) -> int:
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise _syntax_error(f"{name}={value}")
    return int(value)


def _parse(rule: str) -> _Rule:
    """Parse and check the structure of a rule; raise RecurrenceError when it is not usable."""
    text = (rule or "").strip()
    if not text:
        raise RecurrenceError(_l("The recurrence rule is empty."), ErrorCode.SYNTAX)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    values: list[str] = []
    for line in lines:
        if ":" in line:
            name, value = line.split(":", 1)
            name = name.split(";", 1)[0].strip().upper()
            if name != "RRULE":
                raise _forbidden(name)
            values.append(value)
        else:
            values.append(line)
    if len(values) > 1:
        raise RecurrenceError(
            _l("Only one recurrence rule is allowed per series."), ErrorCode.SYNTAX
        )

    parts: dict[str, str] = {}
    count: int | None = None
    until: date | None = None
    for fragment in values[0].split(";"):
        fragment = fragment.strip()
        if not fragment:
            continue
        if "=" not in fragment:
            raise _syntax_error(fragment)
        name, value = (s.strip().upper() for s in fragment.split("=", 1))
        if name in _FORBIDDEN_TIME_PARTS or name in _FORBIDDEN_SET_PARTS:
            raise _forbidden(name)
        if name not in _ORDER:
            raise RecurrenceError(
                _l("Unknown part “%(part)s” in the recurrence rule.", part=name),
                ErrorCode.SYNTAX,
            )
        if (
            name in parts
            or (name == "COUNT" and count is not None)
            or (name == "UNTIL" and until is not None)
        ):
            raise RecurrenceError(
                _l("The part %(part)s appears twice in the recurrence rule.", part=name),
                ErrorCode.SYNTAX,
            )
        if not value:
            raise _syntax_error(fragment)
        if name == "FREQ":
            if value in _TOO_FINE_FREQS:
                raise RecurrenceError(
                    _l(
                        "Meetings cannot repeat daily or more often; "
                        "use a weekly, monthly or yearly rule."
                    ),
                    ErrorCode.FREQUENCY,
                )
            if value not in _FREQS:
                raise _syntax_error(fragment)
            parts[name] = value
        elif name == "INTERVAL":
            interval = _positive_int(name, value)
            if interval != 1:
                parts[name] = str(interval)
        elif name == "COUNT":
            count = _positive_int(name, value)
        elif name == "UNTIL":
            until = _parse_until(value)
        elif name == "WKST":
            if value not in _WEEKDAY_CODES:
                raise _syntax_error(fragment)
            parts[name] = value
        elif name == "BYDAY":
            items = []
            for item in value.split(","):
                match = _BYDAY_RE.match(item)
                if match is None or (match.group(1) and not 1 <= abs(int(match.group(1))) <= 53):
                    raise _syntax_error(fragment)
                nth = int(match.group(1)) if match.group(1) else None
                items.append(f"{nth or ''}{match.group(2)}")
            parts[name] = ",".join(items)
        else:
            parts[name] = _int_list(name, value)

    if "FREQ" not in parts:
        raise RecurrenceError(
            _l("The recurrence rule needs a FREQ part, for example FREQ=MONTHLY."),
            ErrorCode.SYNTAX,
        )
    if count is not None and until is not None:
        raise RecurrenceError(
            _l("A recurrence rule cannot have both COUNT and UNTIL."), ErrorCode.SYNTAX
        )
    _check_combinations(parts)
    return _Rule(parts, count, until)


def _forbidden(name: str) -> RecurrenceError:
    if name in _FORBIDDEN_SET_PARTS:
        message = _l(
            "The recurrence rule may not contain %(part)s: move or cancel single meetings instead.",
            part=name,
        )
    elif name in _FORBIDDEN_TIME_PARTS:
        message = _l(
            "The recurrence rule may not contain %(part)s: the first date, the start time "
            "and the time zone are set on the series.",
            part=name,
        )
    else:
        message = _l("Unknown part “%(part)s” in the recurrence rule.", part=name)
    return RecurrenceError(message, ErrorCode.FORBIDDEN_PART)


def _check_combinations(parts: dict[str, str]) -> None:
    """Refuse the combinations RFC 5545 does not define (dateutil would guess)."""
    freq = parts["FREQ"]

    def refuse(part: str) -> RecurrenceError:
        return RecurrenceError(
            _l("%(part)s cannot be used with FREQ=%(freq)s.", part=part, freq=freq),
            ErrorCode.SYNTAX,
        )

    numbered = [d for d in parts.get("BYDAY", "").split(",") if d and d[0] in "+-0123456789"]
    if numbered:
        if freq not in ("MONTHLY", "YEARLY") or "BYWEEKNO" in parts:
            raise refuse(f"BYDAY={parts['BYDAY']}")
        if freq == "MONTHLY" and any(abs(int(d[:-2])) > 5 for d in numbered):
            raise _syntax_error(f"BYDAY={parts['BYDAY']}")
    if "BYMONTHDAY" in parts and freq == "WEEKLY":
        raise refuse("BYMONTHDAY")
    for name in ("BYYEARDAY", "BYWEEKNO"):
        if name in parts and freq != "YEARLY":
            raise refuse(name)
    if "BYSETPOS" in parts and not any(n.startswith("BY") and n != "BYSETPOS" for n in parts):
        raise RecurrenceError(
            _l("BYSETPOS needs another BY… part, for example BYDAY."), ErrorCode.SYNTAX
        )


# --------------------------------------------------------------------------- validation


def normalize_rrule(rule: str) -> str:
    """Return the canonical form of a rule (no 'RRULE:' prefix, fixed part order)."""
    return _parse(rule).to_string()


def _check_pattern(parsed: _Rule, first_date: date | None) -> None:
    """Refuse a rule whose pattern gives no dates or more than 52 in 52 weeks."""
    start = first_date or _REFERENCE_DATE
    horizon = _add_years(start, CHECK_YEARS)
    recent: deque[date] = deque(maxlen=MAX_MEETINGS_PER_YEAR)
    seen = False
    try:
        for day in parsed.dates(start, with_end=False):
            if day > horizon:
                break
            seen = True
            if len(recent) == MAX_MEETINGS_PER_YEAR and day - recent[0] < DENSITY_WINDOW:
                raise RecurrenceError(
                    _l(
                        "This rule gives more than %(max)d meetings in a year; a body can "
                        "meet at most once a week on average.",
                        max=MAX_MEETINGS_PER_YEAR,
                    ),
                    ErrorCode.TOO_FREQUENT,
                    on=day if first_date is not None else None,
                )
            recent.append(day)
    except ValueError as exc:  # dateutil: "byxxx generates an empty set"
        if isinstance(exc, RecurrenceError):
            raise
        seen = False
    if not seen:
        raise RecurrenceError(_l("This rule gives no meetings."), ErrorCode.NO_DATES)


def _first_date_or_none(parsed: _Rule, first_date: date) -> date | None:
    horizon = _add_years(first_date, CHECK_YEARS)
    for day in parsed.dates(first_date):
        return day if day <= horizon else None
    return None


def validate_rrule(rule: str, first_date: date | None = None) -> None:
    """Raise RecurrenceError unless the rule is usable (for a series starting on first_date)."""
    parsed = _parse(rule)
    _check_pattern(parsed, first_date)
    if first_date is not None and _first_date_or_none(parsed, first_date) is None:
        raise RecurrenceError(
            _l(
                "This rule gives no meetings on or after %(date)s.",
                date=_LazyDate(first_date),
            ),
            ErrorCode.NO_DATES,
            on=first_date,
        )


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise RecurrenceError(
            _l("Unknown time zone “%(zone)s”.", zone=str(tz)), ErrorCode.TIMEZONE
        ) from exc


def _local_start(day: date, start_time: time, zone: ZoneInfo) -> datetime:
    """Return the aware local start; refuse a wall-clock time skipped or repeated by DST."""
    if start_time.tzinfo is not None:
        raise ValueError("start_time must be a naive wall-clock time")
    naive = datetime.combine(day, start_time)
    aware = naive.replace(tzinfo=zone)
    clock = f"{start_time:%H:%M}"
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise RecurrenceError(
            _l(
                "The start time %(time)s does not exist on %(date)s in %(zone)s (the clocks "
                "go forward that night). Choose another start time.",
                time=clock,
                date=_LazyDate(day),
                zone=zone.key,
            ),
            ErrorCode.NONEXISTENT_TIME,
            on=day,
        )
    if aware.replace(fold=1).utcoffset() != aware.utcoffset():
        raise RecurrenceError(
            _l(
                "The start time %(time)s occurs twice on %(date)s in %(zone)s (the clocks "
                "go back that night). Choose another start time.",
                time=clock,
                date=_LazyDate(day),
                zone=zone.key,
            ),
            ErrorCode.AMBIGUOUS_TIME,
            on=day,
        )
    return aware


def validate_series(rule: str, first_date: date, start_time: time, tz: str = DEFAULT_TZ) -> None:
    """Raise RecurrenceError unless the series works, incl. DST, for its next 30 years."""
    validate_rrule(rule, first_date)
    zone = _zone(tz)
    horizon = _add_years(first_date, CHECK_YEARS)
    for day in _parse(rule).dates(first_date):
        if day > horizon:
            break
        _local_start(day, start_time, zone)


# --------------------------------------------------------------------------- expansion


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One meeting of a series: local start (aware, in the series' zone) and UTC bounds."""

    #: Start in the series' zone (aware); its wall-clock time is the series' start time.
    start: datetime
    #: Start in UTC (aware), as stored.
    start_utc: datetime
    #: End in UTC (aware): start_utc plus the duration.
    end_utc: datetime

    @property
    def local_date(self) -> date:
        """Return the local calendar date, the natural key of a meeting within its series."""
        return self.start.date()

    @property
    def end(self) -> datetime:
        """Return the end in the series' zone."""
        return self.end_utc.astimezone(self.start.tzinfo)


def _too_many(limit: int) -> RecurrenceError:
    return RecurrenceError(
        _l(
            "This would create more than %(limit)d meetings at once; choose an earlier end "
            "or a shorter period.",
            limit=limit,
        ),
        ErrorCode.TOO_MANY,
    )


def first_occurrence(rule: str, first_date: date) -> date | None:
    """The series' first meeting date (None: the rule makes none); RecurrenceError when the
    rule is not usable."""
    return next(_parse(rule).dates(first_date), None)


def next_occurrence(rule: str, first_date: date, from_date: date) -> date | None:
    """The series' first meeting date on or after from_date (None: it makes no more)."""
    return next((day for day in _parse(rule).dates(first_date) if day >= from_date), None)


def occurrence_dates(
    rule: str,
    first_date: date,
    until: date,
    *,
    after: date | None = None,
    limit: int = MAX_OCCURRENCES,
) -> list[date]:
    """Return the series' meeting dates up to until (inclusive), only those after `after`."""
    parsed = _parse(rule)
    _check_pattern(parsed, first_date)
    result: list[date] = []
    for day in parsed.dates(first_date):
        if day > until:
            break
        if after is not None and day <= after:
            continue
        if len(result) >= limit:
            raise _too_many(limit)
        result.append(day)
    return result


def expand(
    rule: str,
    first_date: date,
    start_time: time,
    duration: timedelta,
    tz: str,
    until: date,
    *,
    after: date | None = None,
    limit: int = MAX_OCCURRENCES,
) -> list[Occurrence]:
    """Return the series' meetings on local dates up to until (inclusive), after `after`."""
    if duration <= timedelta(0):
        raise RecurrenceError(
            _l("The duration of a meeting must be positive."), ErrorCode.INVALID_VALUE
        )
    zone = _zone(tz)
    parsed = _parse(rule)
    _check_pattern(parsed, first_date)
    result: list[Occurrence] = []
    for day in parsed.dates(first_date):
        if day > until:
            break
        local = _local_start(day, start_time, zone)
        if after is not None and day <= after:
            continue
        if len(result) >= limit:
            raise _too_many(limit)
        start_utc = local.astimezone(UTC)
        result.append(Occurrence(local, start_utc, start_utc + duration))
    return result


# --------------------------------------------------------------------------- end of a series


class EndKind(StrEnum):
    """How a series ends."""

    NEVER = "never"
    UNTIL = "until"
    COUNT = "count"


#: Form choices for the end of a series.
END_CHOICES: list[tuple[str, LazyString]] = [
    (EndKind.NEVER.value, _l("No end date")),
    (EndKind.UNTIL.value, _l("Until a date")),
    (EndKind.COUNT.value, _l("After a number of meetings")),
]


@dataclass(frozen=True, slots=True)
class SeriesEnd:
    """The end of a series: never, until a local date (inclusive) or after N meetings."""

    kind: EndKind = EndKind.NEVER
    until: date | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        if self.kind is EndKind.UNTIL and (self.until is None or self.count is not None):
            raise RecurrenceError(
                _l("Choose the last date of the series."), ErrorCode.INVALID_VALUE
            )
        if self.kind is EndKind.COUNT and (
            self.count is None or self.count < 1 or self.until is not None
        ):
            raise RecurrenceError(
                _l("The number of meetings must be at least 1."), ErrorCode.INVALID_VALUE
            )
        if self.kind is EndKind.NEVER and (self.until is not None or self.count is not None):
            raise RecurrenceError(
                _l("A series without an end has no date or number of meetings."),
                ErrorCode.INVALID_VALUE,
            )

    @classmethod
    def never(cls) -> SeriesEnd:
        """Return 'no end'."""
        return cls()

    @classmethod
    def on(cls, until: date) -> SeriesEnd:
        """Return 'until this local date, inclusive'."""
        return cls(EndKind.UNTIL, until=until)

    @classmethod
    def after(cls, count: int) -> SeriesEnd:
        """Return 'after this many meetings'."""
        return cls(EndKind.COUNT, count=count)


def get_end(rule: str) -> SeriesEnd:
    """Return the end written in a rule (its UNTIL or COUNT)."""
    parsed = _parse(rule)
    if parsed.count is not None:
        return SeriesEnd.after(parsed.count)
    if parsed.until is not None:
        return SeriesEnd.on(parsed.until)
    return SeriesEnd.never()


def set_end(rule: str, end: SeriesEnd) -> str:
    """Return the rule (canonical) with its UNTIL/COUNT replaced by the given end."""
    return _parse(rule).with_end(end.count, end.until).to_string()


# --------------------------------------------------------------------------- split


class RuleSplit(NamedTuple):
    """The two rules of a series split for "this and the following meetings"."""

    #: The old series' rule, ending (UNTIL) the day before the split date.
    old_rule: str
    #: The new series' rule; with COUNT, the meetings the old series had still to come.
    new_rule: str
    #: The new series' first date: its first meeting (the split date if that is a meeting).
    new_first_date: date


def split_rule(rule: str, first_date: date, from_date: date) -> RuleSplit:
    """Split a series at from_date into an old rule (before it) and a new rule (from it)."""
    parsed = _parse(rule)
    before = 0
    new_first: date | None = None
    for day in parsed.dates(first_date):
        if day >= from_date:
            new_first = day
            break
        before += 1
    if before == 0:
        raise RecurrenceError(
            _l(
                "The series has no meetings before %(date)s; change the whole series instead.",
                date=_LazyDate(from_date),
            ),
            ErrorCode.SPLIT,
            on=from_date,
        )
    if new_first is None:
        raise RecurrenceError(
            _l(
                "The series has no meetings on or after %(date)s to split off.",
                date=_LazyDate(from_date),
            ),
            ErrorCode.SPLIT,
            on=from_date,
        )
    old = parsed.with_end(None, from_date - timedelta(days=1))
    count = parsed.count - before if parsed.count is not None else None
    new = parsed.with_end(count, parsed.until)
    return RuleSplit(old.to_string(), new.to_string(), new_first)


# --------------------------------------------------------------------------- presets


class Preset(StrEnum):
    """The rule shapes offered in the series form."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    MONTHS = "months"
    YEARLY = "yearly"
    CUSTOM = "custom"


#: Form choices: preset and its label.
PRESET_CHOICES: list[tuple[str, LazyString]] = [
    (Preset.WEEKLY.value, _l("Every week or every few weeks, on a weekday")),
    (
        Preset.MONTHLY.value,
        _l("Every month or every few months, e.g. on the 2nd Tuesday or the last Thursday"),
    ),
    (
        Preset.MONTHS.value,
        _l(
            "A few times a year in chosen months, e.g. March, June and October on the 3rd Wednesday"
        ),
    ),
    (Preset.YEARLY.value, _l("Once a year, e.g. on the 2nd Tuesday of June")),
    (Preset.CUSTOM.value, _l("Custom rule (RRULE)")),
]


@dataclass(frozen=True, slots=True)
class PresetParams:
    """Parameters of a preset; which fields matter depends on the preset."""

    preset: Preset
    #: Weeks (WEEKLY), months (MONTHLY) or years (MONTHS, YEARLY) between meetings.
    interval: int = 1
    #: 0 = Monday ... 6 = Sunday.
    weekday: int = 0
    #: Which weekday of the month: 1-4, or -1 for the last one (not for WEEKLY).
    week: int = 1
    #: Months 1-12: several for MONTHS, exactly one for YEARLY.
    months: tuple[int, ...] = ()
    #: The rule itself, for CUSTOM.
    custom_rule: str = ""


def _invalid(message: LazyString) -> RecurrenceError:
    return RecurrenceError(message, ErrorCode.INVALID_VALUE)


def preset_rrule(params: PresetParams, end: SeriesEnd | None = None) -> str:
    """Return the canonical rule for a preset and an end (None: none; CUSTOM keeps its own)."""
    if params.preset is Preset.CUSTOM:
        rule = normalize_rrule(params.custom_rule)
        if end is not None:
            rule = set_end(rule, end)
        validate_rrule(rule)
        return rule
    end = end or SeriesEnd.never()
    if params.interval < 1:
        raise _invalid(_l("The interval must be at least 1."))
    if not 0 <= params.weekday <= 6:
        raise _invalid(_l("Choose a weekday."))
    day = _WEEKDAY_CODES[params.weekday]
    if params.preset is not Preset.WEEKLY:
        if params.week not in (1, 2, 3, 4, -1):
            raise _invalid(_l("Choose the week of the month: first to fourth, or last."))
        day = f"{params.week}{day}"
    parts = {"FREQ": "WEEKLY" if params.preset is Preset.WEEKLY else "MONTHLY", "BYDAY": day}
    if params.preset in (Preset.MONTHS, Preset.YEARLY):
        months = sorted(set(params.months))
        if not months or not all(1 <= m <= 12 for m in months):
            raise _invalid(_l("Choose at least one month."))
        if params.preset is Preset.YEARLY and len(months) != 1:
            raise _invalid(_l("A yearly series takes exactly one month."))
        parts["FREQ"] = "YEARLY"
        parts["BYMONTH"] = ",".join(str(m) for m in months)
    if params.interval != 1:
        parts["INTERVAL"] = str(params.interval)
    rule = _Rule(parts, end.count, end.until).to_string()
    validate_rrule(rule)
    return rule


def default_preset_params(first_date: date, preset: Preset = Preset.MONTHLY) -> PresetParams:
    """Return preset parameters that fit a first date (e.g. 2027-01-12: 2nd Tuesday)."""
    week = (first_date.day - 1) // 7 + 1
    return PresetParams(
        preset=preset,
        weekday=first_date.weekday(),
        week=week if week <= 4 else -1,
        months=(first_date.month,),
    )


def parse_preset(rule: str) -> PresetParams:
    """Return the preset parameters a rule was made from (CUSTOM if it fits none); no end."""
    parsed = _parse(rule).with_end(None, None)
    parts = dict(parsed.parts)
    interval = int(parts.pop("INTERVAL", "1"))
    freq = parts.pop("FREQ")
    months = parts.pop("BYMONTH", None)
    byday = parts.pop("BYDAY", None)
    match = _BYDAY_RE.match(byday or "")
    if not parts and match is not None:
        nth = int(match.group(1)) if match.group(1) else None
        weekday = _WEEKDAY_CODES.index(match.group(2))
        if freq == "WEEKLY" and nth is None and months is None:
            return PresetParams(Preset.WEEKLY, interval=interval, weekday=weekday)
        if nth in (1, 2, 3, 4, -1):
            assert nth is not None
            if freq == "MONTHLY" and months is None:
                return PresetParams(Preset.MONTHLY, interval, weekday, nth)
            if freq == "YEARLY" and months is not None:
                month_list = tuple(int(m) for m in months.split(","))
                kind = Preset.YEARLY if len(month_list) == 1 else Preset.MONTHS
                return PresetParams(kind, interval, weekday, nth, month_list)
    return PresetParams(Preset.CUSTOM, custom_rule=parsed.to_string())


# --------------------------------------------------------------------------- description


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    text: str = _("%(items)s and %(last)s") % {"items": ", ".join(words[:-1]), "last": words[-1]}
    return text


def _describe_days(byday: str) -> str | None:
    plain: list[str] = []
    numbered: list[str] = []
    for item in byday.split(","):
        match = _BYDAY_RE.match(item)
        if match is None:
            return None
        name = str(WEEKDAY_NAMES[_WEEKDAY_CODES.index(match.group(2))])
        if match.group(1) is None:
            plain.append(name)
        elif int(match.group(1)) in _ORDINALS:
            ordinal = str(_ORDINALS[int(match.group(1))])
            numbered.append(
                _("the %(ordinal)s %(weekday)s") % {"ordinal": ordinal, "weekday": name}
            )
        else:
            return None
    if plain and numbered:
        return None
    return _join(plain or numbered)


def describe_rrule(rule: str) -> str:
    """Describe a rule in words in the current language; fall back to the rule itself."""
    try:
        parsed = _parse(rule)
    except RecurrenceError:
        return rule
    parts = dict(parsed.parts)
    freq = parts.pop("FREQ")
    interval = int(parts.pop("INTERVAL", "1"))
    months = parts.pop("BYMONTH", None)
    byday = parts.pop("BYDAY", None)
    monthday = parts.pop("BYMONTHDAY", None)
    if parts.pop("WKST", None) is not None and interval != 1 and freq == "WEEKLY":
        return parsed.to_string()  # the week start changes which weeks count
    if parts or (byday and monthday):
        return parsed.to_string()

    text: str
    if freq == "WEEKLY":
        text = _("weekly") if interval == 1 else _("every %(num)d weeks", num=interval)
    elif freq == "MONTHLY":
        text = _("monthly") if interval == 1 else _("every %(num)d months", num=interval)
    else:
        text = _("yearly") if interval == 1 else _("every %(num)d years", num=interval)

    if months is not None:
        names = [str(MONTH_NAMES[int(m) - 1]) for m in months.split(",")]
        text = _("%(rule)s in %(months)s") % {"rule": text, "months": _join(names)}
    if byday is not None:
        days = _describe_days(byday)
        if days is None:
            return parsed.to_string()
        text = _("%(rule)s on %(days)s") % {"rule": text, "days": days}
    if monthday is not None:
        numbers = [int(n) for n in monthday.split(",")]
        if any(n < 0 for n in numbers):
            return parsed.to_string()
        day_text = _join([_("day %(num)d", num=n) for n in numbers])
        text = _("%(rule)s on %(days)s") % {"rule": text, "days": day_text}

    if parsed.count is not None:
        text = _("%(rule)s, %(times)s") % {
            "rule": text,
            "times": ngettext("%(num)d time", "%(num)d times", parsed.count),
        }
    elif parsed.until is not None:
        text = _("%(rule)s, until %(date)s") % {"rule": text, "date": format_date(parsed.until)}
    return text


# --------------------------------------------------------------------------- helpers


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
