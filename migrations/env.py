import logging
import warnings
from contextlib import contextmanager
from logging.config import fileConfig

from flask import current_app

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
    except AttributeError:
        return str(get_engine().url).replace("%", "%%")


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)

    with context.begin_transaction():
        context.run_migrations()


#: SQLite's full-text index (migration 0006): an FTS5 table and its shadow tables, which no
#: model describes (PostgreSQL has a GIN index, declared on the model for PostgreSQL only)
SQLITE_FTS_TABLES = "search_document_fts"

# the GIN index is PostgreSQL-only (``ddl_if``); SQLite cannot compare it and need not
warnings.filterwarnings(
    "ignore",
    message="autogenerate skipping metadata-specified expression-based index "
    "'ix_search_document_fts'; dialect 'sqlite'",
)


def include_name(name, type_, parent_names):
    """Compare everything but the SQLite full-text tables (``db check``, autogenerate)."""
    return not (type_ == "table" and name and name.startswith(SQLITE_FTS_TABLES))


def render_item(type_, obj, autogen_context):
    """Render rosemeet's UTCDateTime as a plain timezone-aware DateTime in revisions."""
    if type_ == "type" and obj.__class__.__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("render_item", render_item)
    conf_args.setdefault("include_name", include_name)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            conf_args.update(_sqlite_options(conf_args))
        with _sqlite_foreign_keys_off(connection):
            context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)

            with context.begin_transaction():
                context.run_migrations()


def _sqlite_options(conf_args):
    """SQLite: each revision in its own transaction (SQLite's DDL is transactional, so a
    revision that fails leaves nothing half done), checked for broken references before it
    commits."""
    checks = conf_args.get("on_version_apply") or []
    if callable(checks):
        checks = [checks]
    return {
        "transactional_ddl": True,
        "transaction_per_migration": True,
        "on_version_apply": [*checks, _check_foreign_keys],
    }


@contextmanager
def _sqlite_foreign_keys_off(connection):
    """SQLite: foreign keys off while the schema changes, as SQLite's ALTER TABLE procedure
    asks. Batch mode rebuilds a table (new table, copy, DROP TABLE, rename): with foreign keys
    on, dropping a table that other rows refer to fails ("FOREIGN KEY constraint failed") or,
    worse, deletes the referring rows through ON DELETE CASCADE. The pragma only takes effect
    outside a transaction, so it is set on the driver connection before anything begins."""
    if connection.dialect.name != "sqlite":
        yield
        return
    if connection.in_transaction():
        connection.commit()
    driver = connection.connection.dbapi_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        driver.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(ctx, step, heads, run_args):
    """SQLite: a revision that leaves a reference without its row fails (and rolls back)."""
    broken = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"revision {step.up_revision_id} leaves broken references: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
