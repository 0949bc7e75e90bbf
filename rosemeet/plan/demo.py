"""Demo data of the plan: the real action plan shipped in ``data/``, imported into the demo
network."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import func, select

from rosemeet.extensions import db
from rosemeet.network import operations as network
from rosemeet.network.models import Body, Organisation
from rosemeet.plan import queries
from rosemeet.plan.importer import parse
from rosemeet.plan.models import PlanAction
from rosemeet.plan.operations import apply_import

logger = logging.getLogger(__name__)

#: the shipped plan file (the only one in data/)
PLAN_FILE = next((Path(__file__).resolve().parent / "data").glob("actieplan-rose-*.tsv"))

#: more names the plan uses: (abbreviation or code of the target, aliases)
EXTRA_ALIASES = [
    ("W13", ["Expert Werk W13", "Expert Werk", "regisseur sociale economie"]),
    ("ROA", ["ROA (=regionaal overleg activering)", "diensthooften activering lokale besturen"]),
]


def _target(code: str) -> Organisation | Body | None:
    return db.session.scalar(
        select(Organisation).where(Organisation.abbreviation == code)
    ) or db.session.scalar(select(Body).where(Body.code == code))


def load_demo() -> None:
    """Add a few aliases and import the shipped plan file (once)."""
    if db.session.scalar(select(func.count(PlanAction.id))):
        return
    for code, aliases in EXTRA_ALIASES:
        target = _target(code)
        if target is not None:
            network.set_aliases(target, [*(a.text for a in target.aliases), *aliases])
    result = parse(PLAN_FILE.read_bytes(), queries.known_names())
    report = apply_import(result)
    logger.info("demo plan imported: %s", report.counts)
