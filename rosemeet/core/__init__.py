"""Shared building blocks: time, languages, permissions, errors, security headers."""
