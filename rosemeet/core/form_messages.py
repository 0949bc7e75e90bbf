"""WTForms' own messages ("This field is required.", "Number must be between ..."), spoken by
rosemeet's catalogues instead of the machine Dutch that ships with WTForms.

Every form's ``Meta.get_translations`` returns ``TRANSLATIONS``, which looks the messages up in
the app's merged catalogues (Flask-Babel); the list below marks them for extraction, so that
``rosemeet translate update`` keeps them and ``translate check`` asks for their Dutch.
"""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl

#: the default messages of WTForms' validators and fields (wtforms 3)
MESSAGES = (
    _l("Field must be equal to %(other_name)s."),
    _nl(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    _nl(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    _nl(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _nl(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)


class Translations:
    """What WTForms asks of a translations object, answered from rosemeet's catalogues."""

    def gettext(self, string: str) -> str:
        """One message (WTForms fills in its own values afterwards)."""
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """A message that depends on a number (WTForms fills in the number)."""
        return str(get_translations().ungettext(singular, plural, n))


#: the one instance every form uses
TRANSLATIONS = Translations()
