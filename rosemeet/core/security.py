"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request

from rosemeet.core.logging import SECRET_PATH

#: No inline script, no third-party origin, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def add_security_headers(response: Response) -> Response:
    """Set CSP, no-sniff, referrer and framing headers; a page whose address holds a secret
    token (reset, invitation, answer, feed) sends no referrer at all, so the token cannot
    leave through a link or a stylesheet request."""
    if SECRET_PATH.search(request.path):
        response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def register_security(app: Flask) -> None:
    """Install the header hook."""
    app.after_request(add_security_headers)
