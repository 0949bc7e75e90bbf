"""Parse the action-plan export (a spreadsheet saved as tab-separated text) into a tree.

``parse(data)`` is pure: bytes in, a :class:`ParseResult` out (headings, actions, themes and
errors with 1-based line numbers). It never touches the database and needs no Flask app. Problems
in the user's file are returned as :class:`ParseError` values, never raised; the caller shows them
and imports nothing when ``result.ok`` is false.

Reading the file
----------------
* Size first (``MAX_BYTES``), then NUL bytes (a binary file such as an ``.xlsx``), then the
  encoding: UTF-8 (a UTF-8 byte-order mark is dropped; a file that starts with a UTF-16 mark,
  as Excel's "Unicode text" export does, is decoded as UTF-16). Every line that is not valid
  UTF-8 is reported (up to ``MAX_ERRORS``) with the offending byte and its position.
* At most ``MAX_LINES`` lines and ``MAX_COLUMNS`` cells per line are read.
* Lines end in LF, CRLF or CR. Line numbers are 1-based, as an editor shows them. Cells are
  separated by tabs; a file in which no line holds a tab is rejected. Cells are not quoted.
* The header row is the first row naming the columns ``Actie``, ``Indicator``, ``Trekker`` and
  ``Partners`` (English names also accepted); the year columns are found from it too: a run
  of consecutive years between ``MIN_YEAR`` and ``MAX_YEAR`` (e.g. ``2026`` .. ``2031``), the
  plan's span (``first_year``, ``last_year``). No year column, a gap or a year out of range is
  an error on the header's line. Non-empty rows above the header (a title) are ignored; a
  repeated header is skipped.
* A *block* is a run of non-blank rows between blank rows. A block is *shifted* one column to
  the right when every data row in it has an empty cell in the ``Actie`` column; the shift then
  applies to all its data rows. (A blank line in the middle of an action's continuation rows is
  therefore read as a shifted block: the export never does that.)

Classifying rows
----------------
* A row with exactly one filled cell, in the first or the (shifted) second column, whose plain
  text starts with a number or letter marker is a *heading*. Markers: ``1.``, ``1)``,
  ``1.1.``, ``2.1`` (numeric; a single number needs its dot) and ``a.`` / ``a)`` (one letter).
  Headings may stand unshifted inside a shifted block, as in the real file.
* Such a one-cell row that starts with an underlined or bold title (``<p><u>Title</u></p>
  <p>text</p>``) is a *transversal theme*: the emphasised part is its title, the rest its text.
  A one-cell row with neither marker nor emphasised title is a data row (an action without
  indicator, or an indicator-only continuation row).
* Every other non-blank row is a data row. With a filled ``Actie`` cell it starts a new action
  (its indicator, trekker and partners cells form its first indicator). With an empty ``Actie``
  cell it is a *continuation row*: a further indicator, with its own trekkers and partners, of
  the action above. Nothing is inherited from the row above.

Kinds of heading (the numbering is inconsistent, so position decides as much as the number)
-------------------------------------------------------------------------------------------
* ``a.`` letter marker -> *sub-heading*, under the innermost open objective.
* Dotted marker ``N.M.`` (two or more parts) -> *objective*, under the nearest open numbered
  heading with fewer parts (``1.1.`` goes under the ``N.`` objective above it, whatever its
  number says), else under the strategic line.
* Single marker ``N.`` -> *strategic line* when no strategic line is open yet, or when the next
  non-blank row is itself a single-marker heading (a line is introduced by its first ``N.``
  objective); otherwise an *objective* directly under the open strategic line. In the real file
  "1. Netwerking op het grondgebied stimuleren" (followed by "1. samenwerking ...") and "2. De
  lokale sociale economie verder uitbouwen" (followed by "2. We maken het netwerk ...") are
  strategic lines; "1. samenwerking ...", "2. We maken het netwerk sociale economie sluitend",
  "2. We halen de drempels weg in de regio." and "3. inzetten op doelgroepen" are objectives,
  the last three with sub-objectives ``1.1.`` .. ``3.1.``. So objectives can nest.
* An action belongs to the most recent heading above it; an action before any heading is an
  error.

Text
----
HTML fragments are turned into Markdown-ish plain text: ``<p>`` paragraphs are separated by a
blank line, ``<li>`` items become ``- item`` lines, tags are dropped, entities unescaped and
whitespace collapsed. An inline list - a paragraph starting with ``- `` (also after a bare,
unclosed ``<ul>``) or an intro ending in ``:`` followed by `` - `` - becomes one ``- item`` line
per item; a list of a single item is just that item's text. Titles (actions, headings, themes)
are plain single-line text and are never split, even when they contain `` - ``.

Year cells
----------
A filled year cell becomes that year's entry of the action (``Action.year_cells``): a status
word (``x`` means gepland; ``gedaan``, ``ok`` and ``v`` mean gerealiseerd; case does not count)
sets the status; any other text is the note, with status gepland. Cells of several indicator
rows in one year are joined by ``"; "`` (the first status word wins).

Theme references
----------------
``theme_references(theme)`` finds what a theme's title and text point at: a quoted heading
or action (``"c. Overheidsopdrachten"``), a number after ``zie`` or ``onder`` (``-> zie
2.1!``) and a phrase after ``stukken over`` (``in de stukken over re-integratie van langdurig
zieken``). Resolving them against a plan is the caller's.

Names
-----
Trekker and partner cells are split by :func:`split_names`: on a dash with a space on at least
one side (so ``Intrimsector- LB`` is two names but ``LDE-fabriek`` one), and on commas and
semicolons outside parentheses. Items without a letter or digit (``...``) are dropped and
duplicates removed. Names passed as ``known_names`` (e.g. the organisations already in the
database) are kept whole even when they contain a separator, longest first.

Keys
----
Every heading, action and theme has a ``key`` that stays the same when the same file, or a
corrected one, is imported again: ``<h|a|t>-<slug>-<digest>``. The digest is the first 12 hex
digits of SHA-256 over the normalised titles of the element's ancestors and itself (NFKD,
accents stripped, case-folded, every run of non-alphanumerics one space); the slug is the start
of its own normalised title. Numbers, punctuation, case and the file's layout do not count, so
renumbering "2." to "1." or fixing spacing keeps the keys; renaming a heading changes the keys
beneath it. A key already used in the file gets ``-2``, ``-3``, ... in file order.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from rosemeet.core.enums import LabelledEnum

logger = logging.getLogger(__name__)

#: Largest file accepted, in bytes.
MAX_BYTES = 5 * 1024 * 1024
#: Most lines read: a real plan has a few hundred; this bounds the work per upload.
MAX_LINES = 20_000
#: Cells read per row; anything after them is ignored.
MAX_COLUMNS = 64
#: Errors reported before giving up on a file.
MAX_ERRORS = 50
#: The earliest and the latest year a plan's header may name.
MIN_YEAR, MAX_YEAR = 1990, 2100
#: What a year cell may say, casefolded -> the year status it stands for (its JSON value).
STATUS_WORDS = {
    "x": "gepland",
    "gepland": "gepland",
    "lopend": "lopend",
    "gerealiseerd": "gerealiseerd",
    "gedaan": "gerealiseerd",
    "ok": "gerealiseerd",
    "v": "gerealiseerd",
    "geschrapt": "geschrapt",
    "niet gepland": "niet gepland",
}
#: The status of a year cell whose text is no status word (the text becomes the note).
DEFAULT_STATUS = "gepland"


class HeadingKind(LabelledEnum):
    """What a heading row is in the plan's hierarchy."""

    LINE = "line", _l("Strategic line")
    OBJECTIVE = "objective", _l("Objective")
    SUBHEADING = "subheading", _l("Sub-heading")


