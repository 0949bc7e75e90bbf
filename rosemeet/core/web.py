"""Small helpers shared by the HTML views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next(default: str) -> str:
    """The ``next`` parameter when it is a path on this site, else ``default``."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def client_ip() -> str:
    """The client's address as seen by the WSGI server (set ProxyFix behind a proxy)."""
    return request.remote_addr or "unknown"
