"""heartbeat: the row /healthz rewrites and commits, so a full disk or a read-only database fails it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00

Reviewed by hand. A ``SELECT 1`` answers on a full disk and on a read-only file or server;
only a committed write shows that the database takes what users save. The table holds one
row (id 1), written here so that the health check only ever updates it. Downgrade drops it.
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    heartbeat = op.create_table(
        "heartbeat",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeat")),
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":  # stored as naive UTC, like UTCDateTime does
        now = now.replace(tzinfo=None)
    op.bulk_insert(heartbeat, [{"id": 1, "written_at": now, "written_by": "migration 0010"}])


def downgrade():
    op.drop_table("heartbeat")
