"""Characters that text may hold: what forms refuse, what exports strip, formula neutralising.

Pure functions (no Flask), used by ``core.forms`` (the validator every form field gets) and by
every CSV/XLSX export.

What a field refuses, and why:

* Everywhere: control characters (Unicode category Cc: C0, DEL, C1), lone surrogates (Cs; JSON
  can carry them as ``"\\ud800"``, and they cannot be stored as UTF-8) and the noncharacters
  (U+FFFE, U+FFFF, U+FDD0-U+FDEF, ...; not for interchange, and XML refuses U+FFFE/U+FFFF).
  A multi-line text keeps its line breaks (LF, CR LF) and tabs.
* In a single-line field (a title, a name, a place) also a line or paragraph separator
  (U+2028, U+2029: line breaks in disguise), U+FEFF (an invisible byte-order mark pasted from a
  file; it has no meaning inside text since Unicode 3.2) and the bidi embeddings, overrides and
  isolates (U+202A-U+202E, U+2066-U+2069): a name or title is shown inside other text (mail
  subjects, lists, calendars, file names) where an unclosed override reverses what follows.
  Long texts are rendered as their own paragraphs, where the bidi algorithm ends an override,
  and right-to-left writing needs them, so they stay allowed there.
* Allowed everywhere: the other format characters (zero-width space and (non-)joiner, word
  joiner, soft hyphen, LRM/RLM, emoji tags): emoji, scripts and typography need them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: bidi embeddings, overrides and isolates (refused in single-line fields)
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: noncharacters: U+FDD0-U+FDEF and the last two code points of every plane
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
#: refused everywhere except line breaks and tabs: Cc other than TAB LF CR, Cs, noncharacters
_ALWAYS = f"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}"
#: a multi-line text: those, and a CR that does not start a CR LF
_MULTILINE = re.compile(f"[{_ALWAYS}]|\r(?!\n)")
#: a single-line field: also TAB, LF, CR, line/paragraph separators, BOM and bidi controls
_SINGLE_LINE = re.compile(f"[{_ALWAYS}\t\n\r\u2028\u2029\ufeff{BIDI_CONTROLS}]")
#: what an export removes (after line breaks became LF)
_EXPORT_STRIP = re.compile(f"[{_ALWAYS}]")
#: characters that make a spreadsheet cell a formula (after NFKC, so fullwidth U+FF1D is =)
FORMULA_STARTS = ("=", "+", "-", "@")


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character a single-line (or multi-line) field may not hold, or None."""
    found = (_MULTILINE if multiline else _SINGLE_LINE).search(text)
    return found.group()[:1] if found else None


def without_control_characters(text: str) -> str:
    """The text with line breaks as LF, tabs kept, and every other control character,
    surrogate and noncharacter removed (what an XLSX file or a CSV reader cannot take)."""
    return _EXPORT_STRIP.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _first_visible(text: str) -> str:
    for char in text:
        if not (char.isspace() or unicodedata.category(char) == "Cf"):
            return unicodedata.normalize("NFKC", char)[:1]
    return ""


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could run the text as a formula: it starts with = + - @, a tab or
    a carriage return, or with = + - @ (or a fullwidth or small form, U+FF1D) behind spaces
    and invisible format characters (zero-width space, BOM, word joiner, bidi marks)."""
    return text[:1] in ("\t", "\r") or _first_visible(text).startswith(FORMULA_STARTS)


def spreadsheet_cell(value: Any) -> Any:
    """A value ready for a CSV or XLSX cell: text without control characters, and text that
    looks like a formula behind an apostrophe (as OWASP recommends); other values as they are."""
    if not isinstance(value, str):
        return value
    value = without_control_characters(value)
    return "'" + value if looks_like_formula(value) else value
