"""The forms to create a feed and to choose its reminder."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import ValidationError

from rosemeet.calendar.models import FeedScope
from rosemeet.calendar.operations import ALARM_MINUTES
from rosemeet.core.forms import Form

#: the reminders offered, by the minutes before a meeting ("": none)
ALARM_LABELS = {
    15: _l("15 minutes before"),
    60: _l("1 hour before"),
    1440: _l("1 day before"),
    2880: _l("2 days before"),
}


def alarm_choices() -> list[tuple[str, str]]:
    """The options of the reminder field: none, then each offered reminder."""
    return [("", _l("No reminder")), *((str(m), ALARM_LABELS[m]) for m in ALARM_MINUTES)]


class AlarmForm(Form):
    """The reminder a feed's events carry."""

    alarm = SelectField(
        _l("Reminder"),
        choices=alarm_choices,
        default="",
        validate_choice=False,
        description=_l("Your calendar application reminds you this long before each meeting."),
    )

    def validate_alarm(self, field) -> None:
        """Only the reminders offered."""
        if (field.data or "") not in {value for value, _label in alarm_choices()}:
            raise ValidationError(_l("Choose one of the reminders in the list."))

    @property
    def alarm_minutes(self) -> int | None:
        """The minutes chosen (None: no reminder); only after validation."""
        return int(self.alarm.data) if self.alarm.data else None


class FeedForm(AlarmForm):
    """Which calendar to subscribe to, and its reminder."""

    scope = SelectField(_l("Subscribe to"), choices=FeedScope.choices, default="person")
    body_id = SelectField(_l("Body"), coerce=int, validate_choice=False, default=0)
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=False, default=0)

    def validate_body_id(self, field) -> None:
        """A body feed needs a body."""
        if self.scope.data == FeedScope.BODY.value and not field.data:
            raise ValidationError(_l("Choose a body."))

    def validate_organisation_id(self, field) -> None:
        """An organisation feed needs an organisation."""
        if self.scope.data == FeedScope.ORGANISATION.value and not field.data:
            raise ValidationError(_l("Choose an organisation."))

    @property
    def target_id(self) -> int | None:
        """The body or organisation chosen for the scope."""
        scope = FeedScope(self.scope.data)
        if scope is FeedScope.BODY:
            return self.body_id.data
        if scope is FeedScope.ORGANISATION:
            return self.organisation_id.data
        return None
