"""The fields every resource schema (``rosemeet/<domain>/schemas.py``) is made of.

One marshmallow schema per resource loads the JSON a client sends, dumps the JSON it gets
back and documents both (the API's OpenAPI document is generated from them). These fields
carry the rules every form field has (``core.forms``): text without control characters (see
``core.text``), only http(s) addresses, dates within ``MIN_YEAR..MAX_YEAR``, ids the database
can hold; JSON types are checked strictly (``"5"`` is no number, ``{...}`` no text). Their
messages are translated. Build schemas from ``Schema`` and these fields, not from marshmallow's
own, so that every message a client reads is translated.

``source=`` (on every field here) dumps a value computed from the object (the ids of related rows,
a local time) while the field keeps its own name when loaded.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields
from marshmallow.utils import missing

from rosemeet.core.forms import MULTILINE_MESSAGE, SINGLE_LINE_MESSAGE, URL_MESSAGE
from rosemeet.core.text import forbidden_character
from rosemeet.core.web import MAX_ID, date_range_message, in_date_range

#: the messages of marshmallow's checks every field has
FIELD_MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("Give a value, not null."),
    "validator_failed": _l("This value is not valid."),
}


class Schema(ma.Schema):
    """The base of every resource schema: a field it does not know is refused by name."""

    error_messages = {
        "unknown": _l("This field is not part of the request."),
        "type": _l("Expected a JSON object."),
    }


class Base:
    """What every field here adds to marshmallow's: it may dump ``source(obj)`` instead of the
    attribute of its name (loading is unchanged, so a loaded field keeps its name), and its
    messages are translated when the error is made (in the language of the request)."""

    def __init__(
        self, *args: Any, source: Callable[[Any], Any] | None = None, **kwargs: Any
    ) -> None:
        """The field, dumped from ``source(obj)`` when given."""
        super().__init__(*args, **kwargs)
        self.source = source

    def get_value(
        self,
        obj: Any,
        attr: str,
        accessor: Callable[[Any, str, Any], Any] | None = None,
        default: Any = missing,
    ) -> Any:
        """The value to dump: ``source(obj)``, or the attribute as usual."""
        if self.source is None:
            return super().get_value(obj, attr, accessor, default)  # type: ignore[misc]
        return self.source(obj)

    def make_error(self, key: str, **kwargs: Any) -> ma.ValidationError:
        """The error ``key`` with its message translated now."""
        return ma.ValidationError(str(self.error_messages[key]).format(**kwargs))  # type: ignore[attr-defined]


def _at_most(limit: int) -> Callable[[str], None]:
    def check(value: str) -> None:
        if len(value) > limit:
            raise ma.ValidationError(str(_l("Use at most %(num)d characters.", num=limit)))

    return check


class Text(Base, fields.String):
    """Text: a JSON string without control characters (a multi-line text keeps its line breaks
    and tabs), at most ``max_length`` characters; ``blank=False`` refuses empty or blank text."""

    default_error_messages = {
        **FIELD_MESSAGES,
        "invalid": _l("Expected a text."),
        "blank": _l("This field is required."),
    }

    def __init__(
        self,
        *,
        multiline: bool = False,
        max_length: int | None = None,
        blank: bool = True,
        **kwargs: Any,
    ) -> None:
        """A text field with the form fields' rules."""
        if max_length is not None:
            kwargs["validate"] = [*_validators(kwargs), _at_most(max_length)]
            kwargs.setdefault("metadata", {})["maxLength"] = max_length
        if not blank:
            kwargs.setdefault("metadata", {})["minLength"] = 1
        super().__init__(**kwargs)
        self.multiline = multiline
        self.blank = blank

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if forbidden_character(value, multiline=self.multiline):
            raise ma.ValidationError(
                str(MULTILINE_MESSAGE if self.multiline else SINGLE_LINE_MESSAGE)
            )
        if not self.blank and not value.strip():
            raise self.make_error("blank")
        return value


def _validators(kwargs: dict[str, Any]) -> list[Any]:
    validate = kwargs.pop("validate", None)
    if validate is None:
        return []
    return list(validate) if isinstance(validate, list | tuple) else [validate]


class Url(Text):
    """A web address: http:// or https:// with a host (empty text clears it)."""

    def __init__(self, **kwargs: Any) -> None:
        """A URL field (documented with the ``uri`` format)."""
        kwargs.setdefault("metadata", {})["format"] = "uri"
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        parts = urlsplit(text.strip())
        if text.strip() and (parts.scheme not in ("http", "https") or not parts.netloc):
            raise ma.ValidationError(str(URL_MESSAGE))
        return text


