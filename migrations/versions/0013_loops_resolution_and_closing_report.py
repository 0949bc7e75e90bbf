"""the loops between bodies: a follow-up's resolution, an ad-hoc group's closing report

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:00:00

Reviewed by hand. Two nullable text columns, so every existing row stays valid:

- ``follow_up.resolution``: what was decided or answered when the follow-up was closed
  (Markdown); closing a referred follow-up asks for it (``followups.operations.set_status``),
  and the body that raised it reads it on its next opvolglijst;
- ``body.closing_report``: the report an ad-hoc working group ends with ("Werkgroep
  afronden"), sent as feedback to the bodies it reports to.

Downgrade drops both columns (the answers and reports are lost with them, as any downgrade
of a column loses its data).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolution", sa.Text(), nullable=True))
    with op.batch_alter_table("body", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closing_report", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("body", schema=None) as batch_op:
        batch_op.drop_column("closing_report")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_column("resolution")
