"""Forms for series, single meetings, cancellation, answers, attendance and quorum rules.

The API validates JSON with the schemas of ``schemas.py``; ``API_MESSAGES`` are its messages.
"""

from __future__ import annotations

from datetime import date, time
from functools import cache
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from rosemeet.core.enums import select_choices
from rosemeet.core.forms import Form
from rosemeet.meetings import recurrence
from rosemeet.meetings.models import QuorumBasis, Response
from rosemeet.meetings.recurrence import (
    END_CHOICES,
    MONTH_CHOICES,
    PRESET_CHOICES,
    WEEK_CHOICES,
    WEEKDAY_CHOICES,
    EndKind,
    Preset,
    PresetParams,
    SeriesEnd,
)
from rosemeet.network.models import Role


def _after_end_field() -> BooleanField:
    """The confirmation of a meeting planned after a body's planned end (shown when asked)."""
    return BooleanField(_l("Plan it anyway after the planned end"))


def _roles_default() -> list[str]:
    return [r.value for r in Role]


def _invite_roles_field() -> SelectMultipleField:
    """The roles whose members are invited (all of them unless told)."""
    return SelectMultipleField(
        _l("Invite the members with role"),
        choices=Role.choices,
        default=_roles_default,
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )


def _guests_field() -> SelectMultipleField:
    """The people invited besides the members (choices set by the view)."""
    return SelectMultipleField(
        _l("Guests"),
        coerce=int,
        description=_l("People invited besides the members."),
        validators=[Optional()],
    )


@cache
def _zones() -> list[str]:
    """The IANA zones a series can be planned in: Brussels first, then the rest by name."""
    others = sorted(available_timezones() - {recurrence.DEFAULT_TZ})
    return [recurrence.DEFAULT_TZ, *others]


class SeriesForm(Form):
    """A series: first date, time, recurrence (a Dutch preset or an RRULE), end and place."""

    #: the series' version when "this and the following" was opened (a stale save is refused)
    version = HiddenField()
    #: confirms a series after a body's planned end (asked for by the AfterEnd refusal)
    after_end = _after_end_field()

    title = StringField(
        _l("Title"),
        description=_l("Leave empty to use the name of the body."),
        validators=[Optional(), Length(max=200)],
    )
    starts_on = DateField(_l("First date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()], default=time(14, 0))
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        validators=[InputRequired(), NumberRange(min=1, max=24 * 60)],
        default=120,
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=lambda: [(zone, zone) for zone in _zones()],
        default=recurrence.DEFAULT_TZ,
    )
    preset = SelectField(
        _l("Repeats"),
        choices=lambda: select_choices((v, str(label)) for v, label in PRESET_CHOICES),
        default=Preset.MONTHLY.value,
    )
    interval = IntegerField(
        _l("Every how many weeks, months or years"),
        description=_l("1: every week/month/year; 2: every other one; and so on."),
        validators=[Optional(), NumberRange(min=1, max=99)],
        default=1,
    )
    week = SelectField(
        _l("Which week of the month"),
        coerce=int,
        choices=lambda: select_choices((v, str(label)) for v, label in WEEK_CHOICES),
        default=1,
    )
    weekday = SelectField(
        _l("Weekday"),
        coerce=int,
        choices=lambda: select_choices((v, str(label)) for v, label in WEEKDAY_CHOICES),
        default=1,
    )
    months = SelectMultipleField(
        _l("Months"),
        coerce=int,
        choices=lambda: select_choices((v, str(label)) for v, label in MONTH_CHOICES),
        description=_l("For “a few times a year” and “once a year”."),
        validators=[Optional()],
    )
    rrule = StringField(
        _l("Custom rule (RRULE)"),
        description=_l("For example FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU."),
        validators=[Optional(), Length(max=300)],
    )
    end = RadioField(
        _l("Ends"),
        choices=lambda: select_choices((v, str(label)) for v, label in END_CHOICES),
        default=EndKind.NEVER.value,
    )
    until = DateField(_l("Last date"), validators=[Optional()])
    count = IntegerField(
        _l("Number of meetings"), validators=[Optional(), NumberRange(min=1, max=600)]
    )
    location = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    online_url = URLField(
        _l("Online link"),
        description=_l("A video-call link, if people can join online."),
        validators=[Optional(), Length(max=500)],
    )
    invite_roles = _invite_roles_field()
    guest_ids = _guests_field()
    body_ids = SelectMultipleField(
        _l("Joint with"),
        coerce=int,
        description=_l("Other bodies that hold these meetings together with this one."),
        validators=[Optional()],
    )

    def validate(self, extra_validators=None) -> bool:
        """WTForms' checks, and the date or the number the chosen end needs, shown under that
        field. (An empty field's ``Optional`` ends its checks, so its own validators never see
        it empty: the need is checked here.)"""
        valid = super().validate(extra_validators)
        needs = {
            EndKind.UNTIL.value: (self.until, _l("Choose the last date of the series.")),
            EndKind.COUNT.value: (self.count, _l("The number of meetings must be at least 1.")),
        }
        needed = needs.get(self.end.data or "")
        if needed is not None and needed[0].data is None and not needed[0].errors:
            needed[0].errors = [*needed[0].errors, needed[1]]
            return False
        return valid

    def validate_until(self, field) -> None:
        """The last date cannot lie before the first."""
        late = self.starts_on.data and field.data < self.starts_on.data
        if self.end.data == EndKind.UNTIL.value and late:
            raise ValidationError(_l("The end lies before the first date."))

    def validate_rrule(self, field) -> None:
        """A custom rule must be given when chosen."""
        if self.preset.data == Preset.CUSTOM.value and not (field.data or "").strip():
            raise ValidationError(_l("The recurrence rule is empty."))

    def validate_months(self, field) -> None:
        """The month presets need months."""
        if self.preset.data in (Preset.MONTHS.value, Preset.YEARLY.value) and not field.data:
            raise ValidationError(_l("Choose at least one month."))

    def series_end(self) -> SeriesEnd | None:
        """The end chosen (None keeps a custom rule's own end)."""
        kind = EndKind(self.end.data or EndKind.NEVER.value)
        until, count = self.until.data, self.count.data
        if kind is EndKind.UNTIL:
            assert until is not None  # validate_until requires it for this end
            return SeriesEnd.on(until)
        if kind is EndKind.COUNT:
            assert count is not None  # validate_count requires it for this end
            return SeriesEnd.after(count)
        return None if self.preset.data == Preset.CUSTOM.value else SeriesEnd.never()

    def build_rrule(self) -> str:
        """The canonical RRULE; raises RecurrenceError."""
        params = PresetParams(
            preset=Preset(self.preset.data),
            interval=self.interval.data or 1,
            weekday=self.weekday.data if self.weekday.data is not None else 0,
            week=self.week.data if self.week.data is not None else 1,
            months=tuple(self.months.data or ()),
            custom_rule=self.rrule.data or "",
        )
        return recurrence.preset_rrule(params, self.series_end())

    def fill_from_rule(self, rule: str, first_date: date) -> None:
        """Show an existing rule in the preset fields."""
        params = recurrence.parse_preset(rule)
        defaults = recurrence.default_preset_params(first_date)
        self.preset.data = params.preset.value
        self.interval.data = params.interval
        self.weekday.data = (
            params.weekday if params.preset is not Preset.CUSTOM else defaults.weekday
        )
        self.week.data = params.week if params.preset is not Preset.CUSTOM else defaults.week
        self.months.data = list(params.months or defaults.months)
        self.rrule.data = params.custom_rule or recurrence.set_end(rule, recurrence.SeriesEnd())
        end = recurrence.get_end(rule)
        self.end.data = end.kind.value
        self.until.data = end.until
        self.count.data = end.count


class MeetingForm(Form):
    """One meeting: planned once, or "this meeting" of a series (move, place)."""

    title = StringField(
        _l("Title"),
        description=_l("Leave empty to use the names of the bodies."),
        validators=[Optional(), Length(max=200)],
    )
    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()], default=time(14, 0))
    end_time = TimeField(_l("End time"), validators=[InputRequired()], default=time(16, 0))
    location = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    online_url = URLField(_l("Online link"), validators=[Optional(), Length(max=500)])
    body_ids = SelectMultipleField(
        _l("Bodies"),
        coerce=int,
        description=_l("Choose two bodies for a joint meeting."),
        validators=[DataRequired(message=_l("Choose at least one body."))],
    )
    invite_roles = _invite_roles_field()
    guest_ids = _guests_field()
    #: the version the meeting was opened at, when changing one (a stale save is refused)
    version = HiddenField()
    #: confirms a date after a body's planned end (asked for by the AfterEnd refusal)
    after_end = _after_end_field()

    def validate_end_time(self, field) -> None:
        """A meeting ends after it starts (on the same day)."""
        if field.data and self.start_time.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The meeting ends before it starts."))


