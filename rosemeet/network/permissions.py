"""Who may see and change organisations, bodies, memberships and relations."""

from rosemeet.core.permissions import RuleEntry, logged_in
from rosemeet.network.models import Body, BodyRelation, Membership, Organisation, Role
from rosemeet.network.queries import current_role

#: roles that run a body: they edit it and manage its members
BODY_MANAGERS = {Role.CHAIR, Role.SECRETARY}


def view_organisation(user, organisation) -> bool:
    """Logged-in people see the organisations of the network."""
    return logged_in(user)


def edit_organisation(user, organisation) -> bool:
    """Only admins (the regisseur) manage organisations."""
    return False


def view_body(user, body) -> bool:
    """Public bodies are open to everyone; closed ones to their members."""
    if body is None:
        return True
    return body.is_public or current_role(user, body) is not None


def runs_body(user, body: Body | None) -> bool:
    """Is the user chair or secretary of this body now? (Admins are let through by ``can``.)"""
    return body is not None and current_role(user, body) in BODY_MANAGERS


def manage_body(user, body) -> bool:
    """The chair and the secretary run their body."""
    return runs_body(user, body)


def admin_body(user, body) -> bool:
    """Creating, deleting, archiving bodies and relating them is for admins."""
    return False


def edit_membership(user, membership) -> bool:
    """Memberships are managed by whoever manages the body."""
    return manage_body(user, membership.body)


def delete_relation(user, relation) -> bool:
    """Relations are for admins only."""
    return False


#: this domain's rules for ``can``, registered on the app by its ``setup``
RULES: list[RuleEntry] = [
    (Organisation, ("view",), view_organisation),
    (Organisation, ("create", "edit"), edit_organisation),
    (Body, ("view",), view_body),
    (Body, ("edit", "manage_members"), manage_body),
    (Body, ("create", "delete", "archive", "manage_relations"), admin_body),
    (Membership, ("edit",), edit_membership),
    (BodyRelation, ("delete",), delete_relation),
]
