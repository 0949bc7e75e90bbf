"""calendar replies: answers from invitees' calendars read from the inbound mailbox

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 21:30:00

Reviewed by hand. Two new tables and two new nullable columns:

- ``inbound_message``: each mail read from the inbound mailbox, once per Message-ID (what
  makes polling idempotent), with what became of it;
- ``calendar_reply``: each iTIP REPLY or COUNTER found in such a mail, the meeting and
  invitee it was matched to, and what was done with it;
- ``attendance.responded_via`` (web, link, calendar; NULL for answers given before) and
  ``attendance.response_comment``;
- ``feed_token.alarm_minutes``: the reminder a person chose for the meetings in a feed;
- ``body.delegates_allowed``: whether a delegated answer adds the delegate as a guest.

Downgrade drops them (the answers themselves stay in ``attendance.response``).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=300), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "processed",
                "unusable",
                name="inboundstatus",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_message")),
        sa.UniqueConstraint("message_key", name=op.f("uq_inbound_message_message_key")),
    )
    op.create_table(
        "calendar_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inbound_message_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("attendee_email", sa.String(length=320), nullable=True),
        sa.Column("uid", sa.String(length=255), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "reply",
                "counter",
                name="replykind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("partstat", sa.String(length=30), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("delegated_to", sa.String(length=320), nullable=True),
        sa.Column("proposed_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("proposed_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "outdated",
                "not_matched",
                "unknown_meeting",
                "cancelled",
                "delegated",
                "counter",
                "handled",
                name="replystatus",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_message.id"],
            name=op.f("fk_calendar_reply_inbound_message_id_inbound_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_calendar_reply_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_calendar_reply_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_reply")),
    )
    with op.batch_alter_table("calendar_reply", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_reply_inbound_message_id"), ["inbound_message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_reply_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_reply_person_id"), ["person_id"], unique=False
        )

    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "responded_via",
                sa.Enum(
                    "web",
                    "link",
                    "calendar",
                    name="responsechannel",
                    native_enum=False,
                    create_constraint=True,
                    length=30,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("response_comment", sa.Text(), nullable=True))

    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alarm_minutes", sa.Integer(), nullable=True))

    with op.batch_alter_table("body", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("delegates_allowed", sa.Boolean(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("body", schema=None) as batch_op:
        batch_op.drop_column("delegates_allowed")
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.drop_column("alarm_minutes")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_attendance_responsechannel"), type_="check")
        batch_op.drop_column("response_comment")
        batch_op.drop_column("responded_via")

    with op.batch_alter_table("calendar_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_reply_person_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_reply_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_reply_inbound_message_id"))

    op.drop_table("calendar_reply")
    op.drop_table("inbound_message")