@dataclass
class ParseError:
    """A problem in the file; ``str()`` gives the message in the current locale."""

    line: int | None
    message: LazyString | str

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class Indicator:
    """One indicator row of an action, with its own trekkers and partners."""

    text: str
    trekkers: list[str]
    partners: list[str]
    line: int
    #: Non-empty year cells of the row, by year.
    years: dict[int, str] = field(default_factory=dict)


@dataclass
class Action:
    """An action of the plan."""

    key: str
    title: str
    line: int
    indicators: list[Indicator] = field(default_factory=list)
    #: Titles of the headings above the action, outermost first.
    path: list[str] = field(default_factory=list)
    #: Key of the heading the action belongs to.
    heading_key: str = ""

    def year_cells(self) -> dict[int, tuple[str, str]]:
        """Year -> (status value, note) from the year cells of all its indicator rows."""
        found: dict[int, tuple[str | None, list[str]]] = {}
        for indicator in self.indicators:
            for year, text in sorted(indicator.years.items()):
                status, notes = found.setdefault(year, (None, []))
                word = STATUS_WORDS.get(_ws(text).casefold())
                if word is None:
                    notes.append(text)
                found[year] = (status or word, notes)
        return {
            year: (status or DEFAULT_STATUS, "; ".join(notes))
            for year, (status, notes) in sorted(found.items())
        }


