"""JSON API v1 under /api/v1: bearer tokens, the JSON error shape, and an OpenAPI 3.1 document
at /api/v1/openapi.json generated (flask-smorest, apispec) from the resource schemas that
also read the requests and write the answers."""

from __future__ import annotations

import flask_smorest
import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from flask_smorest.spec.plugins import FlaskPlugin

from rosemeet.api.base import PREFIX, ErrorSchema, bp
from rosemeet.core.web import MAX_ID, IdConverter

DESCRIPTION = (
    "Meetings, agendas, decisions, follow-ups and the action plan of the ROSE network. "
    'Errors answer {"error": {"code", "message", "fields"}}; list endpoints answer '
    '{"items", "page", "per_page", "total"}.'
)


class Api(flask_smorest.Api):
    """flask-smorest's Api with the API's error shape: the app's error handlers answer it
    (``core.errors``, ``api.base.refused``), so flask-smorest registers none of its own."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """None: the app's own handlers answer errors in the API's shape."""

    def _register_pagination_header(self) -> None:
        """None: a page is told in the answer (``items``, ``page``, ``per_page``, ``total``),
        not in flask-smorest's X-Pagination header."""


class PathsUnderPrefix(FlaskPlugin):
    """Paths in the document relative to the server URL (``/meetings``, not ``/api/v1/...``)."""

    def path_helper(self, rule, operations, parameters, **kwargs):
        """The rule's path without the API's prefix."""
        return super().path_helper(rule, operations, parameters, **kwargs).removeprefix(PREFIX)


def schema_name(schema: type[ma.Schema] | ma.Schema | str) -> str:
    """A schema's name in the document: ``MeetingSchema`` is Meeting, a partial one (the body
    of a PATCH) MeetingPatch, one with fewer fields (the body of a POST) MeetingNew."""
    found = resolve_schema_cls(schema)
    assert not isinstance(found, list)  # a list only for a name that marshmallow refuses
    name = found.__name__.removesuffix("Schema")
    if isinstance(schema, ma.Schema) and schema.partial:
        return f"{name}Patch"
    if isinstance(schema, ma.Schema) and (schema.exclude or schema.only):
        return f"{name}New"
    return name


def setup(app: Flask) -> None:
    """API: the /api/v1 blueprint with every resource's endpoints, and its document."""
    from rosemeet.api import (  # noqa: F401
        agendas,
        calendar,
        documents,
        followups,
        meetings,
        network,
        plan,
        remarks,
    )

    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = Api(
        app,
        spec_kwargs={
            "title": "rosemeet API",
            "version": "1",
            "openapi_version": "3.1.0",
            "info": {"description": DESCRIPTION},
            "servers": [{"url": PREFIX}],
            "security": [{"bearer": []}],
            "flask_plugin": PathsUnderPrefix(),
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        },
    )
    api.spec.components.security_scheme(
        "bearer",
        {"type": "http", "scheme": "bearer", "description": "A personal API token (profile page)."},
    )
    api.register_converter(
        IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.register_blueprint(bp)
