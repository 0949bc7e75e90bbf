"""Extension points of one app: template hooks and demo-data steps, registered by the domains'
``setup(app)`` and kept on the app (``app.extensions``), so two apps never share them.

A page of a lower domain offers a slot with ``{{ template_hook("body-page", body=body) }}``;
a higher domain fills it in its setup with ``register_template_hook(app, "body-page",
"meetings/_body_meetings.html")`` (a template, rendered like an include with the page's
variables and the slot's) or with a callable ``func(**context) -> str`` of safe HTML. The
snippets of a slot are rendered by priority (lower first), then in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

#: where an app keeps its template hooks: slot name -> snippets
HOOKS = "rosemeet_hooks"
#: where an app keeps the steps that add a domain's part to the demo data
DEMO_STEPS = "rosemeet_demo_steps"
#: the priority of a snippet that does not ask for one
DEFAULT_PRIORITY = 50


@dataclass(frozen=True)
class Snippet:
    """One registered filling of a template slot."""

    #: a template name, or ``func(**context) -> str`` that returns safe HTML
    source: str | Callable[..., str]
    #: lower comes first
    priority: int


def init_app(app: Flask) -> None:
    """Give the app empty registries and the ``template_hook`` global of its templates."""
    app.extensions[HOOKS] = {}
    app.extensions[DEMO_STEPS] = []
    app.jinja_env.globals["template_hook"] = template_hook


def register_template_hook(
    app: Flask,
    slot: str,
    source: str | Callable[..., str],
    priority: int = DEFAULT_PRIORITY,
) -> None:
    """Fill ``slot`` of this app's pages with a template or a callable."""
    app.extensions[HOOKS].setdefault(slot, []).append(Snippet(source, priority))


@pass_context
def template_hook(page: Context, slot: str, /, **context: Any) -> Markup:
    """The snippets registered for ``slot``, one per line: a template is rendered as an include
    would be (the page's variables, such as a mail's per-batch helpers, and ``context``), a
    callable with ``context``."""
    variables = {**page.get_all(), **context}
    parts = []
    for snippet in _ordered(current_app.extensions[HOOKS].get(slot, [])):
        if callable(snippet.source):
            parts.append(snippet.source(**context))
        else:
            parts.append(page.environment.get_template(snippet.source).render(variables))
    return Markup("\n".join(parts))  # noqa: S704 (templates that escape, or trusted callables)


def register_demo_step(app: Flask, step: Callable[[], None]) -> None:
    """Add a domain's part of the demo data; ``rosemeet seed-demo`` runs the steps in order."""
    app.extensions[DEMO_STEPS].append(step)


def demo_steps(app: Flask) -> list[Callable[[], None]]:
    """The demo-data steps of this app, in the order the domains registered them."""
    return list(app.extensions[DEMO_STEPS])


def _ordered(snippets: list[Snippet]) -> list[Snippet]:
    """By priority; sorting is stable, so registration order next."""
    return sorted(snippets, key=lambda s: s.priority)
