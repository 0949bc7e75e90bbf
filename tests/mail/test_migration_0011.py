"""Migration 0011 on a filled database, on the engine under test: the CHECK constraint on
``reminder_opt_out.kind`` goes (every opt-out kept, a kind that a newer domain registers can be
stored), and comes back on downgrade (opt-outs of kinds it does not know deleted first)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from rosemeet import create_app
from rosemeet.extensions import db

pytestmark = pytest.mark.no_db

#: (person, kind) opt-outs as revision 0010 knows them
OPT_OUTS = [(1, "digest"), (1, "agenda"), (2, "minutes"), (2, "followup_overdue")]
#: a kind that no enum of 0010 lists (a domain that registers a new kind)
NEW_KIND = "plan_year_review"


def _opt_outs(connection) -> list[tuple[int, str]]:
    rows = connection.exec_driver_sql(
        "SELECT person_id, kind FROM reminder_opt_out ORDER BY person_id, kind"
    )
    return [tuple(row) for row in rows]


def _add_new_kind(connection) -> None:
    connection.exec_driver_sql(
        f"INSERT INTO reminder_opt_out (person_id, kind) VALUES (2, '{NEW_KIND}')"
    )


def _checks() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_check_constraints("reminder_opt_out")}


def test_0011_upgrades_and_downgrades_a_filled_database(scratch_config):
    app = create_app(scratch_config)
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO person (id, name) VALUES (1, 'Sara'), (2, 'Mo')"
            )
            for person_id, kind in OPT_OUTS:
                connection.exec_driver_sql(
                    f"INSERT INTO reminder_opt_out (person_id, kind) VALUES ({person_id}, '{kind}')"
                )
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            _add_new_kind(connection)  # 0010 refuses a kind its enum does not list

        upgrade(revision="0011")
        assert "ck_reminder_opt_out_reminderkind" not in _checks()
        with db.engine.begin() as connection:
            assert _opt_outs(connection) == sorted(OPT_OUTS)
            _add_new_kind(connection)
            assert (2, NEW_KIND) in _opt_outs(connection)

        downgrade(revision="0010")
        assert "ck_reminder_opt_out_reminderkind" in _checks()
        with db.engine.begin() as connection:
            assert _opt_outs(connection) == sorted(OPT_OUTS)  # the new kind's row is gone
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            _add_new_kind(connection)

        upgrade(revision="0011")
        with db.engine.begin() as connection:
            assert _opt_outs(connection) == sorted(OPT_OUTS)
        db.engine.dispose()
