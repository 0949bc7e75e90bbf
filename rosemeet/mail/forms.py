"""The reminder settings form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, widgets

from rosemeet.mail.models import ReminderKind


class ReminderForm(FlaskForm):
    """Which reminders a person wants (all are on by default)."""

    kinds = SelectMultipleField(
        _l("Send me"),
        choices=ReminderKind.choices,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=True,
    )
