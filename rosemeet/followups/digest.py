"""The regisseur's weekly digest: the overdue follow-ups of the whole network."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from rosemeet.core.time import format_day
from rosemeet.followups import queries

#: at most this many lines; the rest is counted
DIGEST_LINES = 25


def digest_sections(today: date) -> list[dict]:
    """One section listing the overdue follow-ups (oldest due date first), if any."""
    overdue = queries.overdue_follow_ups(today)
    if not overdue:
        return []
    lines = [
        _(
            "%(body)s: %(title)s (%(owner)s, due %(date)s)",
            body=f.body.code,
            title=f.title,
            owner=f.owner_label or _("no owner"),
            date=format_day(f.due_on) if f.due_on else "",  # overdue: always a due date
        )
        for f in overdue[:DIGEST_LINES]
    ]
    if len(overdue) > DIGEST_LINES:
        lines.append(_("and %(n)d more", n=len(overdue) - DIGEST_LINES))
    return [{"title": _("Overdue follow-ups (%(n)d)", n=len(overdue)), "lines": lines}]
