"""Who may read the action plan, record its progress, link themes and import it.

The plan is not secret, but rosemeet is the network's tool: logged-in people read it.
The admin (the regisseur) imports it, maps names and links themes; the secretaries of a
body that leads (trekker) an action record its year entries. Admins pass every rule.
"""

from rosemeet.core.permissions import logged_in, rule
from rosemeet.network.models import Role
from rosemeet.network.queries import current_role
from rosemeet.plan.models import PlanAction, PlanTheme


@rule(PlanAction, "view")
@rule(PlanTheme, "view")
def view_plan(user, obj) -> bool:
    """Logged-in people read the plan, its actions and themes."""
    return logged_in(user)


@rule(PlanAction, "edit_years")
def edit_years(user, action) -> bool:
    """The secretaries of a trekker body record the year entries of an action."""
    if action is None or not logged_in(user):
        return False
    return any(current_role(user, body) == Role.SECRETARY for body in action.trekker_bodies)


@rule(PlanAction, "edit_themes", "import")
def admin_plan(user, action) -> bool:
    """Linking themes and importing the plan file are for admins."""
    return False
