"""``rosemeet backup``, ``restore`` and ``copy-db`` on real databases: a backup taken while
another process commits holds a consistent prefix of its writes, a restore brings exactly that
back, and a SQLite installation moves to PostgreSQL whole (every row, sequences after them).

The PostgreSQL tests make a database of their own on the server of ROSEMEET_TEST_DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432) and drop it after; without a reachable server
they are skipped (in CI they fail).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, insert, inspect, select, text
from sqlalchemy.engine import make_url

from rosemeet import create_app
from rosemeet.accounts.models import LoginAttempt, Person
from rosemeet.extensions import db

pytestmark = pytest.mark.no_db

#: commits pairs of rows ("a-n", "b-n": one transaction each) until the stop file appears,
#: writing the number of the last committed pair to the progress file after each commit
WRITER = r"""
import os, sys, time
from pathlib import Path
kind, target, progress, stop = sys.argv[1:5]
if kind == "sqlite":
    import sqlite3
    connection = sqlite3.connect(target, isolation_level=None, timeout=10)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    begin, mark = "BEGIN IMMEDIATE", "?"
else:
    import psycopg
    connection = psycopg.connect(target, autocommit=True)
    begin, mark = "BEGIN", "%s"
insert = (
    "INSERT INTO login_attempt (scope, key, succeeded, attempted_at) "
    f"VALUES ('email', {mark}, false, '2026-01-01 00:00:00')"
)
n = 0
while not Path(stop).exists():
    n += 1
    connection.execute(begin)
    connection.execute(insert, (f"a-{n}",))
    connection.execute(insert, (f"b-{n}",))
    connection.execute("COMMIT")
    Path(progress + ".new").write_text(str(n))
    os.replace(progress + ".new", progress)  # never seen half written
    time.sleep(0.001)
"""


def make_app(url: str, folder: Path):
    """An app on ``url``, migrated to the newest schema."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "backup-test",
            "INSTANCE_PATH": str(folder),
            "BASE_URL": "http://rosemeet.test",
            "SMTP_HOST": "",
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return app


def fill(app, padding: int = 20_000) -> None:
    """The demo network, plan and meeting cycles, and ``padding`` small rows besides."""
    from rosemeet.demo import load_demo

    with app.test_request_context():
        assert load_demo()
        stamp = datetime(2026, 1, 1, tzinfo=UTC)
        rows = [
            {"scope": "ip", "key": f"pad-{i}", "succeeded": True, "attempted_at": stamp}
            for i in range(padding)
        ]
        db.session.execute(insert(LoginAttempt), rows)
        db.session.commit()
        db.engine.dispose()


