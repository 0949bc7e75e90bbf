"""Who may manage a feed."""

from rosemeet.calendar.models import FeedToken
from rosemeet.core.permissions import RuleEntry


def manage_feed(user, feed) -> bool:
    """The owner revokes or regenerates their feeds."""
    return bool(getattr(user, "is_authenticated", False)) and feed.person_id == user.id


#: this domain's rules for ``can``, registered on the app by its ``setup``
RULES: list[RuleEntry] = [
    (FeedToken, ("edit",), manage_feed),
]
