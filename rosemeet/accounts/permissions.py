"""Who may do what with people and tokens."""

from rosemeet.accounts.models import ApiToken, Person
from rosemeet.core.permissions import RuleEntry, logged_in


def view_person(user, person) -> bool:
    """Logged-in people see each other (the network's address book)."""
    return logged_in(user)


def edit_person(user, person) -> bool:
    """Only admins manage people (admins pass before any rule); people edit their profile."""
    return False


def create_person(user, person) -> bool:
    """Only admins add people."""
    return False


def revoke_token(user, token) -> bool:
    """The owner may revoke a token."""
    return logged_in(user) and token.person_id == user.id


def view_admin(user, obj) -> bool:
    """Admin pages are for admins only."""
    return False


#: this domain's rules for ``can``, registered on the app by its ``setup``
RULES: list[RuleEntry] = [
    (Person, ("view",), view_person),
    (Person, ("edit", "invite"), edit_person),
    (Person, ("create",), create_person),
    (ApiToken, ("revoke",), revoke_token),
    (None, ("view_admin",), view_admin),
]
