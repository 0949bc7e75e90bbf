"""People, login, passwords, invitations and personal API tokens."""
