"""Migration 0009 on a filled database, on the engine under test: version columns added
(every row at 1), agendas with two items at one place numbered again, the unique index in
place; downgrade and upgrade again, and no row lost on the way (nothing is rebuilt, so
nothing cascades)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, func, inspect, select
from sqlalchemy.exc import IntegrityError

from rosemeet import create_app
from rosemeet.extensions import db

pytestmark = pytest.mark.no_db

VERSIONED = ("follow_up", "meeting", "meeting_series")
COUNTED = (
    "person",
    "body",
    "meeting_series",
    "meeting",
    "meeting_body",
    "attendance",
    "agenda",
    "agenda_item",
    "minutes_revision",
    "follow_up",
)


def _fill(connection) -> None:
    """Rows as revision 0007 knows them; meeting 1 has two items at place 2 (the old race)."""
    tables = MetaData()
    tables.reflect(bind=connection)
    t = tables.tables
    start = datetime(2027, 3, 9, 13, 0, tzinfo=UTC)
    connection.execute(t["person"].insert(), [{"id": 1, "name": "Sara"}, {"id": 2, "name": "Mo"}])
    connection.execute(
        t["body"].insert(), [{"id": 1, "name": "Actiegroep", "code": "AG", "kind": "action_group"}]
    )
    connection.execute(
        t["meeting_series"].insert(),
        [
            {
                "id": 1,
                "rrule": "FREQ=MONTHLY;BYDAY=2TU",
                "first_date": date(2027, 1, 12),
                "start_time": time(14, 0),
                "duration_minutes": 120,
                "timezone": "Europe/Brussels",
                "invite_roles": "chair,secretary,member",
            }
        ],
    )
    connection.execute(
        t["meeting"].insert(),
        [
            {
                "id": n,
                "uid": f"m{n}@rosemeet",
                "series_id": 1,
                "starts_at": start.replace(month=2 + n),
                "ends_at": start.replace(month=2 + n, hour=15),
                "timezone": "Europe/Brussels",
                "invite_roles": "chair,secretary,member",
                "status": "scheduled",
            }
            for n in (1, 2)
        ],
    )
    connection.execute(
        t["meeting_body"].insert(),
        [{"meeting_id": 1, "body_id": 1}, {"meeting_id": 2, "body_id": 1}],
    )
    connection.execute(
        t["attendance"].insert(), [{"meeting_id": 1, "person_id": 2, "response": "accepted"}]
    )
    connection.execute(
        t["agenda"].insert(),
        [{"meeting_id": n, "status": "draft", "minutes_status": "draft"} for n in (1, 2)],
    )
    items = [
        (1, 1, None, 1, "Welkom"),
        (2, 1, None, 2, "Begroting"),
        (3, 1, None, 2, "Mobiliteit"),  # the same place as item 2
        (4, 1, None, 3, "Varia"),
        (5, 2, None, 1, "Welkom"),
        (6, None, 1, 0, "Wachtlijst A"),
        (7, None, 1, 0, "Wachtlijst B"),
    ]
    connection.execute(
        t["agenda_item"].insert(),
        [
            {
                "id": i,
                "meeting_id": m,
                "body_id": b,
                "position": p,
                "title": title,
                "kind": "discussion",
                "source": "manual",
            }
            for i, m, b, p, title in items
        ],
    )
    connection.execute(
        t["minutes_revision"].insert(), [{"item_id": 3, "version": 2, "text": "Besproken."}]
    )
    connection.execute(
        t["follow_up"].insert(),
        [{"id": 1, "title": "Offerte", "body_id": 1, "agenda_item_id": 3, "status": "open"}],
    )


def _counts(connection) -> dict[str, int]:
    tables = MetaData()
    tables.reflect(bind=connection, only=COUNTED)
    return {
        name: connection.scalar(select(func.count()).select_from(tables.tables[name]))
        for name in COUNTED
    }


def test_0009_upgrades_and_downgrades_a_filled_database(scratch_config):
    app = create_app(scratch_config)
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as connection:
            _fill(connection)
            before = _counts(connection)

        upgrade(revision="0009")
        with db.engine.begin() as connection:
            assert _counts(connection) == before
            for table in VERSIONED:
                versions = connection.exec_driver_sql(f"SELECT DISTINCT version FROM {table}")
                assert [v for (v,) in versions] == [1]
            places = connection.exec_driver_sql(
                "SELECT id, position FROM agenda_item WHERE meeting_id = 1 ORDER BY position"
            ).all()
            assert places == [(1, 1), (2, 2), (3, 3), (4, 4)]  # shown order kept
        indexes = {i["name"]: i for i in inspect(db.engine).get_indexes("agenda_item")}
        assert indexes["uq_agenda_item_meeting_id_position"]["unique"]
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO agenda_item (meeting_id, position, title, kind, source) "
                "VALUES (1, 4, 'Dubbel', 'discussion', 'manual')"
            )

        downgrade(revision="0007")
        with db.engine.begin() as connection:
            assert _counts(connection) == before
        for table in VERSIONED:
            columns = {c["name"] for c in inspect(db.engine).get_columns(table)}
            assert "version" not in columns
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("agenda_item")}
        assert "ix_agenda_item_meeting_position" in indexes

        upgrade(revision="0009")
        with db.engine.begin() as connection:
            assert _counts(connection) == before
        db.engine.dispose()