class Email(Text):
    """An e-mail address."""

    def __init__(self, **kwargs: Any) -> None:
        """An e-mail field (documented with the ``email`` format)."""
        kwargs.setdefault("metadata", {})["format"] = "email"
        kwargs["validate"] = [
            *_validators(kwargs),
            ma.validate.Email(error=_l("Give a valid e-mail address.")),
        ]
        super().__init__(max_length=320, **kwargs)


class Integer(Base, fields.Integer):
    """A whole number (a JSON number without fraction, not true or false), from ``low`` to
    ``high`` when given (numbers the database holds by default)."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": _l("Expected a whole number.")}

    def __init__(
        self, *, low: int = -MAX_ID, high: int = MAX_ID, strict: bool = True, **kwargs: Any
    ) -> None:
        """A strict integer field within [low, high]."""
        message = _l("Give a whole number from %(low)d to %(high)d.", low=low, high=high)
        kwargs["validate"] = [*_validators(kwargs), ma.validate.Range(low, high, error=message)]
        super().__init__(strict=strict, **kwargs)


class Id(Integer):
    """The id of an object (a whole number from 1 that the database can hold); in a query
    string (``strict=False``) written in digits."""

    default_error_messages = {
        **FIELD_MESSAGES,
        "invalid": _l("Give the id of an existing object (a whole number from 1)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        """An id field."""
        super().__init__(low=1, high=MAX_ID, **kwargs)

    def _validated(self, value: Any) -> int:
        if not self.strict and not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise self.make_error("invalid")
        return super()._validated(value)

    def _validate(self, value: Any) -> None:
        if not 1 <= value <= MAX_ID:
            raise self.make_error("invalid")


class List(Base, fields.List[Any]):
    """A JSON array of one kind of value."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": _l("Expected a list.")}


class Ids(List):
    """A list of ids (the ids of related objects when dumped with ``source=``)."""

    def __init__(self, **kwargs: Any) -> None:
        """A list of ids."""
        super().__init__(Id(), **kwargs)


class Flag(Base, fields.Boolean):
    """true or false (in a query string also 1 or 0)."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": _l("Expected true or false.")}


class Choice(Base, fields.Enum[Any]):
    """One value of an enumeration (``LabelledEnum``), as its value."""

    default_error_messages = FIELD_MESSAGES

    def __init__(self, enum_class: type[enum.Enum], **kwargs: Any) -> None:
        """A field of the values of ``enum_class``."""
        super().__init__(enum_class, by_value=Text, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ma.ValidationError:
            message = _l("Choose one of: %(choices)s.", choices=self.choices_text)
            raise ma.ValidationError(str(message)) from None


class _Written:
    """A value written as a JSON string (a date, a time): anything else is refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise self.make_error("invalid")  # type: ignore[attr-defined]
        return super()._deserialize(value, attr, data, **kwargs)  # type: ignore[misc]


class _InYears(_Written):
    """A date or a time in the years rosemeet accepts (date arithmetic cannot overflow)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        found = super()._deserialize(value, attr, data, **kwargs)
        if not in_date_range(found):
            raise ma.ValidationError(date_range_message())
        return found


#: what to write for a date, and for a date and time
_DAY = _l("Give a date such as 2027-03-09.")
_MOMENT = _l("Use ISO 8601 with the offset, for example 2027-03-09T14:00:00+01:00.")


class Day(Base, _InYears, fields.Date):
    """A date (2027-03-09) in the years rosemeet accepts."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": _DAY, "format": _DAY}


class Moment(Base, _InYears, fields.AwareDateTime):
    """A date and time in ISO 8601 with its UTC offset, in the years rosemeet accepts."""

    default_error_messages = {
        **FIELD_MESSAGES,
        "invalid": _MOMENT,
        "invalid_awareness": _MOMENT,
        "format": _MOMENT,
    }


#: what to write for a time of day
_CLOCK = _l("Give a time such as 14:00.")


class Clock(Base, _Written, fields.Time):
    """A time of day as hours and minutes (14:00)."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": _CLOCK, "format": _CLOCK}

    def __init__(self, **kwargs: Any) -> None:
        """A time field written as HH:MM."""
        kwargs.setdefault("metadata", {}).update(pattern="^[0-2][0-9]:[0-5][0-9]$")
        super().__init__(format="%H:%M", **kwargs)


class Object(Base, fields.Nested):
    """A JSON object (or a list of them, ``many=True``) of another schema."""

    default_error_messages = {**FIELD_MESSAGES, "type": _l("Expected a JSON object.")}


class Mapping(Base, fields.Dict):
    """A JSON object whose members another domain chooses (dumped as it is)."""

    default_error_messages = {**FIELD_MESSAGES, "invalid": _l("Expected a JSON object.")}
