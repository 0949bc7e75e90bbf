"""Forms for decisions, follow-ups, their status and the search box.

Ids of people, organisations, bodies and actions are checked against the database in the
view. (The API validates JSON with the schemas of ``schemas.py``.)
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from rosemeet.core.enums import select_choices
from rosemeet.core.forms import Form
from rosemeet.core.web import parse_id
from rosemeet.followups import closing
from rosemeet.followups.models import FollowUpStatus
from rosemeet.followups.schemas import RESOLUTION_MAX

#: the message for an id that names nothing (views and API)
UNKNOWN_CHOICE = _l("Choose from the list.")


def optional_int(value) -> int | None:
    """A select's value as an id, or None when empty, not a number or too big for an id."""
    if value in (None, "", "None"):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else parse_id(value)


class _IdField(SelectField):
    """A select of ids with an empty choice; unknown ids are refused by the view."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", optional_int)
        kwargs.setdefault("validate_choice", False)
        kwargs.setdefault("validators", [Optional()])
        super().__init__(*args, **kwargs)


class _IdsField(SelectMultipleField):
    """A multiple select of ids (plan actions)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("validate_choice", False)
        kwargs.setdefault("validators", [Optional()])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        self.data = [v for v in (optional_int(x) for x in valuelist) if v is not None]


class DecisionForm(Form):
    """A decision on an agenda item."""

    text = TextAreaField(
        _l("Decision"),
        description=_l("What was decided, in a sentence or two."),
        validators=[DataRequired(), Length(max=5000)],
    )
    body_id = _IdField(_l("Register of"), choices=[])
    action_ids = _IdsField(_l("Plan actions"), choices=[])


class FollowUpForm(Form):
    """A follow-up (opvolgpunt) on an agenda item or a decision."""

    title = StringField(_l("What"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=5000)])
    owner_person_id = _IdField(_l("Owner (person)"), choices=[])
    owner_organisation_id = _IdField(
        _l("Owner (organisation)"),
        description=_l("Empty: the organisation of the person."),
        choices=[],
    )
    due_on = DateField(
        _l("Due date"),
        description=_l("A date in the past is allowed; you will get a warning."),
        validators=[Optional()],
    )
    report_to_body_id = _IdField(
        _l("Report back to"),
        description=_l("The body that must hear about it (e.g. the ROA); it is on its agenda too."),
        choices=[],
    )
    decision_id = _IdField(_l("From decision"), choices=[])
    body_id = _IdField(_l("Follow-up list of"), choices=[])
    action_ids = _IdsField(_l("Plan actions"), choices=[])
    #: the version the follow-up was opened at (a stale save is refused)
    version = HiddenField()


class StatusForm(Form):
    """A follow-up's new status, and the meeting it was dealt with in."""

    status = SelectField(_l("Status"), choices=FollowUpStatus.choices, validators=[DataRequired()])
    closed_in_meeting_id = _IdField(
        _l("Dealt with in the meeting"),
        description=_l("A meeting that has already begun."),
        choices=[],
    )
    resolution = TextAreaField(
        _l("Answer"),
        description=_l(
            "What was decided or answered (Markdown). Required when closing a follow-up that "
            "reports back to another body: the body that raised it reads it."
        ),
        validators=[Optional(), Length(max=RESOLUTION_MAX)],
    )


class SearchForm(Form):
    """The search box."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])


class CloseGroupForm(Form):
    """The closing report, what happens to the open follow-ups, and the confirmation."""

    closing_report = TextAreaField(
        _l("Closing report"),
        description=_l(
            "What the group did, what it concluded and what it leaves, with links to its "
            "documents and decisions (Markdown). It goes as feedback to the bodies it reports "
            "to."
        ),
        validators=[
            DataRequired(message=_l("Write the closing report.")),
            Length(max=closing.REPORT_MAX),
        ],
    )
    follow_ups = RadioField(
        _l("Open follow-ups"),
        choices=select_choices(
            [
                (closing.CLOSE, _l("Close them all as done")),
                (closing.MOVE, _l("Move them to another body")),
            ]
        ),
        default=closing.CLOSE,
        validators=[DataRequired(message=_l("Choose what happens to the open follow-ups."))],
    )
    move_to_body_id = SelectField(
        _l("Move them to"), choices=[], coerce=optional_int, validate_choice=False
    )
    confirm = BooleanField(
        _l("Close the group: archive it, end its series and cancel its upcoming meetings"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
