"""Enumerations with translated labels, stored portably as strings."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Enum
from wtforms.fields.choices import SelectChoice


def select_choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as options of a WTForms select field."""
    return [SelectChoice(value, label) for value, label in pairs]


class LabelledEnum(enum.StrEnum):
    """A string enum whose members have translated labels (``labels()``)."""

    @classmethod
    def labels(cls) -> dict:
        raise NotImplementedError

    @property
    def label(self) -> str:
        return str(self.labels()[self])

    @classmethod
    def parse(cls, value: str | None):
        """The member with this value, or None (never raises)."""
        return cls._value2member_map_.get(value or "")

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as options of a select field, with translated labels."""
        return select_choices((m.value, str(cls.labels()[m])) for m in cls)


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
