"""Plan fixtures: the real plan file, a network that names most of its trekkers, an import."""

from pathlib import Path

import pytest

from rosemeet.extensions import db
from rosemeet.network.models import BodyKind, OrganisationKind
from rosemeet.plan import queries
from rosemeet.plan.importer import parse
from rosemeet.plan.models import Plan, PlanStatus
from rosemeet.plan.operations import apply_import

REAL_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "actieplan-rose-2020-2025.tsv"
#: the next plan, made from the real one: one action dropped, two added, year cells filled
SECOND_FILE = Path(__file__).resolve().parent / "data" / "actieplan-rose-2026-2031.tsv"


@pytest.fixture
def plan_bytes() -> bytes:
    """The real action plan export."""
    return REAL_FILE.read_bytes()


@pytest.fixture
def second_plan_bytes() -> bytes:
    """The 2026-2031 test plan."""
    return SECOND_FILE.read_bytes()


@pytest.fixture
def plan_network(ctx, make_organisation, make_body):
    """The organisations and bodies the plan names, with the aliases of the demo network."""
    w13 = make_organisation(
        "Intercommunale W13",
        kind=OrganisationKind.PUBLIC_AGENCY,
        abbreviation="W13",
        aliases=["regie", "regisseur", "Expert Zorg W13"],
    )
    lb = make_organisation(
        "Lokale besturen Zuid-West-Vlaanderen",
        kind=OrganisationKind.LOCAL_GOVERNMENT,
        abbreviation="LB",
        aliases=["Lokale besturen (LB)"],
    )
    vdab = make_organisation("VDAB", kind=OrganisationKind.PUBLIC_AGENCY, abbreviation="VDAB")
    ag = make_body("Actiegroep ROSE", code="AG", kind=BodyKind.ACTION_GROUP, aliases=["Actiegroep"])
    lde = make_body("LDE-fabriek", code="LDE")
    az = make_body("AZ-fabriek", code="AZ", aliases=["AZ fabriek"])
    roa = make_body("Regionaal Overleg Activering", code="ROA", kind=BodyKind.COUNCIL)
    return {"W13": w13, "LB": lb, "VDAB": vdab, "AG": ag, "LDE": lde, "AZ": az, "ROA": roa}


@pytest.fixture
def do_import(ctx):
    """Parse bytes with the known names and apply them: ``do_import(data, dry_run=False)``."""

    def run(data: bytes, dry_run: bool = False, plan_name: str | None = None):
        result = parse(data, queries.known_names())
        assert result.ok, [str(e) for e in result.errors]
        return apply_import(result, dry_run=dry_run, plan_name=plan_name)

    return run


@pytest.fixture
def imported(plan_network, plan_bytes, do_import):
    """The real plan imported into the plan network; returns the import report."""
    return do_import(plan_bytes)


def plan_period() -> Plan:
    """The current plan, made as "Actieplan 2020-2025" when there is none (for tests in other
    domains that make headings and actions by hand)."""
    plan = queries.current_plan()
    if plan is None:
        plan = Plan(
            name="Actieplan 2020-2025", first_year=2020, last_year=2025, status=PlanStatus.CURRENT
        )
        db.session.add(plan)
    return plan
