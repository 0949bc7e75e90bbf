"""Who may do what with people and tokens."""

from rosemeet.accounts.models import ApiToken, Person
from rosemeet.core.permissions import logged_in, rule


@rule(Person, "view")
def view_person(user, person) -> bool:
    """Logged-in people see each other (the network's address book)."""
    return logged_in(user)


@rule(Person, "edit", "invite")
def edit_person(user, person) -> bool:
    """Only admins manage people (admins pass before any rule); people edit their profile."""
    return False


@rule(Person, "create")
def create_person(user, person) -> bool:
    """Only admins add people."""
    return False


@rule(ApiToken, "revoke")
def revoke_token(user, token) -> bool:
    """The owner may revoke a token."""
    return logged_in(user) and token.person_id == user.id


@rule(None, "view_admin")
def view_admin(user, obj) -> bool:
    """Admin pages are for admins only."""
    return False
