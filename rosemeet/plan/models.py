"""The action plan: headings (strategic lines, objectives, sub-headings) as a tree, actions,
their indicators with trekkers and partners, transversal themes, and the year entries.

What comes from the plan file (headings, actions, indicators, themes) is keyed by the
importer's stable ``key`` and rewritten by a re-import; what is kept in the app (year
entries, the links between actions and themes) is never touched by an import.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rosemeet.accounts.models import Person
from rosemeet.core.enums import LabelledEnum, enum_column
from rosemeet.db import Base, utcnow
from rosemeet.network.models import Body, Organisation
from rosemeet.plan.importer import MAX_YEAR, MIN_YEAR, HeadingKind


class YearStatus(LabelledEnum):
    """What became of an action in a year; the values are the Dutch words of the JSON."""

    NOT_PLANNED = "niet gepland", _l("not planned")
    PLANNED = "gepland", _l("planned")
    ONGOING = "lopend", _l("ongoing")
    DONE = "gerealiseerd", _l("realised")
    CANCELLED = "geschrapt", _l("dropped")

    @property
    def css(self) -> str:
        """A CSS class name for the status."""
        return "status-" + self.name.lower().replace("_", "-")


def _enum_named(enum_class: type[LabelledEnum], name: str) -> Enum:
    """An enum column type whose CHECK constraint gets its own name (a second one per table)."""
    column_type = enum_column(enum_class)
    column_type.name = name
    return column_type


class PlanStatus(LabelledEnum):
    """Where a plan stands: being prepared, the one in force, or over."""

    DRAFT = "draft", _l("Draft")
    CURRENT = "current", _l("Current")
    CLOSED = "closed", _l("Closed")


class Plan(Base):
    """A plan period (e.g. "Actieplan 2026-2031") with its own headings, actions and themes."""

    __tablename__ = "plan"
    __table_args__ = (
        CheckConstraint(
            f"first_year <= last_year AND first_year >= {MIN_YEAR} AND last_year <= {MAX_YEAR}",
            "span",
        ),
        Index(
            "uq_plan_one_current",
            "status",
            unique=True,
            sqlite_where=text("status = 'current'"),
            postgresql_where=text("status = 'current'"),
        ),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the name, unique ("Actieplan 2026-2031")
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: the first year of the plan
    first_year: Mapped[int]
    #: the last year of the plan
    last_year: Mapped[int]
    #: draft, current (at most one) or closed
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus), default=PlanStatus.DRAFT)
    #: anonymous visitors see its public page
    published: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: when a file was last imported into it
    imported_at: Mapped[datetime | None]
    #: when it was made
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    headings: Mapped[list[PlanHeading]] = relationship(
        back_populates="plan", order_by="PlanHeading.position", viewonly=True
    )
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan", order_by="PlanAction.position", viewonly=True
    )

    @property
    def years(self) -> range:
        """The years of the plan, first to last."""
        return range(self.first_year, self.last_year + 1)

    @property
    def span(self) -> str:
        """First and last year, as "2026-2031"."""
        return f"{self.first_year}-{self.last_year}"

    @property
    def status_label(self) -> str:
        """The status in the reader's language."""
        return self.status.label


class PartyRole(LabelledEnum):
    """Whether a name on an indicator leads (trekker) or helps (partner)."""

    TREKKER = "trekker", _l("Lead (trekker)")
    PARTNER = "partner", _l("Partner")


class PlanHeading(Base):
    """A strategic line, an objective or a sub-heading of the plan."""

    __tablename__ = "plan_heading"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the plan it belongs to
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    #: the importer's stable key, unique in the plan
    key: Mapped[str] = mapped_column(String(80))
    #: the heading above; empty for a strategic line (actions keep a heading from deletion)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_heading.id", ondelete="CASCADE"), index=True
    )
    #: line, objective or sub-heading
    kind: Mapped[HeadingKind] = mapped_column(enum_column(HeadingKind))
    #: the number as written ("1", "2.1", "a"); empty if none
    number: Mapped[str] = mapped_column(String(20), default="", server_default="")
    #: the title, plain text
    title: Mapped[str] = mapped_column(Text)
    #: depth in the tree, 1 for a strategic line
    level: Mapped[int]
    #: order in the file
    position: Mapped[int]
    #: set when the heading is no longer in the plan file but kept for its actions
    removed_at: Mapped[datetime | None]

    plan: Mapped[Plan] = relationship(back_populates="headings")
    parent: Mapped[PlanHeading | None] = relationship(remote_side=[id])

    @property
    def kind_label(self) -> str:
        """The kind in the reader's language."""
        return self.kind.label

    @property
    def label(self) -> str:
        """Number and title, as in the file."""
        return f"{self.number}. {self.title}" if self.number else self.title


