"""Backups and restores of the whole database, and moving a SQLite installation to PostgreSQL.

* SQLite: ``backup`` copies the live file with SQLite's online backup API in one step: one read
  transaction, so the copy is the database as it was at one moment, WAL content included,
  while the web app and the scheduler go on writing (WAL readers never block writers). The
  copy is checked (``PRAGMA integrity_check``), made a single self-contained file (rollback
  journal instead of WAL) and renamed into place only when complete. ``restore`` checks the
  file and writes it back through the same API, so other connections see either the old or
  the restored database, never a mix, and no stale ``-wal`` file can undo it.
* PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot) and ``pg_restore --clean
  --if-exists --single-transaction`` (all or nothing). The password goes to the tools in the
  environment (``PGPASSWORD``), never on their command line.
* ``copy_to_postgresql`` refuses a target that has any table, migrates the empty database to
  the same revision, copies every table in dependency order in one transaction (replacing
  the rows the migrations make), resets the id sequences and compares the row counts.
  SQLite's FTS5 tables are not copied: PostgreSQL's full-text index is computed from the
  copied search documents.

Keep ``instance/secret_key`` (or ROSEMEET_SECRET_KEY) with the backups: sessions, answer,
reset and invitation links are signed with it.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import URL, Table, bindparam, create_engine, func, inspect, select, text
from sqlalchemy import table as named_table
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from rosemeet.db import BUSY_TIMEOUT_MS, db_read
from rosemeet.extensions import db

logger = logging.getLogger(__name__)

#: the first bytes of a SQLite database file and of a pg_dump custom-format archive
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
#: tables of SQLite's full-text index (migration 0006), never copied to PostgreSQL
FTS_PREFIX = "search_document_fts"
#: rows per INSERT when copying a table
COPY_BATCH = 1000


class BackupError(RuntimeError):
    """A backup, restore or copy that cannot be done, with the reason for the person at the
    terminal (no password in it)."""


@dataclass
class Outcome:
    """What a backup or restore did."""

    engine: str
    path: Path
    bytes: int
    seconds: float
    revisions: list[str] = field(default_factory=list)


@dataclass
class CopyOutcome:
    """What a copy to PostgreSQL did."""

    target: str
    rows: dict[str, int]
    seconds: float
    revisions: list[str]
    skipped: list[str] = field(default_factory=list)


def shown(url: URL | str) -> str:
    """A database URL as it may be printed: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def _revisions(connection: Connection) -> list[str]:
    return sorted(MigrationContext.configure(connection).get_current_heads())


def code_heads() -> list[str]:
    """The newest revisions this version of rosemeet knows."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return sorted(ScriptDirectory.from_config(config).get_heads())


def _sqlite_file(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"{shown(engine.url)} is not a database file")
    return Path(name)


def _check_target(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise BackupError(f"{path} exists: choose another name, or add --force to replace it")
    if path.exists() and path.is_dir():
        raise BackupError(f"{path} is a folder: give the name of the backup file")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def backup(path: Path, *, force: bool = False) -> Outcome:
    """Write a backup of the app's database to ``path`` (SQLite file or pg_dump archive)."""
    path = Path(path)
    _check_target(path, force)
    engine = db.engine
    began = time.perf_counter()
    if engine.dialect.name == "sqlite":
        revisions = _backup_sqlite(_sqlite_file(engine), path)
    elif engine.dialect.name == "postgresql":
        revisions = _backup_postgresql(engine.url, path)
    else:
        raise BackupError(f"no backup for {engine.dialect.name} databases")
    took = time.perf_counter() - began
    logger.info("backup of %s written to %s in %.2f s", shown(engine.url), path, took)
    return Outcome(engine.dialect.name, path, path.stat().st_size, took, revisions)


def _backup_sqlite(source_path: Path, path: Path) -> list[str]:
    if not source_path.exists():
        raise BackupError(f"there is no database at {source_path}")
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path)
    try:
        source.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # every page in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the copy failed SQLite's integrity check: nothing was written")
            revisions = _sqlite_revisions(copy)
        finally:
            copy.close()
        partial.chmod(0o600)  # it holds password hashes and personal data
        os.replace(partial, path)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {source_path}: {exc}") from None
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return revisions


