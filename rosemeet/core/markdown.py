"""Markdown to safe HTML: markdown-it-py (raw HTML off) and then an nh3 allow-list.

Everything people type (agenda descriptions, minutes) goes through ``render_markdown``:
no images, no scripts, no event handlers or style attributes, only http(s) and mailto links.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

#: tags the rendered HTML may keep
ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
#: attributes per tag (``rel`` is set by nh3 itself)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
#: link schemes; javascript:, data: and the like are dropped
URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    """Relative and protocol-relative links ("//elsewhere") are dropped too."""
    if attribute == "href" and value.split(":", 1)[0].lower() not in URL_SCHEMES:
        return None
    return value


def sanitize_html(html: str) -> str:
    """Keep only the allowed tags, attributes and absolute http(s)/mailto links."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_absolute_links_only,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str | None) -> Markup:
    """Markdown as safe HTML, ready for a template (``{{ text|markdown }}``)."""
    if not text:
        return Markup("")
    return Markup(sanitize_html(_parser.render(text)))  # noqa: S704 (sanitised just now)


#: the characters that make plain text into Markdown (links, emphasis, HTML, headings, ...)
_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+!|~")


def escape_markdown(text: str | None) -> str:
    """Plain text (a title, a name) to put into Markdown as it is: every character that
    Markdown reads as markup gets a backslash, so "[Log in](https://evil.example)" stays text."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in (text or ""))
