"""Every migration goes up and down on this database backend, and matches the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from rosemeet import create_app
from rosemeet.extensions import db

pytestmark = pytest.mark.no_db


def _include_name(name, type_, parent_names) -> bool:
    """SQLite's FTS5 search index (migration 0006) makes tables no model describes."""
    return not (type_ == "table" and name.startswith("search_document_fts"))


def test_upgrade_downgrade_upgrade_and_no_drift(scratch_database_url, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": scratch_database_url,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        tables = set(inspect(db.engine).get_table_names())
        assert {"person", "body", "membership", "organisation", "alias"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": _include_name})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        db.engine.dispose()
