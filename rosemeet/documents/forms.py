"""Forms for documents: attach files or a link, upload a new version, rename, and the search
of a body's library. The files themselves are checked by the operations (type from the
content, size, the meeting's total); the forms check what was typed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FileField, MultipleFileField, SelectField, StringField, URLField
from wtforms.validators import Length, Optional

from rosemeet.core.forms import Form
from rosemeet.documents.operations import MAX_TITLE, MAX_URL

#: the most files one upload form takes at once
MAX_FILES = 10


class AttachForm(Form):
    """Attach one or more files, or a link, to an object."""

    files = MultipleFileField(_l("Files"))
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=MAX_TITLE)],
        description=_l(
            "Leave empty to use the file name. With several files, each keeps its name."
        ),
    )
    url = URLField(
        _l("Or a link to a paper that lives elsewhere"),
        validators=[Optional(), Length(max=MAX_URL)],
    )
    internal = BooleanField(_l("Internal: only the chair and the secretary see it"))


class VersionForm(Form):
    """Upload a new version of a file document."""

    file = FileField(_l("New version"))


class DocumentForm(Form):
    """Rename a document, change a link's address, make it internal or not."""

    title = StringField(_l("Title"), validators=[Length(min=1, max=MAX_TITLE)])
    url = URLField(_l("Address"), validators=[Optional(), Length(max=MAX_URL)])
    internal = BooleanField(_l("Internal: only the chair and the secretary see it"))


class LibraryForm(Form):
    """Search and filter a body's library (a GET form: no CSRF token)."""

    class Meta(Form.Meta):
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    year = SelectField(_l("Year"), validators=[Optional()], validate_choice=False)
    family = SelectField(_l("Kind"), validators=[Optional()], validate_choice=False)
