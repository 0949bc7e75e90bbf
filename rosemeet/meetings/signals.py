"""Signals for the domains above meetings (agendas prepare a new meeting's agenda)."""

from blinker import Namespace

_signals = Namespace()

#: meetings were created (by a series or once): ``send(meetings_list)``
meetings_created = _signals.signal("meetings-created")
