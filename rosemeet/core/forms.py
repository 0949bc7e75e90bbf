"""Forms shared by every domain."""

from flask import flash
from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """An empty form: a CSRF-protected button."""


def show_error(form, error, field_name: str | None = None) -> None:
    """Put an operation's refusal (``.message``, ``.field``) next to its form field, or flash
    it when the form has no such field."""
    name = field_name or getattr(error, "field", None)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
