"""JSON API v1: bearer tokens, JSON errors, an OpenAPI 3.1 document."""
