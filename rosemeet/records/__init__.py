"""The official record of meetings: the agenda and the minutes printed and downloaded (Word,
Markdown). Above the agendas and follow-ups, whose content it puts together."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Records: the print pages and downloads of agendas and minutes."""
    from rosemeet.records import views

    app.register_blueprint(views.bp)
