"""Decisions, follow-ups (opvolgpunten), referrals between bodies, the ROA loop and search."""
