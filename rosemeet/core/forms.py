"""Forms shared by every domain."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """An empty form: a CSRF-protected button."""
