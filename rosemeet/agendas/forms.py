"""Forms for agenda items, minutes, proposals, the body's template and settings."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from rosemeet.agendas.models import ItemKind, ItemRole
from rosemeet.core.forms import Form


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class ItemForm(Form):
    """An agenda item."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=ItemKind.choices, default=ItemKind.DISCUSSION.value)
    description = TextAreaField(
        _l("Description"),
        description=_l("Markdown: **bold**, *italic*, lists with -, links [text](https://...)."),
        validators=[Optional(), Length(max=20000)],
    )
    presenter_id = SelectField(
        _l("Presenter"), coerce=_optional_int, validators=[Optional()], validate_choice=False
    )
    presenter_text = StringField(
        _l("Or a presenter from outside the network"), validators=[Optional(), Length(max=200)]
    )
    planned_minutes = IntegerField(
        _l("Planned minutes"), validators=[Optional(), NumberRange(min=0, max=1440)]
    )
    links = TextAreaField(_l("Links (one per line)"), validators=[Optional(), Length(max=4000)])
    action_ids = SelectMultipleField(
        _l("Plan actions"), coerce=int, validate_choice=False, validators=[Optional()]
    )
    version = HiddenField()


class ActionSearchForm(Form):
    """Search plan actions by number or words (shown next to the item form)."""

    action_q = StringField(_l("Search plan actions by number or words"), validators=[Optional()])


class MinutesForm(Form):
    """The minutes of one item, with the version they were opened at."""

    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=100000)])
    version = HiddenField()


class ProposalForm(Form):
    """An item proposed for a body's next meeting."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=ItemKind.choices, default=ItemKind.DISCUSSION.value)
    description = TextAreaField(_l("What is it about?"), validators=[Optional(), Length(max=20000)])
    planned_minutes = IntegerField(
        _l("Time needed (minutes)"), validators=[Optional(), NumberRange(min=0, max=1440)]
    )


class AcceptForm(Form):
    """Accept a proposal onto a chosen meeting."""

    meeting_id = SelectField(_l("Meeting"), coerce=int)


class DeclineForm(Form):
    """Decline a proposal with a reason."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class TemplateItemForm(Form):
    """A standard opening item of a body's template."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=ItemKind.choices, default=ItemKind.INFORMATION.value)
    role = SelectField(
        _l("Standard item"),
        choices=lambda: [("", str(_l("None"))), *((r.value, r.label) for r in ItemRole)],
        validators=[Optional()],
    )
    planned_minutes = IntegerField(
        _l("Planned minutes"), validators=[Optional(), NumberRange(min=0, max=1440)]
    )


class SettingsForm(Form):
    """A body's agenda settings."""

    reminder_days = IntegerField(
        _l("Send the published agenda as a reminder this many days before a meeting"),
        validators=[InputRequired(), NumberRange(min=0, max=60)],
    )
