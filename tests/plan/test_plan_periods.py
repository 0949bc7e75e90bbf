"""Plan periods (issue 11) in the domain: two plans from two files, year cells, conflicts,
spans, plan status, deleting, continuations, indicator years, splitting, bodies and cadence,
theme links from the themes' text."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from rosemeet.extensions import db
from rosemeet.meetings.models import Meeting, MeetingStatus
from rosemeet.plan import operations as ops
from rosemeet.plan import queries
from rosemeet.plan.importer import parse
from rosemeet.plan.models import (
    Plan,
    PlanAction,
    PlanHeading,
    PlanIndicator,
    PlanStatus,
    PlanTheme,
    PlanThemeLink,
    YearEntry,
    YearStatus,
)
from tests.plan.conftest import SECOND_FILE

AV = "De algemene ROSE vergadering organiseren."
AG = "De Actiegroep ROSE organiseren."
NEW = "Een jaarlijks netwerkevent organiseren."


def count(model, plan: Plan) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.plan_id == plan.id))


def action_titled(plan: Plan, title: str) -> PlanAction:
    return db.session.scalar(
        select(PlanAction).where(PlanAction.plan_id == plan.id, PlanAction.title == title)
    )


def snapshot(plan: Plan) -> list:
    tree = queries.load_plan(plan)
    return [
        (a.key, a.title, [(i.text, [p.text for p in i.parties]) for i in a.indicators])
        for a in tree.actions
    ] + [(t.key, t.title) for t in tree.themes]


@pytest.fixture
def two_plans(imported, do_import, second_plan_bytes):
    """The real plan (current) and the 2026-2031 test plan (draft)."""
    report = do_import(second_plan_bytes)
    return queries.current_plan(), report.plan


def test_the_real_file_is_the_first_and_current_plan(imported):
    plan = queries.current_plan()
    assert (plan.name, plan.span, plan.status) == (
        "Actieplan 2020-2025",
        "2020-2025",
        PlanStatus.CURRENT,
    )
    assert imported.creates_plan and imported.plan_name == "Actieplan 2020-2025"
    assert count(PlanAction, plan) == 31 and count(PlanTheme, plan) == 4
    indicators = db.session.scalar(
        select(func.count(PlanIndicator.id)).join(PlanAction).where(PlanAction.plan_id == plan.id)
    )
    assert indicators == 35
    assert list(plan.years) == [2020, 2021, 2022, 2023, 2024, 2025]


def test_a_second_span_makes_a_second_plan_with_what_the_file_holds(two_plans):
    old, new = two_plans
    before = snapshot(old)
    assert (new.name, new.span, new.status) == ("Actieplan 2026-2031", "2026-2031", "draft")
    assert count(PlanAction, new) == 32 and count(PlanHeading, new) == 17
    assert count(PlanTheme, new) == 4
    titles = {a.title for a in queries.load_plan(new).actions}
    assert NEW in titles and "Overlegorgaan de AZ-fabriek organiseren." not in titles
    entries = {
        (e.action.title[:25], e.year): (e.status, e.note)
        for e in db.session.scalars(
            select(YearEntry).join(PlanAction).where(PlanAction.plan_id == new.id)
        )
    }
    expected = {
        (AV, 2026): (YearStatus.ONGOING, ""),
        (AG, 2026): (YearStatus.PLANNED, "6 vergaderingen"),
        (NEW, 2026): (YearStatus.PLANNED, ""),
        (NEW, 2027): (YearStatus.PLANNED, ""),
        ("Belangen van SE-bedrijven en NEC", 2027): (YearStatus.PLANNED, "Roadshow in Kortrijk"),
        ("Gedeelde communicatiestrategie.", 2026): (YearStatus.PLANNED, ""),
        ("We 'breken in' op de vervoersregio", 2028): (YearStatus.CANCELLED, ""),
        ("We meten de tevredenheid van", 2026): (YearStatus.PLANNED, ""),
        ("We meten de tevredenheid van", 2029): (YearStatus.PLANNED, ""),
    }
    assert entries == {(title[:25], year): value for (title, year), value in expected.items()}
    assert snapshot(old) == before  # the first plan is untouched
    assert [p.span for p in queries.plans()] == ["2020-2025", "2026-2031"]
    assert queries.plan_for_year(2026) == new and queries.plan_for_year(2024) == old
    assert queries.plan_for_year(2040) is None


def test_reimport_is_idempotent_and_keeps_app_edits_as_conflicts(
    two_plans, do_import, second_plan_bytes, admin
):
    _old, new = two_plans
    again = do_import(second_plan_bytes, dry_run=True)
    assert not again.creates_plan and again.plan_name == new.name
    assert not again.has_changes and again.conflicts == [] and again.older_warning is None
    ag = action_titled(new, AG)
    ops.set_years(ag, {2026: (YearStatus.DONE, "5 vergaderingen gehouden")}, admin)
    changed_file = second_plan_bytes.replace(b"6 vergaderingen", b"7 vergaderingen").replace(
        b"Roadshow in Kortrijk", b"Roadshow in Menen"
    )
    report = do_import(changed_file)
    assert [(c.action, c.year, c.app_value, c.file_value) for c in report.conflicts] == [
        (
            AG,
            2026,
            (YearStatus.DONE, "5 vergaderingen gehouden"),
            (YearStatus.PLANNED, "7 vergaderingen"),
        )
    ]
    db.session.expire_all()
    assert action_titled(new, AG).year(2026).note == "5 vergaderingen gehouden"
    # an entry nobody edited follows the file
    nec = db.session.scalar(
        select(PlanAction).where(
            PlanAction.plan_id == new.id, PlanAction.title.startswith("Belangen van SE")
        )
    )
    assert nec.year(2027).note == "Roadshow in Menen"


def test_an_older_export_is_warned_about(two_plans, second_plan_bytes, do_import):
    _old, new = two_plans
    older = b"\n".join(
        line for line in second_plan_bytes.split(b"\n") if not line.startswith(NEW.encode())
    )
    report = do_import(older, dry_run=True)
    assert report.older_warning and "1" in report.older_warning and new.name in report.older_warning


def test_a_plan_name_can_be_given_and_must_be_unique(imported, second_plan_bytes, do_import):
    report = do_import(second_plan_bytes, plan_name="Actieplan ROSE II", dry_run=True)
    assert report.creates_plan and report.plan_name == "Actieplan ROSE II"
    assert db.session.scalar(select(func.count(Plan.id))) == 1  # a dry run writes nothing
    with pytest.raises(ops.PlanError) as refused:
        do_import(second_plan_bytes, plan_name="Actieplan 2020-2025")
    assert refused.value.field == "name"
    assert db.session.scalar(select(func.count(Plan.id))) == 1


def test_years_follow_the_action_plan(two_plans, admin):
    old, new = two_plans
    action = action_titled(new, AV)
    assert ops.set_years(action, {2026: (YearStatus.DONE, "3 keer")}, admin) == [2026]
    with pytest.raises(ops.PlanError) as refused:
        ops.set_years(action, {2025: (YearStatus.DONE, "")}, admin)
    assert refused.value.message == "Geef een jaar van 2026 tot 2031."
    with pytest.raises(ops.PlanError, match="2020 tot 2025"):
        ops.set_years(action_titled(old, AV), {2026: (YearStatus.DONE, "")}, admin)


def test_one_current_plan_publish_and_rename(two_plans):
    old, new = two_plans
    ops.set_plan_status(new, PlanStatus.CURRENT)
    assert (old.status, new.status) == (PlanStatus.CLOSED, PlanStatus.CURRENT)
    assert queries.current_plan() == new and queries.plans()[0] == new
    ops.set_published(new, True)
    assert new.published
    ops.rename_plan(new, "  Actieplan   ROSE 2026-2031 ")
    assert new.name == "Actieplan ROSE 2026-2031"
    with pytest.raises(ops.PlanError):
        ops.rename_plan(new, old.name)
    with pytest.raises(ops.PlanError):
        ops.rename_plan(new, " ")


def test_delete_is_refused_with_history_else_removes_everything(two_plans, admin):
    old, new = two_plans
    ops.set_years(action_titled(old, AV), {2024: (YearStatus.DONE, "")}, admin)
    with pytest.raises(ops.PlanError) as refused:
        ops.delete_plan(old)
    assert refused.value.status == 409 and "sluit" in refused.value.message
    ops.delete_plan(new)  # only what its import wrote
    assert queries.plans() == [old]
    assert db.session.scalar(select(func.count(PlanAction.id))) == 31


def test_continuations_are_suggested_and_confirmed(two_plans):
    old, new = two_plans
    suggested = queries.suggested_continuations(new)
    assert len(suggested) == 30  # every kept action; the two new ones have no match
    assert all(a.plan_id == new.id and p.plan_id == old.id for a, p in suggested)
    av, old_av = action_titled(new, AV), action_titled(old, AV)
    assert (av, old_av) in suggested
    ops.set_continuation(av, old_av)
    assert av.continues == old_av
    assert (av, old_av) not in queries.suggested_continuations(new)
    with pytest.raises(ops.PlanError):
        ops.set_continuation(old_av, av)  # not an earlier plan
    ops.set_continuation(av, None)
    assert av.continues_id is None


def test_indicator_years_and_numbers(two_plans, admin):
    _old, new = two_plans
    indicator = action_titled(new, AV).indicators[0]
    row = ops.set_indicator_year(
        indicator, 2026, target="3", value="1.234,5", status=YearStatus.ONGOING, person=admin
    )
    assert (row.target, row.value, row.value_number) == ("3", "1.234,5", Decimal("1234.5"))
    words = ops.set_indicator_year(
        indicator, 2027, target="", value="3tal keer", status=None, person=admin
    )
    assert words.value_number is None
    assert [v.year for v in indicator.year_values] == [2026, 2027]
    assert indicator.value_of(2026) is row
    with pytest.raises(ops.PlanError, match="2026 tot 2031"):
        ops.set_indicator_year(indicator, 2032, target="", value="1", status=None, person=admin)
    ops.set_indicator_year(indicator, 2027, target="", value="", status=None, person=admin)
    assert indicator.value_of(2027) is None


def test_split_an_indicator_list_into_indicators(imported):
    first = next(
        i
        for a in queries.load_plan(queries.current_plan()).actions
        for i in a.indicators
        if i.text.count("\n- ") >= 2 and i.parties
    )
    action = first.action
    items = [line[2:] for line in first.text.split("\n") if line.startswith("- ")]
    parties = [p.text for p in first.parties]
    before = len(action.indicators)
    made = ops.split_indicator(first)
    assert len(made) == len(items) and made[0] is first
    assert len(action.indicators) == before + len(items) - 1
    assert all(i.text.endswith(item) for i, item in zip(made, items, strict=True))
    assert all("\n- " not in i.text for i in made)
    assert [p.text for p in made[1].parties] == parties
    assert [i.position for i in action.indicators] == list(range(len(action.indicators)))
    with pytest.raises(ops.PlanError):
        ops.split_indicator(first)  # a single statement now


def test_cadence_counts_meetings_held_by_the_action_bodies(two_plans, plan_network):
    _old, new = two_plans
    action = action_titled(new, AV)
    assert queries.held_meetings(action, 2026) == 0
    ops.set_action_bodies(action, [plan_network["AG"], plan_network["AG"]])
    assert action.bodies == [plan_network["AG"]]
    now = datetime.now(UTC)

    def meeting(starts_at, status=MeetingStatus.SCHEDULED):
        db.session.add(
            Meeting(
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                status=status,
                bodies=[plan_network["AG"]],
            )
        )

    meeting(datetime(2026, 1, 13, 9, tzinfo=UTC))
    meeting(datetime(2026, 3, 10, 9, tzinfo=UTC))
    meeting(datetime(2026, 4, 10, 9, tzinfo=UTC), MeetingStatus.CANCELLED)
    meeting(now + timedelta(days=3))  # not held yet
    meeting(datetime(2025, 12, 31, 23, 30, tzinfo=UTC))  # 2026 in Brussels
    db.session.flush()
    assert queries.held_meetings(action, 2026) == 3
    assert queries.held_meetings(action, 2027) == 0


def test_import_links_themes_to_what_their_text_points_at(two_plans, do_import, plan_network):
    _old, new = two_plans
    themes = {t.title.split()[0]: t for t in queries.plan_themes(new)}
    mobility = queries.actions_for_theme(themes["Mobiliteit"])
    assert {a.heading.number for a in mobility} == {"2.1"} and len(mobility) == 6
    assert [a.title for a in queries.actions_for_theme(themes["Werkbaar"])] == [
        "Ad-hoc werkgroepen trekken."
    ]
    sustainability = themes["Duurzaamheid"]
    assert {a.heading.number for a in queries.actions_for_theme(sustainability)} == {"1"}
    # a link made in the app survives a re-import; the import's own links are rebuilt
    manual = ops.link_theme(sustainability, body=plan_network["AG"])
    survey = "We meten de tevredenheid van doelgroepmedewerkers."
    extra = ops.link_theme(sustainability, action=action_titled(new, survey))
    report = do_import(SECOND_FILE.read_bytes())
    assert report.unresolved_themes == {}
    links = db.session.scalars(
        select(PlanThemeLink).where(PlanThemeLink.theme_id == sustainability.id)
    ).all()
    assert manual in links and extra in links
    assert sum(link.by_import for link in links) == 1
    assert survey in {a.title for a in queries.actions_for_theme(sustainability)}
    ops.unlink_theme(extra)
    assert survey not in {a.title for a in queries.actions_for_theme(sustainability)}
    with pytest.raises(ops.PlanError):
        ops.link_theme(sustainability)
    old_heading = db.session.scalar(
        select(PlanHeading).where(PlanHeading.plan_id != new.id).limit(1)
    )
    with pytest.raises(ops.PlanError):
        ops.link_theme(sustainability, heading=old_heading)


def test_unresolved_theme_references_are_reported(imported, do_import):
    data = (
        b"Actie\tIndicator\tTrekker\tPartners\t2026\t2027\n"
        b"1. Lijn\n"
        b"Actie A\tind\t\t\n"
        b'\t<p><u>Thema</u></p><p>Zie vooral -> zie 4.4 en "b. Onbekend".</p>\n'
    )
    report = do_import(data)
    assert report.unresolved_themes == {"Thema": ["Onbekend", "4.4"]}


def test_header_years_are_read_and_checked():
    base = "Actie\tIndicator\tTrekker\tPartners\t{}\n1. Lijn\nActie\ti\tt\tp\n"
    result = parse(base.format("2026\t2027\t2028\t2029\t2030\t2031").encode())
    assert result.ok and (result.first_year, result.last_year) == (2026, 2031)
    for years, says in [
        ("", "no year columns"),
        ("2026\t2027\t2029", "2026, 2027, 2029"),
        ("2027\t2026", "2027, 2026"),
        ("1989\t1990", "1989"),
    ]:
        result = parse(base.format(years).encode())
        assert [e.line for e in result.errors] == [1] and says in str(result.errors[0]), years


def test_bodies_are_suggested_from_trekkers_and_the_title(imported, plan_network, make_body):
    av = make_body("Algemene ROSE vergadering", code="AV")
    plan = queries.current_plan()
    action = action_titled(plan, AG)  # trekkers: the regisseur and the Actiegroep
    assert queries.suggested_bodies(action) == [plan_network["AG"]]
    ops.set_action_bodies(action, [plan_network["AG"]])
    assert queries.suggested_bodies(action) == []
    lde = action_titled(plan, "Overlegorgaan de LDE-fabriek organiseren.")
    assert plan_network["LDE"] in queries.suggested_bodies(lde)
    assert av not in queries.suggested_bodies(lde)