class InviteesMailForm(Form):
    """A message from the secretary to everyone invited to a meeting."""

    #: made when the form is opened: sending the same form twice queues the mails once
    token = HiddenField()

    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(message=_l("Give the message a subject.")), Length(max=150)],
    )
    text = TextAreaField(
        _l("Message"),
        description=_l("Markdown: **bold**, lists with -, links."),
        validators=[DataRequired(message=_l("Write the message.")), Length(max=10_000)],
    )


class EndSeriesForm(Form):
    """End a series from a date: its meetings from then on are cancelled."""

    #: the version the series was opened at
    version = HiddenField()

    from_date = DateField(
        _l("No more meetings from"),
        validators=[DataRequired(message=_l("Choose the first date without a meeting."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Say why the series ends.")), Length(max=2000)],
    )


class CancelForm(Form):
    """Cancel one meeting."""

    #: the version the meeting was opened at (a cancellation of a meeting changed since is
    #: refused, so nobody cancels what they have not seen)
    version = HiddenField()

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Say why the meeting is cancelled.")),
            Length(max=2000),
        ],
    )


class RsvpForm(Form):
    """An invitee's answer."""

    response = SelectField(
        _l("Your answer"),
        choices=lambda: [r for r in Response.choices() if r.value != Response.NEEDS_ACTION.value],
    )


class QuorumForm(Form):
    """A body's quorum rule."""

    basis = SelectField(
        _l("Quorum"),
        choices=lambda: [
            *select_choices([("", str(_l("No quorum rule")))]),
            *QuorumBasis.choices(),
        ],
        validators=[Optional()],
    )
    percent = IntegerField(
        _l("Share that must be present (%)"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        default=50,
    )


#: Messages of the JSON API that belong to this domain (so its catalogue holds them).
API_MESSAGES = {
    "unknown_person": _l("Unknown person."),
    "to_before_from": _l("“to” lies before “from”."),
    "too_long": _l("Ask for at most three years at once."),
    "need_time": _l("Required: a date and time in ISO 8601 with the offset."),
    "need_response": _l("Give a response."),
}
