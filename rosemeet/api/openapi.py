"""The OpenAPI 3.1 document, assembled from the ``document()`` notes of every endpoint."""

from __future__ import annotations

from flask import jsonify

from rosemeet.api.base import PATHS, SCHEMAS, bp

ERROR_CODES = (400, 401, 403, 404, 409)


def openapi_document() -> dict:
    """The whole document."""
    error_schema = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "rosemeet API",
            "version": "1",
            "description": "Meetings, agendas, decisions, follow-ups and the action plan "
            "of the ROSE network.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(PATHS.items())),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (profile page).",
                }
            },
            "schemas": {"Error": error_schema, **dict(sorted(SCHEMAS.items()))},
            "responses": {
                f"Error{code}": {
                    "description": "Error",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
                for code in ERROR_CODES
            },
        },
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())
