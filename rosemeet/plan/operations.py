"""Writes on the action plan: the import, year entries, theme links and name mapping.

Each function changes objects and flushes; the caller commits once. ``apply_import`` runs
inside a savepoint, so a dry run (or any failure) leaves nothing behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rosemeet.accounts.models import Person
from rosemeet.core.errors import Refused
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.network import operations as network
from rosemeet.network.models import Body, Organisation, normalize_name
from rosemeet.network.queries import name_index
from rosemeet.plan.importer import ParseResult
from rosemeet.plan.models import (
    YEARS,
    PartyRole,
    PlanAction,
    PlanHeading,
    PlanIndicator,
    PlanParty,
    PlanTheme,
    YearEntry,
    YearStatus,
)

logger = logging.getLogger(__name__)

#: outcomes of an import for one heading, action or theme
CREATED, UPDATED, UNCHANGED, REMOVED, KEPT = "created", "updated", "unchanged", "removed", "kept"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, REMOVED, KEPT)


class PlanError(Refused):
    """A refused change; ``field`` names the form field the message belongs to."""


@dataclass
class Change:
    """What an import did (or would do) to one heading, action or theme."""

    #: "heading", "action" or "theme"
    kind: str
    #: created, updated, unchanged, removed (deleted) or kept (gone from the file, kept)
    outcome: str
    title: str
    #: line in the file (none for removed or kept elements)
    line: int | None = None


@dataclass
class NamePlace:
    """Where an unresolved name occurs in the file."""

    action: str
    role: PartyRole
    line: int


@dataclass
class ImportReport:
    """The outcome of ``apply_import``: changes per element and the unresolved names."""

    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)
    #: name as written -> where it occurs
    unresolved: dict[str, list[NamePlace]] = field(default_factory=dict)

    def count(self, outcome: str, kind: str | None = None) -> int:
        """How many elements (of a kind) had this outcome."""
        return sum(1 for c in self.changes if c.outcome == outcome and kind in (None, c.kind))

    @property
    def counts(self) -> dict[str, int]:
        """Outcome -> number of elements."""
        return {outcome: self.count(outcome) for outcome in OUTCOMES}

    @property
    def has_changes(self) -> bool:
        """Would the import change anything?"""
        return any(c.outcome != UNCHANGED for c in self.changes)

    def summary(self) -> str:
        """One translated sentence with the counts."""
        return _(
            "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(removed)s removed, %(kept)s kept although no longer in the file; "
            "%(unresolved)s unresolved names.",
            unresolved=len(self.unresolved),
            **self.counts,
        )


# --- the import ------------------------------------------------------------------------------


class _Resolver:
    """Resolve names against one index of every name and alias, built once per import."""

    def __init__(self) -> None:
        self._index: dict[str, Organisation | Body] | None = None

    def __call__(self, text: str) -> Organisation | Body | None:
        if self._index is None:
            self._index = name_index()
        return self._index.get(normalize_name(text))


def _party_ids(target: Organisation | Body | None) -> tuple[int | None, int | None]:
    if isinstance(target, Organisation):
        return target.id, None
    if isinstance(target, Body):
        return None, target.id
    return None, None


def _has_app_data(action: PlanAction) -> bool:
    """Was anything recorded on the action in the app (years, notes, themes)?"""
    return bool(action.themes) or any(
        e.status != YearStatus.NOT_PLANNED or e.note for e in action.years
    )


def apply_import(
    result: ParseResult,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert the parsed plan by its stable keys; with ``dry_run`` roll everything back.

    Headings, actions, indicators and themes follow the file; year entries and theme links
    are the app's and survive. Elements gone from the file are deleted, or kept (marked as
    removed) when app data hangs on them. ``progress(n)`` is called as actions are done.
    """
    if not result.ok:
        raise PlanError(str(result.errors[0]))
    report = ImportReport(dry_run=dry_run)
    savepoint = db.session.begin_nested()
    try:
        _import(result, report, progress)
    except Exception:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
        logger.info("plan imported: %s", report.counts)
    return report


