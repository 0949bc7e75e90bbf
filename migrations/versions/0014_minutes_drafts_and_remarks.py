"""minutes that cannot lose text: drafts per person and item; remarks on minutes for comment

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:15:00

Reviewed by hand. Two new tables, nothing existing changes:

- ``minutes_draft``: what one person typed in an item's minutes and did not save yet
  (one row per item and person, kept every 30 seconds while typing, deleted on save);
- ``minutes_remark``: a remark of an invitee on an item's minutes "ter opmerking", with an
  optional proposed wording and how the secretary handled it (accepted, answered).

Downgrade drops both tables (unsaved drafts and remarks are lost with them).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "minutes_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column(
            "saved_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
            name=op.f("fk_minutes_draft_item_id_agenda_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_minutes_draft_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_draft")),
        sa.UniqueConstraint(
            "item_id", "person_id", name=op.f("uq_minutes_draft_item_id_person_id")
        ),
    )
    with op.batch_alter_table("minutes_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_draft_person_id"), ["person_id"], unique=False)

    op.create_table(
        "minutes_remark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("proposed_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("applied_version", sa.Integer(), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'answered')",
            name=op.f("ck_minutes_remark_remarkstatus"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
            name=op.f("fk_minutes_remark_author_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["person.id"],
            name=op.f("fk_minutes_remark_handled_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
            name=op.f("fk_minutes_remark_item_id_agenda_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_remark")),
    )
    with op.batch_alter_table("minutes_remark", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_minutes_remark_item_id"), ["item_id"], unique=False)


def downgrade():
    with op.batch_alter_table("minutes_remark", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_remark_item_id"))
    op.drop_table("minutes_remark")
    with op.batch_alter_table("minutes_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_draft_person_id"))
    op.drop_table("minutes_draft")
