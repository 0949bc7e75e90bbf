"""A meeting's papers ("stukken") as one ZIP archive: every file the reader may see, named and
numbered in agenda order ("00 Uitnodiging.pdf", "03 Mobiliteit - Cijfers VDAB.xlsx",
"07 Verslag - Aanwezigheidslijst.pdf"), and the links in one text file. Files are copied into
the archive in chunks, so a meeting's 250 MB never sit in memory."""

from __future__ import annotations

import re
import shutil
import zipfile
from typing import BinaryIO

from flask_babel import gettext as _

from rosemeet.core.time import to_local
from rosemeet.documents.filetypes import MAX_NAME, safe_filename
from rosemeet.documents.queries import Paper
from rosemeet.documents.storage import CHUNK, storage
from rosemeet.meetings.models import Meeting

#: already compressed: stored as they are (deflating them again costs time for nothing)
_COMPRESSED = re.compile(r"^(image/|application/(zip|pdf|vnd\.openxmlformats|vnd\.oasis))")


def zip_name(meeting: Meeting) -> str:
    """The archive's file name: "Stukken Actiegroep ROSE 2027-01-12.zip"."""
    bodies = " + ".join(b.name for b in meeting.bodies)
    day = meeting.starts_at.date().isoformat()
    return safe_filename(f"{_('Papers')} {bodies} {day}.zip", "application/zip")


def _entry_name(paper: Paper, item_count: int) -> str:
    """A paper's name in the archive: its number, its item's title and its own title."""
    document = paper.document
    if paper.item is not None:
        label = f"{paper.item.title} - {document.title}"
    elif paper.number > item_count:
        label = f"{_('Minutes')} - {document.title}"
    else:
        label = document.title
    latest = document.latest
    assert latest is not None
    extension = latest.filename.rsplit(".", 1)[-1]
    name = safe_filename(f"{label}.{extension}", latest.file.content_type)
    return f"{paper.number:02d} {name}"[: MAX_NAME + 3]


def write_zip(papers: list[Paper], meeting: Meeting, out: BinaryIO) -> None:
    """Write the archive of ``papers`` (``queries.meeting_papers``) to ``out``."""
    files = storage()
    item_count = max((p.number for p in papers if p.item is not None), default=0)
    used: set[str] = set()
    links: list[str] = []
    with zipfile.ZipFile(out, "w") as archive:
        for paper in papers:
            document = paper.document
            if document.url is not None:
                links.append(f"{paper.number:02d} {document.title}\n   {document.url}")
                continue
            latest = document.latest
            if latest is None:
                continue
            name = _unique(_entry_name(paper, item_count), used)
            compression = (
                zipfile.ZIP_STORED
                if _COMPRESSED.match(latest.file.content_type)
                else zipfile.ZIP_DEFLATED
            )
            info = zipfile.ZipInfo(name, date_time=_zip_time(latest.uploaded_at))
            info.compress_type = compression
            try:
                source = files.open(latest.file_sha256)
            except FileNotFoundError:
                continue  # a file lost from the storage: the rest of the papers still come
            with source, archive.open(info, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, CHUNK)
        if links:
            title = _("Links of the meeting %(title)s", title=meeting.display_title)
            archive.writestr(
                _unique(_("Links") + ".txt", used),
                title + "\n\n" + "\n".join(links) + "\n",
                compress_type=zipfile.ZIP_DEFLATED,
            )


def _unique(name: str, used: set[str]) -> str:
    """``name``, or ``name (2)`` when the archive already holds it."""
    stem, dot, extension = name.rpartition(".")
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem} ({n}){dot}{extension}" if dot else f"{name} ({n})"
    used.add(candidate.casefold())
    return candidate


def _zip_time(stamp) -> tuple[int, int, int, int, int, int]:
    """A ZIP entry's date (Brussels time; ZIP has no time zones, and starts in 1980)."""
    local = to_local(stamp)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)
