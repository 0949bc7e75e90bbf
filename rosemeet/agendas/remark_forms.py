"""Forms of the remarks on minutes sent for comments: a remark, an answer, an acceptance.

The field names are shared by every item's form on the minutes page (each form posts to its
own item); ``with_ids`` gives the fields of one item's form ids of their own."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from rosemeet.agendas.remarks import PROPOSED_MAX, TEXT_MAX
from rosemeet.core.forms import Form


class RemarkForm(Form):
    """A remark on an item's minutes, optionally with a proposed wording."""

    text = TextAreaField(
        _l("Remark"),
        validators=[DataRequired(message=_l("Write the remark.")), Length(max=TEXT_MAX)],
    )
    proposed_text = TextAreaField(
        _l("Proposed wording"),
        description=_l("Optional: how the minutes of this item should read (Markdown)."),
        validators=[Optional(), Length(max=PROPOSED_MAX)],
    )


class AnswerForm(Form):
    """The secretary's answer to a remark."""

    answer = TextAreaField(
        _l("Answer"),
        validators=[DataRequired(message=_l("Write the answer.")), Length(max=TEXT_MAX)],
    )


class AcceptForm(Form):
    """Accept a remark's proposed wording, with an optional note."""

    answer = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=TEXT_MAX)])


def with_ids(form: Form, prefix: str) -> Form:
    """Give the form's fields (and their labels) ids that start with ``prefix``: several
    forms of one kind on a page, each field still named as the route reads it."""
    for field in form:
        if field.type in ("CSRFTokenField", "HiddenField"):
            continue
        field.id = f"{prefix}-{field.name}"
        field.label.field_id = field.id
    return form
