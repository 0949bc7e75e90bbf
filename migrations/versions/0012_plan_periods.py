"""plan periods: plans with a span, plan_id on headings, actions and themes, open years

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 06:00:00

Written by hand. A plan (``plan``) has a name, a first and a last year and a status; at most
one is current (a partial unique index, on SQLite and PostgreSQL alike). The existing rows
become the plan "Actieplan 2020-2025" (current) when there are any: ``plan_id`` is added
nullable, filled, then made NOT NULL. Keys are unique per plan instead of over all rows.
Year entries lose the fixed 2020..2025 check (any year 1990..2100; the operations keep a
year inside its plan) and gain ``import_status``/``import_note`` (what the last import wrote,
left empty for the rows that exist: they were never written by an import that records it).
Actions gain ``continues_id``; new tables: indicator years, action bodies, theme links.

SQLite rebuilds the altered tables in batch mode (``env.py`` turns foreign keys off while it
does, so nothing cascades). Downgrade refuses (RuntimeError) when more than one plan exists
or the one plan holds a year outside 2020..2025: the old schema has no place for them. Else
it reverses everything; the rows of the 2020-2025 plan are kept (the new tables go).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: the name, span and status the existing rows get
EXISTING = {"id": 1, "name": "Actieplan 2020-2025", "first_year": 2020, "last_year": 2025}
#: the tables that get a plan_id and a key unique per plan
KEYED = ("plan_heading", "plan_action", "plan_theme")
#: the year statuses (migration 0002)
STATUSES = ("niet gepland", "gepland", "lopend", "gerealiseerd", "geschrapt")


def _status_enum(name: str) -> sa.Enum:
    return sa.Enum(*STATUSES, name=name, native_enum=False, create_constraint=True, length=30)


plan = sa.table(
    "plan",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String(200)),
    sa.column("first_year", sa.Integer),
    sa.column("last_year", sa.Integer),
    sa.column("status", sa.String(30)),
    sa.column("published", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade():
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "current",
                "closed",
                name="planstatus",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("published", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "first_year <= last_year AND first_year >= 1990 AND last_year <= 2100",
            name=op.f("ck_plan_span"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("name", name=op.f("uq_plan_name")),
    )
    op.create_index(
        "uq_plan_one_current",
        "plan",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'current'"),
        postgresql_where=sa.text("status = 'current'"),
    )
    bind = op.get_bind()
    existing = any(
        bind.execute(sa.select(sa.literal(1)).select_from(sa.table(table)).limit(1)).first()
        for table in KEYED
    )
    if existing:
        op.execute(
            plan.insert().values(
                **EXISTING, status="current", published=False, created_at=sa.func.now()
            )
        )
    for table in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        op.execute(sa.table(table, sa.column("plan_id")).update().values(plan_id=EXISTING["id"]))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("plan_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_plan_id_plan"),
                "plan",
                ["plan_id"],
                ["id"],
                ondelete="RESTRICT",
            )
            batch_op.create_index(batch_op.f(f"ix_{table}_plan_id"), ["plan_id"], unique=False)
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_key"), type_="unique")
            batch_op.create_unique_constraint(
                batch_op.f(f"uq_{table}_plan_id_key"), ["plan_id", "key"]
            )
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("continues_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_plan_action_continues_id_plan_action"),
            "plan_action",
            ["continues_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_plan_action_continues_id"), ["continues_id"], unique=False
        )
    with op.batch_alter_table("plan_year_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_plan_year_entry_year_range"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_plan_year_entry_year_range"), sa.text("year >= 1990 AND year <= 2100")
        )
        batch_op.add_column(
            sa.Column("import_status", _status_enum("importyearstatus"), nullable=True)
        )
        batch_op.add_column(sa.Column("import_note", sa.Text(), nullable=True))

    op.create_table(
        "plan_indicator_year",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Text(), server_default="", nullable=False),
        sa.Column("value", sa.Text(), server_default="", nullable=False),
        sa.Column("value_number", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("status", _status_enum("yearstatus"), nullable=True),
        sa.CheckConstraint(
            "year >= 1990 AND year <= 2100", name=op.f("ck_plan_indicator_year_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["plan_indicator.id"],
            name=op.f("fk_plan_indicator_year_indicator_id_plan_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_indicator_year")),
        sa.UniqueConstraint(
            "indicator_id", "year", name=op.f("uq_plan_indicator_year_indicator_id_year")
        ),
    )
    op.create_index(
        op.f("ix_plan_indicator_year_indicator_id"),
        "plan_indicator_year",
        ["indicator_id"],
        unique=False,
    )
    op.create_table(
        "plan_action_body",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["plan_action.id"],
            name=op.f("fk_plan_action_body_action_id_plan_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_plan_action_body_body_id_body"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("action_id", "body_id", name=op.f("pk_plan_action_body")),
    )
    op.create_index(
        op.f("ix_plan_action_body_body_id"), "plan_action_body", ["body_id"], unique=False
    )
    op.create_table(
        "plan_theme_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("heading_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("by_import", sa.Boolean(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN heading_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN action_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN body_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_plan_theme_link_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["plan_theme.id"],
            name=op.f("fk_plan_theme_link_theme_id_plan_theme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["heading_id"],
            ["plan_heading.id"],
            name=op.f("fk_plan_theme_link_heading_id_plan_heading"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["plan_action.id"],
            name=op.f("fk_plan_theme_link_action_id_plan_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_plan_theme_link_body_id_body"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_theme_link")),
    )
    for column in ("theme_id", "heading_id", "action_id", "body_id"):
        op.create_index(
            op.f(f"ix_plan_theme_link_{column}"), "plan_theme_link", [column], unique=False
        )


def downgrade():
    bind = op.get_bind()
    plans = bind.execute(sa.text("SELECT first_year, last_year FROM plan")).all()
    if len(plans) > 1:
        raise RuntimeError(
            f"Cannot downgrade below 0012: there are {len(plans)} plans and the old schema holds "
            "one (2020-2025). Delete the other plans first."
        )
    outside = bind.execute(
        sa.text("SELECT count(*) FROM plan_year_entry WHERE year < 2020 OR year > 2025")
    ).scalar()
    if (plans and tuple(plans[0]) != (2020, 2025)) or outside:
        raise RuntimeError(
            "Cannot downgrade below 0012: the plan holds years outside 2020-2025, which the "
            "old schema refuses."
        )
    op.drop_table("plan_theme_link")
    op.drop_table("plan_action_body")
    op.drop_table("plan_indicator_year")
    with op.batch_alter_table("plan_year_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_plan_year_entry_importyearstatus"), type_="check")
        batch_op.drop_column("import_note")
        batch_op.drop_column("import_status")
        batch_op.drop_constraint(batch_op.f("ck_plan_year_entry_year_range"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_plan_year_entry_year_range"), sa.text("year >= 2020 AND year <= 2025")
        )
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_action_continues_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_plan_action_continues_id_plan_action"), type_="foreignkey"
        )
        batch_op.drop_column("continues_id")
    for table in reversed(KEYED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_plan_id_key"), type_="unique")
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_key"), ["key"])
            batch_op.drop_index(batch_op.f(f"ix_{table}_plan_id"))
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_plan_id_plan"), type_="foreignkey")
            batch_op.drop_column("plan_id")
    op.drop_index("uq_plan_one_current", table_name="plan")
    op.drop_table("plan")
