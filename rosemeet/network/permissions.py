"""Who may see and change organisations, bodies, memberships and relations."""

from rosemeet.core.permissions import logged_in, rule
from rosemeet.network.models import Body, BodyRelation, Membership, Organisation, Role
from rosemeet.network.queries import current_role

#: roles that run a body: they edit it and manage its members
BODY_MANAGERS = {Role.CHAIR, Role.SECRETARY}


@rule(Organisation, "view")
def view_organisation(user, organisation) -> bool:
    """Logged-in people see the organisations of the network."""
    return logged_in(user)


@rule(Organisation, "create", "edit")
def edit_organisation(user, organisation) -> bool:
    """Only admins (the regisseur) manage organisations."""
    return False


@rule(Body, "view")
def view_body(user, body) -> bool:
    """Public bodies are open to everyone; closed ones to their members."""
    if body is None:
        return True
    return body.is_public or current_role(user, body) is not None


def runs_body(user, body: Body | None) -> bool:
    """Is the user chair or secretary of this body now? (Admins are let through by ``can``.)"""
    return body is not None and current_role(user, body) in BODY_MANAGERS


@rule(Body, "edit", "manage_members")
def manage_body(user, body) -> bool:
    """The chair and the secretary run their body."""
    return runs_body(user, body)


@rule(Body, "create", "delete", "archive", "manage_relations")
def admin_body(user, body) -> bool:
    """Creating, deleting, archiving bodies and relating them is for admins."""
    return False


@rule(Membership, "edit")
def edit_membership(user, membership) -> bool:
    """Memberships are managed by whoever manages the body."""
    return manage_body(user, membership.body)


@rule(BodyRelation, "delete")
def delete_relation(user, relation) -> bool:
    """Relations are for admins only."""
    return False
