"""What an upload is, told by its content (``filetype``'s signatures, then a text check), never
by its name; the allow-list of what may be attached; and safe file names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import filetype

from rosemeet.documents.models import FileFamily

#: detected type -> (family, the extensions a name of that type may end in; the first is added
#: when the name ends in none of them)
ALLOWED: dict[str, tuple[FileFamily, tuple[str, ...]]] = {
    "application/pdf": (FileFamily.PDF, ("pdf",)),
    "application/msword": (FileFamily.TEXT_DOCUMENT, ("doc", "dot")),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        FileFamily.TEXT_DOCUMENT,
        ("docx", "docm", "dotx"),
    ),
    "application/vnd.oasis.opendocument.text": (FileFamily.TEXT_DOCUMENT, ("odt",)),
    "application/rtf": (FileFamily.TEXT_DOCUMENT, ("rtf",)),
    "application/vnd.ms-excel": (FileFamily.SPREADSHEET, ("xls", "xlt")),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        FileFamily.SPREADSHEET,
        ("xlsx", "xlsm", "xltx"),
    ),
    "application/vnd.oasis.opendocument.spreadsheet": (FileFamily.SPREADSHEET, ("ods",)),
    "application/vnd.ms-powerpoint": (FileFamily.PRESENTATION, ("ppt", "pps")),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        FileFamily.PRESENTATION,
        ("pptx", "ppsx"),
    ),
    "application/vnd.oasis.opendocument.presentation": (FileFamily.PRESENTATION, ("odp",)),
    "image/jpeg": (FileFamily.IMAGE, ("jpg", "jpeg")),
    "image/png": (FileFamily.IMAGE, ("png",)),
    "image/gif": (FileFamily.IMAGE, ("gif",)),
    "image/webp": (FileFamily.IMAGE, ("webp",)),
    "text/plain": (FileFamily.PLAIN_TEXT, ("txt", "md", "text")),
    "text/csv": (FileFamily.PLAIN_TEXT, ("csv",)),
    "application/zip": (FileFamily.ARCHIVE, ("zip",)),
}
#: types shown in the browser (``Content-Disposition: inline``); everything else downloads
INLINE = frozenset({"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"})
#: the longest file name kept (the extension is kept whole)
MAX_NAME = 150
#: text that a browser could take for a page or a script: never accepted as plain text
_MARKUP = re.compile(rb"^\s*(<!doctype|<html|<svg|<\?xml|<script|<head|<body|<iframe)", re.I)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


@dataclass(frozen=True)
class Detected:
    """What the content turned out to be."""

    #: the MIME type (``text/html``, ``application/x-msdownload``, ...)
    content_type: str
    #: its family in the allow-list; None when it is not allowed
    family: FileFamily | None

    @property
    def allowed(self) -> bool:
        """May it be attached?"""
        return self.family is not None


def detect(head: bytes, filename: str) -> Detected:
    """The type of a file from its first bytes (8 KB); a name ending in .csv makes text CSV."""
    kind = filetype.guess(head)
    if kind is not None:
        mime = kind.mime
    elif _MARKUP.match(head[:1024]):
        mime = "image/svg+xml" if b"<svg" in head.lower() else "text/html"
    elif _is_text(head):
        mime = "text/csv" if filename.lower().endswith(".csv") else "text/plain"
    else:
        mime = "application/octet-stream"
    entry = ALLOWED.get(mime)
    return Detected(mime, entry[0] if entry else None)


def _is_text(head: bytes) -> bool:
    """Text in UTF-8 (or a Windows code page): no NUL and no control characters but
    tab, line feed, carriage return and form feed."""
    if b"\x00" in head:
        return False
    try:
        sample = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the sample
            sample = head[: exc.start].decode("utf-8")
        else:
            sample = head.decode("cp1252", errors="replace")
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in sample)


def safe_filename(name: str | None, content_type: str) -> str:
    """The name as uploaded without its folders, control characters and reserved
    characters, at most ``MAX_NAME`` characters, ending in an extension of its real type."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip(" ._") or "document"
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extensions = ALLOWED.get(content_type, (None, ("bin",)))[1]
    if extension.lower() not in extensions:
        stem, extension = name, extensions[0]
    stem = stem[: MAX_NAME - len(extension) - 1].rstrip(" ._") or "document"
    return f"{stem}.{extension.lower()}"
