"""The outbox: every message is written in the transaction that caused it, then delivered."""
