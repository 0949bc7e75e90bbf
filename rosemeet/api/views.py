"""Load every module of the API package so its endpoints register on the blueprint."""

import importlib
import pkgutil

import rosemeet.api
from rosemeet.api.base import bp

for _module in pkgutil.iter_modules(rosemeet.api.__path__):
    if _module.name not in {"views", "base"}:
        importlib.import_module(f"rosemeet.api.{_module.name}")

__all__ = ["bp"]
