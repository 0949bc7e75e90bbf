"""Writes on the action plans: the import, plans, year entries, indicator years,
continuations, action bodies, theme links and name mapping.

Each function changes objects and flushes; the caller commits once. ``apply_import`` runs
inside a savepoint, so a dry run (or any failure) leaves nothing behind.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from rosemeet.accounts.models import Person
from rosemeet.core.errors import Refused
from rosemeet.db import utcnow
from rosemeet.extensions import db
from rosemeet.network import operations as network
from rosemeet.network.models import Body, Organisation, normalize_name
from rosemeet.network.queries import name_index
from rosemeet.plan import queries
from rosemeet.plan.importer import Action, ParseResult, clean_text
from rosemeet.plan.models import (
    IndicatorYear,
    PartyRole,
    Plan,
    PlanAction,
    PlanHeading,
    PlanIndicator,
    PlanParty,
    PlanStatus,
    PlanTheme,
    PlanThemeLink,
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
class Conflict:
    """A year entry edited in the app since the last import that the file would change."""

    action: str
    year: int
    #: (status, note) in the app
    app_value: tuple[YearStatus, str]
    #: (status, note) in the file
    file_value: tuple[YearStatus, str]


@dataclass
class ImportReport:
    """The outcome of ``apply_import``: the plan it updates or creates, changes per element,
    year-entry conflicts, the unresolved names and theme references."""

    dry_run: bool = False
    #: the name of the plan the file updates or creates
    plan_name: str = ""
    #: the file's span names no plan yet: it creates one
    creates_plan: bool = False
    changes: list[Change] = field(default_factory=list)
    #: name as written -> where it occurs
    unresolved: dict[str, list[NamePlace]] = field(default_factory=dict)
    #: year entries the file would change but the app changed since: kept as in the app
    conflicts: list[Conflict] = field(default_factory=list)
    #: the file looks older than what the plan holds (an older export): ask before importing
    older_warning: str | None = None
    #: theme title -> references in its text that name no heading or action of the plan
    unresolved_themes: dict[str, list[str]] = field(default_factory=dict)
    #: the plan (created, or updated); None after a dry run that would create it
    plan: Plan | None = None

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

    def outcome(self) -> str:
        """Which plan the import updates or creates, translated."""
        if self.creates_plan:
            return _("The file creates the plan %(name)s.", name=self.plan_name)
        return _("The file updates the plan %(name)s.", name=self.plan_name)

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


def _edited_in_app(entry: YearEntry) -> bool:
    """Does the entry hold something the app recorded (not what an import wrote)?"""
    if entry.import_status is not None:
        return entry.edited_since_import
    return entry.status != YearStatus.NOT_PLANNED or bool(entry.note)


def _has_app_data(action: PlanAction) -> bool:
    """Was anything recorded on the action in the app (years, notes, themes, bodies, a
    continuation, indicator values)?"""
    return (
        bool(action.themes or action.bodies)
        or action.continues_id is not None
        or any(_edited_in_app(e) for e in action.years)
        or any(i.year_values for i in action.indicators)
    )


def apply_import(
    result: ParseResult,
    *,
    plan_name: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert the parsed plan by its stable keys into the plan with the file's span (made,
    named ``plan_name`` or "Actieplan <first>-<last>", when there is none); with ``dry_run``
    roll everything back.

    Headings, actions, indicators and themes follow the file; year cells become year entries
    unless the app changed them since the last import (a conflict: the app's value stays).
    Elements gone from the file are deleted, or kept (marked as removed) when app data hangs
    on them. ``progress(n)`` is called as actions are done.
    """
    if not result.ok:
        raise PlanError(str(result.errors[0]))
    assert result.first_year is not None and result.last_year is not None  # parse() read them
    report = ImportReport(dry_run=dry_run)
    savepoint = db.session.begin_nested()
    try:
        plan = queries.plan_by_span(result.first_year, result.last_year)
        if plan is None:
            plan = _new_plan(result, plan_name)
            report.creates_plan = True
        else:
            report.older_warning = _older_warning(plan, result)
        report.plan_name = plan.name
        _import(plan, result, report, progress)
        plan.imported_at = utcnow()
        _link_themes_from_text(plan, report)
        db.session.flush()
    except Exception:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
        report.plan = plan
        logger.info("plan %s imported: %s", plan.name, report.counts)
    return report


