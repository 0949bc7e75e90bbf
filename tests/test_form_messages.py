"""WTForms' own messages speak rosemeet's Dutch: every default message has a translation in
rosemeet's catalogues, none is the machine Dutch WTForms ships ("Nummer moet tussen ...",
"Veld moet minstens ... karakters"), and a form shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from rosemeet.core import catalogs
from rosemeet.core.form_messages import TRANSLATIONS
from rosemeet.core.forms import Form

#: messages for programmers, never shown to a person filling in a form
NOT_FOR_PEOPLE = {
    "Invalid field name '%s'.",
    "Choices cannot be None.",
    "Invalid IP address.",
    "Invalid Mac address.",
    "Invalid UUID.",
}


def _wtforms_dutch() -> dict[str, str | tuple]:
    path = Path(wtforms.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "wtforms.po"
    with path.open("rb") as handle:
        return {
            (m.id if isinstance(m.id, str) else m.id[0]): m.string
            for m in read_po(handle)
            if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in NOT_FOR_PEOPLE
        }


def _ours() -> dict[str, str | tuple]:
    found: dict[str, str | tuple] = {}
    for domain in catalogs.domains():
        path = catalogs.po_path(domain, "nl")
        if path.exists():
            for m in catalogs.read_catalog(path, "nl"):
                if m.id and m.string:
                    found.setdefault(m.id if isinstance(m.id, str) else m.id[0], m.string)
    return found


def test_every_wtforms_message_has_our_own_dutch():
    machine = _wtforms_dutch()
    ours = _ours()
    missing = [msgid for msgid in machine if msgid not in ours]
    same = [msgid for msgid, text in machine.items() if ours.get(msgid) == text]
    assert missing == []
    assert same == []


class _Sample(Form):
    class Meta(Form.Meta):
        csrf = False

    name = StringField("Naam", validators=[DataRequired(), Length(max=5)])
    count = IntegerField("Aantal", validators=[NumberRange(min=1, max=9)])


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"name": "", "count": "3"}, "name", "Dit veld is verplicht."),
        ({"name": "Actiegroep", "count": "3"}, "name", "Gebruik hoogstens 5 tekens."),
        ({"name": "AG", "count": "12"}, "count", "Geef een getal tussen 1 en 9."),
        ({"name": "AG", "count": "drie"}, "count", "Geef een geheel getal."),
    ],
)
def test_a_form_says_it_in_dutch(app, data, field, expected):
    with app.test_request_context(), force_locale("nl"):
        form = _Sample(formdata=MultiDict(data))
        assert not form.validate()
        assert expected in form.errors[field]


def test_english_stays_english(app):
    with app.test_request_context(), force_locale("en"):
        assert TRANSLATIONS.gettext("This field is required.") == "This field is required."


@pytest.mark.parametrize(
    "query",
    [
        "/meetings/calendar?month=9999-12",
        "/meetings/calendar?month=0001-01",
        "/meetings/calendar?from=0001-01-01",
        "/decisions?from=0001-01-01&to=9999-12-31",
        "/follow-ups?due_before=0001-01-01",
        "/bodies/1/documents?year=0001",
    ],
)
def test_dates_far_away_in_a_url_never_give_a_500(ctx, client, auth, admin, query):
    auth.login(admin.email)
    assert client.get(query).status_code < 500


def test_a_date_field_says_the_years_it_accepts(app):
    from wtforms import DateField

    class Dated(Form):
        class Meta(Form.Meta):
            csrf = False

        day = DateField("Dag")

    with app.test_request_context(), force_locale("nl"):
        form = Dated(formdata=MultiDict({"day": "1989-12-31"}))
        assert not form.validate()
        assert "tussen de jaren 1990 en 2100" in " ".join(form.errors["day"])
        assert Dated(formdata=MultiDict({"day": "2100-12-31"})).validate()
