"""Every migration goes up and down on this database backend, and matches the models."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from rosemeet import create_app
from rosemeet.extensions import db

pytestmark = pytest.mark.no_db


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the backend under test (a separate schema on PostgreSQL)."""
    url = os.environ.get("ROSEMEET_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
        connection.execute(text("CREATE SCHEMA migration_test"))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3Dmigration_test"
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
    engine.dispose()


def test_upgrade_downgrade_upgrade_and_no_drift(scratch_url, tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)}
    )
    with app.app_context():
        upgrade(revision="heads")
        tables = set(inspect(db.engine).get_table_names())
        assert {"person", "body", "membership", "organisation", "alias"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(revision="heads")
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        db.engine.dispose()
