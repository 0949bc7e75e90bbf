"""How the API shows a person to others: the id and the name (never the e-mail address)."""

from __future__ import annotations

from rosemeet.core import schemas as s


class PersonSchema(s.Schema):
    """A person: id and name."""

    id = s.Id(dump_only=True, required=True)
    name = s.Text(dump_only=True, required=True)
