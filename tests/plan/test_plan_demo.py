"""The demo imports the shipped plan file once, with extra aliases for its names."""

from sqlalchemy import func, select

from rosemeet.extensions import db
from rosemeet.plan import queries
from rosemeet.plan.demo import load_demo
from rosemeet.plan.models import PlanAction


def test_demo_imports_the_shipped_plan_once(plan_network):
    load_demo()
    load_demo()
    assert db.session.scalar(select(func.count(PlanAction.id))) == 31
    unresolved = {n.text for n in queries.unresolved_names()}
    assert "Expert Werk W13" not in unresolved and "ROA (=regionaal overleg activering)" not in (
        unresolved
    )