def _sqlite_revisions(connection: sqlite3.Connection) -> list[str]:
    try:
        return sorted(r for (r,) in connection.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.Error:
        return []


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A connection URI for pg_dump/pg_restore and the environment that holds the password."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client), of the server's version or newer"
        )
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except OSError as exc:
        raise BackupError(f"{what} could not start: {exc}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{what} failed (exit {done.returncode}): " + " / ".join(detail))


def _backup_postgresql(url: URL, path: Path) -> list[str]:
    uri, env = _libpq(url)
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    try:
        _run(
            [_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={uri}"],
            env,
            "pg_dump",
        )
        partial.chmod(0o600)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    with db.engine.connect() as connection:
        return _revisions(connection)


def describe_backup(path: Path) -> str:
    """Which engine a backup file is for: "sqlite" or "postgresql" (BackupError otherwise)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"there is no backup file at {path}")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump archive (custom format)")


def restore(path: Path) -> Outcome:
    """Replace everything in the app's database by the backup at ``path``. The caller asks
    for confirmation first; the web app and the scheduler should be stopped."""
    path = Path(path)
    kind = describe_backup(path)
    engine = db.engine
    if kind != engine.dialect.name:
        advice = " (rosemeet copy-db moves a SQLite installation to PostgreSQL)"
        raise BackupError(
            f"{path} is a {kind} backup, but the database is {engine.dialect.name}{advice}"
        )
    began = time.perf_counter()
    db.session.remove()
    engine.dispose()  # this process holds no connection while the data is replaced
    if kind == "sqlite":
        revisions = _restore_sqlite(path, _sqlite_file(engine))
    else:
        revisions = _restore_postgresql(path, engine.url)
    took = time.perf_counter() - began
    logger.info("%s restored from %s in %.2f s", shown(engine.url), path, took)
    return Outcome(kind, path, path.stat().st_size, took, revisions)


def _restore_sqlite(path: Path, target: Path) -> list[str]:
    try:
        backup_file = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened: {exc}") from None
    try:
        if backup_file.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} is damaged (integrity check failed): nothing restored")
        revisions = _sqlite_revisions(backup_file)
        if not revisions:
            raise BackupError(f"{path} is no rosemeet database (no alembic_version)")
        live = sqlite3.connect(target)
        try:
            live.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            backup_file.backup(live)  # replaces every page under the write lock
            live.execute("PRAGMA journal_mode=WAL")
            if live.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{target} failed the integrity check after the restore")
        finally:
            live.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not restore {path} into {target}: {exc}") from None
    finally:
        backup_file.close()
    return revisions


def _restore_postgresql(path: Path, url: URL) -> list[str]:
    uri, env = _libpq(url)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={uri}",
            str(path),
        ],
        env,
        "pg_restore",
    )
    with db.engine.connect() as connection:
        return _revisions(connection)


# --- SQLite -> PostgreSQL --------------------------------------------------------------------


def postgresql_url(url: str) -> URL:
    """The target URL with the psycopg 3 driver; only PostgreSQL is accepted."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        parsed = make_url(url)
    except Exception:  # any unparsable text
        raise BackupError("give the target as postgresql://user@host:5432/name") from None
    if parsed.get_backend_name() != "postgresql":
        raise BackupError("copy-db copies to PostgreSQL: give a postgresql:// URL")
    return parsed


def _check_empty(engine: Engine) -> None:
    """Refuse a target that has tables: copy-db builds the schema itself, so nothing that is
    there can be overwritten or mixed with the copy."""
    try:
        with engine.connect() as connection:
            names = sorted(inspect(connection).get_table_names())
            filled = {}
            for name in names:
                count = connection.execute(
                    select(func.count()).select_from(named_table(name))
                ).scalar()
                filled[name] = count
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot read {shown(engine.url)}: {_reason(exc)}") from None
    if names:
        listed = ", ".join(f"{n} ({c} rows)" for n, c in list(filled.items())[:5])
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        raise BackupError(
            f"{shown(engine.url)} is not empty: it has tables {listed}{more}. "
            "Copy into a new, empty database (createdb): copy-db builds the schema itself."
        )


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0]


def _migrate(url: URL) -> None:
    """Build the schema in the target by running the migrations (as ``db upgrade`` does)."""
    from flask_migrate import upgrade

    from rosemeet import create_app

    target_app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
            "SECRET_KEY": current_app.config["SECRET_KEY"],
            "INSTANCE_PATH": current_app.config.get("INSTANCE_PATH") or current_app.instance_path,
        }
    )
    with target_app.app_context():
        try:
            upgrade(revision="heads")
        finally:
            db.engine.dispose()


