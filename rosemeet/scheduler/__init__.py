"""The single scheduler process: a database lease, APScheduler, and the periodic jobs."""
