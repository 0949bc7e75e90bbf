"""WSGI entry point: ``gunicorn wsgi:app``."""

from rosemeet import create_app

app = create_app()
