"""Reads on the action plan that the pages, the exports and the API share.

``load_plan()`` reads the whole plan in a fixed number of queries (the plan holds tens of
actions, a few hundred at most); filtering then happens in Python on the loaded tree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rosemeet.extensions import db
from rosemeet.network.models import Alias, Body, Organisation
from rosemeet.plan.models import (
    YEARS,
    PartyRole,
    PlanAction,
    PlanHeading,
    PlanIndicator,
    PlanParty,
    PlanTheme,
    YearStatus,
)


@dataclass
class HeadingNode:
    """A heading with the headings and actions under it."""

    heading: PlanHeading
    children: list[HeadingNode] = field(default_factory=list)
    actions: list[PlanAction] = field(default_factory=list)

    def all_actions(self) -> Iterator[PlanAction]:
        """The actions under this heading and all headings below it, in file order."""
        yield from self.actions
        for child in self.children:
            yield from child.all_actions()

    def pruned(self, keep: set[int]) -> HeadingNode | None:
        """A copy holding only the actions in ``keep`` (None when nothing is left)."""
        children = [c for c in (child.pruned(keep) for child in self.children) if c]
        actions = [a for a in self.actions if a.id in keep]
        if not children and not actions:
            return None
        return HeadingNode(self.heading, children, actions)


@dataclass
class Plan:
    """The whole plan as loaded: lines (trees), actions in file order, themes."""

    lines: list[HeadingNode]
    actions: list[PlanAction]
    themes: list[PlanTheme]
    #: heading id -> titles from the strategic line down to the heading
    paths: dict[int, list[str]]
    #: action id -> its strategic line
    line_of: dict[int, PlanHeading]

    def path(self, action: PlanAction) -> list[str]:
        """Heading titles from the line down to the action's heading."""
        return self.paths.get(action.heading_id, [])

    def names(self, role: PartyRole) -> list[str]:
        """Distinct trekker or partner names, sorted."""
        names = {p.display_name for a in self.actions for p in a.parties(role)}
        return sorted(names, key=str.casefold)

    def bodies(self) -> list[Body]:
        """The bodies that appear as trekker or partner, by name."""
        found = {
            p.body.id: p.body
            for a in self.actions
            for i in a.indicators
            for p in i.parties
            if p.body is not None
        }
        return sorted(found.values(), key=lambda b: b.name.casefold())

    def status_counts(self, actions: list[PlanAction]) -> dict[int, Counter]:
        """Year -> how many of these actions have each status."""
        return {year: Counter(a.status(year) for a in actions) for year in YEARS}


def _action_options():
    return (
        selectinload(PlanAction.indicators)
        .selectinload(PlanIndicator.parties)
        .options(selectinload(PlanParty.organisation), selectinload(PlanParty.body)),
        selectinload(PlanAction.years),
        selectinload(PlanAction.themes),
    )


def load_plan() -> Plan:
    """The current plan (elements no longer in the file left out), in a fixed query count."""
    headings = db.session.scalars(
        select(PlanHeading).where(PlanHeading.removed_at.is_(None)).order_by(PlanHeading.position)
    ).all()
    actions = db.session.scalars(
        select(PlanAction)
        .where(PlanAction.removed_at.is_(None))
        .options(*_action_options())
        .order_by(PlanAction.position)
    ).all()
    themes = db.session.scalars(
        select(PlanTheme).where(PlanTheme.removed_at.is_(None)).order_by(PlanTheme.position)
    ).all()
    nodes = {h.id: HeadingNode(h) for h in headings}
    lines: list[HeadingNode] = []
    for heading in headings:
        parent = nodes.get(heading.parent_id) if heading.parent_id else None
        (parent.children if parent else lines).append(nodes[heading.id])
    paths: dict[int, list[str]] = {}
    tops: dict[int, PlanHeading] = {}

    def walk(node: HeadingNode, above: list[str], top: PlanHeading) -> None:
        paths[node.heading.id] = [*above, node.heading.title]
        tops[node.heading.id] = top
        for child in node.children:
            walk(child, paths[node.heading.id], top)

    for line in lines:
        walk(line, [], line.heading)
    line_of = {}
    for action in actions:
        node = nodes.get(action.heading_id)
        if node is not None:
            node.actions.append(action)
            line_of[action.id] = tops[action.heading_id]
    return Plan(lines, list(actions), list(themes), paths, line_of)


