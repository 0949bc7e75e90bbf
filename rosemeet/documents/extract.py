"""The text of an uploaded file, for search: PDF (pypdf), Word (python-docx), spreadsheets
(openpyxl) and plain text. Bounded in pages, cells and characters; a file that cannot be read
gives None and is logged, and never fails the upload."""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)

#: at most this many characters are kept for search
MAX_CHARS = 200_000
#: the first pages of a PDF and the first cells of a workbook are read, no more
MAX_PDF_PAGES = 200
MAX_CELLS = 100_000

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def extract_text(path: Path, content_type: str) -> str | None:
    """The searchable text of the file at ``path`` of type ``content_type``, or None."""
    reader = _READERS.get(content_type)
    if reader is None:
        return None
    try:
        text = reader(path)
    except Exception:  # any damaged or hostile file: no text, the upload goes on
        logger.warning("no text from a %s file (%s)", content_type, path.name, exc_info=True)
        return None
    text = " ".join(text.split())[:MAX_CHARS]
    return text or None


def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    with path.open("rb") as handle:  # a file object: pypdf reads a path into memory whole
        reader = PdfReader(handle)
        parts: list[str] = []
        for number, page in enumerate(reader.pages):
            if number >= MAX_PDF_PAGES or sum(map(len, parts)) > MAX_CHARS:
                break
            parts.append(page.extract_text() or "")
    return "\n".join(parts)


def _docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _xlsx(path: Path) -> str:
    from openpyxl import load_workbook

    handle = path.open("rb")  # a file object: openpyxl would refuse the staged name
    workbook = load_workbook(handle, read_only=True, data_only=True)
    parts: list[str] = []
    try:
        for sheet in workbook.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                parts.extend(str(v) for v in row if v is not None)
                if len(parts) > MAX_CELLS:
                    return "\n".join(parts)
    finally:
        workbook.close()
        handle.close()
    return "\n".join(parts)


def _plain(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(MAX_CHARS * 4)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_READERS = {
    "application/pdf": _pdf,
    DOCX: _docx,
    XLSX: _xlsx,
    "text/plain": _plain,
    "text/csv": _plain,
}
