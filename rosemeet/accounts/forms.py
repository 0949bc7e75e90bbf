"""Account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from rosemeet.accounts.operations import MIN_PASSWORD_LENGTH
from rosemeet.core.enums import select_choices
from rosemeet.core.i18n import LANGUAGES


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class RequestResetForm(FlaskForm):
    """Ask for a reset link."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])


class SetPasswordForm(FlaskForm):
    """Choose a password (reset or invitation)."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(SetPasswordForm):
    """Change the password when logged in."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class ProfileForm(FlaskForm):
    """A person's own settings."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=50)])
    locale = SelectField(_l("Language"), choices=select_choices(LANGUAGES.items()))


class ApiTokenForm(FlaskForm):
    """Name a new API token."""

    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100)])