@dataclass
class Heading:
    """A strategic line, objective or sub-heading, with what stands under it."""

    key: str
    title: str
    #: The marker as written, without its trailing dot: "1", "1.1", "a"; "" if none.
    number: str
    kind: HeadingKind
    #: Depth in the tree: 1 for a strategic line.
    level: int
    line: int
    children: list[Heading] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    parent_key: str | None = None

    @property
    def label(self) -> str:
        """The heading as written in the file: number and title."""
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass
class Theme:
    """A transversal theme, listed at the end of the plan."""

    key: str
    title: str
    text: str
    line: int


@dataclass
class ParseResult:
    """The parsed plan: a tree of headings, all actions in file order, themes and errors."""

    lines: list[Heading] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    #: The first and the last year of the header (the plan's span); None when unread.
    first_year: int | None = None
    last_year: int | None = None

    @property
    def ok(self) -> bool:
        """True when the file had no errors."""
        return not self.errors

    def iter_headings(self) -> Iterator[Heading]:
        """Every heading, depth first, in file order."""
        stack = list(reversed(self.lines))
        while stack:
            heading = stack.pop()
            yield heading
            stack.extend(reversed(heading.children))


# --------------------------------------------------------------------------------------------
# Text cleaning

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>|<!--")
_BLOCK_TAGS = {"p", "div", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP_TAGS = {"script", "style"}
_LIST_ITEM_SEP = re.compile(r"\s+-\s+")
_INTRO_LIST = re.compile(r":\s*-\s+")


def _ws(text: str) -> str:
    """Collapse whitespace (including non-breaking spaces) and drop invisible characters."""
    return " ".join(text.translate(_INVISIBLE).split())


class _Blocks(HTMLParser):
    """Collect an HTML fragment as paragraphs ("p") and list items ("li")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._kind = "p"
        self._buf: list[str] = []
        self._skip = 0

    def _flush(self, next_kind: str = "p") -> None:
        lines = (_ws(part) for part in "".join(self._buf).split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append((self._kind, text))
        self._buf = []
        self._kind = next_kind

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "li":
            self._flush("li")
        elif tag == "br":
            self._buf.append("\n")
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "li" or tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buf.append(data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        self._flush()


def _blocks(raw: str) -> list[tuple[str, str]]:
    """Split a cell into ("p" | "li", text) blocks, HTML removed and entities unescaped."""
    if "<" not in raw or not _TAG_RE.search(raw):
        text = _ws(html.unescape(raw) if "&" in raw else raw)
        return [("p", text)] if text else []
    parser = _Blocks()
    parser.feed(raw)
    parser.close()
    return parser.blocks


def _inline_list(paragraph: str) -> str:
    """Turn " - a - b" (optionally after "intro:") into Markdown list lines."""
    intro = ""
    if paragraph.startswith("- ") or paragraph == "-":
        rest = paragraph[1:]
    else:
        match = _INTRO_LIST.search(paragraph)
        if not match:
            return paragraph
        intro, rest = paragraph[: match.start() + 1], paragraph[match.end() :]
    items = [item.strip() for item in _LIST_ITEM_SEP.split(" " + rest + " ")]
    items = [item for item in items if item and item != "-"]
    if not intro and len(items) == 1:
        return items[0]
    lines = [f"- {item}" for item in items]
    return "\n".join([intro, *lines]) if intro else "\n".join(lines)


def clean_text(raw: str) -> str:
    """Cell text as Markdown-ish plain text: paragraphs, "- item" lists, no HTML left."""
    out: list[str] = []
    previous = ""
    for kind, text in _blocks(raw):
        if kind == "li":
            piece = f"- {text}"
            sep = "\n" if previous == "li" else "\n\n"
        else:
            piece = _inline_list(text)
            sep = "\n\n"
        out.append((sep if out else "") + piece)
        previous = kind
    return "".join(out)


def clean_title(raw: str) -> str:
    """Cell text as one plain line (for titles and names): no HTML, no list markup."""
    return _ws(" ".join(text for _kind, text in _blocks(raw)))


# --------------------------------------------------------------------------------------------
# Names

_NAME_SEP = re.compile(r"\s+-\s*|\s*-\s+|\s*[,;]\s*")


def _separators(text: str) -> list[tuple[int, int]]:
    """Spans of the name separators in ``text`` that stand outside parentheses."""
    depth_at: list[int] = []
    depth = 0
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        depth_at.append(depth)
    return [m.span() for m in _NAME_SEP.finditer(text) if depth_at[m.start()] == 0]


def split_names(cell: str, known_names: Iterable[str] = ()) -> list[str]:
    """Split a trekker/partner cell on " - " (and commas), keeping known names whole."""
    text = clean_title(cell)
    known = sorted({_ws(n) for n in known_names if _ws(n)}, key=len, reverse=True)
    seps = _separators(text)
    sep_end = dict(seps)
    names: list[str] = []
    seen: set[str] = set()
    pos, next_sep = 0, 0  # next_sep: index in seps of the first separator at or after pos
    while pos < len(text):
        while next_sep < len(seps) and seps[next_sep][0] < pos:
            next_sep += 1
        if pos in sep_end:  # a leading or doubled separator
            pos = sep_end[pos]
            continue
        name = None
        for candidate in known:
            end = pos + len(candidate)
            if text[pos:end].casefold() == candidate.casefold() and (
                end == len(text) or end in sep_end
            ):
                name, pos = candidate, sep_end.get(end, end)
                break
        if name is None:
            end = seps[next_sep][0] if next_sep < len(seps) else len(text)
            name, pos = text[pos:end].strip(), sep_end.get(end, end)
        if any(char.isalnum() for char in name) and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


# --------------------------------------------------------------------------------------------
# Keys


def normalise(text: str) -> str:
    """Text reduced for comparison: accents stripped, case-folded, only words and digits."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare).split())


def _make_key(prefix: str, titles: list[str], used: dict[str, int]) -> str:
    """The key for an element with these ancestor titles; ``used`` counts keys given so far."""
    normalised = [normalise(title) for title in titles]
    digest = hashlib.sha256("\x1f".join(normalised).encode()).hexdigest()[:12]
    slug = normalised[-1][:40].strip().replace(" ", "-") or "x"
    base = f"{prefix}-{slug}-{digest}"
    key = base
    while key in used:  # the same title twice under one heading
        used[base] += 1
        key = f"{base}-{used[base]}"
    used.setdefault(key, 1)
    return key


# --------------------------------------------------------------------------------------------
# Reading the bytes


def _err(result: ParseResult, line: int | None, message: LazyString) -> bool:
    """Record an error; False once MAX_ERRORS is reached (then a final note is added)."""
    if len(result.errors) >= MAX_ERRORS:
        return False
    result.errors.append(ParseError(line, message))
    if len(result.errors) == MAX_ERRORS:
        result.errors.append(
            ParseError(
                None, _l("Too many errors: only the first %(count)s are shown.", count=MAX_ERRORS)
            )
        )
        return False
    return True


def _decode(data: bytes, result: ParseResult) -> str | None:
    if len(data) > MAX_BYTES:
        limit = MAX_BYTES // (1024 * 1024)
        _err(
            result,
            None,
            _l("The file is larger than %(limit)s MB, the most that can be imported.", limit=limit),
        )
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            _err(result, None, _l("The file starts with a UTF-16 mark but is not valid UTF-16."))
            return None
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        _err(
            result,
            line,
            _l(
                "Line %(line)s contains a NUL byte: this is a binary file (an Excel workbook?), "
                "not text. Save the sheet as tab-separated text (.tsv).",
                line=line,
            ),
        )
        return None
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = f"0x{raw[exc.start]:02X}"
            message = _l(
                "Line %(line)s is not valid UTF-8: byte %(byte)s at position %(position)s. "
                "Save the file as UTF-8 text.",
                line=number,
                byte=byte,
                position=exc.start + 1,
            )
            if not _err(result, number, message):
                break
    return None


def _split_lines(text: str) -> list[str]:
    if "\n" not in text and "\r" in text:
        return text.split("\r")
    return [line.removesuffix("\r") for line in text.split("\n")]


# --------------------------------------------------------------------------------------------
# Rows

_COLUMN_NAMES = {
    "action": {"actie", "acties", "action", "actions"},
    "indicator": {"indicator", "indicatoren", "indicators"},
    "trekker": {"trekker", "trekkers", "lead"},
    "partners": {"partners", "partner"},
}
_COLUMN_LABELS = {
    "action": "Actie",
    "indicator": "Indicator",
    "trekker": "Trekker",
    "partners": "Partners",
}
_BLANK = " \t\r\f\v\xa0\u200b\ufeff"
_YEAR_RE = re.compile(r"^\d{4}$")
_NUMBERED_RE = re.compile(
    r"^(?P<number>\d{1,3}(?:\.\d{1,3})+)(?:\.\s*|\)\s*|\s+)(?P<title>\S.*)$"
    r"|^(?P<single>\d{1,3})[.)]\s*(?P<stitle>\S.*)$"
)
_LETTERED_RE = re.compile(r"^(?P<letter>[a-zA-Z])[.)]\s+(?P<title>\S.*)$")
_THEME_RE = re.compile(
    r"^\s*(?:<p\b[^>]*>\s*)?<(?P<tag>u|b|strong)\b[^>]*>(?P<title>.*?)</(?P=tag)\s*>",
    re.IGNORECASE | re.DOTALL,
)


class _Row:
    """One line of the file: its raw cells and their plain text (computed once)."""

    __slots__ = ("cells", "filled", "line", "plain")

    def __init__(self, line: int, text: str) -> None:
        self.line = line
        self.cells = text.split("\t", MAX_COLUMNS)[:MAX_COLUMNS]
        self.plain = [clean_title(cell) if cell.strip() else "" for cell in self.cells]
        self.filled = [i for i, text in enumerate(self.plain) if text]

    def cell(self, index: int) -> str:
        return self.cells[index] if 0 <= index < len(self.cells) else ""

    def plain_cell(self, index: int) -> str:
        return self.plain[index] if 0 <= index < len(self.plain) else ""


@dataclass
class _Item:
    """A classified row: a heading, a theme or a data row (with its block's shift)."""

    kind: str  # "heading" | "theme" | "data"
    row: _Row
    number: str = ""
    title: str = ""
    text: str = ""
    offset: int = 0


def _header_columns(row: _Row) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(row.plain):
        name = text.casefold()
        for column, names in _COLUMN_NAMES.items():
            if name in names and column not in found:
                found[column] = index
    return found


def _heading_marker(text: str) -> tuple[str, str] | None:
    """(number, title) when ``text`` starts with a heading marker."""
    match = _NUMBERED_RE.match(text)
    if match:
        if match.group("number"):
            return match.group("number"), match.group("title")
        return match.group("single"), match.group("stitle")
    match = _LETTERED_RE.match(text)
    if match:
        return match.group("letter"), match.group("title")
    return None


def _classify(row: _Row, action_col: int) -> _Item:
    filled = row.filled
    if len(filled) == 1 and filled[0] in (action_col, action_col + 1):
        raw = row.cells[filled[0]]
        marker = _heading_marker(row.plain[filled[0]])
        if marker:
            return _Item("heading", row, number=marker[0], title=marker[1])
        theme = _THEME_RE.match(raw)
        if theme:
            title = clean_title(theme.group("title"))
            text = clean_text(raw[theme.end() :])
            if title:
                return _Item("theme", row, title=title, text=text)
    return _Item("data", row)


# --------------------------------------------------------------------------------------------
# Parsing


def parse(data: bytes, known_names: Iterable[str] = ()) -> ParseResult:
    """Parse the bytes of an action-plan export into headings, actions, themes and errors."""
    result = ParseResult()
    text = _decode(data, result)
    if text is None:
        return result
    if "\0" in text:
        _err(result, None, _l("The file contains NUL characters: it is not a text file."))
        return result
    lines = _split_lines(text)
    if len(lines) > MAX_LINES:
        message = _l(
            "The file has %(count)s lines; the limit is %(limit)s.",
            count=len(lines),
            limit=MAX_LINES,
        )
        _err(result, None, message)
        return result
    rows = [_Row(n, line) if line.strip(_BLANK) else None for n, line in enumerate(lines, start=1)]
    nonblank = [row for row in rows if row and row.filled]
    if not nonblank:
        _err(result, None, _l("The file is empty."))
        return result
    if "\t" not in text:
        first = nonblank[0].line
        _err(
            result,
            first,
            _l(
                "The file is not tab-separated: no line contains a tab (the first line with text "
                "is line %(line)s). Save the sheet as tab-separated text (.tsv).",
                line=first,
            ),
        )
        return result

    header, columns = None, {}
    for row in nonblank:
        columns = _header_columns(row)
        if "action" in columns and len(columns) >= 2:
            header = row
            break
    if header is None:
        first = nonblank[0].line
        _err(
            result,
            first,
            _l(
                "The header row is missing: no line names the columns Actie, Indicator, Trekker "
                "and Partners (the first line with text is line %(line)s).",
                line=first,
            ),
        )
        return result
    missing = [label for column, label in _COLUMN_LABELS.items() if column not in columns]
    if missing:
        _err(
            result,
            header.line,
            _l(
                "The header row on line %(line)s lacks the column(s): %(columns)s.",
                line=header.line,
                columns=", ".join(missing),
            ),
        )
        return result
    years = _header_years(header, result)
    if years is None:
        return result
    skipped = sum(1 for row in nonblank if row.line < header.line)
    if skipped:
        logger.info("ignored %d non-empty row(s) above the header on line %d", skipped, header.line)

    items = _items(rows[header.line :], columns, header)
    _build(items, columns, years, tuple(known_names), result)
    return result


def _header_years(header: _Row, result: ParseResult) -> dict[int, int] | None:
    """Column -> year of the header's year columns, or None (and an error) when they are not
    a run of consecutive years between MIN_YEAR and MAX_YEAR."""
    years = {i: int(text) for i, text in enumerate(header.plain) if _YEAR_RE.match(text)}
    found = list(years.values())
    if not found:
        message = _l(
            "The header row on line %(line)s has no year columns: name the plan's years "
            "(e.g. 2026, 2027, ... 2031) after Partners.",
            line=header.line,
        )
    elif outside := [year for year in found if not MIN_YEAR <= year <= MAX_YEAR]:
        message = _l(
            "The header row on line %(line)s names the year %(year)s: a plan's years lie "
            "between %(first)s and %(last)s.",
            line=header.line,
            year=outside[0],
            first=MIN_YEAR,
            last=MAX_YEAR,
        )
    elif found != list(range(found[0], found[0] + len(found))):
        message = _l(
            "The header row on line %(line)s names the years %(years)s: they must follow each "
            "other, one column per year, without gaps.",
            line=header.line,
            years=", ".join(map(str, found)),
        )
    else:
        result.first_year, result.last_year = found[0], found[-1]
        return years
    _err(result, header.line, message)
    return None


def _items(rows: list[_Row | None], columns: dict[str, int], header: _Row) -> list[_Item]:
    """Classify the rows after the header and work out each block's shift."""
    action_col = columns["action"]
    items: list[_Item] = []
    block: list[_Item] = []

    def close_block() -> None:
        data = [item for item in block if item.kind == "data"]
        shifted = bool(data) and all(not d.row.plain_cell(action_col) for d in data)
        if shifted:
            logger.debug("block at line %d is shifted one column", block[0].row.line)
            for item in data:
                item.offset = 1
        items.extend(block)
        block.clear()

    for row in rows:
        if row is None or not row.filled:
            close_block()
            continue
        if row.filled == header.filled and _header_columns(row) == columns:
            continue  # a repeated header row
        block.append(_classify(row, action_col))
    close_block()
    return items


def _kind_of(item: _Item, following: _Item | None, have_line: bool) -> HeadingKind:
    if item.number.isalpha():
        return HeadingKind.SUBHEADING
    if "." in item.number:
        return HeadingKind.OBJECTIVE
    next_is_single = (
        following is not None and following.kind == "heading" and following.number.isdigit()
    )
    return HeadingKind.LINE if not have_line or next_is_single else HeadingKind.OBJECTIVE


def _build(
    items: list[_Item],
    columns: dict[str, int],
    years: dict[int, int],
    known_names: tuple[str, ...],
    result: ParseResult,
) -> None:
    used: dict[str, int] = {}
    line: Heading | None = None
    #: open numbered headings below the strategic line, with their count of number parts
    numbered: list[tuple[Heading, int]] = []
    current: Heading | None = None  # the heading actions go to
    action: Action | None = None
    orphan = False  # the last action was rejected: skip its continuation rows silently
    ancestors: dict[str, list[Heading]] = {}

    def add_heading(item: _Item, kind: HeadingKind, parent: Heading | None) -> Heading:
        chain = [*ancestors[parent.key], parent] if parent else []
        key = _make_key("h", [h.title for h in chain] + [item.title], used)
        heading = Heading(
            key=key,
            title=item.title,
            number=item.number,
            kind=kind,
            level=len(chain) + 1,
            line=item.row.line,
            parent_key=parent.key if parent else None,
        )
        ancestors[key] = chain
        (parent.children if parent else result.lines).append(heading)
        return heading

    for index, item in enumerate(items):
        row = item.row
        if item.kind == "heading":
            following = items[index + 1] if index + 1 < len(items) else None
            kind = _kind_of(item, following, line is not None)
            if kind is HeadingKind.LINE:
                line = current = add_heading(item, kind, None)
                numbered = []
            elif kind is HeadingKind.SUBHEADING:
                parent = numbered[-1][0] if numbered else line
                current = add_heading(item, kind, parent)
            else:
                depth = item.number.count(".") + 1
                while numbered and numbered[-1][1] >= depth:
                    numbered.pop()
                parent = numbered[-1][0] if numbered else line
                current = add_heading(item, kind, parent)
                numbered.append((current, depth))
            action, orphan = None, False
            continue
        if item.kind == "theme":
            key = _make_key("t", [item.title], used)
            result.themes.append(Theme(key, item.title, item.text, row.line))
            action, orphan = None, False
            continue

        shift = item.offset
        title = row.plain_cell(columns["action"] + shift)
        indicator_text = clean_text(row.cell(columns["indicator"] + shift))
        trekkers = split_names(row.cell(columns["trekker"] + shift), known_names)
        partners = split_names(row.cell(columns["partners"] + shift), known_names)
        planned = {
            year: text for col, year in years.items() if (text := clean_text(row.cell(col + shift)))
        }
        has_indicator = bool(indicator_text or trekkers or partners or planned)
        indicator = Indicator(indicator_text, trekkers, partners, row.line, planned)
        if title:
            if current is None:
                _err(
                    result,
                    row.line,
                    _l(
                        "Line %(line)s holds an action before any heading: put it under a "
                        "strategic line or an objective.",
                        line=row.line,
                    ),
                )
                action, orphan = None, True
                continue
            orphan = False
            chain = [*ancestors[current.key], current]
            action = Action(
                key=_make_key("a", [h.title for h in chain] + [title], used),
                title=title,
                line=row.line,
                indicators=[indicator] if has_indicator else [],
                path=[h.title for h in chain],
                heading_key=current.key,
            )
            current.actions.append(action)
            result.actions.append(action)
        elif has_indicator and not orphan:
            if action is None:
                _err(
                    result,
                    row.line,
                    _l(
                        "Line %(line)s has an empty action cell but there is no action above it "
                        "to continue.",
                        line=row.line,
                    ),
                )
                continue
            action.indicators.append(indicator)
        else:
            logger.debug("line %d: nothing in the known columns, skipped", row.line)


# --------------------------------------------------------------------------------------------
# Theme references

_QUOTED_RE = re.compile(r"[\"\u201c\u201d]([^\"\u201c\u201d]{3,200})[\"\u201c\u201d]")
_NUMBER_REF_RE = re.compile(r"\b(?:zie|onder)\s+(?P<number>\d{1,3}(?:\.\d{1,3})+)\b", re.I)
_PHRASE_REF_RE = re.compile(
    r"\b(?:stukken|stuk|delen|deel|acties|actie)\s+over\s+(?P<phrase>[^.,;:!?()\"]{6,120})", re.I
)


@dataclass(frozen=True)
class Reference:
    """Something a theme's text points at: a heading or action by number, title or phrase."""

    #: "number" (a heading number), "title" (a quoted heading or action) or "phrase"
    kind: str
    #: the number, or the title or phrase as written (a quoted heading without its marker)
    text: str
    #: for a quoted heading: its number as written ("c", "1.2"); else ""
    number: str = ""


def theme_references(title: str, text: str) -> list[Reference]:
    """What a theme's title and text point at, in order of appearance, each once."""
    found: list[Reference] = []
    for source in (title, text):
        for match in _QUOTED_RE.finditer(source):
            quoted = _ws(match.group(1))
            marker = _heading_marker(quoted)
            number, title_text = marker if marker else ("", quoted)
            found.append(Reference("title", title_text, number))
        unquoted = _QUOTED_RE.sub(" ", source)
        found += [Reference("number", m.group("number")) for m in _NUMBER_REF_RE.finditer(unquoted)]
        found += [
            Reference("phrase", _ws(m.group("phrase"))) for m in _PHRASE_REF_RE.finditer(unquoted)
        ]
    return list(dict.fromkeys(found))
