"""Who may read the action plans, record their progress, link themes and import them.

A plan is not secret, but rosemeet is the network's tool: logged-in people read every plan;
anonymous visitors see a plan only once the regisseur published it (its public page). The
admin (the regisseur) imports plans, manages them (status, name, publishing, deleting),
maps names, links themes and bodies and confirms continuations; the secretaries of a body
that leads (trekker) an action record its year entries and its indicators' values. Admins
pass every rule.
"""

from rosemeet.core.permissions import RuleEntry, logged_in
from rosemeet.network.models import Role
from rosemeet.network.queries import current_role
from rosemeet.plan.models import Plan, PlanAction, PlanTheme


def view_plan(user, obj) -> bool:
    """Logged-in people read the plan, its actions and themes."""
    return logged_in(user)


def view_a_plan(user, plan) -> bool:
    """Logged-in people read every plan; anonymous visitors a published one."""
    return logged_in(user) or (plan is not None and plan.published)


def edit_years(user, action) -> bool:
    """The secretaries of a trekker body record the year entries of an action."""
    if action is None or not logged_in(user):
        return False
    return any(current_role(user, body) == Role.SECRETARY for body in action.trekker_bodies)


def admin_plan(user, obj) -> bool:
    """Linking themes, importing and managing plans are for admins."""
    return False


#: this domain's rules for ``can``, registered on the app by its ``setup``
RULES: list[RuleEntry] = [
    (PlanAction, ("view",), view_plan),
    (PlanTheme, ("view",), view_plan),
    (PlanAction, ("edit_years",), edit_years),
    (PlanAction, ("edit_themes", "import"), admin_plan),
    (Plan, ("view",), view_a_plan),
    (Plan, ("edit",), admin_plan),
]
