"""The form to create a feed."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import ValidationError

from rosemeet.calendar.models import FeedScope
from rosemeet.core.forms import Form


class FeedForm(Form):
    """Which calendar to subscribe to."""

    scope = SelectField(_l("Subscribe to"), choices=FeedScope.choices, default="person")
    body_id = SelectField(_l("Body"), coerce=int, validate_choice=False, default=0)
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=False, default=0)

    def validate_body_id(self, field) -> None:
        """A body feed needs a body."""
        if self.scope.data == FeedScope.BODY.value and not field.data:
            raise ValidationError(_l("Choose a body."))

    def validate_organisation_id(self, field) -> None:
        """An organisation feed needs an organisation."""
        if self.scope.data == FeedScope.ORGANISATION.value and not field.data:
            raise ValidationError(_l("Choose an organisation."))

    @property
    def target_id(self) -> int | None:
        """The body or organisation chosen for the scope."""
        scope = FeedScope(self.scope.data)
        if scope is FeedScope.BODY:
            return self.body_id.data
        if scope is FeedScope.ORGANISATION:
            return self.organisation_id.data
        return None