#: which transversal themes an action contributes to (set in the app, never by an import)
action_theme = Table(
    "plan_action_theme",
    Base.metadata,
    Column(
        "action_id",
        ForeignKey("plan_action.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "theme_id",
        ForeignKey("plan_theme.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


#: the bodies that carry an action out (their meetings count as its cadence)
action_body = Table(
    "plan_action_body",
    Base.metadata,
    Column("action_id", ForeignKey("plan_action.id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", ForeignKey("body.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class PlanAction(Base):
    """An action of the plan."""

    __tablename__ = "plan_action"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the plan it belongs to
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    #: the importer's stable key, unique in the plan
    key: Mapped[str] = mapped_column(String(80))
    #: the heading the action stands under
    heading_id: Mapped[int] = mapped_column(
        ForeignKey("plan_heading.id", ondelete="RESTRICT"), index=True
    )
    #: the action's text, plain
    title: Mapped[str] = mapped_column(Text)
    #: order in the file
    position: Mapped[int]
    #: line in the last imported file
    source_line: Mapped[int | None]
    #: set when a re-import no longer holds the action, kept because it has app data
    removed_at: Mapped[datetime | None]
    #: the action of an earlier plan this one continues (confirmed by the regisseur)
    continues_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_action.id", ondelete="SET NULL"), index=True
    )

    plan: Mapped[Plan] = relationship(back_populates="actions")
    heading: Mapped[PlanHeading] = relationship()
    continues: Mapped[PlanAction | None] = relationship(remote_side=[id])
    bodies: Mapped[list[Body]] = relationship(secondary=action_body, order_by="Body.name")
    indicators: Mapped[list[PlanIndicator]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PlanIndicator.position",
    )
    themes: Mapped[list[PlanTheme]] = relationship(
        secondary=action_theme, order_by="PlanTheme.position"
    )
    years: Mapped[list[YearEntry]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="YearEntry.year",
    )

    def year(self, year: int) -> YearEntry | None:
        """The entry of a year, if any (loaded ``years`` required)."""
        return next((entry for entry in self.years if entry.year == year), None)

    def status(self, year: int) -> YearStatus:
        """The status of a year; no entry means not planned."""
        entry = self.year(year)
        return entry.status if entry else YearStatus.NOT_PLANNED

    def parties(self, role: PartyRole) -> list[PlanParty]:
        """Trekkers or partners over all indicators, each name once."""
        seen, out = set(), []
        for indicator in self.indicators:
            for party in indicator.parties:
                if party.role == role and party.display_name not in seen:
                    seen.add(party.display_name)
                    out.append(party)
        return out

    @property
    def trekker_bodies(self) -> list[Body]:
        """The bodies named as trekker of any indicator (their secretaries edit the years)."""
        return [p.body for p in self.parties(PartyRole.TREKKER) if p.body is not None]


class PlanIndicator(Base):
    """An indicator of an action (what shows it worked), with its trekkers and partners."""

    __tablename__ = "plan_indicator"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the action
    action_id: Mapped[int] = mapped_column(
        ForeignKey("plan_action.id", ondelete="CASCADE"), index=True
    )
    #: order under the action
    position: Mapped[int]
    #: the indicator's text (Markdown-ish: paragraphs and "- item" lists)
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: line in the last imported file
    source_line: Mapped[int | None]

    action: Mapped[PlanAction] = relationship(back_populates="indicators")
    parties: Mapped[list[PlanParty]] = relationship(
        back_populates="indicator",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PlanParty.position",
    )

    year_values: Mapped[list[IndicatorYear]] = relationship(
        back_populates="indicator",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="IndicatorYear.year",
    )

    def names(self, role: PartyRole) -> list[PlanParty]:
        """The trekkers or the partners of this indicator."""
        return [p for p in self.parties if p.role == role]

    def value_of(self, year: int) -> IndicatorYear | None:
        """The target and measured value of a year, if any (loaded ``year_values`` required)."""
        return next((v for v in self.year_values if v.year == year), None)


class IndicatorYear(Base):
    """An indicator's target and measured value in one year (kept in the app)."""

    __tablename__ = "plan_indicator_year"
    __table_args__ = (
        UniqueConstraint("indicator_id", "year"),
        CheckConstraint(f"year >= {MIN_YEAR} AND year <= {MAX_YEAR}", "year_range"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the indicator
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("plan_indicator.id", ondelete="CASCADE"), index=True
    )
    #: the year, one of the plan's
    year: Mapped[int]
    #: what the indicator aims at that year (plain text)
    target: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: what was measured, as written: a number or words
    value: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: the measured value when it is a number
    value_number: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    #: how the indicator stands that year
    status: Mapped[YearStatus | None] = mapped_column(enum_column(YearStatus))

    indicator: Mapped[PlanIndicator] = relationship(back_populates="year_values")


class PlanParty(Base):
    """A trekker or partner of an indicator: an organisation, a body, or the text as written."""

    __tablename__ = "plan_party"
    __table_args__ = (CheckConstraint("organisation_id IS NULL OR body_id IS NULL", "one_target"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the indicator
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("plan_indicator.id", ondelete="CASCADE"), index=True
    )
    #: trekker or partner
    role: Mapped[PartyRole] = mapped_column(enum_column(PartyRole))
    #: order within the cell
    position: Mapped[int]
    #: the name as written in the plan file
    text: Mapped[str] = mapped_column(String(300))
    #: the organisation it resolved to
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    #: or the body it resolved to
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="SET NULL"), index=True
    )

    indicator: Mapped[PlanIndicator] = relationship(back_populates="parties")
    organisation: Mapped[Organisation | None] = relationship()
    body: Mapped[Body | None] = relationship()

    @property
    def resolved(self) -> bool:
        """Does the name stand for a known organisation or body?"""
        return self.organisation_id is not None or self.body_id is not None

    @property
    def display_name(self) -> str:
        """The resolved organisation or body name, or the text as written."""
        if self.organisation is not None:
            return self.organisation.name
        if self.body is not None:
            return self.body.name
        return self.text


class PlanTheme(Base):
    """A transversal theme (mobility, workable work, ...) that cuts across actions."""

    __tablename__ = "plan_theme"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the plan it belongs to
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    #: the importer's stable key, unique in the plan
    key: Mapped[str] = mapped_column(String(80))
    #: the title, plain
    title: Mapped[str] = mapped_column(Text)
    #: the explanation (Markdown-ish)
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: order in the file
    position: Mapped[int]
    #: set when a re-import no longer holds the theme, kept because actions link to it
    removed_at: Mapped[datetime | None]

    plan: Mapped[Plan] = relationship()
    links: Mapped[list[PlanThemeLink]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", passive_deletes=True
    )


class PlanThemeLink(Base):
    """A theme linked to a heading, an action or a body: by the import (from the theme's text,
    replaced on re-import) or in the app (never touched by an import)."""

    __tablename__ = "plan_theme_link"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN heading_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN action_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN body_id IS NULL THEN 0 ELSE 1 END) = 1",
            "one_target",
        ),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the theme
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("plan_theme.id", ondelete="CASCADE"), index=True
    )
    #: a heading: every action under it
    heading_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_heading.id", ondelete="CASCADE"), index=True
    )
    #: or one action
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_action.id", ondelete="CASCADE"), index=True
    )
    #: or a body (a body with links is not deleted)
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="RESTRICT"), index=True
    )
    #: made by the import from the theme's text (replaced by the next import)
    by_import: Mapped[bool] = mapped_column(default=False, server_default="0")

    theme: Mapped[PlanTheme] = relationship(back_populates="links")
    heading: Mapped[PlanHeading | None] = relationship()
    action: Mapped[PlanAction | None] = relationship()
    body: Mapped[Body | None] = relationship()


