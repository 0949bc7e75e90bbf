"""Inbound mail: the handlers that higher domains register for mail read from the inbound
mailbox (the meetings read calendar answers), kept per app like the other registries.

A handler ``func(message, inbound) -> Handled | None`` gets the parsed mail
(``email.message.EmailMessage``, policy ``email.policy.default``) and its ``InboundMessage``
row (already added and flushed); it answers None when the mail is not for it, or what it did.
The first handler that answers decides; when none does, the mail is unusable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app

from rosemeet.mail.models import InboundMessage

#: where an app keeps its inbound handlers
HANDLERS = "rosemeet_inbound_handlers"


@dataclass(frozen=True)
class Handled:
    """What a handler did with a mail."""

    #: the mail was used (moved to the processed folder); False: listed as not usable
    used: bool
    #: what was done or why it could not be used, in words for the admin's mail page
    detail: str


Handler = Callable[[EmailMessage, InboundMessage], Handled | None]


def register_inbound_handler(app: Flask, handler: Handler) -> None:
    """Let ``handler`` look at every mail read from the inbound mailbox of this app."""
    app.extensions.setdefault(HANDLERS, []).append(handler)


def inbound_handlers() -> list[Handler]:
    """The current app's handlers, in registration order."""
    return list(current_app.extensions.get(HANDLERS, []))
