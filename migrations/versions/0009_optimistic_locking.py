"""optimistic locking: version counters on follow-ups, meetings and series; one agenda item
per place on an agenda

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:00:00

Reviewed by hand. ``follow_up``, ``meeting`` and ``meeting_series`` get a ``version``
column (SQLAlchemy's ``version_id_col``, as ``agenda_item.version`` already is): every UPDATE
says ``WHERE version = <read>``, so of two simultaneous saves one is refused instead of
silently overwritten. The column is added NOT NULL with a server default of 1, which fills
every existing row; the default stays (rows written in bulk by Core get 1 too).

The non-unique index on ``agenda_item (meeting_id, position)`` becomes a unique one, so two
items added at the same moment can no longer share a place (the operation retries the next
place). Agendas that already hold two items at one place (the old race) are numbered
1, 2, ... again first, in their shown order (position, then id). Backlog items have no
meeting: NULLs never collide in a unique index, on either engine.

Nothing here rebuilds a table: SQLite adds a column with a default and a unique index in
place, and drops a plain column in place (3.35+). (Were a table rebuilt, ``env.py`` turns
SQLite's foreign keys off while a revision runs and checks the references before it
commits, so nothing would cascade.)
Downgrade drops the unique index (the plain one comes back) and the three columns; the
renumbered positions stay (they show the same order).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

VERSIONED = ("follow_up", "meeting", "meeting_series")

agenda_item = sa.table(
    "agenda_item",
    sa.column("id", sa.Integer),
    sa.column("meeting_id", sa.Integer),
    sa.column("position", sa.Integer),
)


def _renumber_shared_places(bind) -> None:
    """Number the items of every agenda with two items at one place 1, 2, ... again."""
    crowded = bind.execute(
        sa.select(agenda_item.c.meeting_id)
        .where(agenda_item.c.meeting_id.is_not(None))
        .group_by(agenda_item.c.meeting_id, agenda_item.c.position)
        .having(sa.func.count() > 1)
        .distinct()
    ).scalars()
    for meeting_id in list(crowded):
        ids = bind.execute(
            sa.select(agenda_item.c.id)
            .where(agenda_item.c.meeting_id == meeting_id)
            .order_by(agenda_item.c.position, agenda_item.c.id)
        ).scalars()
        for number, item_id in enumerate(list(ids), 1):
            bind.execute(
                agenda_item.update().where(agenda_item.c.id == item_id).values(position=number)
            )


def upgrade():
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    _renumber_shared_places(op.get_bind())
    op.drop_index("ix_agenda_item_meeting_position", table_name="agenda_item")
    op.create_index(
        "uq_agenda_item_meeting_id_position",
        "agenda_item",
        ["meeting_id", "position"],
        unique=True,
    )


def downgrade():
    op.drop_index("uq_agenda_item_meeting_id_position", table_name="agenda_item")
    op.create_index(
        "ix_agenda_item_meeting_position", "agenda_item", ["meeting_id", "position"], unique=False
    )
    for table in reversed(VERSIONED):
        op.drop_column(table, "version")
