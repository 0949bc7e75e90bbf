"""Tests for the recurrence of meeting series (rosemeet.meetings.recurrence)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel

import rosemeet.meetings.recurrence as recurrence_module
from rosemeet.meetings.recurrence import (
    MAX_OCCURRENCES,
    PRESET_CHOICES,
    ErrorCode,
    Preset,
    PresetParams,
    RecurrenceError,
    SeriesEnd,
    default_preset_params,
    describe_rrule,
    expand,
    get_end,
    normalize_rrule,
    occurrence_dates,
    parse_preset,
    preset_rrule,
    set_end,
    split_rule,
    validate_rrule,
    validate_series,
)

BRUSSELS = "Europe/Brussels"
PO_FILE = (
    Path(recurrence_module.__file__).parent / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
)
ACTIEGROEP = "FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU"
TU, TH, WE, FR = 1, 3, 2, 4


def d(text: str) -> date:
    return date.fromisoformat(text)


def dates(texts: str) -> list[date]:
    return [d(t) for t in texts.split()]


def meetings(rule: str, first: str, until: str, at: time = time(14), **kwargs) -> list:
    return expand(rule, d(first), at, timedelta(hours=2), BRUSSELS, d(until), **kwargs)


# --------------------------------------------------------------------------- presets


def test_actiegroep_every_two_months_on_second_tuesday_2027() -> None:
    rule = preset_rrule(PresetParams(Preset.MONTHLY, interval=2, weekday=TU, week=2))
    assert rule == ACTIEGROEP
    assert occurrence_dates(rule, d("2027-01-01"), d("2027-12-31")) == dates(
        "2027-01-12 2027-03-09 2027-05-11 2027-07-13 2027-09-14 2027-11-09"
    )


def test_monthly_on_last_thursday_2027() -> None:
    rule = preset_rrule(PresetParams(Preset.MONTHLY, weekday=TH, week=-1))
    assert rule == "FREQ=MONTHLY;BYDAY=-1TH"
    assert occurrence_dates(rule, d("2027-01-01"), d("2027-12-31")) == dates(
        "2027-01-28 2027-02-25 2027-03-25 2027-04-29 2027-05-27 2027-06-24 "
        "2027-07-29 2027-08-26 2027-09-30 2027-10-28 2027-11-25 2027-12-30"
    )


def test_three_times_a_year_in_march_june_october_on_third_wednesday() -> None:
    params = PresetParams(Preset.MONTHS, weekday=WE, week=3, months=(10, 3, 6))
    rule = preset_rrule(params)
    assert rule == "FREQ=YEARLY;BYMONTH=3,6,10;BYDAY=3WE"
    assert occurrence_dates(rule, d("2027-01-01"), d("2028-12-31")) == dates(
        "2027-03-17 2027-06-16 2027-10-20 2028-03-15 2028-06-21 2028-10-18"
    )


def test_weekly_and_yearly_presets() -> None:
    fortnightly = preset_rrule(PresetParams(Preset.WEEKLY, interval=2, weekday=TH))
    assert fortnightly == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    assert occurrence_dates(fortnightly, d("2027-01-01"), d("2027-02-28")) == dates(
        "2027-01-07 2027-01-21 2027-02-04 2027-02-18"
    )
    yearly = preset_rrule(PresetParams(Preset.YEARLY, weekday=TU, week=2, months=(6,)))
    assert yearly == "FREQ=YEARLY;BYMONTH=6;BYDAY=2TU"
    assert occurrence_dates(yearly, d("2027-01-01"), d("2028-12-31")) == dates(
        "2027-06-08 2028-06-13"
    )


def test_preset_with_end_and_custom_rule() -> None:
    params = PresetParams(Preset.MONTHLY, interval=2, weekday=TU, week=2)
    assert preset_rrule(params, SeriesEnd.after(6)) == ACTIEGROEP + ";COUNT=6"
    assert preset_rrule(params, SeriesEnd.on(d("2027-12-31"))) == ACTIEGROEP + ";UNTIL=20271231"
    custom = PresetParams(Preset.CUSTOM, custom_rule="RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=4")
    assert preset_rrule(custom) == "FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=4"
    assert preset_rrule(custom, SeriesEnd.never()) == "FREQ=MONTHLY;BYDAY=1MO,3MO"


@pytest.mark.parametrize(
    "params",
    [
        PresetParams(Preset.MONTHLY, interval=0, weekday=TU, week=2),
        PresetParams(Preset.MONTHLY, weekday=TU, week=5),
        PresetParams(Preset.WEEKLY, weekday=7),
        PresetParams(Preset.MONTHS, weekday=WE, week=3, months=()),
        PresetParams(Preset.YEARLY, weekday=WE, week=3, months=(3, 6)),
    ],
)
def test_preset_parameters_out_of_range_are_refused(params: PresetParams) -> None:
    with pytest.raises(RecurrenceError) as info:
        preset_rrule(params)
    assert info.value.code is ErrorCode.INVALID_VALUE


def test_default_preset_params_from_first_date() -> None:
    params = default_preset_params(d("2027-01-12"))
    assert (params.preset, params.weekday, params.week, params.months) == (
        Preset.MONTHLY,
        TU,
        2,
        (1,),
    )
    assert preset_rrule(params) == "FREQ=MONTHLY;BYDAY=2TU"
    # 28 January 2027 is the 4th (and last) Thursday: the 4th is proposed.
    assert default_preset_params(d("2027-01-28")).week == 4
    # 29 January 2027 is the 5th Friday, which not every month has: "last" is proposed.
    last = default_preset_params(d("2027-01-29"), Preset.YEARLY)
    assert (last.weekday, last.week, last.months) == (FR, -1, (1,))
    assert preset_rrule(last) == "FREQ=YEARLY;BYMONTH=1;BYDAY=-1FR"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (ACTIEGROEP + ";COUNT=6", PresetParams(Preset.MONTHLY, 2, TU, 2)),
        ("FREQ=MONTHLY;BYDAY=-1TH", PresetParams(Preset.MONTHLY, 1, TH, -1)),
        ("FREQ=WEEKLY;BYDAY=FR", PresetParams(Preset.WEEKLY, 1, FR)),
        ("FREQ=YEARLY;BYMONTH=3,6,10;BYDAY=3WE", PresetParams(Preset.MONTHS, 1, WE, 3, (3, 6, 10))),
        ("FREQ=YEARLY;BYMONTH=6;BYDAY=2TU", PresetParams(Preset.YEARLY, 1, TU, 2, (6,))),
        (
            "FREQ=MONTHLY;BYDAY=1MO,3MO;UNTIL=20271231",
            PresetParams(Preset.CUSTOM, custom_rule="FREQ=MONTHLY;BYDAY=1MO,3MO"),
        ),
    ],
)
def test_parse_preset_recognises_the_form_shapes(rule: str, expected: PresetParams) -> None:
    assert parse_preset(rule) == expected


def test_preset_labels_are_lazy_english_outside_a_request() -> None:
    labels = dict(PRESET_CHOICES)
    assert str(labels["custom"]) == "Custom rule (RRULE)"


# --------------------------------------------------------------------------- DST and year end


def test_14h_meeting_stays_14h_local_across_both_dst_changes() -> None:
    result = meetings("FREQ=WEEKLY;BYDAY=TU", "2027-03-16", "2027-11-02")
    assert all((m.start.hour, m.start.minute) == (14, 0) for m in result)
    by_date = {m.local_date: m for m in result}
    # Winter time (CET, UTC+1) before 28 March 2027: 14:00 is 13:00 UTC.
    assert by_date[d("2027-03-23")].start_utc == datetime(2027, 3, 23, 13, tzinfo=UTC)
    # Summer time (CEST, UTC+2) from 28 March: 14:00 is 12:00 UTC.
    assert by_date[d("2027-03-30")].start_utc == datetime(2027, 3, 30, 12, tzinfo=UTC)
    assert by_date[d("2027-10-26")].start_utc == datetime(2027, 10, 26, 12, tzinfo=UTC)
    # Winter time again after 31 October.
    assert by_date[d("2027-11-02")].start_utc == datetime(2027, 11, 2, 13, tzinfo=UTC)
    assert by_date[d("2027-11-02")].end_utc == datetime(2027, 11, 2, 15, tzinfo=UTC)
    assert by_date[d("2027-11-02")].end.hour == 16
    assert str(by_date[d("2027-11-02")].start.tzinfo) == BRUSSELS


def test_last_thursday_across_the_year_end() -> None:
    result = meetings("FREQ=MONTHLY;BYDAY=-1TH", "2027-11-01", "2028-02-29")
    assert [m.local_date for m in result] == dates("2027-11-25 2027-12-30 2028-01-27 2028-02-24")
    assert [m.start_utc.hour for m in result] == [13, 13, 13, 13]


def test_weekly_friday_over_new_year_and_53_fridays_in_2027() -> None:
    result = meetings("FREQ=WEEKLY;BYDAY=FR", "2027-12-20", "2028-01-10")
    assert [m.local_date for m in result] == dates("2027-12-24 2027-12-31 2028-01-07")
    # 2027 starts on a Friday, so a weekly Friday body meets 53 times that year: allowed.
    assert len(occurrence_dates("FREQ=WEEKLY;BYDAY=FR", d("2027-01-01"), d("2027-12-31"))) == 53


# ------------------------------------------------------------------- first date, COUNT, UNTIL


def test_first_date_is_a_lower_bound_not_a_meeting() -> None:
    # 20 January is after the 2nd Tuesday of January: the first meeting is 9 February.
    assert occurrence_dates("FREQ=MONTHLY;BYDAY=2TU", d("2027-01-20"), d("2027-03-31")) == dates(
        "2027-02-09 2027-03-09"
    )


def test_interval_counts_from_the_first_meeting() -> None:
    # Starting on 20 January, after January's 2nd Tuesday: February is the first meeting and
    # the two-month rhythm follows from it (not January, March, ... with February skipped).
    assert occurrence_dates(ACTIEGROEP, d("2027-01-20"), d("2027-06-30")) == dates(
        "2027-02-09 2027-04-13 2027-06-08"
    )
    # The first date itself is the first meeting when it fits the rule.
    assert occurrence_dates(ACTIEGROEP, d("2027-03-09"), d("2027-07-31")) == dates(
        "2027-03-09 2027-05-11 2027-07-13"
    )


def test_count_counts_from_the_first_date() -> None:
    rule = "FREQ=MONTHLY;BYDAY=2TU;COUNT=3"
    assert occurrence_dates(rule, d("2027-01-20"), d("2030-12-31")) == dates(
        "2027-02-09 2027-03-09 2027-04-13"
    )
    # A horizon cutting earlier gives the first ones; a later horizon the same three.
    assert [m.local_date for m in meetings(rule, "2027-01-20", "2027-02-28")] == [d("2027-02-09")]
    assert len(meetings(rule, "2027-01-20", "2030-12-31")) == 3


def test_until_is_an_inclusive_local_date() -> None:
    rule = "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270309"
    result = meetings(rule, "2027-01-01", "2027-12-31", at=time(23, 30))
    assert [m.local_date for m in result] == dates("2027-01-12 2027-02-09 2027-03-09")
    # A UTC date-time UNTIL (as calendar clients write it) is read as its date.
    assert normalize_rrule("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270309T130000Z") == rule


def test_extending_the_horizon_gives_identical_earlier_items() -> None:
    short = meetings(ACTIEGROEP + ";COUNT=10", "2027-01-01", "2027-06-30")
    long = meetings(ACTIEGROEP + ";COUNT=10", "2027-01-01", "2028-12-31")
    assert long[: len(short)] == short
    assert [m.local_date for m in short] == dates("2027-01-12 2027-03-09 2027-05-11")
    assert len(long) == 10
    extra = meetings(ACTIEGROEP + ";COUNT=10", "2027-01-01", "2028-12-31", after=d("2027-06-30"))
    assert short + extra == long
    assert extra[0].local_date == d("2027-07-13")


# --------------------------------------------------------------------------- ends


def test_set_and_get_end() -> None:
    rule = ACTIEGROEP + ";COUNT=6"
    assert get_end(rule) == SeriesEnd.after(6)
    until = set_end(rule, SeriesEnd.on(d("2027-12-31")))
    assert until == ACTIEGROEP + ";UNTIL=20271231"
    assert get_end(until) == SeriesEnd.on(d("2027-12-31"))
    assert set_end(until, SeriesEnd.never()) == ACTIEGROEP
    assert get_end(ACTIEGROEP) == SeriesEnd.never()
    with pytest.raises(RecurrenceError, match="at least 1"):
        SeriesEnd.after(0)


def test_normalize_rrule() -> None:
    assert normalize_rrule(" RRULE:byday=+2tu;freq=monthly;interval=1; ") == (
        "FREQ=MONTHLY;BYDAY=2TU"
    )


# --------------------------------------------------------------------------- split


def test_split_with_count_moves_the_remaining_count_to_the_new_rule() -> None:
    rule = ACTIEGROEP + ";COUNT=6"
    old, new, new_first = split_rule(rule, d("2027-01-01"), d("2027-05-11"))
    assert old == ACTIEGROEP + ";UNTIL=20270510"
    assert new == ACTIEGROEP + ";COUNT=4"
    assert new_first == d("2027-05-11")
    horizon = d("2030-12-31")
    assert occurrence_dates(old, d("2027-01-01"), horizon) == dates("2027-01-12 2027-03-09")
    assert occurrence_dates(new, new_first, horizon) == dates(
        "2027-05-11 2027-07-13 2027-09-14 2027-11-09"
    )


def test_split_with_until_keeps_the_end_on_the_new_rule() -> None:
    rule = ACTIEGROEP + ";UNTIL=20271231"
    split = split_rule(rule, d("2027-01-01"), d("2027-07-13"))
    assert split.old_rule == ACTIEGROEP + ";UNTIL=20270712"
    assert split.new_rule == rule
    assert occurrence_dates(split.new_rule, split.new_first_date, d("2030-12-31")) == dates(
        "2027-07-13 2027-09-14 2027-11-09"
    )


def test_split_on_a_day_without_meeting_keeps_the_two_month_rhythm() -> None:
    split = split_rule(ACTIEGROEP, d("2027-01-01"), d("2027-04-01"))
    # The new series starts at the next meeting, so it does not jump to April, June, ...
    assert split.new_first_date == d("2027-05-11")
    assert occurrence_dates(split.new_rule, split.new_first_date, d("2027-12-31")) == dates(
        "2027-05-11 2027-07-13 2027-09-14 2027-11-09"
    )


@pytest.mark.parametrize(
    "rule",
    [
        ACTIEGROEP + ";COUNT=9",
        "FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=MO,TH",
        "FREQ=MONTHLY",
        "FREQ=YEARLY;INTERVAL=2;BYMONTH=3,6,10;BYDAY=3WE",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    ],
)
def test_split_halves_together_give_the_original_dates(rule: str) -> None:
    first, split_at, horizon = d("2027-01-06"), d("2028-02-15"), d("2031-12-31")
    old, new, new_first = split_rule(rule, first, split_at)
    assert occurrence_dates(old, first, horizon) + occurrence_dates(
        new, new_first, horizon
    ) == occurrence_dates(rule, first, horizon)


def test_split_before_the_first_or_after_the_last_meeting_is_refused() -> None:
    with pytest.raises(RecurrenceError, match="no meetings before") as info:
        split_rule(ACTIEGROEP, d("2027-01-01"), d("2027-01-12"))
    assert info.value.code is ErrorCode.SPLIT
    with pytest.raises(RecurrenceError, match="no meetings on or after"):
        split_rule(ACTIEGROEP + ";COUNT=2", d("2027-01-01"), d("2027-04-01"))


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("rule", "code", "words"),
    [
        ("", ErrorCode.SYNTAX, "empty"),
        ("every other tuesday", ErrorCode.SYNTAX, "Could not read “every other tuesday”"),
        ("FREQ=FORTNIGHTLY", ErrorCode.SYNTAX, "Could not read “FREQ=FORTNIGHTLY”"),
        ("FREQ=MONTHLY;BYDAY=2XX", ErrorCode.SYNTAX, "Could not read “BYDAY=2XX”"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", ErrorCode.SYNTAX, "BYMONTHDAY=32"),
        ("FREQ=MONTHLY;COUNT=0", ErrorCode.SYNTAX, "COUNT=0"),
        ("FREQ=MONTHLY;UNTIL=20270231", ErrorCode.SYNTAX, "UNTIL=20270231"),
        ("BYDAY=2TU", ErrorCode.SYNTAX, "needs a FREQ part"),
        ("FREQ=MONTHLY;FREQ=WEEKLY", ErrorCode.SYNTAX, "FREQ appears twice"),
        ("FREQ=MONTHLY;COLOR=RED", ErrorCode.SYNTAX, "Unknown part “COLOR”"),
        ("FREQ=MONTHLY;COUNT=3;UNTIL=20271231", ErrorCode.SYNTAX, "both COUNT and UNTIL"),
        ("FREQ=WEEKLY;BYDAY=2TU", ErrorCode.SYNTAX, "BYDAY=2TU cannot be used with FREQ=WEEKLY"),
        ("FREQ=MONTHLY;BYDAY=6TU", ErrorCode.SYNTAX, "BYDAY=6TU"),
        ("FREQ=MONTHLY;BYSETPOS=1", ErrorCode.SYNTAX, "BYSETPOS needs another"),
        (
            "DTSTART:20270112T140000\nRRULE:FREQ=MONTHLY;BYDAY=2TU",
            ErrorCode.FORBIDDEN_PART,
            "may not contain DTSTART",
        ),
        ("FREQ=MONTHLY;DTSTART=20270112", ErrorCode.FORBIDDEN_PART, "may not contain DTSTART"),
        ("FREQ=WEEKLY;BYHOUR=9,14", ErrorCode.FORBIDDEN_PART, "may not contain BYHOUR"),
        ("EXDATE:20270309\nRRULE:FREQ=MONTHLY", ErrorCode.FORBIDDEN_PART, "cancel single"),
        ("FREQ=DAILY", ErrorCode.FREQUENCY, "daily or more often"),
        ("FREQ=DAILY;INTERVAL=14", ErrorCode.FREQUENCY, "daily or more often"),
        ("FREQ=HOURLY", ErrorCode.FREQUENCY, "daily or more often"),
        ("FREQ=WEEKLY;BYDAY=MO,TH", ErrorCode.TOO_FREQUENT, "more than 52 meetings in a year"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=1,8,15,22,29",
            ErrorCode.TOO_FREQUENT,
            "more than 52 meetings in a year",
        ),
        # The pattern counts, not the end: twice a week is refused even for 3 meetings.
        ("FREQ=MONTHLY;BYDAY=MO,TU;COUNT=3", ErrorCode.TOO_FREQUENT, "more than 52"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", ErrorCode.NO_DATES, "gives no meetings"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11", ErrorCode.NO_DATES, "gives no meetings"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(rule: str, code: ErrorCode, words: str) -> None:
    with pytest.raises(RecurrenceError) as info:
        validate_rrule(rule)
    assert info.value.code is code
    assert words in str(info.value)


def test_a_fortnightly_body_and_a_weekly_body_are_allowed() -> None:
    validate_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")
    validate_rrule("FREQ=WEEKLY")
    validate_rrule("FREQ=MONTHLY;BYDAY=1TU,3TU")


def test_until_before_the_first_date_gives_no_meetings() -> None:
    rule = "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20261231"
    validate_rrule(rule)  # fine as a rule on its own
    with pytest.raises(RecurrenceError, match="no meetings on or after Friday 1 January 2027"):
        validate_rrule(rule, d("2027-01-01"))


def test_expand_refuses_bad_rules_too() -> None:
    with pytest.raises(RecurrenceError, match="more than 52"):
        meetings("FREQ=WEEKLY;BYDAY=TU,TH", "2027-01-01", "2027-03-01")


def test_start_time_in_the_spring_dst_gap_is_refused_naming_the_date() -> None:
    rule = "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"
    with pytest.raises(RecurrenceError) as info:
        meetings(rule, "2027-01-01", "2027-12-31", at=time(2, 30))
    assert info.value.code is ErrorCode.NONEXISTENT_TIME
    assert info.value.date == d("2027-03-28")
    assert "02:30 does not exist on Sunday 28 March 2027 in Europe/Brussels" in str(info.value)


def test_start_time_in_the_repeated_autumn_hour_is_refused_naming_the_date() -> None:
    rule = "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"
    with pytest.raises(RecurrenceError) as info:
        meetings(rule, "2027-01-01", "2027-12-31", at=time(2, 30))
    assert info.value.code is ErrorCode.AMBIGUOUS_TIME
    assert info.value.date == d("2027-10-31")
    assert "02:30 occurs twice on Sunday 31 October 2027" in str(info.value)


def test_validate_series_finds_a_dst_problem_beyond_the_first_meetings() -> None:
    # A Sunday-night series at 02:30: the first meetings are fine, 28 March is not.
    assert len(meetings("FREQ=WEEKLY;BYDAY=SU", "2027-01-01", "2027-03-21", at=time(2, 30))) == 12
    with pytest.raises(RecurrenceError, match="28 March 2027") as info:
        validate_series("FREQ=WEEKLY;BYDAY=SU", d("2027-01-01"), time(2, 30), BRUSSELS)
    assert info.value.code is ErrorCode.NONEXISTENT_TIME
    validate_series("FREQ=WEEKLY;BYDAY=SU", d("2027-01-01"), time(14), BRUSSELS)


def test_too_many_occurrences_in_one_expansion_are_refused() -> None:
    # Weekly for 12 years is 626 meetings: more than one expansion may create.
    with pytest.raises(RecurrenceError) as info:
        meetings("FREQ=WEEKLY;BYDAY=TU", "2027-01-01", "2038-12-31")
    assert info.value.code is ErrorCode.TOO_MANY
    assert f"more than {MAX_OCCURRENCES} meetings at once" in str(info.value)
    with pytest.raises(RecurrenceError, match="more than 5 meetings"):
        occurrence_dates("FREQ=WEEKLY", d("2027-01-01"), d("2027-12-31"), limit=5)
    # Extending with `after` counts only the new meetings.
    assert len(meetings("FREQ=WEEKLY;BYDAY=TU", "2027-01-01", "2038-12-31", after=d("2033-01-01")))


def test_unknown_zone_and_empty_duration_are_refused() -> None:
    with pytest.raises(RecurrenceError, match="Unknown time zone “Europe/Brugge”"):
        expand(
            ACTIEGROEP,
            d("2027-01-01"),
            time(14),
            timedelta(hours=1),
            "Europe/Brugge",
            d("2027-12-31"),
        )
    with pytest.raises(RecurrenceError, match="duration"):
        expand(ACTIEGROEP, d("2027-01-01"), time(14), timedelta(0), BRUSSELS, d("2027-12-31"))


# --------------------------------------------------------------------------- descriptions


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (ACTIEGROEP, "every 2 months on the second Tuesday"),
        ("FREQ=MONTHLY;BYDAY=-1TH", "monthly on the last Thursday"),
        (
            "FREQ=YEARLY;BYMONTH=3,6,10;BYDAY=3WE;COUNT=6",
            "yearly in March, June and October on the third Wednesday, 6 times",
        ),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "every 2 weeks on Monday and Thursday"),
        (
            "FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20271231",
            "monthly on day 15, until Friday 31 December 2027",
        ),
        ("FREQ=YEARLY;COUNT=1", "yearly, 1 time"),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        ),
        ("not a rule", "not a rule"),
    ],
)
def test_describe_rrule_in_english(rule: str, text: str) -> None:
    assert describe_rrule(rule) == text


@pytest.fixture
def dutch_app(tmp_path: Path) -> Flask:
    """A bare Flask app speaking Dutch, using the module's catalogue compiled on the fly."""
    target = tmp_path / "nl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with PO_FILE.open("rb") as source, (target / "messages.mo").open("wb") as compiled:
        write_mo(compiled, read_po(source))
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "nl", default_translation_directories=str(tmp_path))
    return app


