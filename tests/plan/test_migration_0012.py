"""Migration 0012 on a filled database, on the engine under test: the existing plan rows
become "Actieplan 2020-2025" (current) losing nothing (year entries, theme links, links from
follow-ups); a year after 2025 fits then; downgrade refuses while two plans exist, and
otherwise gives back the old schema with every row of the plan."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, func, inspect, select, text

from rosemeet import create_app
from rosemeet.extensions import db

pytestmark = pytest.mark.no_db

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

COUNTED = (
    "plan_heading",
    "plan_action",
    "plan_indicator",
    "plan_party",
    "plan_theme",
    "plan_action_theme",
    "plan_year_entry",
    "follow_up",
    "follow_up_action",
)


def _fill(connection) -> None:
    """A plan as revision 0011 knows it, with a follow-up that concerns an action."""
    tables = MetaData()
    tables.reflect(bind=connection)
    t = tables.tables
    connection.execute(
        t["body"].insert(), [{"id": 1, "name": "Actiegroep", "code": "AG", "kind": "action_group"}]
    )
    connection.execute(
        t["plan_heading"].insert(),
        [
            {
                "id": 1,
                "key": "h-lijn",
                "parent_id": None,
                "kind": "line",
                "number": "1",
                "title": "Lijn",
                "level": 1,
                "position": 0,
            },
            {
                "id": 2,
                "key": "h-doel",
                "parent_id": 1,
                "kind": "objective",
                "number": "1.1",
                "title": "Doel",
                "level": 2,
                "position": 1,
            },
        ],
    )
    connection.execute(
        t["plan_action"].insert(),
        [
            {"id": 1, "key": "a-een", "heading_id": 2, "title": "Actie een", "position": 0},
            {"id": 2, "key": "a-twee", "heading_id": 2, "title": "Actie twee", "position": 1},
        ],
    )
    connection.execute(
        t["plan_indicator"].insert(), [{"id": 1, "action_id": 1, "position": 0, "text": "3x"}]
    )
    connection.execute(
        t["plan_party"].insert(),
        [{"indicator_id": 1, "role": "trekker", "position": 0, "text": "AG", "body_id": 1}],
    )
    connection.execute(
        t["plan_theme"].insert(), [{"id": 1, "key": "t-mob", "title": "Mobiliteit", "position": 0}]
    )
    connection.execute(t["plan_action_theme"].insert(), [{"action_id": 1, "theme_id": 1}])
    connection.execute(
        t["plan_year_entry"].insert(),
        [
            {
                "action_id": 1,
                "year": 2020,
                "status": "gerealiseerd",
                "note": "Gedaan",
                "updated_at": NOW,
            },
            {
                "action_id": 2,
                "year": 2025,
                "status": "lopend",
                "note": "",
                "updated_at": NOW,
            },
        ],
    )
    connection.execute(
        t["follow_up"].insert(), [{"id": 1, "title": "Offerte", "body_id": 1, "status": "open"}]
    )
    connection.execute(t["follow_up_action"].insert(), [{"follow_up_id": 1, "action_id": 1}])


def _counts(connection) -> dict[str, int]:
    tables = MetaData()
    tables.reflect(bind=connection, only=COUNTED)
    return {
        name: connection.scalar(select(func.count()).select_from(tables.tables[name]))
        for name in COUNTED
    }


def _rows(connection, sql: str) -> list[tuple]:
    return [tuple(row) for row in connection.execute(text(sql))]


@pytest.fixture
def app(scratch_config):
    application = create_app(scratch_config)
    with application.app_context():
        yield application
        db.engine.dispose()


def test_0012_makes_the_existing_rows_the_plan_2020_2025_and_goes_back(app, capfd):
    upgrade(revision="0011")
    with db.engine.begin() as connection:
        _fill(connection)
        before = _counts(connection)
        entries = _rows(connection, "SELECT action_id, year, status, note FROM plan_year_entry")
    upgrade(revision="0012")
    with db.engine.begin() as connection:
        assert _counts(connection) == before
        assert _rows(connection, "SELECT id, name, first_year, last_year, status FROM plan") == [
            (1, "Actieplan 2020-2025", 2020, 2025, "current")
        ]
        for table in ("plan_heading", "plan_action", "plan_theme"):
            assert _rows(connection, f"SELECT DISTINCT plan_id FROM {table}") == [(1,)]
        assert (
            _rows(connection, "SELECT action_id, year, status, note FROM plan_year_entry")
            == entries
        )
        # a year of the next plan fits now; a second plan with the same keys too
        connection.execute(
            text(
                "INSERT INTO plan (id, name, first_year, last_year, status, published, "
                "created_at) VALUES (2, 'Actieplan 2026-2031', 2026, 2031, 'draft', false, "
                "CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO plan_heading (id, plan_id, key, kind, number, title, level, "
                "position) VALUES (3, 2, 'h-lijn', 'line', '1', 'Lijn', 1, 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO plan_action (id, plan_id, key, heading_id, title, position, "
                "continues_id) VALUES (3, 2, 'a-een', 3, 'Actie een', 0, 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO plan_year_entry (action_id, year, status, note, updated_at) "
                "VALUES (3, 2026, 'gepland', '', CURRENT_TIMESTAMP)"
            )
        )
    with pytest.raises(SystemExit):  # flask-migrate logs the RuntimeError and exits
        downgrade(revision="0011")
    with db.engine.begin() as connection:
        assert _rows(connection, "SELECT count(*) FROM plan") == [(2,)]
    assert "there are 2 plans" in capfd.readouterr().err
    with db.engine.begin() as connection:
        for sql in (
            "DELETE FROM plan_year_entry WHERE action_id = 3",
            "DELETE FROM plan_action WHERE id = 3",
            "DELETE FROM plan_heading WHERE id = 3",
            "DELETE FROM plan WHERE id = 2",
        ):
            connection.execute(text(sql))
    downgrade(revision="0011")
    with db.engine.begin() as connection:
        assert _counts(connection) == before
        assert (
            _rows(connection, "SELECT action_id, year, status, note FROM plan_year_entry")
            == entries
        )
        names = set(inspect(connection).get_table_names())
        assert "plan" not in names and "plan_theme_link" not in names
        columns = {c["name"] for c in inspect(connection).get_columns("plan_action")}
        assert "plan_id" not in columns and "continues_id" not in columns
    upgrade(revision="heads")


def test_0012_on_an_empty_plan_makes_no_plan(app):
    upgrade(revision="0012")
    with db.engine.begin() as connection:
        assert _rows(connection, "SELECT count(*) FROM plan") == [(0,)]
    downgrade(revision="0011")
