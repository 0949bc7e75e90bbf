"""Declarative base, column types and engine set-up shared by every domain.

SQLite transactions (PostgreSQL is left as it is): WAL lets readers run beside one writer,
so a transaction only takes the write lock when it writes.

* A request with a safe method (GET, HEAD, OPTIONS) begins a deferred transaction: reads
  never wait for a writer and never block one.
* A request with another method (POST, PUT, PATCH, DELETE), and everything outside a
  request (CLI commands, scheduler jobs, migrations), begins ``BEGIN IMMEDIATE``: its
  read-then-write runs serialised, as before, and waits on ``busy_timeout`` for the lock at
  its first statement instead of failing halfway.
* A view marked ``@reads_first`` (the login: argon2 must run without the lock) begins
  deferred although it is a POST.
* A deferred transaction that comes to write (a safe request that records something, the
  login recording its attempt) takes the lock just before its first write statement: it ends
  its read (nothing was written yet) and begins again with ``BEGIN IMMEDIATE``. Upgrading
  in place is no option: SQLite answers "database is locked" at once (SQLITE_BUSY_SNAPSHOT,
  without waiting) when another connection committed since the read began. The writes then
  see the newest data; what was read before is as fresh as under PostgreSQL's READ
  COMMITTED, and version columns catch stale rows as they do there. A SAVEPOINT counts as
  the first write.
* ``db_read()`` makes transactions begun inside deferred (a job that only reads, an error
  page); ``without_waiting()`` tries the lock once instead of waiting (a write that may be
  skipped, such as an API token's "last used").
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, has_app_context, request, request_started
from sqlalchemy import (
    Connection,
    CursorResult,
    DateTime,
    Engine,
    MetaData,
    Result,
    String,
    event,
    update,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor, Dialect
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    registry,
    scoped_session,
)
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

#: Constraint names are predictable, so migrations can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: SQLite: how long a statement waits for the write lock before "database is locked"
BUSY_TIMEOUT_MS = 5000
#: request methods that only read: their transactions begin deferred on SQLite
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: connection.info key: "read" (deferred, nothing written yet) or "write" (holds the lock)
_STATE = "rosemeet_sqlite_transaction"
#: statements that write, or open a savepoint (taken as the start of a write)
_WRITES = re.compile(
    r"\s*(?:INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|SAVEPOINT)\b"
    r"|\s*WITH\b.*\b(?:INSERT|UPDATE|DELETE)\b",
    re.IGNORECASE | re.DOTALL,
)
#: set by ``db_read()``: transactions begun inside begin deferred, whatever the request
_forced_deferred: ContextVar[bool] = ContextVar("rosemeet_forced_deferred", default=False)
#: set by ``without_waiting()``: the write lock is tried once instead of waiting
_no_wait: ContextVar[bool] = ContextVar("rosemeet_no_wait", default=False)
#: a view function
_View = TypeVar("_View", bound=Callable[..., Any])


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; naive values are refused, results are always aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class Heartbeat(Base):
    """One row that ``/healthz`` rewrites and commits: proof that the database takes writes
    (a full disk or a read-only file or server fails it)."""

    __tablename__ = "heartbeat"

    #: always 1: the single row (written by migration 0010)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: when the last health check wrote it
    written_at: Mapped[datetime]
    #: host:pid of the process that wrote it last
    written_by: Mapped[str] = mapped_column(String(200))


def write_heartbeat(session: Session | scoped_session[Any]) -> None:
    """Rewrite the heartbeat row (adding it if it went missing) and flush; the caller commits."""
    now, me = utcnow(), f"{socket.gethostname()}:{os.getpid()}"
    result = session.execute(
        update(Heartbeat)
        .where(Heartbeat.id == 1)
        .values(written_at=now, written_by=me)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) == 0:
        session.add(Heartbeat(id=1, written_at=now, written_by=me))
        session.flush()


# --- SQLite: connections and transactions -------------------------------------------------------


def rows_changed(result: Result[Any]) -> int:
    """How many rows the UPDATE or DELETE that gave ``result`` changed (``Session.execute``
    returns a ``CursorResult`` for it, though its annotation says ``Result``)."""
    return cast("CursorResult[Any]", result).rowcount


def reads_first(view: _View) -> _View:
    """Mark a view whose request (even a POST) begins with a deferred transaction on SQLite:
    it reads (and e.g. verifies a password) without the write lock, which its first write
    takes. For views whose slow part comes before any write."""
    view.reads_first = True  # type: ignore[attr-defined]  # mypy knows no attributes set on functions
    return view


@contextmanager
def one_save_wins(
    session: Session | scoped_session[Any],
    conflict: Callable[[], Exception],
    *also: type[Exception],
) -> Iterator[None]:
    """Change versioned rows in a savepoint, flushed there: when another request saved one of
    them since it was read (``version_id_col``: the ``UPDATE ... WHERE version = <read>``
    matches no row), or one of ``also`` is raised, all of it is undone and ``conflict()``
    raised instead; the session stays usable. One mechanism for every domain's conflicts."""
    caught: tuple[type[Exception], ...] = (StaleDataError, *also)
    try:
        with session.begin_nested():
            yield
            session.flush()
    except caught as exc:
        logging.getLogger(__name__).info("a concurrent save won (%s)", type(exc).__name__)
        raise conflict() from None


