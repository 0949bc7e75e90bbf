"""Small helpers shared by the HTML views."""

from __future__ import annotations

from contextlib import nullcontext
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request


def safe_next(default: str) -> str:
    """The ``next`` parameter when it is a path on this site, else ``default``."""
    target = request.values.get("next", "")
    if "\\" in target:  # browsers read "/\\evil.example" as "//evil.example"
        return default
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def client_ip() -> str:
    """The client's address as seen by the WSGI server (set ProxyFix behind a proxy)."""
    return request.remote_addr or "unknown"


def outside_request_context():
    """A request context on BASE_URL when there is none (CLI, scheduler), so that
    ``url_for`` works in mail templates; a no-op inside a request."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["BASE_URL"])


def parse_id(value) -> int | None:
    """A whole number written in ASCII digits ("12"), else None ("²", "-1", "x", None)."""
    text = str(value) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() else None
