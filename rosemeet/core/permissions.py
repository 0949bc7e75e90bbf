"""Object permissions, checked in one place: ``can(user, action, obj)``.

Each domain registers its rules with ``@rule(ModelClass, "action", ...)`` in its own
``permissions.py``; views, templates and the API all ask ``can()``, and the
``get_or_404`` helper turns a refusal into 404 (unseen objects) or 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort

from rosemeet.extensions import db

Rule = Callable[[Any, Any], bool]
_RULES: dict[tuple[type | None, str], Rule] = {}


def logged_in(user) -> bool:
    """Is this a logged-in person (not an anonymous visitor or API caller)?"""
    return bool(getattr(user, "is_authenticated", False))


def rule(model: type | None, *actions: str) -> Callable[[Rule], Rule]:
    """Register ``func(user, obj) -> bool`` as the rule for ``actions`` on ``model``."""

    def register(func: Rule) -> Rule:
        for action in actions:
            _RULES[(model, action)] = func
        return func

    return register


def can(user, action: str, obj: Any = None) -> bool:
    """May ``user`` (a Person or an anonymous user) do ``action`` on ``obj``?

    Admins may do everything; otherwise the rule registered for the object's class
    (or for ``None`` when there is no object) decides; no rule means no.
    """
    if getattr(user, "is_authenticated", False) and user.is_admin:
        return True
    model = obj if isinstance(obj, type) else (None if obj is None else type(obj))
    instance = None if isinstance(obj, type) else obj
    for klass in model.__mro__ if model else (None,):
        func = _RULES.get((klass, action))
        if func is not None:
            return bool(func(user, instance))
    return False


def get_or_404(user, model: type, ident: Any, action: str = "view"):
    """Load ``model`` by primary key and check ``action``: 404 if missing or unseen, 403 if seen."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    if not can(user, action, obj):
        abort(404 if action == "view" or not can(user, "view", obj) else 403)
    return obj


def require(user, action: str, obj: Any = None) -> None:
    """Abort with 403 (or 401 for anonymous users) unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        abort(403 if getattr(user, "is_authenticated", False) else 401)