def load_action(action_id: int) -> PlanAction | None:
    """One action with everything its page shows."""
    return db.session.scalar(
        select(PlanAction)
        .where(PlanAction.id == action_id)
        .options(*_action_options(), selectinload(PlanAction.heading))
    )


def heading_path(heading: PlanHeading) -> list[PlanHeading]:
    """The headings from the strategic line down to this one."""
    chain = [heading]
    while chain[0].parent is not None:
        chain.insert(0, chain[0].parent)
    return chain


@dataclass
class Filters:
    """The plan page's filters; empty values do not filter."""

    trekker: str = ""
    partner: str = ""
    body_id: int | None = None
    theme_id: int | None = None
    year: int | None = None
    status: YearStatus | None = None

    @property
    def active(self) -> bool:
        """Is any filter set?"""
        return bool(
            self.trekker
            or self.partner
            or self.body_id
            or self.theme_id
            or self.year
            or self.status
        )

    def matches(self, action: PlanAction) -> bool:
        """Does the action pass every filter?"""
        if self.trekker and self.trekker not in {
            p.display_name for p in action.parties(PartyRole.TREKKER)
        }:
            return False
        if self.partner and self.partner not in {
            p.display_name for p in action.parties(PartyRole.PARTNER)
        }:
            return False
        if self.body_id and not any(
            p.body_id == self.body_id for i in action.indicators for p in i.parties
        ):
            return False
        if self.theme_id and not any(t.id == self.theme_id for t in action.themes):
            return False
        if self.status is not None:
            years = [self.year] if self.year else YEARS
            return any(action.status(year) == self.status for year in years)
        if self.year:
            return action.status(self.year) != YearStatus.NOT_PLANNED
        return True


def known_names() -> list[str]:
    """Names of organisations and bodies, abbreviations, codes and aliases (kept whole)."""
    names: list[str] = []
    for name, abbreviation in db.session.execute(
        select(Organisation.name, Organisation.abbreviation)
    ):
        names += [name, abbreviation or ""]
    for name, code in db.session.execute(select(Body.name, Body.code)):
        names += [name, code]
    names += db.session.scalars(select(Alias.text)).all()
    return [n for n in names if n]


@dataclass
class UnresolvedName:
    """A trekker or partner name that names no organisation or body yet."""

    text: str
    #: (action, role) where it occurs
    places: list[tuple[PlanAction, PartyRole]]


def unresolved_names() -> list[UnresolvedName]:
    """The names kept as written, with the actions that use them, by name."""
    rows = db.session.execute(
        select(PlanParty.text, PlanParty.role, PlanAction)
        .join(PlanIndicator, PlanParty.indicator_id == PlanIndicator.id)
        .join(PlanAction, PlanIndicator.action_id == PlanAction.id)
        .where(
            PlanParty.organisation_id.is_(None),
            PlanParty.body_id.is_(None),
            PlanAction.removed_at.is_(None),
        )
        .order_by(PlanAction.position)
    ).all()
    found: dict[str, UnresolvedName] = {}
    for text, role, action in rows:
        entry = found.setdefault(text, UnresolvedName(text, []))
        if (action, role) not in entry.places:
            entry.places.append((action, role))
    return sorted(found.values(), key=lambda n: n.text.casefold())


def themes() -> list[PlanTheme]:
    """The current transversal themes, in file order."""
    return list(
        db.session.scalars(
            select(PlanTheme).where(PlanTheme.removed_at.is_(None)).order_by(PlanTheme.position)
        )
    )
