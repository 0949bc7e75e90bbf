"""Reads on the action plans that the pages, the exports and the API share.

``load_plan(plan)`` reads one plan's tree in a fixed number of queries (a plan holds tens of
actions, a few hundred at most); filtering then happens in Python on the loaded tree.
Meetings held (an action's cadence) are counted by the meetings domain, which sits above
the plan: it registers its counter with ``register_meeting_counter`` in its ``setup``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import case, or_, select
from sqlalchemy.orm import selectinload

from rosemeet.extensions import db
from rosemeet.network.models import Alias, Body, Organisation
from rosemeet.plan.importer import Reference, theme_references
from rosemeet.plan.models import (
    PartyRole,
    Plan,
    PlanAction,
    PlanHeading,
    PlanIndicator,
    PlanParty,
    PlanStatus,
    PlanTheme,
    PlanThemeLink,
    YearStatus,
)

#: app.extensions key of the function that counts meetings held: (body ids, years) ->
#: {(body id, year): count}
MEETING_COUNTER = "plan.meeting_counter"


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
class PlanTree:
    """One plan as loaded: lines (trees), actions in file order, themes."""

    plan: Plan
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
        return {year: Counter(a.status(year) for a in actions) for year in self.plan.years}


def _action_options():
    return (
        selectinload(PlanAction.indicators).options(
            selectinload(PlanIndicator.parties).options(
                selectinload(PlanParty.organisation), selectinload(PlanParty.body)
            ),
            selectinload(PlanIndicator.year_values),
        ),
        selectinload(PlanAction.years),
        selectinload(PlanAction.themes),
        selectinload(PlanAction.bodies),
    )


def plans() -> list[Plan]:
    """Every plan: the current one first, then by first year, newest first."""
    current_first = case((Plan.status == PlanStatus.CURRENT, 0), else_=1)
    return list(db.session.scalars(select(Plan).order_by(current_first, Plan.first_year.desc())))


def current_plan() -> Plan | None:
    """The plan in force, if any."""
    return db.session.scalar(select(Plan).where(Plan.status == PlanStatus.CURRENT))


def get_plan(plan_id: int) -> Plan | None:
    """One plan by id."""
    return db.session.get(Plan, plan_id)


def plan_for_year(year: int) -> Plan | None:
    """The plan whose span holds the year: the current one first, then the newest."""
    return next((p for p in plans() if p.first_year <= year <= p.last_year), None)


def plan_by_span(first_year: int, last_year: int) -> Plan | None:
    """The plan with exactly this span, if any."""
    return db.session.scalar(
        select(Plan).where(Plan.first_year == first_year, Plan.last_year == last_year)
    )


def load_plan(plan: Plan) -> PlanTree:
    """A plan's tree (elements no longer in the file left out), in a fixed query count."""
    headings = db.session.scalars(
        select(PlanHeading)
        .where(PlanHeading.plan_id == plan.id, PlanHeading.removed_at.is_(None))
        .order_by(PlanHeading.position)
    ).all()
    actions = db.session.scalars(
        select(PlanAction)
        .where(PlanAction.plan_id == plan.id, PlanAction.removed_at.is_(None))
        .options(*_action_options())
        .order_by(PlanAction.position)
    ).all()
    themes = plan_themes(plan)
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
    return PlanTree(plan, lines, list(actions), themes, paths, line_of)


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
            years = [self.year] if self.year else action.plan.years
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


def unresolved_names() -> list[UnresolvedName]:  # every plan's: names are the network's
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
    """The transversal themes of every plan still in its file, by plan and file order."""
    return list(
        db.session.scalars(
            select(PlanTheme)
            .where(PlanTheme.removed_at.is_(None))
            .order_by(PlanTheme.plan_id, PlanTheme.position)
        )
    )


def plan_themes(plan: Plan) -> list[PlanTheme]:
    """A plan's transversal themes still in its file, in file order."""
    return list(
        db.session.scalars(
            select(PlanTheme)
            .where(PlanTheme.plan_id == plan.id, PlanTheme.removed_at.is_(None))
            .order_by(PlanTheme.position)
        )
    )


# --- continuity between plans ----------------------------------------------------------------


def normalised_title(title: str) -> str:
    """A title for comparison: accents stripped, casefolded, only letters and digits."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def suggested_continuations(plan: Plan) -> list[tuple[PlanAction, PlanAction]]:
    """(action of the plan, action of an earlier plan) whose titles match after
    normalisation, for the actions without a confirmed continuation; the latest earlier
    plan wins."""
    earlier = db.session.scalars(
        select(PlanAction)
        .join(Plan, PlanAction.plan_id == Plan.id)
        .where(Plan.last_year < plan.first_year)
        .order_by(Plan.first_year, PlanAction.position)
    ).all()
    by_title = {normalised_title(a.title): a for a in earlier}  # later plans overwrite
    taken = set(
        db.session.scalars(
            select(PlanAction.continues_id).where(PlanAction.continues_id.is_not(None))
        )
    )
    out = []
    for action in db.session.scalars(
        select(PlanAction)
        .where(
            PlanAction.plan_id == plan.id,
            PlanAction.continues_id.is_(None),
            PlanAction.removed_at.is_(None),
        )
        .order_by(PlanAction.position)
    ):
        previous = by_title.get(normalised_title(action.title))
        if previous is not None and previous.id not in taken:
            out.append((action, previous))
    return out


# --- cadence: meetings held by the bodies that carry an action out ---------------------------


def register_meeting_counter(
    app: Flask, counter: Callable[[list[int], list[int]], dict[tuple[int, int], int]]
) -> None:
    """Let the meetings domain count meetings held: (body ids, years) -> {(body, year): n}."""
    app.extensions[MEETING_COUNTER] = counter


def held_meetings(action: PlanAction, year: int) -> int:
    """Meetings of the action's bodies held in the year (not cancelled, started before now)."""
    body_ids = [b.id for b in action.bodies]
    if not body_ids:
        return 0
    counts = current_app.extensions[MEETING_COUNTER](body_ids, [year])
    return sum(counts.get((body_id, year), 0) for body_id in body_ids)


