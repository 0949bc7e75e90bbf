"""Organisations (with aliases), bodies, memberships and body relations."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rosemeet.accounts.models import Person
from rosemeet.core.enums import LabelledEnum, enum_column
from rosemeet.db import Base, utcnow


class OrganisationKind(LabelledEnum):
    """What kind of organisation this is."""

    SE_COMPANY = "se_company", _l("Social economy company")
    LDE = "lde", _l("Local services economy (LDE)")
    AZ = "az", _l("Sheltered care work (AZ)")
    MAATWERK = "maatwerk", _l("Custom work company (maatwerk)")
    LOCAL_GOVERNMENT = "local_government", _l("Local government")
    PUBLIC_AGENCY = "public_agency", _l("Public agency")
    PARTNER = "partner", _l("Partner")


class BodyKind(LabelledEnum):
    """What kind of body (overlegorgaan) this is."""

    GENERAL_ASSEMBLY = "general_assembly", _l("General assembly")
    ACTION_GROUP = "action_group", _l("Action group")
    WORKING_GROUP = "working_group", _l("Working group / factory")
    ADHOC = "adhoc", _l("Ad-hoc working group")
    COUNCIL = "council", _l("Council")


class Role(LabelledEnum):
    """A person's role in a body."""

    CHAIR = "chair", _l("Chair")
    SECRETARY = "secretary", _l("Secretary")
    MEMBER = "member", _l("Member")
    OBSERVER = "observer", _l("Observer")


class RelationKind(LabelledEnum):
    """How one body relates to another."""

    PREPARES = "prepares", _l("prepares the agenda of")
    REPORTS_TO = "reports_to", _l("reports back to")

    @property
    def inverse_label(self) -> str:
        """The relation read from the target body's side."""
        inverse = {
            RelationKind.PREPARES: _l("agenda prepared by"),
            RelationKind.REPORTS_TO: _l("receives reports from"),
        }
        return str(inverse[self])


class Organisation(Base):
    """An organisation of the network (company, local government, agency, partner)."""

    __tablename__ = "organisation"

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: official name, unique
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: usual abbreviation ("W13", "VDAB")
    abbreviation: Mapped[str | None] = mapped_column(String(30))
    #: kind of organisation
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    #: general e-mail address
    email: Mapped[str | None] = mapped_column(String(320))
    #: telephone number
    phone: Mapped[str | None] = mapped_column(String(50))
    #: web site
    website: Mapped[str | None] = mapped_column(String(300))
    #: postal address
    address: Mapped[str | None] = mapped_column(Text)
    #: when the record was made
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    aliases: Mapped[list[Alias]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Alias.text"
    )
    people: Mapped[list[Person]] = relationship(
        back_populates="organisation", order_by="Person.name"
    )

    @property
    def display_name(self) -> str:
        """Name with abbreviation, as in "Intercommunale Leiedal (Leiedal)"."""
        if self.abbreviation and self.abbreviation.lower() not in self.name.lower():
            return f"{self.name} ({self.abbreviation})"
        return self.name