class YearEntry(Base):
    """What was planned and what happened for an action in one year (kept in the app)."""

    __tablename__ = "plan_year_entry"
    __table_args__ = (
        UniqueConstraint("action_id", "year"),
        CheckConstraint(f"year >= {MIN_YEAR} AND year <= {MAX_YEAR}", "year_range"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the action
    action_id: Mapped[int] = mapped_column(
        ForeignKey("plan_action.id", ondelete="CASCADE"), index=True
    )
    #: the year, one of the action's plan
    year: Mapped[int]
    #: niet gepland, gepland, lopend, gerealiseerd or geschrapt
    status: Mapped[YearStatus] = mapped_column(
        enum_column(YearStatus), default=YearStatus.NOT_PLANNED
    )
    #: what was planned or what happened (plain text)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: when it was last changed
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: who changed it last
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    #: the status the last import wrote (none when the entry was made in the app)
    import_status: Mapped[YearStatus | None] = mapped_column(
        _enum_named(YearStatus, "importyearstatus")
    )
    #: the note the last import wrote
    import_note: Mapped[str | None] = mapped_column(Text)

    action: Mapped[PlanAction] = relationship(back_populates="years")

    @property
    def edited_since_import(self) -> bool:
        """Was the status or the note changed in the app after the import wrote them?"""
        return (self.status, self.note) != (self.import_status, self.import_note)

    updated_by: Mapped[Person | None] = relationship()
