"""mail delivery claims, a stable Message-ID and a fenced scheduler lease; APScheduler's
job table goes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 12:00:00

Reviewed by hand. Several deliverers (the scheduler, ``rosemeet deliver-mail``, a paused
leader that resumes) sent the same messages because a row lock lasted only until the first
message of a batch was committed. Now a delivery run claims each message first:
``claimed_by`` (the run) and ``claimed_until`` (when the claim lapses). ``message_id`` keeps
one Message-ID per message for every attempt, and ``first_attempt_at`` starts the clock after
which a message is given up (a time, not a number of attempts). ``scheduler_lease.fence``
increases on every take-over, so a resumed old leader knows it lost the lease.

APScheduler now keeps its jobs in memory (they are rebuilt from the code whenever a process
takes the lease, as ``replace_existing`` did anyway): its writes to ``apscheduler_jobs`` after
every run crashed the scheduler on "database is locked". The table holds nothing worth
keeping and is dropped; downgrade creates it empty (the old code fills it at start).

Nothing here rebuilds a table: SQLite adds nullable columns, a column with a literal default
and a unique index in place, and drops plain columns in place (3.35+). Upgrade fills nothing
(every new column starts empty; the existing lease gets fence 1). Downgrade drops the index
and the columns: messages keep their status, claims are forgotten (the old code ignores them).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OUTBOX_COLUMNS = ("first_attempt_at", "claimed_by", "claimed_until", "message_id")


def upgrade():
    op.add_column(
        "outbox_message", sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("outbox_message", sa.Column("claimed_by", sa.String(length=200), nullable=True))
    op.add_column(
        "outbox_message", sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("outbox_message", sa.Column("message_id", sa.String(length=250), nullable=True))
    op.create_index("uq_outbox_message_message_id", "outbox_message", ["message_id"], unique=True)
    op.add_column(
        "scheduler_lease",
        sa.Column("fence", sa.Integer(), nullable=False, server_default="1"),
    )
    op.drop_index("ix_apscheduler_jobs_next_run_time", table_name="apscheduler_jobs")
    op.drop_table("apscheduler_jobs")


def downgrade():
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apscheduler_jobs")),
    )
    op.create_index(
        "ix_apscheduler_jobs_next_run_time", "apscheduler_jobs", ["next_run_time"], unique=False
    )
    op.drop_column("scheduler_lease", "fence")
    op.drop_index("uq_outbox_message_message_id", table_name="outbox_message")
    for column in reversed(OUTBOX_COLUMNS):
        op.drop_column("outbox_message", column)
