"""Signals other domains listen to (they sit above the network and may not be imported here)."""

from blinker import Namespace

_signals = Namespace()

#: a person's membership of a body ended or was removed: ``send(body, person=...)``
membership_ended = _signals.signal("membership-ended")
