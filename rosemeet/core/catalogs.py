"""Translation catalogues: one per domain, in ``rosemeet/<domain>/translations``.

A domain's messages are those in ``rosemeet/<domain>/`` and ``templates/<domain>/``; the
``core`` catalogue also holds the top-level modules and the shared templates. Flask-Babel
merges all catalogues at run time. The ``rosemeet translate`` commands update, check and
compile them; the build compiles them (``.mo`` files are not committed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE = ROOT / "rosemeet"
TEMPLATES = ROOT / "templates"
#: languages that have catalogues (English is the language of the message ids)
LOCALES = ("nl",)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "false"}


def domains() -> list[str]:
    """Every domain package (a folder of ``rosemeet/`` with an ``__init__.py``)."""
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def _sources(domain: str) -> Iterator[tuple[Path, str]]:
    python = sorted((PACKAGE / domain).rglob("*.py"))
    templates = sorted(p for p in (TEMPLATES / domain).rglob("*") if p.suffix in {".html", ".txt"})
    if domain == "core":
        python += sorted(PACKAGE.glob("*.py"))
        templates += sorted(TEMPLATES.glob("*.html")) + sorted(
            (TEMPLATES / "errors").rglob("*.html")
        )
    for path in python:
        yield path, "python"
    for path in templates:
        yield path, "jinja2.ext:babel_extract"


def extract(domain: str) -> Catalog:
    """The message ids used by a domain, with their source locations."""
    catalog = Catalog(project="rosemeet", fuzzy=False)
    for path, method in _sources(domain):
        options = JINJA_OPTIONS if method != "python" else {}
        for lineno, message, comments, context in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options
        ):
            catalog.add(
                message,
                None,
                [(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_path(domain: str, locale: str) -> Path:
    """Where a domain keeps its catalogue for a language."""
    return PACKAGE / domain / "translations" / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, locale: str) -> Catalog:
    """Read a .po file (an empty catalogue when it does not exist)."""
    if not path.exists():
        return Catalog(locale=locale, project="rosemeet")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update(domain: str) -> None:
    """Bring each language's catalogue of a domain in line with its sources."""
    template = extract(domain)
    for locale in LOCALES:
        path = po_path(domain, locale)
        if not len(template) and not path.exists():
            continue
        catalog = read_catalog(path, locale)
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)


def missing(domain: str) -> dict[str, list[str]]:
    """Per language, the message ids of a domain that have no (non-fuzzy) translation."""
    template = extract(domain)
    result = {}
    for locale in LOCALES:
        catalog = read_catalog(po_path(domain, locale), locale)
        gaps = []
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, message.context)
            strings: list[str | None]
            if found is None:
                strings = []
            elif isinstance(found.string, tuple | list):
                strings = list(found.string)
            else:
                strings = [found.string]
            if found is None or found.fuzzy or not strings or not all(strings):
                gaps.append(message.id if isinstance(message.id, str) else message.id[0])
        if gaps:
            result[locale] = gaps
    return result


def compile_all() -> list[Path]:
    """Compile every .po file next to itself as .mo."""
    written = []
    for po in sorted(PACKAGE.glob("*/translations/*/LC_MESSAGES/messages.po")):
        locale = po.parent.parent.name
        catalog = read_catalog(po, locale)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
    return written
