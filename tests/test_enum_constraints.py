"""Every enum column's values are exactly those its CHECK constraint allows in the migrated
database: a member added (or removed) in Python without a migration fails here, not in
production at the first save of the new value."""

import re

from sqlalchemy import Enum, inspect

from rosemeet.db import Base
from rosemeet.extensions import db

#: a quoted SQL string literal ('' is a quote inside it)
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def allowed_values(sqltext: str) -> set[str]:
    """The strings a CHECK constraint allows: SQLite's ``IN (...)`` list, PostgreSQL's
    ``= ANY (ARRAY[...])``."""
    return {match.replace("''", "'") for match in _LITERAL.findall(sqltext)}


def enum_columns():
    """(table, column, Enum type) of every enum column of the models."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Enum):
                yield table.name, column.name, column.type


def drift(checks: dict[str, dict[str, str]]) -> list[str]:
    """What differs between the enums and the CHECK constraints (table -> name -> SQL)."""
    problems = []
    for table, column, type_ in enum_columns():
        label = type_.enum_class.__name__ if type_.enum_class else type_.name
        name = f"ck_{table}_{type_.name}"
        sqltext = checks.get(table, {}).get(name)
        if sqltext is None:
            problems.append(
                f"{table}.{column} ({label}) has no CHECK constraint {name} in the migrated "
                "database: write a migration"
            )
            continue
        allowed = allowed_values(sqltext)
        for value in type_.enums:
            if value not in allowed:
                problems.append(
                    f"{label} has the value {value!r}, which {name} on {table}.{column} refuses: "
                    "write a migration that adds it to the constraint"
                )
        for value in sorted(allowed - set(type_.enums)):
            problems.append(
                f"{label} no longer has the value {value!r}, which {name} on {table}.{column} "
                "still allows: write a migration that removes it (and rewrites its rows)"
            )
    return problems


def test_every_enum_matches_its_check_constraint_in_the_migrated_database(app):
    # the session's database was built by running every migration (conftest's ``app``)
    with app.app_context():
        inspector = inspect(db.session.connection())
        tables = {table for table, _column, _type in enum_columns()}
        checks = {
            table: {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
            for table in tables
        }
    assert len(tables) >= 10  # the models are loaded
    problems = drift(checks)
    assert not problems, "\n".join(problems)
