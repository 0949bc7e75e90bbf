"""Documents: files and links attached to meetings, agenda items, minutes, decisions,
follow-ups, plan actions and bodies, with versions, a storage interface, meeting papers and a
library per body. Above the follow-ups (decisions and follow-ups carry documents), below the
records (which list a meeting's papers)."""

from __future__ import annotations

from flask import Flask


def setup(app: Flask) -> None:
    """Documents: their tables, permission rules and storage, the clean-up of files when a
    transaction rolls back or removes their last version (and the documents-clean command),
    their pages, their lists on the pages of what they are attached to, and the demo papers."""
    from rosemeet.core.hooks import register_demo_step, register_template_hook
    from rosemeet.core.permissions import register_rules
    from rosemeet.documents import (  # noqa: F401 (models: tables)
        cli,
        demo,
        models,
        operations,
        permissions,
        storage,
        views,
    )

    register_rules(app, permissions.RULES)
    storage.init_app(app)
    operations.track_files()
    app.register_blueprint(views.bp)
    for command in cli.COMMANDS:
        app.cli.add_command(command)
    app.context_processor(views.document_helpers)
    register_template_hook(app, "meeting-page", "documents/_meeting_papers.html")
    register_template_hook(app, "agenda-item", "documents/_item_documents.html")
    register_template_hook(app, "minutes-top", "documents/_minutes_documents.html", priority=60)
    register_template_hook(app, "decision-page", "documents/_decision_documents.html")
    register_template_hook(app, "follow-up-page", "documents/_follow_up_documents.html")
    register_template_hook(app, "plan-action", "documents/_action_documents.html", priority=60)
    register_template_hook(app, "body-page", "documents/_body_library.html")
    register_template_hook(app, "search-results", "documents/_search_results.html")
    register_template_hook(app, "meeting-mail", "documents/_mail_papers.html", priority=60)
    register_template_hook(app, "meeting-mail-text", "documents/_mail_papers.txt", priority=60)
    register_template_hook(app, "agenda-mail", "documents/_mail_papers.html")
    register_template_hook(app, "agenda-mail-text", "documents/_mail_papers.txt")
    register_demo_step(app, demo.load_demo)
