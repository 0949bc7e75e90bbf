"""Read the inbound mailbox over IMAP and hand each mail to the inbound handlers, once.

One poll (``fetch_replies``, run by the scheduler every IMAP_POLL_SECONDS and by
``rosemeet fetch-replies``):

1. connect (TLS unless IMAP_TLS is off), log in, make sure the processed and unknown folders
   exist (their names in the settings use ``/``; the server's own separator replaces it);
2. fetch the headers of the mails in IMAP_FOLDER (and their sizes): a mail larger than
   IMAP_MAX_MESSAGE_MB is never downloaded, it is listed as unusable;
3. per mail, its key is the Message-ID (or a hash of the raw mail when it has none). A mail
   whose key is already recorded was read before, by a poll stopped before it could move it:
   the handlers do not see it again, it is only moved. Otherwise it is recorded, the
   handlers look at it in a savepoint (the first that answers decides; one that fails is
   rolled back and the mail is unusable), and the transaction is committed;
4. only then the mail is moved to the processed or the unknown folder (or, with
   IMAP_AFTER_READING = "flag", marked \\Seen with a keyword and left where it is). Nothing
   is ever deleted.

A poll stopped anywhere therefore never applies a mail twice: before the commit nothing of it
is kept, after the commit the next poll finds its row and only moves it.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import imaplib
import logging
import socket
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import current_app
from imap_tools import BaseMailBox, MailBox, MailBoxUnencrypted, MailMessage
from imap_tools.errors import ImapToolsError
from imap_tools.utils import encode_folder
from sqlalchemy import select

from rosemeet.extensions import db
from rosemeet.mail.inbound import Handled, inbound_handlers
from rosemeet.mail.models import InboundMessage, InboundStatus

logger = logging.getLogger(__name__)

#: seconds a connection may wait for the server before the poll gives up
TIMEOUT = 60
#: mails whose headers are fetched per command
HEADER_CHUNK = 50
#: keyword set on a used mail when IMAP_AFTER_READING is "flag"
KEYWORD_PROCESSED = "rosemeet-processed"
#: keyword set on an unusable mail when IMAP_AFTER_READING is "flag"
KEYWORD_UNUSABLE = "rosemeet-unusable"
#: the separator of folder names in the settings
SETTINGS_SEPARATOR = "/"
#: what failed when talking to the server (the socket, TLS, an IMAP answer)
IMAP_ERRORS = (ImapToolsError, imaplib.IMAP4.error, OSError, ssl.SSLError, socket.timeout)
#: the detail of a mail that no handler wanted
NOT_AN_ANSWER = "not a calendar answer"


class ImapError(Exception):
    """The inbound mailbox could not be read (never carries the password)."""


@dataclass
class PollResult:
    """What one poll did."""

    #: mails found in the folder
    read: int = 0
    #: mails a handler used
    processed: int = 0
    #: mails listed as not usable (no handler wanted them, a handler failed, too large)
    unusable: int = 0
    #: mails read before (a poll stopped before moving them): only moved now
    skipped: int = 0


def polling_enabled(config: Mapping[str, Any]) -> bool:
    """Whether an inbound mailbox is configured (an empty IMAP_HOST switches polling off)."""
    return bool(config.get("IMAP_HOST"))


def fetch_replies() -> PollResult:
    """Read every mail of the inbound folder once (see the module); raises ``ImapError``
    when the server cannot be reached or refuses, with what was done until then committed."""
    config = current_app.config
    result = PollResult()
    limit = config["IMAP_MAX_MESSAGE_MB"] * 1024 * 1024
    flag_mode = config["IMAP_AFTER_READING"] == "flag"
    with _mailbox(config) as mailbox:
        try:
            separator = _separator(mailbox)
            processed_folder = config["IMAP_PROCESSED_FOLDER"].replace(
                SETTINGS_SEPARATOR, separator
            )
            unknown_folder = config["IMAP_UNKNOWN_FOLDER"].replace(SETTINGS_SEPARATOR, separator)
            if not flag_mode:
                for folder in (processed_folder, unknown_folder):
                    if not mailbox.folder.exists(folder):
                        mailbox.folder.create(folder)
            mailbox.folder.set(config["IMAP_FOLDER"])
            criteria = "UNDELETED"
            if flag_mode:
                criteria += f" UNKEYWORD {KEYWORD_PROCESSED} UNKEYWORD {KEYWORD_UNUSABLE}"
            headers = list(
                mailbox.fetch(criteria, mark_seen=False, headers_only=True, bulk=HEADER_CHUNK)
            )
        except IMAP_ERRORS as error:
            raise _imap_error(config, error) from None
        for header in headers:
            uid = header.uid
            if uid is None:  # a server that answers a FETCH without the UID asked for
                continue
            result.read += 1
            try:
                status, seen = _read_one(mailbox, uid, header, limit)
                if seen:
                    result.skipped += 1
                elif status is InboundStatus.PROCESSED:
                    result.processed += 1
                else:
                    result.unusable += 1
                used = status is InboundStatus.PROCESSED
                if flag_mode:
                    _flag(mailbox, uid, KEYWORD_PROCESSED if used else KEYWORD_UNUSABLE)
                else:
                    _move(mailbox, uid, processed_folder if used else unknown_folder)
            except IMAP_ERRORS as error:
                raise _imap_error(config, error) from None
    logger.info(
        "inbound mailbox: %d read, %d processed, %d unusable, %d read before",
        result.read,
        result.processed,
        result.unusable,
        result.skipped,
    )
    return result


def _read_one(
    mailbox: BaseMailBox, uid: str, header: MailMessage, limit: int
) -> tuple[InboundStatus, bool]:
    """Record one mail and let the handlers see it, committed; answers its status and whether
    it had been recorded before (then nothing is done but answering)."""
    size = header.size_rfc822 or None
    message_id = (header.headers.get("message-id") or ("",))[0].strip()
    too_large = size is not None and size > limit
    raw = b"" if too_large else _raw(mailbox, uid)
    if too_large and not message_id:
        key = "sha256:" + hashlib.sha256(header.obj.as_bytes()).hexdigest()
    else:
        key = _key(message_id, raw)
    known = db.session.scalar(select(InboundMessage).where(InboundMessage.message_key == key))
    if known is not None:
        logger.info("inbound mail %s was read before: only moved", key)
        return known.status, True
    inbound = InboundMessage(
        message_key=key,
        sender=header.from_[:320] or None,
        subject=header.subject[:300] or None,
        size=size,
        status=InboundStatus.UNUSABLE,
    )
    db.session.add(inbound)
    db.session.flush()
    if too_large:
        answer = Handled(False, f"larger than {limit // (1024 * 1024)} MB, not read")
    else:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        answer = _handle(message, inbound)
    inbound.status = InboundStatus.PROCESSED if answer.used else InboundStatus.UNUSABLE
    inbound.detail = answer.detail
    db.session.commit()  # before the mail is moved: a crash after this only leaves it to move
    return inbound.status, False


def _handle(message: EmailMessage, inbound: InboundMessage) -> Handled:
    """The first handler's answer, in a savepoint that is rolled back when a handler fails."""
    try:
        with db.session.begin_nested():
            for handler in inbound_handlers():
                answer = handler(message, inbound)
                if answer is not None:
                    return answer
    except Exception as error:  # a handler's bug must not stop the poll: the mail is listed
        logger.exception("inbound handler failed on %s", inbound.message_key)
        return Handled(False, type(error).__name__)
    return Handled(False, NOT_AN_ANSWER)


