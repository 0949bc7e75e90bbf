"""The official record of meetings: the agenda and the minutes printed and downloaded (PDF,
Word, Markdown) from one content model, and each body's minutes archive. Above the agendas and
follow-ups, whose content it puts together."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Records: the print pages and downloads (PDF, Word, Markdown) of agendas and minutes,
    the minutes archive of a body (with its year PDFs) and its link on the body page."""
    from rosemeet.core.hooks import register_template_hook
    from rosemeet.records import views

    app.register_blueprint(views.bp)
    register_template_hook(app, "body-page", "records/_body_links.html")