class Writer:
    """The writer process and what it reports."""

    def __init__(self, kind: str, target: str, folder: Path):
        self.progress, self.stop_file = folder / "progress", folder / "stop"
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, kind, target, str(self.progress), str(self.stop_file)]
        )

    def committed(self) -> int:
        """The last pair it reported as committed (it may be one further)."""
        try:
            return int(self.progress.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def wait_for(self, count: int, timeout: float = 30) -> int:
        """Wait until it has committed at least ``count`` pairs."""
        deadline = time.monotonic() + timeout
        while self.committed() < count:
            assert self.process.poll() is None, "the writer died"
            assert time.monotonic() < deadline, "the writer does not get on"
            time.sleep(0.01)
        return self.committed()

    def stop(self) -> int:
        """Stop it; the number of pairs it committed."""
        self.stop_file.touch()
        assert self.process.wait(timeout=30) == 0
        return self.committed()


def pairs(rows: list[str]) -> int:
    """The writer's pairs in a database: they must be exactly 1..n, both halves, no gap."""
    mine = [k for k in rows if k[:2] in ("a-", "b-")]
    numbers = {int(k[2:]) for k in mine}
    n = max(numbers, default=0)
    assert sorted(mine) == sorted(
        [f"a-{i}" for i in range(1, n + 1)] + [f"b-{i}" for i in range(1, n + 1)]
    ), "torn or missing writes"
    return n


def writer_keys(connection) -> list[str]:
    """The writer's keys in a database (SQLAlchemy or sqlite3 connection)."""
    query = "SELECT key FROM login_attempt WHERE scope = 'email'"
    if isinstance(connection, sqlite3.Connection):
        return [k for (k,) in connection.execute(query)]
    return list(connection.execute(text(query)).scalars())


def test_sqlite_backup_while_another_process_writes_and_restore(tmp_path):
    database = tmp_path / "live.db"
    app = make_app(f"sqlite:///{database}", tmp_path)
    fill(app)
    runner = app.test_cli_runner()
    writer = Writer("sqlite", str(database), tmp_path)
    try:
        before = writer.wait_for(20)
        result = runner.invoke(args=["backup", str(tmp_path / "backup.db")])
        after = writer.committed()
        assert result.exit_code == 0, result.output
        assert "backup of the sqlite database written to" in result.output
        writer.wait_for(after + 20)  # the writer went on (the backup never blocked it)
    finally:
        total = writer.stop()

    copy = sqlite3.connect(tmp_path / "backup.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    saved = pairs(writer_keys(copy))
    padding = copy.execute("SELECT count(*) FROM login_attempt WHERE scope = 'ip'").fetchone()[0]
    journal = copy.execute("PRAGMA journal_mode").fetchone()[0]
    copy.close()
    assert before <= saved <= after + 1 < total  # a prefix, taken during the writes
    assert padding == 20_000
    assert journal == "delete"  # one self-contained file, no -wal beside it
    assert oct((tmp_path / "backup.db").stat().st_mode & 0o777) == "0o600"
    assert not (tmp_path / "backup.db.partial").exists()

    # without --yes (and no terminal to ask at) nothing happens
    refused = runner.invoke(args=["restore", str(tmp_path / "backup.db")])
    assert refused.exit_code == 1
    assert "Add --yes to confirm" in refused.output
    with app.app_context():
        with db.engine.connect() as connection:
            assert pairs(writer_keys(connection)) == total
        db.engine.dispose()

    restored = runner.invoke(args=["restore", str(tmp_path / "backup.db"), "--yes"])
    assert restored.exit_code == 0, restored.output
    live = sqlite3.connect(database)
    assert live.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert live.execute("PRAGMA foreign_key_check").fetchall() == []
    assert pairs(writer_keys(live)) == saved  # what was written after the backup is gone
    live.close()
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == 8  # the app reads it
        db.session.remove()
        db.engine.dispose()


def test_backup_and_restore_refuse_with_a_reason(tmp_path):
    database = tmp_path / "live.db"
    app = make_app(f"sqlite:///{database}", tmp_path)
    runner = app.test_cli_runner()
    target = tmp_path / "backup.db"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code == 1
    assert f"{target} exists: choose another name, or add --force" in again.output
    assert runner.invoke(args=["backup", str(target), "--force"]).exit_code == 0
    missing_folder = runner.invoke(args=["backup", str(tmp_path / "nope" / "b.db")])
    assert missing_folder.exit_code == 1
    assert "does not exist" in missing_folder.output

    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    wrong = runner.invoke(args=["restore", str(junk), "--yes"])
    assert wrong.exit_code == 1
    assert "neither a SQLite backup nor a pg_dump archive" in wrong.output
    absent = runner.invoke(args=["restore", str(tmp_path / "absent.db"), "--yes"])
    assert absent.exit_code == 1
    assert "there is no backup file" in absent.output
    pgdump = tmp_path / "fake.dump"
    pgdump.write_bytes(b"PGDMP" + b"\0" * 100)
    cross = runner.invoke(args=["restore", str(pgdump), "--yes"])
    assert cross.exit_code == 1
    assert "is a postgresql backup, but the database is sqlite" in cross.output
    not_rosemeet = tmp_path / "other.db"
    sqlite3.connect(not_rosemeet).execute("CREATE TABLE t (x)").connection.close()
    other = runner.invoke(args=["restore", str(not_rosemeet), "--yes"])
    assert other.exit_code == 1
    assert "no rosemeet database" in other.output


# --- PostgreSQL ----------------------------------------------------------------------------------


def _server_url():
    url = os.environ.get("ROSEMEET_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        url = "postgresql://postgres@127.0.0.1:5432/postgres"
    url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return make_url(url).set(database="postgres", query={})


@pytest.fixture
def postgres_database():
    """Factory: ``make("copy")`` creates the database rosemeet_copy_<pid> and gives its URL
    (postgresql+psycopg://...); every database it made is dropped after the test."""
    server = _server_url()
    made = []
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # no server here
        engine.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {server.render_as_string()} is not reachable: {exc}")
        pytest.skip(f"no PostgreSQL at {server.render_as_string()}")

    def make(purpose: str) -> str:
        name = f"rosemeet_{purpose}_{os.getpid()}"
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    yield make
    with engine.connect() as connection:
        for name in made:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _needs_pg_tools():
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        if os.environ.get("CI"):
            pytest.fail("pg_dump/pg_restore are missing (apt-get install postgresql-client)")
        pytest.skip("pg_dump/pg_restore are not installed")


def test_postgresql_backup_while_another_process_writes_and_restore(postgres_database, tmp_path):
    _needs_pg_tools()
    url = postgres_database("backup")
    app = make_app(url, tmp_path)
    fill(app, padding=5_000)
    runner = app.test_cli_runner()
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    writer = Writer("postgresql", libpq, tmp_path)
    archive = tmp_path / "backup.dump"
    try:
        before = writer.wait_for(20)
        result = runner.invoke(args=["backup", str(archive)])
        after = writer.committed()
        assert result.exit_code == 0, result.output
        writer.wait_for(after + 20)
    finally:
        total = writer.stop()
    assert archive.read_bytes().startswith(b"PGDMP")

    restored = runner.invoke(args=["restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        with db.engine.connect() as connection:
            saved = pairs(writer_keys(connection))
            padding = connection.execute(
                text("SELECT count(*) FROM login_attempt WHERE scope = 'ip'")
            ).scalar()
        assert before <= saved <= after + 1 < total  # pg_dump's snapshot, during the writes
        assert padding == 5_000
        assert db.session.scalar(select(func.count(Person.id))) == 8
        db.session.remove()
        db.engine.dispose()


def _rows(connection, table) -> list[tuple]:
    keys = list(table.primary_key.columns)
    return [tuple(row) for row in connection.execute(select(table).order_by(*keys))]


def test_copy_db_moves_a_sqlite_installation_to_postgresql(postgres_database, tmp_path):
    from tests.test_migrations import fill as fill_everything

    source = make_app(f"sqlite:///{tmp_path / 'live.db'}", tmp_path)
    fill_everything(source)  # a row in every table
    target = postgres_database("copy")
    runner = source.test_cli_runner()

    result = runner.invoke(args=["copy-db", "--to", target.replace("+psycopg", "")])
    assert result.exit_code == 0, result.output
    assert "Now set ROSEMEET_DATABASE_URL" in result.output

    target_app = create_app(
        {"SQLALCHEMY_DATABASE_URI": target, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)}
    )
    with source.app_context():
        tables = db.metadata.sorted_tables
        source_engine = db.engine
        with source_engine.connect() as reading:
            expected = {t.name: _rows(reading, t) for t in tables}
            revisions = list(reading.execute(text("SELECT version_num FROM alembic_version")))
    with target_app.app_context():
        with db.engine.connect() as connection:
            for table in tables:
                assert _rows(connection, table) == expected[table.name], table.name
            assert list(connection.execute(text("SELECT version_num FROM alembic_version")))
            assert sorted(connection.execute(text("SELECT version_num FROM alembic_version"))) == (
                sorted(revisions)
            )
            assert not [n for n in inspect(connection).get_table_names() if "fts" in n]
        # the sequences follow the copied ids: a new person gets the next one
        with target_app.test_request_context():
            from rosemeet.accounts import operations as accounts
            from rosemeet.accounts.queries import find_by_email
            from rosemeet.followups.search import search

            highest = db.session.scalar(select(func.max(Person.id)))
            newcomer = accounts.create_person(name="Nieuw Lid", email="nieuw@rose.example.org")
            db.session.commit()
            assert newcomer.id == highest + 1
            regisseur = find_by_email("regisseur@rose.example.org")
            hits = search(regisseur, "deelfietsen")  # PostgreSQL's index over the documents
            assert any("Mobiliteit" in hit.title or "deelfietsen" in hit.snippet for hit in hits)
            db.session.remove()
        db.engine.dispose()
    with source.app_context():
        source_engine.dispose()

    again = runner.invoke(args=["copy-db", "--to", target])
    assert again.exit_code == 1
    assert "is not empty" in again.output
    wrong = runner.invoke(args=["copy-db", "--to", f"sqlite:///{tmp_path / 'other.db'}"])
    assert wrong.exit_code == 1
    assert "copy-db copies to PostgreSQL" in wrong.output
