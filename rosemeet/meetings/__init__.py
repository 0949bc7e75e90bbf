"""Meetings: series (RRULE-based recurrence), single meetings and attendance."""