def _key(message_id: str, raw: bytes) -> str:
    """The Message-ID, or a hash of the raw mail when it has none (or one too long to keep)."""
    if message_id and len(message_id) <= InboundMessage.message_key.type.length:
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode() if message_id else raw).hexdigest()


@contextmanager
def _mailbox(config: Mapping[str, Any]) -> Iterator[BaseMailBox]:
    """A logged-in connection to the inbound mailbox, logged out at the end."""
    host, port = config["IMAP_HOST"], config["IMAP_PORT"]
    try:
        if config["IMAP_TLS"]:
            mailbox: BaseMailBox = MailBox(host, port, timeout=TIMEOUT)
        else:
            mailbox = MailBoxUnencrypted(host, port, timeout=TIMEOUT)
        mailbox.login(config["IMAP_USER"], config["IMAP_PASSWORD"], initial_folder=None)
        # the capabilities before login leave out MOVE and UIDPLUS on many servers (Dovecot)
        typ, data = mailbox.client.capability()
        if typ == "OK" and data and data[-1]:
            mailbox.client.capabilities = tuple(data[-1].decode().upper().split())
    except IMAP_ERRORS as error:
        raise _imap_error(config, error) from None
    try:
        yield mailbox
    finally:
        try:
            mailbox.logout()
        except IMAP_ERRORS:
            logger.warning("inbound mailbox: logout failed", exc_info=True)


def _imap_error(config: Mapping[str, Any], error: BaseException) -> ImapError:
    """An ``ImapError`` naming the server, the user and what failed (never the password)."""
    reason = f"{type(error).__name__}: {error}"
    password = config.get("IMAP_PASSWORD")
    if password:
        reason = reason.replace(password, "***")
    where = f"{config['IMAP_USER']}@{config['IMAP_HOST']}:{config['IMAP_PORT']}"
    return ImapError(f"inbound mailbox {where}: {reason}")


def _separator(mailbox: BaseMailBox) -> str:
    """The server's folder separator (``/`` when it tells none)."""
    folders = mailbox.folder.list()
    return next((f.delim for f in folders if f.delim), SETTINGS_SEPARATOR)


def _raw(mailbox: BaseMailBox, uid: str) -> bytes:
    """The whole mail, without marking it as seen."""
    typ, data = mailbox.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if typ != "OK":
        raise ImapError(f"fetching mail {uid} failed: {data!r}")
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    raise ImapError(f"mail {uid} has gone from the folder")


def _command(mailbox: BaseMailBox, command: str, *args: Any) -> None:
    """A UID command that must succeed (imaplib takes the folder names as bytes too)."""
    typ, data = mailbox.client.uid(command, *args)
    if typ != "OK":
        raise ImapError(f"{command} failed: {data!r}")


def _move(mailbox: BaseMailBox, uid: str, folder: str) -> None:
    """Move one mail (MOVE where the server has it; else copy, then expunge only that mail)."""
    capabilities = mailbox.client.capabilities
    if "MOVE" in capabilities:
        _command(mailbox, "MOVE", uid, encode_folder(folder))
        return
    _command(mailbox, "COPY", uid, encode_folder(folder))
    _command(mailbox, "STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
    if "UIDPLUS" in capabilities:
        _command(mailbox, "EXPUNGE", uid)
    else:  # the copy is safe: expunging removes only what is marked \Deleted
        mailbox.client.expunge()


def _flag(mailbox: BaseMailBox, uid: str, keyword: str) -> None:
    """Mark one mail as seen and read by rosemeet, in place."""
    _command(mailbox, "STORE", uid, "+FLAGS.SILENT", rf"(\Seen {keyword})")