def test_descriptions_labels_and_errors_in_dutch(dutch_app: Flask) -> None:
    with dutch_app.test_request_context():
        assert describe_rrule(ACTIEGROEP) == "om de 2 maanden op de tweede dinsdag"
        assert describe_rrule("FREQ=MONTHLY;BYDAY=-1TH;UNTIL=20271231") == (
            "maandelijks op de laatste donderdag, tot en met vrijdag 31 december 2027"
        )
        assert describe_rrule("FREQ=YEARLY;BYMONTH=3,6,10;BYDAY=3WE;COUNT=6") == (
            "jaarlijks in maart, juni en oktober op de derde woensdag, 6 keer"
        )
        assert str(dict(PRESET_CHOICES)["custom"]) == "Eigen herhalingsregel (RRULE)"
        with pytest.raises(RecurrenceError) as info:
            meetings("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "2027-01-01", "2027-12-31", at=time(2, 30))
        assert str(info.value) == (
            "Het beginuur 02:30 bestaat niet op zondag 28 maart 2027 in Europe/Brussels "
            "(die nacht gaat de klok vooruit). Kies een ander beginuur."
        )


def test_dutch_catalogue_translates_every_message_of_the_module() -> None:
    with PO_FILE.open("rb") as source:
        catalogue = read_po(source, locale="nl")
    assert catalogue.locale is not None and str(catalogue.locale) == "nl"
    assert not catalogue.fuzzy
    keywords = {"_": None, "_l": None, "ngettext": (1, 2)}
    found = extract_from_file("python", recurrence_module.__file__, keywords=keywords)
    msgids = {msgid if isinstance(msgid, str) else msgid[0] for _, msgid, _, _ in found}
    assert len(msgids) > 60
    for msgid in msgids:
        message = catalogue.get(msgid)
        assert message is not None, msgid
        assert all(message.string) if isinstance(message.string, tuple) else message.string
        assert not list(message.check(catalogue)), msgid
