"""The import into the database: exact counts, idempotency, edits that survive, names, errors."""

import pytest
from sqlalchemy import func, select

from rosemeet.extensions import db
from rosemeet.network.models import Alias
from rosemeet.plan import operations as ops
from rosemeet.plan import queries
from rosemeet.plan.importer import HeadingKind, parse
from rosemeet.plan.models import (
    PartyRole,
    PlanAction,
    PlanHeading,
    PlanIndicator,
    PlanParty,
    PlanTheme,
    YearEntry,
    YearStatus,
    action_theme,
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def heading_count(kind: HeadingKind) -> int:
    return db.session.scalar(select(func.count(PlanHeading.id)).where(PlanHeading.kind == kind))


def test_real_file_lands_in_the_database_with_the_exact_counts(imported):
    assert heading_count(HeadingKind.LINE) == 2
    assert heading_count(HeadingKind.OBJECTIVE) == 12
    assert heading_count(HeadingKind.SUBHEADING) == 3
    assert count(PlanAction) == 31
    assert count(PlanIndicator) == 35
    assert count(PlanTheme) == 4
    assert imported.count("created") == 2 + 12 + 3 + 31 + 4
    assert imported.count("created", "action") == 31


def test_objectives_nest_and_actions_hang_under_their_heading(imported):
    plan = queries.load_plan(queries.current_plan())
    assert [line.heading.title for line in plan.lines] == [
        "Netwerking op het grondgebied stimuleren",
        "De lokale sociale economie verder uitbouwen",
    ]
    second = plan.lines[1]
    sluitend = second.children[0]
    assert sluitend.heading.title == "We maken het netwerk sociale economie sluitend"
    assert [c.heading.number for c in sluitend.children] == ["1.1", "1.2", "1.3", "1.4"]
    assert [c.heading.kind for c in sluitend.children[1].children] == [HeadingKind.SUBHEADING] * 3
    assert sum(1 for line in plan.lines for _ in line.all_actions()) == 31
    mobility = next(a for a in plan.actions if a.title.startswith("Een (mobiele) rijsimulator"))
    assert plan.path(mobility)[-1].startswith("Mobiliteit van, naar en tijdens het werk")


def test_names_resolve_through_names_abbreviations_codes_and_aliases(imported, plan_network):
    first = db.session.scalar(select(PlanAction).order_by(PlanAction.position))
    (indicator,) = first.indicators
    trekkers = indicator.names(PartyRole.TREKKER)
    assert [(p.text, p.display_name) for p in trekkers] == [
        ("regisseur", "Intercommunale W13"),
        ("Actiegroep", "Actiegroep ROSE"),
    ]
    partners = {p.text: p for p in indicator.names(PartyRole.PARTNER)}
    assert partners["Lokale besturen (LB)"].organisation == plan_network["LB"]
    assert partners["VDAB"].organisation == plan_network["VDAB"]
    assert not partners["SE-organisaties"].resolved
    assert partners["SE-organisaties"].display_name == "SE-organisaties"
    # lower case "actiegroep" and "AZ-fabriek" resolve too
    parties = db.session.scalars(select(PlanParty)).all()
    actiegroep = [p for p in parties if p.text.casefold() == "actiegroep"]
    assert len(actiegroep) > 5 and all(p.body == plan_network["AG"] for p in actiegroep)
    assert all(p.body == plan_network["AZ"] for p in parties if p.text == "AZ-fabriek")


def test_reimport_is_idempotent(imported, plan_bytes, do_import):
    again = do_import(plan_bytes)
    assert again.count("unchanged") == 52
    assert again.count("created") == again.count("updated") == again.count("removed") == 0
    assert count(PlanAction) == 31 and count(PlanIndicator) == 35 and count(PlanTheme) == 4
    assert count(PlanHeading) == 17
    assert not again.has_changes


def test_edits_in_the_app_survive_a_reimport(imported, plan_bytes, do_import, admin):
    plan = queries.load_plan(queries.current_plan())
    action = plan.actions[3]
    ops.set_years(
        action,
        {2021: (YearStatus.DONE, "Eerste editie gehouden."), 2022: (YearStatus.ONGOING, "")},
        admin,
    )
    theme = plan.themes[1]
    ops.set_themes(action, [theme])
    db.session.expire_all()

    report = do_import(plan_bytes)
    assert report.count("unchanged") == 52

    db.session.expire_all()
    action = queries.load_action(action.id)
    assert action.status(2021) == YearStatus.DONE
    assert action.year(2021).note == "Eerste editie gehouden."
    assert action.status(2022) == YearStatus.ONGOING
    assert action.status(2023) == YearStatus.NOT_PLANNED
    assert [t.title for t in action.themes] == [theme.title]
    assert count(YearEntry) == 2 and count(action_theme) == 1


def test_dry_run_writes_nothing_but_reports(plan_network, plan_bytes, do_import):
    report = do_import(plan_bytes, dry_run=True)
    assert report.dry_run and report.count("created", "action") == 31
    assert count(PlanAction) == count(PlanHeading) == count(PlanTheme) == 0


def test_unresolved_names_are_listed_then_resolved_after_an_alias(
    imported, plan_bytes, do_import, plan_network
):
    assert "SE-organisaties" in imported.unresolved
    places = imported.unresolved["SE-organisaties"]
    assert {p.line for p in places} == {6, 7, 42}
    assert places[0].role == PartyRole.PARTNER
    listed = {n.text for n in queries.unresolved_names()}
    assert {"SE-organisaties", "RWA", "Intrimsector"} <= listed

    resolved = ops.map_name("RWA", plan_network["ROA"])
    assert resolved == 3
    assert db.session.scalar(select(Alias).where(Alias.normalized == "rwa")) is not None
    assert "RWA" not in {n.text for n in queries.unresolved_names()}

    report = do_import(plan_bytes)
    assert "RWA" not in report.unresolved and "SE-organisaties" in report.unresolved
    assert report.count("updated") == 0  # map_name already resolved the rows in place


def test_an_alias_added_outside_resolves_on_reimport(imported, plan_bytes, do_import, plan_network):
    from rosemeet.network import operations as network

    network.set_aliases(plan_network["LB"], ["Lokale besturen (LB)", "Intrimsector"])
    report = do_import(plan_bytes)
    assert "Intrimsector" not in report.unresolved
    assert report.count("updated", "action") == 1
    party = db.session.scalar(select(PlanParty).where(PlanParty.text == "Intrimsector"))
    assert party.organisation == plan_network["LB"]


def test_a_changed_file_updates_and_removes_by_key(imported, plan_bytes, do_import, admin):
    lines = plan_bytes.decode().split("\n")
    # rename the text of one action (new key: created; old one removed) and one indicator
    lines = [
        line.replace("Ad-hoc werkgroepen trekken.", "Ad-hoc werkgroepen opstarten.")
        for line in lines
    ]
    changed = "\n".join(lines).replace(
        "Een 3tal keer per jaar komt deze vergadering samen",
        "Drie keer per jaar komt deze vergadering samen",
    )
    kept = db.session.scalar(select(PlanAction).where(PlanAction.title.like("Ad-hoc werkgroepen%")))
    report = do_import(changed.encode())
    assert report.count("created", "action") == 1
    assert report.count("removed", "action") == 1
    assert report.count("updated", "action") == 1
    assert count(PlanAction) == 31
    assert kept not in db.session  # deleted: nothing was recorded on it


def test_an_action_with_app_data_is_kept_when_it_leaves_the_file(
    imported, plan_bytes, do_import, admin
):
    action = db.session.scalar(select(PlanAction).where(PlanAction.title.like("Ad-hoc werk%")))
    ops.set_years(action, {2020: (YearStatus.DONE, "RASE afgerond")}, admin)
    changed = plan_bytes.replace(b"Ad-hoc werkgroepen trekken.", b"Ad-hoc werkgroepen leiden.")
    report = do_import(changed)
    assert report.count("kept", "action") == 1
    db.session.refresh(action)
    assert action.removed_at is not None and action.year(2020).note == "RASE afgerond"
    assert action.id not in {a.id for a in queries.load_plan(queries.current_plan()).actions}
    assert count(PlanAction) == 32


BAD_INPUTS = {
    "not tab-separated": (b"Actie;Indicator;Trekker;Partners\n1. Lijn\n", "tab"),
    "not utf-8": (b"Actie\tIndicator\tTrekker\tPartners\n1. Lijn\nCaf\xe9\tx\ty\tz\n", "UTF-8"),
    "no header": (b"Iets\tanders\n1. Lijn\n", "kopregel"),
    "action before heading": (
        b"Actie\tIndicator\tTrekker\tPartners\t2026\nEen actie\tx\ty\tz\n1. Lijn\n",
        "vóór elke titel",
    ),
    "binary": (b"PK\x03\x04\x00\x00binary", "NUL"),
    "huge": (
        b"Actie\tIndicator\tTrekker\tPartners\n" + b"x" * (5 * 1024 * 1024),
        "groter dan 5 MB",
    ),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_is_refused_and_writes_nothing(imported, name):
    data, needle = BAD_INPUTS[name]
    result = parse(data, queries.known_names())
    assert not result.ok and needle in str(result.errors[0])
    with pytest.raises(ops.PlanError):
        ops.apply_import(result)
    assert count(PlanAction) == 31 and count(PlanHeading) == 17


def test_a_failure_midway_rolls_the_whole_import_back(plan_network, plan_bytes, monkeypatch):
    result = parse(plan_bytes, queries.known_names())
    calls = {"n": 0}

    def boom(_n):
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        ops.apply_import(result, progress=boom)
    assert count(PlanAction) == count(PlanHeading) == count(PlanIndicator) == 0


def test_year_cells_in_the_file_become_planned_entries_once(plan_network, do_import, admin):
    data = (
        b"Actie\tIndicator\tTrekker\tPartners\t2020\t2021\n"
        b"1. Lijn\n"
        b"Actie A\tind\tW13\t\t\tEerste editie\n"
    )
    do_import(data)
    action = db.session.scalar(select(PlanAction))
    assert action.status(2021) == YearStatus.PLANNED and action.year(2021).note == "Eerste editie"
    ops.set_years(action, {2021: (YearStatus.DONE, "Gebeurd")}, admin)
    do_import(data)
    db.session.expire_all()
    action = db.session.scalar(select(PlanAction))
    assert action.status(2021) == YearStatus.DONE and action.year(2021).note == "Gebeurd"


def test_set_years_refuses_years_outside_the_plan(imported, admin):
    action = queries.load_plan(queries.current_plan()).actions[0]
    with pytest.raises(ops.PlanError) as refused:
        ops.set_years(action, {2019: (YearStatus.DONE, "")}, admin)
    assert refused.value.message == "Geef een jaar van 2020 tot 2025."
    assert refused.value.status == 400