def _import(result: ParseResult, report: ImportReport, progress) -> None:
    now = utcnow()
    resolve = _Resolver()
    headings = {h.key: h for h in db.session.scalars(select(PlanHeading))}
    by_key: dict[str, PlanHeading] = {}
    for position, parsed in enumerate(result.iter_headings()):
        parent = by_key[parsed.parent_key] if parsed.parent_key else None
        values = {
            "kind": parsed.kind,
            "number": parsed.number,
            "title": parsed.title,
            "level": parsed.level,
        }
        row = headings.get(parsed.key)
        if row is None:
            row = PlanHeading(key=parsed.key, parent=parent, position=position, **values)
            db.session.add(row)
            outcome = CREATED
        else:
            changed = (
                any(getattr(row, name) != value for name, value in values.items())
                or row.parent is not parent
                or row.removed_at is not None
            )
            for name, value in values.items():
                setattr(row, name, value)
            row.parent, row.position, row.removed_at = parent, position, None
            outcome = UPDATED if changed else UNCHANGED
        by_key[parsed.key] = row
        report.changes.append(Change("heading", outcome, parsed.title, parsed.line))
    db.session.flush()

    themes = {t.key: t for t in db.session.scalars(select(PlanTheme))}
    seen_themes = set()
    for position, parsed in enumerate(result.themes):
        row = themes.get(parsed.key)
        seen_themes.add(parsed.key)
        if row is None:
            db.session.add(
                PlanTheme(key=parsed.key, title=parsed.title, text=parsed.text, position=position)
            )
            outcome = CREATED
        else:
            changed = (row.title, row.text, row.removed_at) != (parsed.title, parsed.text, None)
            row.title, row.text, row.position, row.removed_at = (
                parsed.title,
                parsed.text,
                position,
                None,
            )
            outcome = UPDATED if changed else UNCHANGED
        report.changes.append(Change("theme", outcome, parsed.title, parsed.line))

    actions = {
        a.key: a
        for a in db.session.scalars(
            select(PlanAction).options(
                selectinload(PlanAction.indicators).selectinload(PlanIndicator.parties),
                selectinload(PlanAction.years),
                selectinload(PlanAction.themes),
            )
        )
    }
    seen_actions = set()
    for position, parsed in enumerate(result.actions):
        seen_actions.add(parsed.key)
        heading = by_key[parsed.heading_key]
        wanted = []
        for indicator in parsed.indicators:
            parties = []
            for role, names in (
                (PartyRole.TREKKER, indicator.trekkers),
                (PartyRole.PARTNER, indicator.partners),
            ):
                for name in names:
                    target = resolve(name)
                    if target is None:
                        report.unresolved.setdefault(name, []).append(
                            NamePlace(parsed.title, role, indicator.line)
                        )
                    parties.append((role, name, *_party_ids(target)))
            wanted.append((indicator.text, tuple(parties)))
        row = actions.get(parsed.key)
        if row is None:
            row = PlanAction(key=parsed.key, heading=heading, title=parsed.title)
            db.session.add(row)
            outcome = CREATED
            have = None
        else:
            have = [
                (
                    i.text,
                    tuple((p.role, p.text, p.organisation_id, p.body_id) for p in i.parties),
                )
                for i in row.indicators
            ]
            changed = (
                row.title != parsed.title
                or row.heading is not heading
                or row.removed_at is not None
                or have != wanted
            )
            outcome = UPDATED if changed else UNCHANGED
        row.title, row.heading, row.removed_at = parsed.title, heading, None
        row.position, row.source_line = position, parsed.line
        if have != wanted:
            row.indicators.clear()
            db.session.flush()
            for number, ((text, parties), source) in enumerate(
                zip(wanted, parsed.indicators, strict=True)
            ):
                indicator = PlanIndicator(position=number, text=text, source_line=source.line)
                for index, (role, name, organisation_id, body_id) in enumerate(parties):
                    indicator.parties.append(
                        PlanParty(
                            role=role,
                            position=index,
                            text=name[:300],
                            organisation_id=organisation_id,
                            body_id=body_id,
                        )
                    )
                row.indicators.append(indicator)
        _plan_years_from_file(row, parsed, outcome == CREATED)
        report.changes.append(Change("action", outcome, parsed.title, parsed.line))
        if progress is not None:
            progress(1)
    db.session.flush()

    for key, row in actions.items():
        if key in seen_actions:
            continue
        if _has_app_data(row):
            row.removed_at = row.removed_at or now
            report.changes.append(Change("action", KEPT, row.title))
        else:
            db.session.delete(row)
            report.changes.append(Change("action", REMOVED, row.title))
    db.session.flush()

    for key, row in themes.items():
        if key in seen_themes:
            continue
        linked = db.session.scalar(
            select(PlanAction.id).where(PlanAction.themes.any(PlanTheme.id == row.id)).limit(1)
        )
        if linked is not None:
            row.removed_at = row.removed_at or now
            report.changes.append(Change("theme", KEPT, row.title))
        else:
            db.session.delete(row)
            report.changes.append(Change("theme", REMOVED, row.title))

    gone = [h for key, h in headings.items() if key not in by_key]
    for row in sorted(gone, key=lambda h: -h.level):
        in_use = db.session.scalar(
            select(PlanAction.id).where(PlanAction.heading_id == row.id).limit(1)
        ) or db.session.scalar(
            select(PlanHeading.id).where(PlanHeading.parent_id == row.id).limit(1)
        )
        if in_use:
            row.removed_at = row.removed_at or now
            report.changes.append(Change("heading", KEPT, row.title))
        else:
            db.session.delete(row)
            report.changes.append(Change("heading", REMOVED, row.title))
        db.session.flush()


