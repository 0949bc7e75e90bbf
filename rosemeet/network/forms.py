"""Forms for organisations, bodies, memberships and relations."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from rosemeet.core.forms import Form
from rosemeet.network.models import BodyKind, OrganisationKind, RelationKind, Role


def lines(text: str | None) -> list[str]:
    """One entry per non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class OrganisationForm(Form):
    """An organisation with its aliases."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    abbreviation = StringField(_l("Abbreviation"), validators=[Optional(), Length(max=30)])
    kind = SelectField(_l("Kind"), choices=OrganisationKind.choices)
    email = EmailField(_l("E-mail address"), validators=[Optional(), Email(), Length(max=320)])
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=50)])
    website = URLField(_l("Web site"), validators=[Optional(), Length(max=300)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=1000)])
    aliases = TextAreaField(
        _l("Other names (one per line)"),
        description=_l(
            'For example "LB" or "Lokale besturen (LB)": used to recognise the '
            "organisation in the action plan."
        ),
        validators=[Optional(), Length(max=4000)],
    )


class BodyForm(Form):
    """A body (overlegorgaan)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    code = StringField(
        _l("Short code"),
        description=_l('Used in decision numbers, for example "AG" for the Actiegroep.'),
        validators=[
            DataRequired(),
            Length(max=12),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Letters, digits and - only.")),
        ],
    )
    kind = SelectField(_l("Kind"), choices=BodyKind.choices)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    default_location = StringField(
        _l("Usual meeting place"), validators=[Optional(), Length(max=300)]
    )
    mailbox = EmailField(
        _l("Mailbox of the body"),
        description=_l("Invitations are sent on behalf of this address; replies go there."),
        validators=[Optional(), Email(), Length(max=320)],
    )
    is_public = BooleanField(_l("Public: everyone may see this body and its meetings"))
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    ends_on = DateField(_l("Planned end date"), validators=[Optional()])
    aliases = TextAreaField(
        _l("Other names (one per line)"), validators=[Optional(), Length(max=4000)]
    )

    def validate_ends_on(self, field) -> None:
        """An ad-hoc group cannot end before it starts."""
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The planned end lies before the start."))


class MembershipForm(Form):
    """A person's membership of a body."""

    person_id = SelectField(_l("Person"), coerce=int)
    role = SelectField(_l("Role"), choices=Role.choices, default=Role.MEMBER.value)
    since = DateField(_l("Member since"), validators=[Optional()])
    until = DateField(_l("Member until"), validators=[Optional()])

    def validate_until(self, field) -> None:
        """A membership cannot end before it starts."""
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The membership ends before it starts."))


class RelationForm(Form):
    """A relation from this body to another."""

    kind = SelectField(_l("This body"), choices=RelationKind.choices)
    target_body_id = SelectField(_l("Other body"), coerce=int)


class PersonForm(Form):
    """An admin's form for a person."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), Email(), Length(max=320)])
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=50)])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=True)
    is_admin = BooleanField(_l("Administrator (regisseur)"))
    send_invitation = BooleanField(_l("Send an invitation to set a password"))
