"""Account forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from rosemeet.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from rosemeet.core.enums import select_choices
from rosemeet.core.forms import Form
from rosemeet.core.i18n import LANGUAGES


class LoginForm(Form):
    """E-mail and password."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class RequestResetForm(Form):
    """Ask for a reset link."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])


class SetPasswordForm(Form):
    """Choose a password (reset or invitation)."""

    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH),
            Length(max=MAX_PASSWORD_LENGTH),
        ],
        description=_l(
            "At least %(n)s characters; a phrase of a few unrelated words works well."
            " Common passwords and your own name or address are refused.",
            n=MIN_PASSWORD_LENGTH,
        ),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(SetPasswordForm):
    """Change the password when logged in."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    revoke_tokens = BooleanField(
        _l("Also revoke all my API tokens (other sessions are always logged out)"), default=True
    )


class ProfileForm(Form):
    """A person's own settings."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=50)])
    locale = SelectField(_l("Language"), choices=select_choices(LANGUAGES.items()))


class ApiTokenForm(Form):
    """Name a new API token."""

    #: its own id: the profile page shows this form beside ProfileForm, whose ``name`` has
    #: the id "name" (the posted field stays ``name``)
    name = StringField(
        _l("Name of the token"), id="token-name", validators=[DataRequired(), Length(max=100)]
    )


class EndEverythingForm(Form):
    """End every session and revoke every API token (a button: only the CSRF token)."""
