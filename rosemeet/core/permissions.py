"""Object permissions, checked in one place: ``can(user, action, obj)``.

Each domain lists its rules in its own ``permissions.py`` (``RULES``: model, actions, rule)
and its ``setup(app)`` registers them on the app with ``register_rules``, so importing a module
registers nothing; views, templates, jobs and the API all ask ``can()`` (of the current app),
and the ``get_or_404`` helper turns a refusal into 404 (unseen objects) or 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, abort, current_app

from rosemeet.extensions import db

Rule = Callable[[Any, Any], bool]
#: a domain's rule as its ``RULES`` lists it: the model (``None``: no object), actions, rule
RuleEntry = tuple[type | None, tuple[str, ...], Rule]
#: where an app keeps its rules: (model, action) -> rule
REGISTRY = "rosemeet_permission_rules"
#: the model ``get_or_404`` loads
_Model = TypeVar("_Model")


def logged_in(user: Any) -> bool:
    """Is this a logged-in person (not an anonymous visitor or API caller)?"""
    return bool(getattr(user, "is_authenticated", False))


def register_rules(app: Flask, rules: Iterable[RuleEntry]) -> None:
    """Register a domain's rules ``func(user, obj) -> bool`` on this app (its setup calls this)."""
    registry: dict[tuple[type | None, str], Rule] = app.extensions.setdefault(REGISTRY, {})
    for model, actions, func in rules:
        for action in actions:
            if (model, action) in registry:
                raise ValueError(f"a rule for {action!r} on {model!r} is registered twice")
            registry[(model, action)] = func


def can(user: Any, action: str, obj: Any = None) -> bool:
    """May ``user`` (a Person or an anonymous user) do ``action`` on ``obj``?

    Admins may do everything; otherwise the rule the current app registered for the
    object's class (or for ``None`` when there is no object) decides; no rule means no.
    """
    if getattr(user, "is_authenticated", False) and user.is_admin:
        return True
    model = obj if isinstance(obj, type) else (None if obj is None else type(obj))
    instance = None if isinstance(obj, type) else obj
    rules = current_app.extensions.get(REGISTRY, {})
    for klass in model.__mro__ if model else (None,):
        func = rules.get((klass, action))
        if func is not None:
            return bool(func(user, instance))
    return False


def get_or_404(user: Any, model: type[_Model], ident: Any, action: str = "view") -> _Model:
    """Load ``model`` by primary key and check ``action``: 404 if missing or unseen, 403 if seen."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    if not can(user, action, obj):
        abort(404 if action == "view" or not can(user, "view", obj) else 403)
    return obj


def require(user: Any, action: str, obj: Any = None) -> None:
    """Abort with 403 (or 401 for anonymous users) unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        abort(403 if getattr(user, "is_authenticated", False) else 401)
