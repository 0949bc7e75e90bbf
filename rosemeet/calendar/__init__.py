"""iCalendar: invitations (iTIP over iMIP), subscribable feeds and .ics downloads."""
