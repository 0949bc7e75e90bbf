"""Forms of the action plan: the upload, plans, the year grid, indicators, links and names."""

from collections.abc import Sequence
from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from rosemeet.core.forms import Form
from rosemeet.plan.models import YearStatus

#: longest note per year
NOTE_MAX = 4000
#: longest plan name
PLAN_NAME_MAX = 200


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
    name = StringField(
        _l("Name of the new plan"),
        description=_l("Only used when the file creates a new plan."),
        validators=[Optional(), Length(max=PLAN_NAME_MAX)],
    )


class RenamePlanForm(Form):
    """A plan's name."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=PLAN_NAME_MAX)])


class PlanStatusForm(Form):
    """A plan's status (draft, current, closed); choices are set by the view."""

    status = SelectField(_l("Status"), validators=[DataRequired()])


class PublishForm(Form):
    """Publish ("1") or unpublish ("0") a plan's public page."""

    published = HiddenField(validators=[DataRequired(), Regexp(r"^[01]$")])


class YearsForm(Form):
    """The year grid of an action: a status and a note per year of its plan."""

    @classmethod
    def field_names(cls, year: int) -> tuple[str, str]:
        """The names of the status and note fields of a year."""
        return f"status_{year}", f"note_{year}"

    @classmethod
    def for_years(cls, years: Sequence[int]) -> type["YearsForm"]:
        """The form class with a status and a note field for each of these years."""
        return _years_form_class(tuple(years))


@cache
def _years_form_class(years: tuple[int, ...]) -> type[YearsForm]:
    """A YearsForm subclass for one span (made once per span)."""
    fields: dict[str, Field] = {}
    for year in years:
        status_name, note_name = YearsForm.field_names(year)
        fields[status_name] = SelectField(
            _l("Status in %(year)s", year=year), choices=YearStatus.choices
        )
        fields[note_name] = TextAreaField(
            _l("Note for %(year)s", year=year),
            validators=[Optional(), Length(max=NOTE_MAX)],
            render_kw={"rows": 2},
        )
    return type(
        f"YearsForm{years[0]}to{years[-1]}" if years else "YearsFormEmpty", (YearsForm,), fields
    )


class IndicatorYearForm(Form):
    """One year of an indicator: target, measured value and status (year choices by the view)."""

    year = SelectField(_l("Year"), coerce=int, validators=[DataRequired()])
    target = StringField(_l("Target"), validators=[Optional(), Length(max=NOTE_MAX)])
    value = StringField(
        _l("Measured value"),
        description=_l("A number or words."),
        validators=[Optional(), Length(max=NOTE_MAX)],
    )
    status = SelectField(_l("Status"), validators=[Optional()])


class ContinuationForm(Form):
    """The earlier action an action continues; empty to undo."""

    previous_id = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,12}$")])


def _checkboxes(label) -> SelectMultipleField:
    """A list of checkboxes holding ids."""
    return SelectMultipleField(
        label, coerce=int, option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False)
    )


class ThemesForm(Form):
    """The transversal themes an action contributes to."""

    theme_ids = _checkboxes(_l("Transversal themes"))


class BodiesForm(Form):
    """The bodies that carry an action out (their meetings are counted per year)."""

    body_ids = _checkboxes(_l("Bodies that carry the action out"))


class ThemeBodyForm(Form):
    """Link a theme to a body."""

    body_id = SelectField(_l("Body"), coerce=int, validators=[DataRequired()])


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
    "no_year": _l("Give at least one year."),
}
