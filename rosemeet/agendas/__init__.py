"""Agendas, proposals between bodies, and minutes."""
