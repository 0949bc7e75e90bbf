"""Signals of the agendas domain, for the domains above it (follow-ups: the ROA loop).

``minutes_approved.send(meeting, approved_in=next_meeting, by=person)`` is sent inside the
approving transaction (before the commit): receivers write in the same transaction, flush,
and never commit.
"""

from blinker import Namespace

_signals = Namespace()

#: a meeting's minutes were approved; sender: the meeting; ``approved_in``: the meeting
#: whose approval item approved them; ``by``: who recorded it
minutes_approved = _signals.signal("minutes-approved")
