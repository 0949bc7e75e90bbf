"""Enumerations with translated labels, stored portably as strings."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self

from flask_babel.speaklater import LazyString
from sqlalchemy import Enum
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3, after types-wtforms 3.2


def select_choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as options of a WTForms select field."""
    return [SelectChoice(value, label) for value, label in pairs]


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry their translated label, written once per member:
    ``WELCOME = "welcome", _l("Welcome")``. The value (what the database stores) is the string.
    """

    _value_: str
    #: the label, translated when shown
    _label: LazyString

    if TYPE_CHECKING:

        def __init__(self, value: str) -> None:
            """``Kind(value)`` is the member with this value (ValueError when none has it): the
            two-argument ``__new__`` below makes the members, not the lookup."""

    def __new__(cls, value: str, label: LazyString) -> Self:
        """A member whose value is ``value`` and whose label is ``label``."""
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """The label in the current language."""
        return str(self._label)

    @classmethod
    def parse(cls, value: str | None) -> Self | None:
        """The member with this value, or None (never raises)."""
        return cls._value2member_map_.get(value or "")  # type: ignore[return-value]

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as options of a select field, with translated labels."""
        return select_choices((m.value, m.label) for m in cls)


def enum_column(enum_class: type[enum.Enum], length: int = 30) -> Enum:
    """Store an enum as its value in a VARCHAR with a CHECK constraint (portable, migratable)."""
    return Enum(
        enum_class,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        length=length,
        create_constraint=True,
        name=enum_class.__name__.lower(),
        validate_strings=True,
    )