def _self_references(table: Table) -> list[str]:
    """Columns that refer to the same table (a row may point at a later one)."""
    return [
        fk.parent.name
        for fk in table.foreign_keys
        if fk.column.table is table and fk.parent.nullable
    ]


def _copy_table(source: Connection, target: Connection, table: Table) -> int:
    """Copy every row of one table in batches; self-references are set in a second pass."""
    later = _self_references(table)
    keys = list(table.primary_key.columns)
    pending: list[dict] = []
    copied = 0
    rows_of = select(table).order_by(*keys).execution_options(yield_per=COPY_BATCH)
    for chunk in source.execute(rows_of).mappings().partitions():
        rows = [dict(row) for row in chunk]
        for row in rows:
            if any(row[c] is not None for c in later):
                pending.append(
                    {f"_{k.name}": row[k.name] for k in keys} | {f"_to_{c}": row[c] for c in later}
                )
                row.update(dict.fromkeys(later))
        target.execute(table.insert(), rows)
        copied += len(rows)
    if pending:
        statement = (
            table.update()
            .where(*(k == bindparam(f"_{k.name}") for k in keys))
            .values({c: bindparam(f"_to_{c}") for c in later})
        )
        target.execute(statement, pending)
    return copied


def _reset_sequences(target: Connection) -> None:
    """Let PostgreSQL's next id follow the highest copied one, table by table."""
    for table in db.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is False:
                continue
            sequence = target.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": f'"{table.name}"', "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            highest = target.execute(select(func.max(column))).scalar()
            target.execute(
                text("SELECT setval(:sequence, :value, false)"),
                {"sequence": sequence, "value": (highest or 0) + 1},
            )


def copy_to_postgresql(url: str, *, echo: Callable[[str], None] = logger.info) -> CopyOutcome:
    """Copy the app's SQLite database into an empty PostgreSQL database (the same schema
    revision, every row, sequences after the highest id); nothing is written on failure."""
    source = db.engine
    if source.dialect.name != "sqlite":
        raise BackupError(
            f"copy-db moves a SQLite installation; this one runs on {source.dialect.name}"
        )
    target_url = postgresql_url(url)
    heads = code_heads()
    with db_read(), source.connect() as connection:
        revisions = _revisions(connection)
        source_tables = set(inspect(connection).get_table_names())
    if revisions != heads:
        raise BackupError(
            f"the SQLite database is at revision {revisions or 'none'}, this rosemeet at "
            f"{heads}: run `rosemeet db upgrade` first"
        )
    began = time.perf_counter()
    target = create_engine(target_url)
    try:
        _check_empty(target)
        echo(f"migrating {shown(target_url)} to {', '.join(heads)}")
        _migrate(target_url)
        tables = db.metadata.sorted_tables
        known = {t.name for t in tables} | {"alembic_version"}
        skipped = sorted(n for n in source_tables - known if not n.startswith(FTS_PREFIX))
        counts: dict[str, int] = {}
        with db_read(), source.connect() as reading, target.begin() as writing:
            reading.begin()  # one snapshot of the source for the whole copy
            for table in reversed(tables):  # rows the migrations made (heartbeat, lease)
                writing.execute(table.delete())
            for table in tables:
                try:
                    counts[table.name] = _copy_table(reading, writing, table)
                except DBAPIError as exc:
                    raise BackupError(f"copying {table.name} failed: {_reason(exc)}") from None
                echo(f"{table.name}: {counts[table.name]} rows")
            _reset_sequences(writing)
            for table in tables:
                there = writing.execute(select(func.count()).select_from(table)).scalar()
                if there != counts[table.name]:
                    raise BackupError(
                        f"{table.name}: {counts[table.name]} rows read but {there} in the target"
                    )
            target_revisions = _revisions(writing)
    except SQLAlchemyError as exc:
        raise BackupError(f"the copy to {shown(target_url)} failed: {_reason(exc)}") from None
    finally:
        target.dispose()
    took = time.perf_counter() - began
    logger.info("copied %d rows to %s in %.2f s", sum(counts.values()), shown(target_url), took)
    return CopyOutcome(shown(target_url), counts, took, target_revisions, skipped)
