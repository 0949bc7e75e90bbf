"""The ROSE network: organisations, bodies, memberships and relations between bodies."""