class Body(Base):
    """A body (overlegorgaan) that meets: the AV, the Actiegroep, a fabriek, the ROA, ..."""

    __tablename__ = "body"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", "dates"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: full name, unique
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: short code used in numbers and lists ("AG", "ROA"), unique, upper case
    code: Mapped[str] = mapped_column(String(12), unique=True)
    #: kind of body
    kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind))
    #: what the body does (Markdown)
    description: Mapped[str | None] = mapped_column(Text)
    #: where it usually meets
    default_location: Mapped[str | None] = mapped_column(String(300))
    #: the body's mailbox: organiser of its meetings' invitations, where replies go
    mailbox: Mapped[str | None] = mapped_column(String(320))
    #: public bodies are visible to anonymous visitors; closed ones to their members
    is_public: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: an invitee may send a delegate in their place (a calendar's DELEGATED answer adds the
    #: delegate as a guest); otherwise a delegation is listed for the secretary
    delegates_allowed: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: start date (ad-hoc groups)
    starts_on: Mapped[date | None]
    #: planned end date (ad-hoc groups)
    ends_on: Mapped[date | None]
    #: the report an ad-hoc group ends with ("Werkgroep afronden", Markdown)
    closing_report: Mapped[str | None] = mapped_column(Text)
    #: set when archived: kept with its history, no new meetings
    archived_at: Mapped[datetime | None]
    #: when the record was made
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="body", cascade="all, delete-orphan", passive_deletes=True
    )
    aliases: Mapped[list[Alias]] = relationship(
        back_populates="body", cascade="all, delete-orphan", order_by="Alias.text"
    )
    outgoing_relations: Mapped[list[BodyRelation]] = relationship(
        foreign_keys="BodyRelation.source_body_id",
        back_populates="source",
        cascade="all, delete-orphan",
    )
    incoming_relations: Mapped[list[BodyRelation]] = relationship(
        foreign_keys="BodyRelation.target_body_id",
        back_populates="target",
        cascade="all, delete-orphan",
    )

    @property
    def is_archived(self) -> bool:
        """Archived bodies keep their history but get no new meetings."""
        return self.archived_at is not None


class Membership(Base):
    """A person's seat in a body, with a role and a period."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("person_id", "body_id"),
        CheckConstraint("until IS NULL OR since IS NULL OR until >= since", "period"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the person
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: the body
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"), index=True)
    #: chair, secretary, member or observer
    role: Mapped[Role] = mapped_column(enum_column(Role))
    #: first day of membership
    since: Mapped[date | None]
    #: last day of membership; empty while it lasts
    until: Mapped[date | None]

    person: Mapped[Person] = relationship(back_populates="memberships")
    body: Mapped[Body] = relationship(back_populates="memberships")

    def is_current(self, on: date) -> bool:
        """Does the membership hold on the given day?"""
        return (self.since is None or self.since <= on) and (self.until is None or on <= self.until)


class BodyRelation(Base):
    """A relation between two bodies: the source prepares / reports back to the target."""

    __tablename__ = "body_relation"
    __table_args__ = (
        UniqueConstraint("source_body_id", "target_body_id", "kind"),
        CheckConstraint("source_body_id <> target_body_id", "distinct_bodies"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the body that prepares or reports
    source_body_id: Mapped[int] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), index=True
    )
    #: the body that is prepared for or reported to
    target_body_id: Mapped[int] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), index=True
    )
    #: prepares or reports_to
    kind: Mapped[RelationKind] = mapped_column(enum_column(RelationKind))

    source: Mapped[Body] = relationship(
        foreign_keys=[source_body_id], back_populates="outgoing_relations"
    )
    target: Mapped[Body] = relationship(
        foreign_keys=[target_body_id], back_populates="incoming_relations"
    )


class Alias(Base):
    """Another name for an organisation or a body ("LB", "regie", "actiegroep")."""

    __tablename__ = "alias"
    __table_args__ = (
        CheckConstraint("(organisation_id IS NULL) <> (body_id IS NULL)", "exactly_one_target"),
    )

    #: primary key
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the alias as written
    text: Mapped[str] = mapped_column(String(200))
    #: casefolded, whitespace-normalised text; unique, used for lookups
    normalized: Mapped[str] = mapped_column(String(200), unique=True)
    #: the organisation it names
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    #: or the body it names
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("body.id", ondelete="CASCADE"), index=True
    )

    organisation: Mapped[Organisation | None] = relationship(back_populates="aliases")
    body: Mapped[Body | None] = relationship(back_populates="aliases")

    @property
    def target(self) -> Organisation | Body:
        """What it names: its organisation or its body (exactly one, by the CHECK)."""
        target = self.organisation or self.body
        assert target is not None  # exactly_one_target
        return target


def normalize_name(text: str) -> str:
    """The lookup form of a name: casefolded, single spaces, no trailing dot."""
    return " ".join(text.split()).casefold().rstrip(".").strip()
