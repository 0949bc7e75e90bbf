"""Records as PDF: HTML (templates/records/record_pdf.html) laid out by WeasyPrint with the
vendored fonts of static/fonts. WeasyPrint never goes to the network: its URL fetcher serves
files of the app's static folder and refuses everything else."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)


class StaticOnlyFetcher(URLFetcher):
    """Fetch ``file://`` URLs inside one folder (the static folder); refuse any other URL."""

    def __init__(self, root: Path):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.root = root.resolve()

    def allows(self, url: str) -> bool:
        """Is ``url`` a local file of the static folder?"""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(unquote(parts.path)).resolve()
        return path.is_relative_to(self.root) and path.is_file()

    def fetch(self, url, headers=None):
        if not self.allows(url):
            logger.warning("PDF: refused to fetch %s", url[:200])
            raise ValueError(f"not a local static file: {url[:200]}")
        return super().fetch(url, headers)


def static_root() -> Path:
    """The app's static folder."""
    assert current_app.static_folder is not None
    return Path(current_app.static_folder).resolve()


def render_pdf(html: str) -> bytes:
    """The HTML of a record as PDF bytes; relative URLs are read from the static folder."""
    root = static_root()
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=StaticOnlyFetcher(root))
    return document.write_pdf(font_config=fonts) or b""