def _plan_years_from_file(action: PlanAction, parsed, is_new: bool) -> None:
    """Year cells filled in the file become "planned" entries, only where the app has none."""
    texts: dict[int, list[str]] = {}
    for indicator in parsed.indicators:
        for year, text in indicator.years.items():
            if year in YEARS:
                texts.setdefault(year, []).append(text)
    if not texts:
        return
    have = set() if is_new else {e.year for e in action.years}
    for year, parts in sorted(texts.items()):
        if year not in have:
            action.years.append(
                YearEntry(year=year, status=YearStatus.PLANNED, note="\n\n".join(parts))
            )


# --- names -----------------------------------------------------------------------------------


def resolve_pending_names() -> int:
    """Resolve the trekkers and partners kept as text that now match a name or alias."""
    pending = db.session.scalars(
        select(PlanParty).where(PlanParty.organisation_id.is_(None), PlanParty.body_id.is_(None))
    ).all()
    resolve = _Resolver()
    count = 0
    for party in pending:
        organisation_id, body_id = _party_ids(resolve(party.text))
        if organisation_id or body_id:
            party.organisation_id, party.body_id = organisation_id, body_id
            count += 1
    db.session.flush()
    logger.info("%d plan names resolved", count)
    return count


def map_name(text: str, target: Organisation | Body) -> int:
    """Make ``text`` an alias of an organisation or body and resolve it in the plan."""
    try:
        network.set_aliases(target, [*(a.text for a in target.aliases), text])
    except network.NetworkError as exc:
        raise PlanError(exc.message, "target") from None
    return resolve_pending_names()


# --- app data: years and themes --------------------------------------------------------------


def set_years(
    action: PlanAction, entries: dict[int, tuple[YearStatus, str]], by: Person | None
) -> list[int]:
    """Set the status and note of some years; return the years that changed."""
    changed = []
    current = {e.year: e for e in action.years}
    for year, (status, note) in sorted(entries.items()):
        if year not in YEARS:
            raise PlanError(_("%(year)s is not a year of the plan.", year=year), "years")
        note = (note or "").strip()
        entry = current.get(year)
        if entry is None:
            if status == YearStatus.NOT_PLANNED and not note:
                continue
            entry = YearEntry(year=year, status=status, note=note, updated_by=by)
            action.years.append(entry)
            changed.append(year)
        elif (entry.status, entry.note) != (status, note):
            entry.status, entry.note = status, note
            entry.updated_at, entry.updated_by = utcnow(), by
            changed.append(year)
    db.session.flush()
    if changed:
        logger.info("action %s: years %s changed", action.id, changed)
    return changed


def set_themes(action: PlanAction, themes: list[PlanTheme]) -> None:
    """Link the action to exactly these transversal themes."""
    action.themes = sorted(themes, key=lambda t: t.position)
    db.session.flush()
