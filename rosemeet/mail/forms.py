"""The reminder settings form."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, widgets

from rosemeet.core.forms import Form
from rosemeet.mail.models import ReminderKind


class ReminderForm(Form):
    """Which reminders a person wants (all are on by default)."""

    kinds = SelectMultipleField(
        _l("Send me"),
        choices=ReminderKind.choices,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=True,
    )
