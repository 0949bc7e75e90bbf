"""Keep secret tokens out of logs: feed, reset, invitation and answer (RSVP) links.

A URL of these routes is a credential. The filter rewrites ``/rsvp/<the token>?response=x``
into ``/rsvp/<token>?response=x`` in request lines, error messages and their arguments;
``install_token_redaction()`` puts it on the loggers that write request paths (werkzeug's
request log, Flask's app logger and the 500 handler, gunicorn's error log). ``gunicorn.conf.py``
uses ``redact`` for gunicorn's access log.
"""

from __future__ import annotations

import logging
import re

#: a secret route and its token (the slash may be percent-encoded in a raw request line)
SECRET_PATH = re.compile(
    r"(?P<route>(?:/|%2F)(?:feeds|password(?:/|%2F)reset|invitation|rsvp)(?:/|%2F))"
    r"(?P<token>[^\s\"'<>?#&/]+)",
    re.IGNORECASE,
)
#: the loggers that write request paths
LOGGERS = ("werkzeug", "rosemeet", "rosemeet.core.errors", "gunicorn.error")


def redact(text: str) -> str:
    """``text`` with every secret token in a path replaced by ``<token>``."""
    if "%" not in text and "/" not in text:
        return text
    return SECRET_PATH.sub(r"\g<route><token>", text)


def _redact_value(value: object) -> object:
    """``value`` redacted when it is text, else as it is."""
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Rewrite secret tokens in a record's message and arguments (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact in place and let the record through."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redact_value(value) for value in record.args)
        return True


def install_token_redaction(names: tuple[str, ...] = LOGGERS) -> None:
    """Put one ``RedactTokens`` filter on each logger that writes request paths, and on the
    root logger's handlers, which every module's records pass through (idempotent)."""
    targets = [logging.getLogger(name) for name in names] + logging.getLogger().handlers
    for target in targets:
        if not any(isinstance(f, RedactTokens) for f in target.filters):
            target.addFilter(RedactTokens())
