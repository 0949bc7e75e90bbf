"""Forms shared by every domain, and the base class every form derives from.

``Form`` adds validators to its fields when they are bound (``Meta.bind_field``), so a new
form cannot forget them: every text field refuses control characters (a ``TextAreaField``
keeps line breaks and tabs; passwords are never shown, mailed or exported and stay as typed),
every ``URLField`` takes only http(s) addresses, and every date field a year from
``core.web.MIN_YEAR`` to ``MAX_YEAR`` (1990 to 2100). WTForms' own messages speak rosemeet's
Dutch (``core.form_messages``). (The API validates JSON with marshmallow schemas:
``core.schemas``.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextlib import contextmanager, suppress
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.exc import ResourceClosedError
from wtforms import (
    DateField,
    DateTimeField,
    Field,
    PasswordField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.core import UnboundField
from wtforms.form import BaseForm
from wtforms.meta import DefaultMeta
from wtforms.validators import ValidationError

from rosemeet.core.errors import Refused
from rosemeet.core.form_messages import TRANSLATIONS, Translations
from rosemeet.core.text import forbidden_character
from rosemeet.core.web import date_range_message, in_date_range
from rosemeet.extensions import db

if TYPE_CHECKING:
    from _typeshed import SupportsItems

SINGLE_LINE_MESSAGE = _l("Do not use control characters (such as a line break) in this field.")
MULTILINE_MESSAGE = _l(
    "Do not use control characters in this text (line breaks and tabs are fine)."
)
URL_MESSAGE = _l("Give a web address that starts with https:// (or http://).")

#: the kind of field ``Form.Meta.bind_field`` binds
_FieldT = TypeVar("_FieldT", bound=Field)
#: the data of a required field
_Data = TypeVar("_Data")


def text_error(value: str | Iterable[str] | None, *, multiline: bool = False) -> str | None:
    """The message for text (or each text of a list) holding a character the field may not
    hold, or None when it is fine: for the places that take text without a form."""
    if isinstance(value, str):
        texts = [value]
    elif isinstance(value, list | tuple):
        texts = [v for v in value if isinstance(v, str)]
    else:
        texts = []  # not text at all: the caller's type check says so
    if any(forbidden_character(text, multiline=multiline) for text in texts):
        return str(MULTILINE_MESSAGE if multiline else SINGLE_LINE_MESSAGE)
    return None


class NoControlCharacters:
    """Refuse control characters; a multi-line field keeps LF, CR LF and tabs (see core.text)."""

    def __init__(self, multiline: bool = False, message: str | LazyString | None = None) -> None:
        self.multiline = multiline
        self.message = message

    def __call__(self, form: BaseForm, field: Field) -> None:
        if isinstance(field.data, str) and forbidden_character(
            field.data, multiline=self.multiline
        ):
            default = MULTILINE_MESSAGE if self.multiline else SINGLE_LINE_MESSAGE
            raise ValidationError(self.message or default)


class HttpUrl:
    """Accept only an http:// or https:// address with a host (an empty field passes)."""

    def __init__(self, message: str | LazyString | None = None) -> None:
        self.message = message

    def __call__(self, form: BaseForm, field: Field) -> None:
        value = (field.data or "").strip() if isinstance(field.data, str) else field.data
        if not value:
            return
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(self.message or URL_MESSAGE)


class InDateRange:
    """A date or time within the years rosemeet accepts (so date arithmetic cannot overflow)."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        if isinstance(field.data, date) and not in_date_range(field.data):
            raise ValidationError(date_range_message())


def _hygiene(field: Field) -> list[NoControlCharacters | HttpUrl | InDateRange]:
    """The validators ``Form`` adds to a bound field (none it already has)."""
    added: list[NoControlCharacters | HttpUrl | InDateRange] = []
    text = isinstance(field, StringField) and not isinstance(field, PasswordField)
    if text and not any(isinstance(v, NoControlCharacters) for v in field.validators):
        added.append(NoControlCharacters(multiline=isinstance(field, TextAreaField)))
    if isinstance(field, URLField) and not any(isinstance(v, HttpUrl) for v in field.validators):
        added.append(HttpUrl())
    dates = isinstance(field, DateField | DateTimeField)
    if dates and not any(isinstance(v, InDateRange) for v in field.validators):
        added.append(InDateRange())
    return added


class Form(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types: FlaskForm is Any
    """The base of every form: text fields refuse control characters, URL fields take http(s),
    date fields take years rosemeet can compute with."""

    class Meta(DefaultMeta):
        def get_translations(self, form: BaseForm) -> Translations:
            """WTForms' messages in rosemeet's words (``core.form_messages``)."""
            return TRANSLATIONS

        def bind_field(
            self,
            form: BaseForm,
            unbound_field: UnboundField[_FieldT],
            options: MutableMapping[str, Any],
        ) -> _FieldT:
            """Bind as usual, then add the hygiene validators the field lacks."""
            field = super().bind_field(form, unbound_field, options)
            added = _hygiene(field)
            if added:
                field.validators = [*field.validators, *added]
            return field

        def render_field(self, field: Field, render_kw: SupportsItems[str, Any]) -> Markup:
            """Render as usual, but the CSRF token without an id: a page holds many forms
            (a button is one), and each token would carry the same id "csrf_token"."""
            if isinstance(field, CSRFTokenField):
                render_kw = {"id": False, **dict(render_kw.items())}
            rendered: Markup = super().render_field(field, render_kw)
            return rendered


class ConfirmForm(Form):
    """An empty form: a CSRF-protected button."""


def given(data: _Data | None) -> _Data:
    """The data of a field that its validators require (``InputRequired``, ``DataRequired``),
    read after the form validated: never None then."""
    assert data is not None, "a required field without data"
    return data


def show_error(form: BaseForm, error: Refused, field_name: str | None = None) -> None:
    """Put an operation's refusal (``.message``, ``.field``) next to its form field, or flash
    it when the form has no such field."""
    name = field_name or getattr(error, "field", None)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


class Attempt:
    """What an ``attempt`` block came to."""

    def __init__(self) -> None:
        #: the refusal that ended the block (all it changed is undone), None while none did
        self.refused: Refused | None = None


@contextmanager
def attempt(
    form: BaseForm | None = None,
    field: str | None = None,
    *,
    show: Callable[..., None] = show_error,
    unshown: tuple[type[Refused], ...] = (),
) -> Iterator[Attempt]:
    """Run a view's operations in a savepoint. When one refuses (``Refused``), everything the
    block changed is undone, the block ends there, and the refusal is recorded on the
    ``Attempt`` and shown: ``show(form, refusal, field)`` puts it next to its field (``field``
    overrides the refusal's own), or flashes it when there is no such field. The view goes on
    after the block: it re-renders the form with what was typed, or redirects; what it changed
    before the block stands, and the commit point commits it when the answer is below 400.
    Refusals of an ``unshown`` type are recorded only: the view answers them itself (a 409
    merge page)."""
    tried = Attempt()
    try:
        with _savepoint():
            yield tried
    except Refused as exc:
        tried.refused = exc
        if not isinstance(exc, unshown):
            show(form, exc, field)


@contextmanager
def _savepoint() -> Iterator[None]:
    """A savepoint released when the block ends and rolled back when it raises. A commit inside
    the block (a test playing another request's commit) closes it with the whole transaction:
    then there is nothing left to release or undo."""
    savepoint = db.session.begin_nested()
    try:
        yield
    except BaseException:
        with suppress(ResourceClosedError):
            savepoint.rollback()
        raise
    with suppress(ResourceClosedError):
        savepoint.commit()