@contextmanager
def db_read() -> Iterator[None]:
    """SQLite: transactions begun inside begin deferred, also in a POST or outside a request
    (a job that only reads; an error page after a failed write). A write still works: it
    takes the lock at its first statement."""
    token = _forced_deferred.set(True)
    try:
        yield
    finally:
        _forced_deferred.reset(token)


@contextmanager
def without_waiting() -> Iterator[None]:
    """SQLite: the write lock is tried once inside this block: when another connection holds
    it the statement fails at once with "database is locked" (for writes that may be skipped,
    such as an API token's "last used")."""
    token = _no_wait.set(True)
    try:
        yield
    finally:
        _no_wait.reset(token)


@request_started.connect
def _plan_request_transactions(sender: Flask, **extra: Any) -> None:
    """Decide, once per dispatched request, whether its SQLite transactions take the write
    lock from their first statement (fake request contexts made for ``url_for`` in jobs
    never get here, so they keep the default of their job)."""
    view = current_app.view_functions.get(request.endpoint or "")
    g._rosemeet_write_lock = request.method not in SAFE_METHODS and not getattr(
        view, "reads_first", False
    )


def _wants_write_lock() -> bool:
    """Does a transaction that begins now take the write lock at once?"""
    if _forced_deferred.get():
        return False
    if has_app_context():
        planned: bool | None = g.get("_rosemeet_write_lock")
        if planned is not None:
            return planned
    return True  # CLI, scheduler, migrations: serialised as a whole


def _begin_immediate(execute: Callable[[str], object]) -> None:
    """BEGIN IMMEDIATE, waiting for the lock unless ``without_waiting()`` says otherwise."""
    if not _no_wait.get():
        execute("BEGIN IMMEDIATE")
        return
    execute("PRAGMA busy_timeout=0")
    try:
        execute("BEGIN IMMEDIATE")
    finally:
        execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: DBAPIConnection, connection_record: object) -> None:
    """SQLite: WAL, a busy timeout, foreign keys, and transactions that we begin ourselves."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite begins nothing by itself: the "begin" event below chooses deferred or IMMEDIATE
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Connection) -> None:
    """SQLite: begin deferred (reads) or IMMEDIATE (units of work that write)."""
    if connection.dialect.name != "sqlite":
        return
    connection.info.pop(_STATE, None)
    if _wants_write_lock():  # errors come wrapped (OperationalError) through exec_driver_sql
        _begin_immediate(connection.exec_driver_sql)
        connection.info[_STATE] = "write"
    else:
        connection.exec_driver_sql("BEGIN")
        connection.info[_STATE] = "read"


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_lock_before_first_write(
    conn: Connection,
    cursor: DBAPICursor,
    statement: str,
    parameters: object,
    context: DefaultExecutionContext | None,
    executemany: bool,
) -> None:
    """SQLite: a deferred transaction takes the write lock just before its first write: it
    ends the read (nothing was written) and begins IMMEDIATE, waiting on busy_timeout."""
    if conn.info.get(_STATE) != "read":
        return
    writes = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if not (writes or _WRITES.match(statement)):
        return
    dbapi_connection = conn.connection.dbapi_connection  # not conn: we are inside its execute
    assert dbapi_connection is not None  # a connection that executes is open
    conn.info.pop(_STATE, None)
    dbapi_connection.execute("COMMIT")
    try:
        _begin_immediate(dbapi_connection.execute)
    except BaseException:  # busy: stay inside a (read) transaction, as SQLAlchemy believes
        dbapi_connection.execute("BEGIN")
        conn.info[_STATE] = "read"
        raise
    conn.info[_STATE] = "write"


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _sqlite_transaction_ended(connection: Connection) -> None:
    """Forget the transaction's state when it ends."""
    connection.info.pop(_STATE, None)
