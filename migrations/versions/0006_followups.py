"""followups: decisions, follow-ups, fed-back minutes (the ROA loop), search documents

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 19:00:00

Reviewed by hand. Decisions and follow-ups are history: the bodies they belong to and
report to, and the meetings decisions were taken in, are RESTRICT (bodies are archived,
meetings cancelled); removed agenda items, people and organisations leave them in place
(SET NULL); links to plan actions go with either side (CASCADE). Decision numbers are
unique per body, year and sequence (the retry in operations.record_decision relies on it).

Search: ``search_document`` holds one row per searchable object; its full-text index is
an FTS5 table kept in step by triggers on SQLite, and a GIN expression index on
PostgreSQL (the expression must stay equal to ``followups.models.PG_DOCUMENT``).
The documents of objects that exist before this revision are written by
``rosemeet search-reindex``. Downgrade drops everything in reverse order.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: the expression of the PostgreSQL full-text index, as PostgreSQL prints it (= followups.models.PG_DOCUMENT)
PG_DOCUMENT = "to_tsvector('simple'::regconfig, (COALESCE(title, ''::character varying)::text || ' '::text) || COALESCE(content, ''::text))"

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE search_document_fts USING fts5(
        title, content, content='search_document', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_document_fts(rowid, title, content)
        VALUES (new.id, new.title, new.content);
    END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, title, content)
        VALUES ('delete', old.id, old.title, old.content);
    END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_document_fts(search_document_fts, rowid, title, content)
        VALUES ('delete', old.id, old.title, old.content);
        INSERT INTO search_document_fts(rowid, title, content)
        VALUES (new.id, new.title, new.content);
    END""",
]


def _create_full_text_index():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            f"CREATE INDEX ix_search_document_fts ON search_document USING gin (({PG_DOCUMENT}))"
        )


def _drop_full_text_index():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("search_document_au", "search_document_ad", "search_document_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_document_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_document_fts")


def upgrade():
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "agenda_item",
                "minutes",
                "decision",
                "follow_up",
                name="searchkind",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["body.id"],
            name=op.f("fk_search_document_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_search_document_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
        sa.UniqueConstraint("kind", "object_id", name=op.f("uq_search_document_kind_object_id")),
    )
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_document_body_id"), ["body_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("sequence > 0", name=op.f("ck_decision_positive_sequence")),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_decision_agenda_item_id_agenda_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["body.id"], name=op.f("fk_decision_body_id_body"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_decision_meeting_id_meeting"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["person.id"],
            name=op.f("fk_decision_recorded_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint(
            "body_id", "year", "sequence", name=op.f("uq_decision_body_id_year_sequence")
        ),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_agenda_item_id"), ["agenda_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_decision_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "feedback_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("source_body_id", sa.Integer(), nullable=False),
        sa.Column("target_body_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_feedback_report_agenda_item_id_agenda_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_feedback_report_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_body_id"],
            ["body.id"],
            name=op.f("fk_feedback_report_source_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_body_id"],
            ["body.id"],
            name=op.f("fk_feedback_report_target_body_id_body"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_report")),
        sa.UniqueConstraint(
            "meeting_id",
            "source_body_id",
            "target_body_id",
            name=op.f("uq_feedback_report_meeting_id_source_body_id_target_body_id"),
        ),
    )
    with op.batch_alter_table("feedback_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_report_agenda_item_id"), ["agenda_item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_report_target_body_id"), ["target_body_id"], unique=False
        )

    op.create_table(
        "decision_action",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["plan_action.id"],
            name=op.f("fk_decision_action_action_id_plan_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decision.id"],
            name=op.f("fk_decision_action_decision_id_decision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", "action_id", name=op.f("pk_decision_action")),
    )
    with op.batch_alter_table("decision_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_action_action_id"), ["action_id"], unique=False
        )

    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("origin_meeting_id", sa.Integer(), nullable=True),
        sa.Column("owner_person_id", sa.Integer(), nullable=True),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "lopend",
                "afgehandeld",
                "geschrapt",
                name="followupstatus",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("report_to_body_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_in_meeting_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
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
            "report_to_body_id IS NULL OR report_to_body_id <> body_id",
            name=op.f("ck_follow_up_report_elsewhere"),
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_follow_up_agenda_item_id_agenda_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["body.id"], name=op.f("fk_follow_up_body_id_body"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["person.id"],
            name=op.f("fk_follow_up_closed_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["closed_in_meeting_id"],
            ["meeting.id"],
            name=op.f("fk_follow_up_closed_in_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
            name=op.f("fk_follow_up_created_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decision.id"],
            name=op.f("fk_follow_up_decision_id_decision"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["origin_meeting_id"],
            ["meeting.id"],
            name=op.f("fk_follow_up_origin_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_follow_up_owner_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_person_id"],
            ["person.id"],
            name=op.f("fk_follow_up_owner_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_to_body_id"],
            ["body.id"],
            name=op.f("fk_follow_up_report_to_body_id_body"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_agenda_item_id"), ["agenda_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_follow_up_body_id"), ["body_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_follow_up_closed_in_meeting_id"), ["closed_in_meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_follow_up_decision_id"), ["decision_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_follow_up_origin_meeting_id"), ["origin_meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_owner_organisation_id"),
            ["owner_organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_owner_person_id"), ["owner_person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_report_to_body_id"), ["report_to_body_id"], unique=False
        )
        batch_op.create_index("ix_follow_up_status_due_on", ["status", "due_on"], unique=False)

    op.create_table(
        "follow_up_action",
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["plan_action.id"],
            name=op.f("fk_follow_up_action_action_id_plan_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_up.id"],
            name=op.f("fk_follow_up_action_follow_up_id_follow_up"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("follow_up_id", "action_id", name=op.f("pk_follow_up_action")),
    )
    with op.batch_alter_table("follow_up_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_action_action_id"), ["action_id"], unique=False
        )

    _create_full_text_index()


def downgrade():
    _drop_full_text_index()
    with op.batch_alter_table("follow_up_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_action_action_id"))

    op.drop_table("follow_up_action")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_status_due_on")
        batch_op.drop_index(batch_op.f("ix_follow_up_report_to_body_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_owner_person_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_owner_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_origin_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_decision_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_closed_in_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_body_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_agenda_item_id"))

    op.drop_table("follow_up")
    with op.batch_alter_table("decision_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_action_action_id"))

    op.drop_table("decision_action")
    with op.batch_alter_table("feedback_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_report_target_body_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_report_agenda_item_id"))

    op.drop_table("feedback_report")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_decision_body_id"))
        batch_op.drop_index(batch_op.f("ix_decision_agenda_item_id"))

    op.drop_table("decision")
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_document_body_id"))

    op.drop_table("search_document")
