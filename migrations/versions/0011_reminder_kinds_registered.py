"""reminder kinds registered by the domains: reminder_opt_out.kind loses its CHECK constraint

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 10:00:00

Reviewed by hand. The kinds of reminder are no longer one enum in ``mail.models`` that names
every domain's kinds: each domain registers its own in its ``setup(app)`` (key, label,
producer) and ``mail.reminders.set_preferences`` refuses a key that no domain registered.
So ``reminder_opt_out.kind`` stays a VARCHAR(30) and loses the CHECK constraint that listed
the six kinds (``ck_reminder_opt_out_reminderkind``); a domain can add a kind without a
migration. Every row keeps its value.

SQLite cannot drop a constraint in place: batch mode rebuilds the table (``env.py`` turns
foreign keys off while it does, so nothing cascades). Downgrade puts the constraint back;
an opt-out of a kind that the six do not know (one a newer domain registered) means nothing
to the old code and would violate the constraint, so it is deleted first.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: the constraint's name (the naming convention's ``ck_<table>_<name of the enum type>``)
CONSTRAINT = "ck_reminder_opt_out_reminderkind"
#: the kinds the constraint allowed (migration 0004)
OLD_KINDS = ("agenda", "followup_due", "followup_overdue", "minutes", "adhoc_end", "digest")

reminder_opt_out = sa.table("reminder_opt_out", sa.column("kind", sa.String(30)))


def upgrade():
    with op.batch_alter_table("reminder_opt_out", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_="check")


def downgrade():
    op.execute(reminder_opt_out.delete().where(reminder_opt_out.c.kind.not_in(OLD_KINDS)))
    allowed = ", ".join(f"'{kind}'" for kind in OLD_KINDS)
    with op.batch_alter_table("reminder_opt_out", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f(CONSTRAINT), sa.text(f"kind IN ({allowed})"))
