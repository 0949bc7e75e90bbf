"""agendas: agenda items, body backlogs and templates, proposals between bodies, minutes

Revision ID: 0005
Revises: 0002, 0003, 0004
Create Date: 2026-11-26 18:20:00

Merges the plan, meetings and calendar branches. Reviewed by hand. An agenda, its items
and their minutes' revisions go with their meeting (CASCADE); backlog items, template
items, settings and proposals go with their body (CASCADE: bodies with meetings cannot be
deleted anyway, see 0003); people and plan actions that disappear leave the history in
place (SET NULL, or the link row goes). Downgrade drops the tables in reverse order.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agenda_settings",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        sa.Column("template_saved", sa.Boolean(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_agenda_settings_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("body_id", name=op.f("pk_agenda_settings")),
    )
    op.create_table(
        "agenda_template_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "information",
                "discussion",
                "decision",
                name="itemkind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "role",
            sa.Enum(
                "welcome",
                "approve_minutes",
                "followups",
                name="itemrole",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("planned_minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_agenda_template_item_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_template_item")),
    )
    with op.batch_alter_table("agenda_template_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_template_item_body_id"), ["body_id"], unique=False
        )

    op.create_table(
        "agenda",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                name="agendastatus",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "minutes_status",
            sa.Enum(
                "draft",
                "for_comment",
                "approved",
                name="minutesstatus",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("minutes_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minutes_approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_in_meeting_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["person.id"],
            name=op.f("fk_agenda_approved_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["approved_in_meeting_id"],
            ["meeting.id"],
            name=op.f("fk_agenda_approved_in_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_agenda_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_agenda")),
    )
    with op.batch_alter_table("agenda", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_approved_in_meeting_id"), ["approved_in_meeting_id"], unique=False
        )

    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "information",
                "discussion",
                "decision",
                name="itemkind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column(
            "role",
            sa.Enum(
                "welcome",
                "approve_minutes",
                "followups",
                name="itemrole",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("presenter_id", sa.Integer(), nullable=True),
        sa.Column("presenter_text", sa.String(length=200), nullable=True),
        sa.Column("planned_minutes", sa.Integer(), nullable=True),
        sa.Column("links", sa.Text(), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "manual",
                "template",
                "proposal",
                "feedback",
                "referral",
                name="itemsource",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("origin_text", sa.String(length=300), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(meeting_id IS NULL) <> (body_id IS NULL)",
            name=op.f("ck_agenda_item_meeting_or_backlog"),
        ),
        sa.CheckConstraint(
            "planned_minutes IS NULL OR planned_minutes >= 0",
            name=op.f("ck_agenda_item_minutes_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["body.id"], name=op.f("fk_agenda_item_body_id_body"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_agenda_item_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["presenter_id"],
            ["person.id"],
            name=op.f("fk_agenda_item_presenter_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_item")),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_item_body_id"), ["body_id"], unique=False)
        batch_op.create_index(
            "ix_agenda_item_meeting_position", ["meeting_id", "position"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agenda_item_presenter_id"), ["presenter_id"], unique=False
        )

    op.create_table(
        "agenda_item_action",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["plan_action.id"],
            name=op.f("fk_agenda_item_action_action_id_plan_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
            name=op.f("fk_agenda_item_action_item_id_agenda_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "action_id", name=op.f("pk_agenda_item_action")),
    )
    with op.batch_alter_table("agenda_item_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_item_action_action_id"), ["action_id"], unique=False
        )

    op.create_table(
        "agenda_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("from_body_id", sa.Integer(), nullable=True),
        sa.Column("source_item_id", sa.Integer(), nullable=True),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "information",
                "discussion",
                "decision",
                name="itemkind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("planned_minutes", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "deferred",
                "declined",
                name="proposalstatus",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_agenda_proposal_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
            name=op.f("fk_agenda_proposal_decided_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["from_body_id"],
            ["body.id"],
            name=op.f("fk_agenda_proposal_from_body_id_body"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
            name=op.f("fk_agenda_proposal_item_id_agenda_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposer_id"],
            ["person.id"],
            name=op.f("fk_agenda_proposal_proposer_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_agenda_proposal_source_item_id_agenda_item"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_proposal")),
    )
    with op.batch_alter_table("agenda_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_proposal_body_id"), ["body_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agenda_proposal_from_body_id"), ["from_body_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agenda_proposal_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agenda_proposal_proposer_id"), ["proposer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agenda_proposal_source_item_id"), ["source_item_id"], unique=False
        )

    op.create_table(
        "minutes_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "saved_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_item.id"],
            name=op.f("fk_minutes_revision_item_id_agenda_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"],
            ["person.id"],
            name=op.f("fk_minutes_revision_saved_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_revision")),
        sa.UniqueConstraint("item_id", "version", name=op.f("uq_minutes_revision_item_id_version")),
    )


def downgrade():
    op.drop_table("minutes_revision")
    with op.batch_alter_table("agenda_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_proposal_source_item_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_proposal_proposer_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_proposal_item_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_proposal_from_body_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_proposal_body_id"))

    op.drop_table("agenda_proposal")
    with op.batch_alter_table("agenda_item_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_action_action_id"))

    op.drop_table("agenda_item_action")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_presenter_id"))
        batch_op.drop_index("ix_agenda_item_meeting_position")
        batch_op.drop_index(batch_op.f("ix_agenda_item_body_id"))

    op.drop_table("agenda_item")
    with op.batch_alter_table("agenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_approved_in_meeting_id"))

    op.drop_table("agenda")
    with op.batch_alter_table("agenda_template_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_template_item_body_id"))

    op.drop_table("agenda_template_item")
    op.drop_table("agenda_settings")
