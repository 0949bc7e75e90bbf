"""Load every API module so its endpoints register on the blueprint."""

from rosemeet.api import network, openapi  # noqa: F401
from rosemeet.api.base import bp

__all__ = ["bp"]
