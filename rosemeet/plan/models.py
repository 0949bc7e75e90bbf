"""The action plan: headings (strategic lines, objectives, sub-headings) as a tree, actions,
their indicators with trekkers and partners, transversal themes, and the year entries.

What comes from the plan file (headings, actions, indicators, themes) is keyed by the
importer's stable ``key`` and rewritten by a re-import; what is kept in the app (year
entries, the links between actions and themes) is never touched by an import.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rosemeet.accounts.models import Person
from rosemeet.core.enums import LabelledEnum, enum_column
from rosemeet.db import Base, utcnow
from rosemeet.network.models import Body, Organisation
from rosemeet.plan.importer import HeadingKind

#: The years of the plan, each with a status and a note per action.
YEARS = tuple(range(2020, 2026))


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


class PartyRole(LabelledEnum):
    """Whether a name on an indicator leads (trekker) or helps (partner)."""

    TREKKER = "trekker", _l("Lead (trekker)")
    PARTNER = "partner", _l("Partner")


class PlanHeading(Base):
    """A strategic line, an objective or a sub-heading of the plan."""

    __tablename__ = "plan_heading"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the importer's stable key, unique
    key: Mapped[str] = mapped_column(String(80), unique=True)
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


class PlanAction(Base):
    """An action of the plan."""

    __tablename__ = "plan_action"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the importer's stable key, unique
    key: Mapped[str] = mapped_column(String(80), unique=True)
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

    heading: Mapped[PlanHeading] = relationship()
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

    def names(self, role: PartyRole) -> list[PlanParty]:
        """The trekkers or the partners of this indicator."""
        return [p for p in self.parties if p.role == role]


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

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the importer's stable key, unique
    key: Mapped[str] = mapped_column(String(80), unique=True)
    #: the title, plain
    title: Mapped[str] = mapped_column(Text)
    #: the explanation (Markdown-ish)
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: order in the file
    position: Mapped[int]
    #: set when a re-import no longer holds the theme, kept because actions link to it
    removed_at: Mapped[datetime | None]


class YearEntry(Base):
    """What was planned and what happened for an action in one year (kept in the app)."""

    __tablename__ = "plan_year_entry"
    __table_args__ = (
        UniqueConstraint("action_id", "year"),
        CheckConstraint(f"year >= {YEARS[0]} AND year <= {YEARS[-1]}", "year_range"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the action
    action_id: Mapped[int] = mapped_column(
        ForeignKey("plan_action.id", ondelete="CASCADE"), index=True
    )
    #: the year, 2020 .. 2025
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

    action: Mapped[PlanAction] = relationship(back_populates="years")
    updated_by: Mapped[Person | None] = relationship()
