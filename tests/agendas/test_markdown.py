"""The Markdown sanitiser keeps formatting and drops everything active."""

import re

from rosemeet.core.markdown import render_markdown


def test_formatting_lists_tables_and_web_links_are_kept():
    html = render_markdown("**vet** en *schuin*\n\n- een\n- twee\n\n[W13](https://www.w13.be)")
    assert "<strong>vet</strong>" in html and "<em>schuin</em>" in html and "<li>twee</li>" in html
    assert '<a href="https://www.w13.be" rel="noopener noreferrer nofollow">W13</a>' in html


def test_scripts_images_handlers_and_javascript_links_are_dropped():
    html = render_markdown(
        "<script>alert(1)</script> ![x](https://e.org/x.png) <img src=x onerror=alert(1)> "
        "[klik](javascript:alert(1)) <a href='javascript:alert(2)' onclick='x()'>a</a>"
        '\n\n<p style="color:red" onmouseover="x()">p</p>'
    )
    assert "<script" not in html and "<img" not in html and '<a href="javascript' not in html
    assert re.search(r"<[a-z][^>]*\son\w+=", html) is None  # no live event handler
    assert re.search(r"<[a-z][^>]*\sstyle=", html) is None
    assert "&lt;script&gt;" in html  # shown as text, inert


def test_empty_text_is_empty_markup():
    assert render_markdown(None) == "" and render_markdown("") == ""


def test_relative_and_protocol_relative_links_lose_their_address():
    html = str(render_markdown("[a](//evil.example) [b](/intern) [c](https://w13.be)"))
    assert "evil.example" not in html and 'href="/intern"' not in html
    assert 'href="https://w13.be"' in html
