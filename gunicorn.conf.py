"""gunicorn settings: access and error logs without secret tokens.

gunicorn reads ``./gunicorn.conf.py`` by itself, so ``gunicorn --workers 3 --bind
127.0.0.1:8000 wsgi:app`` started in this folder uses it (elsewhere: ``-c
/path/to/gunicorn.conf.py``). A feed, reset, invitation or answer (RSVP) URL is a
credential: every access-log field (request line, path, query, referrer, and any header or
environ value a custom ``access_log_format`` names) keeps the path with ``<token>`` in the
token's place, and so does gunicorn's error log ("Error handling request /rsvp/...").
"""

from gunicorn.glogging import Logger

from rosemeet.core.logging import RedactTokens, redact


class RedactingLogger(Logger):
    """gunicorn's logger with secret tokens taken out of access and error lines."""

    def setup(self, cfg):
        """Set up as usual, then filter the error log."""
        super().setup(cfg)
        if not any(isinstance(f, RedactTokens) for f in self.error_log.filters):
            self.error_log.addFilter(RedactTokens())

    def atoms(self, resp, req, environ, request_time):
        """The access-log fields, with every token redacted."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(v) if isinstance(v, str) else v for key, v in atoms.items()}


logger_class = RedactingLogger
