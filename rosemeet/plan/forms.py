"""Forms of the action plan: the upload, the year grid, theme links and name mapping."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from rosemeet.core.forms import Form
from rosemeet.plan.models import YEARS, YearStatus

#: longest note per year
NOTE_MAX = 4000


class UploadForm(Form):
    """The plan file to import."""

    file = FileField(
        _l("Plan file (tab-separated text, .tsv)"),
        description=_l(
            "The action plan saved from the spreadsheet as tab-separated text in UTF-8. "
            "You see the changes before anything is saved."
        ),
        validators=[FileRequired(_l("Choose a file."))],
    )


class ConfirmImportForm(Form):
    """Confirm the import of an uploaded file, kept on the server under a random name."""

    upload = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])


class YearEntryForm(Form):
    """One year of an action (the API validates each year with it)."""

    status = SelectField(_l("Status"), choices=YearStatus.choices)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])


class YearsForm(Form):
    """The year grid of an action: a status and a note per year."""

    @classmethod
    def field_names(cls, year: int) -> tuple[str, str]:
        """The names of the status and note fields of a year."""
        return f"status_{year}", f"note_{year}"


for _year in YEARS:
    setattr(
        YearsForm,
        f"status_{_year}",
        SelectField(_l("Status in %(year)s", year=_year), choices=YearStatus.choices),
    )
    setattr(
        YearsForm,
        f"note_{_year}",
        TextAreaField(
            _l("Note for %(year)s", year=_year),
            validators=[Optional(), Length(max=NOTE_MAX)],
            render_kw={"rows": 2},
        ),
    )


class ThemesForm(Form):
    """The transversal themes an action contributes to."""

    theme_ids = SelectMultipleField(
        _l("Transversal themes"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class AliasForm(Form):
    """Map a name from the plan to an organisation or a body, once."""

    name = StringField(_l("Name as written"), validators=[DataRequired(), Length(max=200)])
    target = SelectField(
        _l("Is another name for"),
        description=_l("It becomes an alias: later imports recognise it too."),
        validators=[DataRequired()],
    )


#: messages of the plan's API resources (kept in this domain's catalogue)
API_MESSAGES = {
    "shape": _l('Send {"years": {"2021": {"status": "...", "note": "..."}}}.'),
    "no_year": _l("Give at least one year."),
    "bad_year": _l(
        "Give a year from %(first)s to %(last)s with a status and/or a note.",
        first=YEARS[0],
        last=YEARS[-1],
    ),
    "text": _l("Status and note are text."),
}