# --- themes linked to headings, actions and bodies -------------------------------------------


def actions_for_theme(theme: PlanTheme) -> list[PlanAction]:
    """The actions of the theme's plan linked to it: directly (by hand or by the import),
    or through a heading (every action under it, sub-headings included)."""
    links = db.session.scalars(select(PlanThemeLink).where(PlanThemeLink.theme_id == theme.id))
    action_ids, heading_ids = set(), set()
    for link in links:
        if link.action_id is not None:
            action_ids.add(link.action_id)
        elif link.heading_id is not None:
            heading_ids.add(link.heading_id)
    headings = db.session.execute(
        select(PlanHeading.id, PlanHeading.parent_id).where(PlanHeading.plan_id == theme.plan_id)
    ).all()
    grown = True
    while grown:  # the headings below a linked heading
        below = {id_ for id_, parent in headings if parent in heading_ids} - heading_ids
        heading_ids |= below
        grown = bool(below)
    return list(
        db.session.scalars(
            select(PlanAction)
            .where(
                PlanAction.plan_id == theme.plan_id,
                PlanAction.removed_at.is_(None),
                or_(
                    PlanAction.id.in_(action_ids),
                    PlanAction.heading_id.in_(heading_ids),
                    PlanAction.themes.any(PlanTheme.id == theme.id),
                ),
            )
            .order_by(PlanAction.position)
        )
    )


@dataclass
class ResolvedTheme:
    """What a theme's text points at in its plan: resolved headings and actions, and the
    references that name nothing."""

    theme: PlanTheme
    headings: list[PlanHeading] = field(default_factory=list)
    actions: list[PlanAction] = field(default_factory=list)
    unresolved: list[Reference] = field(default_factory=list)


def _resolve(
    reference: Reference, headings: list[PlanHeading], actions: list[PlanAction]
) -> PlanHeading | PlanAction | None:
    """The one heading or action a reference names, or None."""
    if reference.kind == "number":
        found = [h for h in headings if h.number == reference.text]
        return found[0] if len(found) == 1 else None
    wanted = normalised_title(reference.text)
    if reference.kind == "title":
        found_h = [
            h
            for h in headings
            if normalised_title(h.title) == wanted
            and (not reference.number or h.number == reference.number)
        ]
        if len(found_h) == 1:
            return found_h[0]
        found_a = [a for a in actions if normalised_title(a.title).startswith(wanted)]
        return found_a[0] if len(found_a) == 1 else None
    words = set(wanted.split()) - {"de", "het", "een", "van", "en", "in", "op", "voor"}
    found_a = [
        a
        for a in actions
        if words
        <= set(normalised_title(" ".join([a.title, *(i.text for i in a.indicators)])).split())
    ]
    return found_a[0] if len(found_a) == 1 else None


def resolve_theme_references(plan: Plan) -> list[ResolvedTheme]:
    """Each theme of the plan with the headings and actions its text points at."""
    headings = db.session.scalars(
        select(PlanHeading).where(PlanHeading.plan_id == plan.id, PlanHeading.removed_at.is_(None))
    ).all()
    actions = db.session.scalars(
        select(PlanAction)
        .where(PlanAction.plan_id == plan.id, PlanAction.removed_at.is_(None))
        .options(selectinload(PlanAction.indicators))
    ).all()
    out = []
    for theme in plan_themes(plan):
        resolved = ResolvedTheme(theme)
        for reference in theme_references(theme.title, theme.text):
            target = _resolve(reference, list(headings), list(actions))
            if isinstance(target, PlanHeading):
                resolved.headings.append(target)
            elif isinstance(target, PlanAction):
                resolved.actions.append(target)
            else:
                resolved.unresolved.append(reference)
        out.append(resolved)
    return out


def suggested_bodies(action: PlanAction) -> list[Body]:
    """Bodies that may carry the action out and are not linked yet: its trekker bodies and
    the bodies its title names (by name or code)."""
    title = f" {normalised_title(action.title)} "
    named = [
        body
        for body in db.session.scalars(select(Body).order_by(Body.name))
        if f" {normalised_title(body.name)} " in title
        or (body.code and f" {normalised_title(body.code)} " in title)
    ]
    linked = {b.id for b in action.bodies}
    found = {b.id: b for b in [*action.trekker_bodies, *named] if b.id not in linked}
    return sorted(found.values(), key=lambda b: b.name.casefold())
