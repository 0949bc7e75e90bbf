"""The reminder settings form."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, after types-wtforms 3.2

from rosemeet.core.enums import select_choices
from rosemeet.core.forms import Form
from rosemeet.mail.reminders import reminder_kinds


def reminder_choices() -> list[SelectChoice]:
    """The kinds of reminder the domains registered, as options with translated labels."""
    return select_choices((kind.key, str(kind.label)) for kind in reminder_kinds())


class ReminderForm(Form):
    """Which reminders a person wants (all are on by default)."""

    kinds = SelectMultipleField(
        _l("Send me"),
        choices=reminder_choices,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=True,
    )
