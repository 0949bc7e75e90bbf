"""A scratch app on an empty, migrated database for the benchmarks."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade

from rosemeet import create_app
from rosemeet.core import catalogs
from rosemeet.extensions import db


@contextmanager
def scratch_app():
    """Yield an app whose database is migrated and empty."""
    catalogs.compile_all()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("ROSEMEET_BENCH_DATABASE_URL") or f"sqlite:///{Path(folder) / 'b.db'}"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": folder,
                "BASE_URL": "http://bench.test",
            }
        )
        with app.app_context():
            upgrade(revision="heads")
        yield app
        with app.app_context():
            db.engine.dispose()
