"""meetings: series, meetings, the bodies they belong to, attendance and quorum rules

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:00:00

Reviewed by hand. Tables that point at a body use ON DELETE RESTRICT, so a body with
meetings or series cannot be deleted (it is archived instead); the quorum rule is not
history and goes with its body (CASCADE).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=30)


def _timestamps():
    return [
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
    ]


def upgrade():
    op.create_table(
        "meeting_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("rrule", sa.String(length=300), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("online_url", sa.String(length=500), nullable=True),
        sa.Column("invite_roles", sa.String(length=100), nullable=False),
        sa.Column("generated_until", sa.Date(), nullable=True),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(
            "duration_minutes > 0", name=op.f("ck_meeting_series_positive_duration")
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["meeting_series.id"],
            name=op.f("fk_meeting_series_previous_id_meeting_series"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_series")),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=100), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("occurrence_date", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("online_url", sa.String(length=500), nullable=True),
        sa.Column("invite_roles", sa.String(length=100), nullable=False),
        sa.Column("status", _enum("meetingstatus", "scheduled", "cancelled"), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("sequence", sa.Integer(), server_default="0", nullable=False),
        *_timestamps(),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_meeting_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["meeting_series.id"],
            name=op.f("fk_meeting_series_id_meeting_series"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint(
            "series_id", "occurrence_date", name=op.f("uq_meeting_series_id_occurrence_date")
        ),
        sa.UniqueConstraint("uid", name=op.f("uq_meeting_uid")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_series_id"), ["series_id"], unique=False)
        batch_op.create_index("ix_meeting_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "meeting_series_body",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_meeting_series_body_body_id_body"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["meeting_series.id"],
            name=op.f("fk_meeting_series_body_series_id_meeting_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("series_id", "body_id", name=op.f("pk_meeting_series_body")),
    )
    with op.batch_alter_table("meeting_series_body", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_series_body_body_id"), ["body_id"], unique=False
        )

    op.create_table(
        "meeting_series_guest",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_meeting_series_guest_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["meeting_series.id"],
            name=op.f("fk_meeting_series_guest_series_id_meeting_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("series_id", "person_id", name=op.f("pk_meeting_series_guest")),
    )
    op.create_table(
        "meeting_body",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_meeting_body_body_id_body"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_body_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "body_id", name=op.f("pk_meeting_body")),
    )
    with op.batch_alter_table("meeting_body", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_body_body_id"), ["body_id"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("is_guest", sa.Boolean(), server_default="0", nullable=False),
        sa.Column(
            "response",
            _enum("response", "needs_action", "accepted", "declined", "tentative"),
            nullable=False,
        ),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("presence", _enum("presence", "present", "excused", "absent"), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_attendance_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_attendance_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint(
            "meeting_id", "person_id", name=op.f("uq_attendance_meeting_id_person_id")
        ),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_person_id"), ["person_id"], unique=False)

    op.create_table(
        "quorum_rule",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("basis", _enum("quorumbasis", "members", "organisations"), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "percent > 0 AND percent <= 100", name=op.f("ck_quorum_rule_percent_range")
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["body.id"], name=op.f("fk_quorum_rule_body_id_body"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("body_id", name=op.f("pk_quorum_rule")),
    )


def downgrade():
    op.drop_table("quorum_rule")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_person_id"))
    op.drop_table("attendance")
    with op.batch_alter_table("meeting_body", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_body_body_id"))
    op.drop_table("meeting_body")
    op.drop_table("meeting_series_guest")
    with op.batch_alter_table("meeting_series_body", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_series_body_body_id"))
    op.drop_table("meeting_series_body")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_starts_at")
        batch_op.drop_index(batch_op.f("ix_meeting_series_id"))
    op.drop_table("meeting")
    op.drop_table("meeting_series")