def _new_plan(result: ParseResult, name: str | None) -> Plan:
    """A draft plan for the file's span (current when it is the first plan)."""
    name = (name or "").strip() or f"Actieplan {result.first_year}-{result.last_year}"
    if len(name) > 200:
        raise PlanError(_("Give a name of at most 200 characters."), "name")
    if db.session.scalar(select(Plan.id).where(Plan.name == name)) is not None:
        raise PlanError(_("A plan named %(name)s exists already.", name=name), "name")
    first = db.session.scalar(select(Plan.id).limit(1)) is None
    plan = Plan(
        name=name,
        first_year=result.first_year,
        last_year=result.last_year,
        status=PlanStatus.CURRENT if first else PlanStatus.DRAFT,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def _older_warning(plan: Plan, result: ParseResult) -> str | None:
    """A warning when the file lacks actions the plan got from an earlier import of a newer
    file (an older export would remove them)."""
    keys = {a.key for a in result.actions}
    missing = db.session.scalar(
        select(db.func.count(PlanAction.id)).where(
            PlanAction.plan_id == plan.id,
            PlanAction.removed_at.is_(None),
            PlanAction.key.not_in(keys),
        )
    )
    if not missing:
        return None
    return _(
        "The file lacks %(count)s actions the plan %(name)s holds since its last import: is "
        "it an older export? Importing it marks them as removed.",
        count=missing,
        name=plan.name,
    )


def _import(
    plan: Plan,
    result: ParseResult,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    """Upsert the file's headings, themes and actions into the plan; drop or keep what left."""
    now = utcnow()
    headings = {
        h.key: h
        for h in db.session.scalars(select(PlanHeading).where(PlanHeading.plan_id == plan.id))
    }
    by_key = _import_headings(plan, result, headings, report)
    themes = {
        t.key: t for t in db.session.scalars(select(PlanTheme).where(PlanTheme.plan_id == plan.id))
    }
    _import_themes(plan, result, themes, report)
    actions = _import_actions(plan, result, by_key, report, progress)

    seen_actions = {parsed.key for parsed in result.actions}
    for key, action in actions.items():
        if key in seen_actions:
            continue
        _keep_or_delete("action", action, _has_app_data(action), now, report)
    db.session.flush()

    seen_themes = {parsed.key for parsed in result.themes}
    for key, theme in themes.items():
        if key in seen_themes:
            continue
        linked = db.session.scalar(
            select(PlanAction.id).where(PlanAction.themes.any(PlanTheme.id == theme.id)).limit(1)
        ) or db.session.scalar(
            select(PlanThemeLink.id)
            .where(PlanThemeLink.theme_id == theme.id, PlanThemeLink.by_import.is_(False))
            .limit(1)
        )
        _keep_or_delete("theme", theme, linked is not None, now, report)

    gone = [h for key, h in headings.items() if key not in by_key]
    for heading in sorted(gone, key=lambda h: -h.level):
        in_use = db.session.scalar(
            select(PlanAction.id).where(PlanAction.heading_id == heading.id).limit(1)
        ) or db.session.scalar(
            select(PlanHeading.id).where(PlanHeading.parent_id == heading.id).limit(1)
        )
        _keep_or_delete("heading", heading, bool(in_use), now, report)
        db.session.flush()


def _keep_or_delete(
    kind: str,
    row: PlanHeading | PlanAction | PlanTheme,
    keep: bool,
    now: datetime,
    report: ImportReport,
) -> None:
    """An element gone from the file: kept (marked removed) when something hangs on it,
    else deleted."""
    if keep:
        row.removed_at = row.removed_at or now
        report.changes.append(Change(kind, KEPT, row.title))
    else:
        db.session.delete(row)
        report.changes.append(Change(kind, REMOVED, row.title))


def _import_headings(
    plan: Plan, result: ParseResult, headings: dict[str, PlanHeading], report: ImportReport
) -> dict[str, PlanHeading]:
    """Upsert the file's headings; return them by key."""
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
            row = PlanHeading(key=parsed.key, plan=plan, parent=parent, position=position, **values)
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
    return by_key


def _import_themes(
    plan: Plan, result: ParseResult, themes: dict[str, PlanTheme], report: ImportReport
) -> None:
    """Upsert the file's transversal themes."""
    for position, parsed in enumerate(result.themes):
        row = themes.get(parsed.key)
        if row is None:
            db.session.add(
                PlanTheme(
                    key=parsed.key,
                    plan=plan,
                    title=parsed.title,
                    text=parsed.text,
                    position=position,
                )
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


#: an indicator as compared between the file and the database: text, (role, name, ids)
_Wanted = tuple[str, tuple[tuple[PartyRole, str, int | None, int | None], ...]]


def _import_actions(
    plan: Plan,
    result: ParseResult,
    by_key: dict[str, PlanHeading],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> dict[str, PlanAction]:
    """Upsert the file's actions with their indicators and year cells; return the plan's
    actions as they were before, by key."""
    resolve = _Resolver()
    actions = {
        a.key: a
        for a in db.session.scalars(
            select(PlanAction)
            .where(PlanAction.plan_id == plan.id)
            .options(
                selectinload(PlanAction.indicators).options(
                    selectinload(PlanIndicator.parties), selectinload(PlanIndicator.year_values)
                ),
                selectinload(PlanAction.years),
                selectinload(PlanAction.themes),
                selectinload(PlanAction.bodies),
            )
        )
    }
    for position, parsed in enumerate(result.actions):
        heading = by_key[parsed.heading_key]
        wanted: list[_Wanted] = []
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
        have: list[_Wanted] | None = None
        if row is None:
            row = PlanAction(key=parsed.key, plan=plan, heading=heading, title=parsed.title)
            db.session.add(row)
            outcome = CREATED
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
            for number, ((text, wanted_parties), source) in enumerate(
                zip(wanted, parsed.indicators, strict=True)
            ):
                new = PlanIndicator(position=number, text=text, source_line=source.line)
                for index, (role, name, organisation_id, body_id) in enumerate(wanted_parties):
                    new.parties.append(
                        PlanParty(
                            role=role,
                            position=index,
                            text=name[:300],
                            organisation_id=organisation_id,
                            body_id=body_id,
                        )
                    )
                row.indicators.append(new)
        if _years_from_file(row, parsed, report) and outcome == UNCHANGED:
            outcome = UPDATED
        report.changes.append(Change("action", outcome, parsed.title, parsed.line))
        if progress is not None:
            progress(1)
    db.session.flush()
    return actions


def _years_from_file(action: PlanAction, parsed: Action, report: ImportReport) -> bool:
    """Write the file's year cells as year entries: new ones, and ones the app has not
    changed since the last import; the others are conflicts (the app's value stays).
    True when an entry changed."""
    have = {e.year: e for e in action.years}
    changed = False
    for year, (status_value, note) in parsed.year_cells().items():
        status = YearStatus(status_value)
        entry = have.get(year)
        if entry is None:
            action.years.append(
                YearEntry(
                    year=year,
                    status=status,
                    note=note,
                    import_status=status,
                    import_note=note,
                )
            )
            changed = True
        elif (entry.status, entry.note) == (status, note):
            entry.import_status, entry.import_note = status, note
        elif _edited_in_app(entry):
            report.conflicts.append(
                Conflict(parsed.title, year, (entry.status, entry.note), (status, note))
            )
        else:
            entry.status, entry.note = status, note
            entry.import_status, entry.import_note = status, note
            entry.updated_at, entry.updated_by = utcnow(), None
            changed = True
    return changed


def _link_themes_from_text(plan: Plan, report: ImportReport) -> None:
    """Replace the import's theme links with what each theme's text points at now."""
    for resolved in queries.resolve_theme_references(plan):
        theme = resolved.theme
        theme.links = [link for link in theme.links if not link.by_import]
        for heading in resolved.headings:
            theme.links.append(PlanThemeLink(heading=heading, by_import=True))
        for action in resolved.actions:
            theme.links.append(PlanThemeLink(action=action, by_import=True))
        if resolved.unresolved:
            report.unresolved_themes[theme.title] = [r.text for r in resolved.unresolved]


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


def _check_year(plan: Plan, year: int) -> None:
    """Refuse a year outside the plan's span, naming the span."""
    if year not in plan.years:
        raise PlanError(
            _(
                "Give a year from %(first)s to %(last)s.",
                first=plan.first_year,
                last=plan.last_year,
            ),
            "years",
        )


def set_years(
    action: PlanAction, entries: dict[int, tuple[YearStatus, str]], by: Person | None
) -> list[int]:
    """Set the status and note of some years of the action's plan; return the years that
    changed."""
    changed = []
    current = {e.year: e for e in action.years}
    for year, (status, note) in sorted(entries.items()):
        _check_year(action.plan, year)
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


# --- plans -----------------------------------------------------------------------------------

#: the plan's own tables (rows in other tables that point at its actions are its history)
_PLAN_TABLES = {
    "plan_action",
    "plan_year_entry",
    "plan_indicator_year",
    "plan_action_theme",
    "plan_action_body",
    "plan_theme_link",
    "plan_indicator",
}


def set_plan_status(plan: Plan, status: PlanStatus) -> None:
    """Make the plan draft, current (the current one before it becomes closed) or closed."""
    if status == PlanStatus.CURRENT:
        for other in db.session.scalars(
            select(Plan).where(Plan.status == PlanStatus.CURRENT, Plan.id != plan.id)
        ):
            other.status = PlanStatus.CLOSED
            db.session.flush()
    plan.status = status
    db.session.flush()
    logger.info("plan %s is %s", plan.id, status.value)


def set_published(plan: Plan, published: bool) -> None:
    """Show the plan's public page to anonymous visitors, or stop showing it."""
    plan.published = published
    db.session.flush()


def rename_plan(plan: Plan, name: str) -> None:
    """Give the plan another name (unique)."""
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise PlanError(_("Give a name of at most 200 characters."), "name")
    taken = db.session.scalar(select(Plan.id).where(Plan.name == name, Plan.id != plan.id))
    if taken is not None:
        raise PlanError(_("A plan named %(name)s exists already.", name=name), "name")
    plan.name = name
    db.session.flush()


def _has_history(plan: Plan) -> bool:
    """Does anything recorded in the app hang on the plan's actions (edited years, indicator
    values, continuations, rows of agenda items, decisions or follow-ups)?"""
    action_ids = select(PlanAction.id).where(PlanAction.plan_id == plan.id)
    if db.session.scalar(
        select(
            exists().where(
                YearEntry.action_id.in_(action_ids),
                (YearEntry.import_status.is_(None))
                | (YearEntry.status != YearEntry.import_status)
                | (YearEntry.note != YearEntry.import_note),
            )
        )
    ):
        return True
    if db.session.scalar(
        select(
            exists()
            .where(IndicatorYear.indicator_id == PlanIndicator.id)
            .where(PlanIndicator.action_id.in_(action_ids))
        )
    ) or db.session.scalar(select(exists().where(PlanAction.continues_id.in_(action_ids)))):
        return True
    for table in db.metadata.sorted_tables:  # other domains' links to actions
        if table.name in _PLAN_TABLES:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "plan_action" and db.session.scalar(
                select(exists().where(fk.parent.in_(action_ids)))
            ):
                return True
    return False


def delete_plan(plan: Plan) -> None:
    """Delete a plan without history with everything in it; one with history is refused
    (close it instead)."""
    if _has_history(plan):
        raise PlanError(
            _(
                "The plan %(name)s has history (years recorded in the app, links from agenda "
                "items, decisions or follow-ups): close it instead of deleting it.",
                name=plan.name,
            ),
            code="conflict",
            status=409,
        )
    for model in (PlanAction, PlanTheme):
        for row in db.session.scalars(select(model).where(model.plan_id == plan.id)):
            db.session.delete(row)
    db.session.flush()
    headings = db.session.scalars(select(PlanHeading).where(PlanHeading.plan_id == plan.id))
    for heading in sorted(headings, key=lambda h: -h.level):
        db.session.delete(heading)
        db.session.flush()
    db.session.delete(plan)
    db.session.flush()
    logger.info("plan %s deleted", plan.id)


# --- continuity, indicators, bodies, theme links ---------------------------------------------


def set_continuation(action: PlanAction, previous: PlanAction | None) -> None:
    """Mark the action as the continuation of an action of an earlier plan (or of none)."""
    if previous is not None and previous.plan.last_year >= action.plan.first_year:
        raise PlanError(
            _("An action continues an action of an earlier plan."), "previous", status=400
        )
    action.continues = previous
    db.session.flush()


#: a measured value that is a number: "12", "1.234,5", "3,5", "-2"
_NUMBER_RE = re.compile(r"^-?\d{1,3}(?:\.\d{3})*(?:,\d+)?$|^-?\d+(?:[.,]\d+)?$")


def _number(value: str) -> Decimal | None:
    """The value as a number when it is one (Dutch or plain notation), else None."""
    text = value.strip().replace(" ", "")
    if not _NUMBER_RE.match(text):
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if abs(number) < Decimal("1e12") else None


def set_indicator_year(
    indicator: PlanIndicator,
    year: int,
    *,
    target: str,
    value: str,
    status: YearStatus | None,
    person: Person | None,
) -> IndicatorYear | None:
    """Set an indicator's target, measured value and status of a year of its plan (all
    empty: the year's row goes); return the row."""
    _check_year(indicator.action.plan, year)
    target, value = target.strip(), value.strip()
    row = indicator.value_of(year)
    if not (target or value or status):
        if row is not None:
            indicator.year_values.remove(row)
            db.session.flush()
        return None
    if row is None:
        row = IndicatorYear(year=year)
        indicator.year_values.append(row)
    row.target, row.value, row.status = target, value, status
    row.value_number = _number(value)
    db.session.flush()
    logger.info("indicator %s: %s set by %s", indicator.id, year, person.id if person else "import")
    return row


def split_indicator(indicator: PlanIndicator) -> list[PlanIndicator]:
    """Split an indicator whose text is a list (" - a - b", or list lines) into one indicator
    per item, each with the same trekkers and partners; refused when there is no list."""
    lines = clean_text(indicator.text).split("\n")
    items = [line[2:].strip() for line in lines if line.startswith("- ")]
    intro = [line for line in lines if line and not line.startswith("- ")]
    if len(items) < 2:
        raise PlanError(_("The indicator holds no list of several statements."), "indicator")
    action = indicator.action
    prefix = " ".join(intro).strip()
    made = []
    for number, item in enumerate(items):
        text = f"{prefix} {item}" if prefix else item
        if number == 0:
            indicator.text = text
            made.append(indicator)
            continue
        twin = PlanIndicator(text=text, source_line=indicator.source_line, position=0)
        for party in indicator.parties:
            twin.parties.append(
                PlanParty(
                    role=party.role,
                    position=party.position,
                    text=party.text,
                    organisation_id=party.organisation_id,
                    body_id=party.body_id,
                )
            )
        made.append(twin)
    at = action.indicators.index(indicator)
    action.indicators[at + 1 : at + 1] = made[1:]
    for position, each in enumerate(action.indicators):
        each.position = position
    db.session.flush()
    logger.info("indicator %s split into %d", indicator.id, len(made))
    return made


def set_action_bodies(action: PlanAction, bodies: list[Body]) -> None:
    """The bodies that carry the action out (their meetings count as its cadence)."""
    action.bodies = sorted(set(bodies), key=lambda b: b.name.casefold())
    db.session.flush()


def link_theme(
    theme: PlanTheme,
    *,
    heading: PlanHeading | None = None,
    action: PlanAction | None = None,
    body: Body | None = None,
) -> PlanThemeLink:
    """Link a theme (in the app, never undone by an import) to one heading, action or body
    of its plan."""
    targets = [t for t in (heading, action, body) if t is not None]
    if len(targets) != 1:
        raise PlanError(_("Link the theme to one heading, action or body."), "target")
    in_plan = heading or action
    if in_plan is not None and in_plan.plan_id != theme.plan_id:
        raise PlanError(_("The theme and what it is linked to belong to different plans."))
    for link in theme.links:
        if (link.heading, link.action, link.body) == (heading, action, body):
            link.by_import = False
            db.session.flush()
            return link
    link = PlanThemeLink(heading=heading, action=action, body=body, by_import=False)
    theme.links.append(link)
    db.session.flush()
    return link


def unlink_theme(link: PlanThemeLink) -> None:
    """Remove a theme link (one made by the import comes back with the next import)."""
    db.session.delete(link)
    db.session.flush()
