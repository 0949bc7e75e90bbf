"""The action-plan parser, on the real export and on small crafted files."""

from __future__ import annotations

import codecs
import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel

from rosemeet.plan import importer
from rosemeet.plan.importer import (
    MAX_BYTES,
    Action,
    HeadingKind,
    ParseResult,
    clean_text,
    parse,
    split_names,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "actieplan-rose-2020-2025.tsv"
IMPORTER_SOURCE = Path(importer.__file__)
CATALOGUE = IMPORTER_SOURCE.parent / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
HEADER = [
    "Actie",
    "Indicator",
    "Trekker",
    "Partners",
    "2020",
    "2021",
    "2022",
    "2023",
    "2024",
    "2025",
]


def tsv(*rows: list[str] | str) -> bytes:
    """A file from rows: a list of cells, or "" for a blank line."""
    return "\n".join(r if isinstance(r, str) else "\t".join(r) for r in rows).encode()


def row(*cells: str, width: int = 10) -> list[str]:
    """A row padded with empty cells, as the spreadsheet exports it."""
    return [*cells, *[""] * (width - len(cells))]


def shifted(*cells: str) -> list[str]:
    """A row shifted one column to the right."""
    return row("", *cells, width=11)


def by_line(result: ParseResult, line: int) -> Action:
    (action,) = [a for a in result.actions if a.line == line]
    return action


def all_texts(result: ParseResult) -> list[str]:
    texts = [h.title for h in result.iter_headings()]
    for action in result.actions:
        texts.append(action.title)
        texts.extend(action.path)
        for indicator in action.indicators:
            texts += [indicator.text, *indicator.trekkers, *indicator.partners]
    for theme in result.themes:
        texts += [theme.title, theme.text]
    return texts


@pytest.fixture(scope="module")
def real() -> ParseResult:
    return parse(FIXTURE.read_bytes())


# --------------------------------------------------------------------------------------------
# The real export


def test_real_file_parses_without_errors(real):
    assert real.ok
    assert real.errors == []


def test_real_file_counts(real):
    headings = list(real.iter_headings())
    kinds = [h.kind for h in headings]
    assert kinds.count(HeadingKind.LINE) == 2
    assert kinds.count(HeadingKind.OBJECTIVE) == 12
    assert kinds.count(HeadingKind.SUBHEADING) == 3
    assert len(headings) == 17
    assert len(real.actions) == 31
    assert sum(len(a.indicators) for a in real.actions) == 35
    assert len(real.themes) == 4


def test_real_file_tree(real):
    assert [(h.number, h.title, h.line) for h in real.lines] == [
        ("1", "Netwerking op het grondgebied stimuleren", 4),
        ("2", "De lokale sociale economie verder uitbouwen", 11),
    ]
    networking, local = real.lines
    assert [c.label for c in networking.children] == [
        "1. samenwerking tussen sociale economiebedrijven onderling; "
        "een geoptimaliseerde ROSE-werking"
    ]
    assert len(networking.children[0].actions) == 5
    assert [(c.number, c.title) for c in local.children] == [
        ("2", "We maken het netwerk sociale economie sluitend"),
        ("2", "We halen de drempels weg in de regio."),
        ("3", "inzetten op doelgroepen"),
    ]
    assert [[g.number for g in c.children] for c in local.children] == [
        ["1.1", "1.2", "1.3", "1.4"],
        ["2.1", "2.2", "2.3"],
        ["3.1"],
    ]
    objective_12 = local.children[0].children[1]
    assert [(s.kind, s.number, s.level) for s in objective_12.children] == [
        (HeadingKind.SUBHEADING, "a", 4),
        (HeadingKind.SUBHEADING, "b", 4),
        (HeadingKind.SUBHEADING, "c", 4),
    ]
    assert objective_12.actions == []
    assert [len(s.actions) for s in objective_12.children] == [2, 2, 2]
    assert [h.level for h in (local, local.children[0], objective_12)] == [1, 2, 3]
    assert objective_12.parent_key == local.children[0].key


def test_real_file_continuation_rows_belong_to_the_action_above(real):
    action = by_line(real, 14)
    assert action.title == "Belangen van SE-bedrijven en NEC samenbrengen. Ontmoeting creëren."
    assert [(i.line, i.text, i.trekkers, i.partners) for i in action.indicators] == [
        (
            14,
            "SE is vast agendapunt op de Regioraad.",
            ["provincie", "regioraad", "Leiedal", "regie"],
            ["partners"],
        ),
        (
            15,
            "We zetten mee in op de Roadshows van West4Work of helpen die promoten.",
            ["POM"],
            [],
        ),
        (
            16,
            "Er is overleg tussen Actiegroep en UNIZO + VOKA.",
            ["Actiegroep", "Leiedal", "regie"],
            [],
        ),
    ]


def test_real_file_continuation_rows_in_a_shifted_block(real):
    action = by_line(real, 30)
    assert action.title == "overheidsopdrachten (eventueel met sociale clausule)."
    assert action.path == [
        "De lokale sociale economie verder uitbouwen",
        "We maken het netwerk sociale economie sluitend",
        "sterkere band tussen lokale besturen en sociale economie",
        "Overheidsopdrachten",
    ]
    assert [i.line for i in action.indicators] == [30, 31, 32]
    assert [i.text[:3] for i in action.indicators] == ["1) ", "2) ", "3) "]
    for indicator in action.indicators:
        assert indicator.trekkers == ["regie", "Actiegroep"]
        assert indicator.partners == ["LB", "extern expert", "Leiedal", "Provincie"]
    assert not any(a.line in (31, 32) for a in real.actions)


def test_real_file_shifted_block_reads_action_from_second_column(real):
    action = by_line(real, 23)
    assert action.title == (
        "Activering als wettelijke opdracht van de LB aangrijpen om linken te versterken met SE."
    )
    (indicator,) = action.indicators
    assert indicator.text == "Er is een betere doorstroom vanuit OCMW's naar SE."
    assert indicator.trekkers == ["ROA (=regionaal overleg activering)"]
    assert indicator.partners == []
    assert action.path[-1] == "Pragmatisering toeleiding van doelgroepmedewerkers"
    # a shifted block right after a blank line, still under objective 1.1
    after_blank = by_line(real, 20)
    assert after_blank.path[-1] == "samenwerking SE en NEC"
    # shifted block after the blank line 45 stays under 2.1
    assert (
        by_line(real, 46).path[-1]
        == "Mobiliteit van, naar en tijdens het werk van doelgroepmedewerkers"
    )


def test_real_file_html_list_becomes_markdown(real):
    (indicator,) = by_line(real, 20).indicators
    assert indicator.text == (
        "- We bespreken jaarlijks de cijfers over doorstroom, instroom, indicering, ... met VDAB.\n"
        "- We maken proactief deel uit van de contactstrategie van VDAB.\n"
        "- De organisatie van een jobmarkt (door VDAB) gebeurt ook met een focus op doorstroom "
        "vanuit SE."
    )
    assert indicator.trekkers == ["Expert Werk W13", "VDAB", "Regie"]
    assert indicator.partners == ["provinciale werkgroep lokale besturen"]
    assert by_line(real, 42).indicators[0].text.count("\n- ") == 4


def test_real_file_inline_list_after_intro(real):
    (indicator,) = by_line(real, 49).indicators
    lines = indicator.text.split("\n")
    assert lines[0] == "vbn. mogelijke uitput:"
    assert len(lines) == 5
    assert all(line.startswith("- ") for line in lines[1:])
    assert lines[3] == "- Contingentering MWB en LDE wordt groter."
    assert indicator.partners == ["4werk", "koepel LDE", "VDAB", "andere regisseurs SE"]


def test_real_file_prose_dash_and_titles_are_not_split(real):
    assert by_line(real, 26).title == "Regionale afstemming LDE - LB."
    assert by_line(real, 43).indicators[0].text == (
        "Er is een rijschool die laagdrempelig is voor onze doelgroepen in functie van "
        "doorstroom. Bvb: tweetaligheid van theoretisch rijexamen - vertraagde praktisch "
        "rijopleiding."
    )


def test_real_file_names(real):
    assert by_line(real, 42).indicators[0].partners == [
        "SE-organisaties",
        "VDAB",
        "Intrimsector",
        "LB",
        "LN",
    ]
    assert by_line(real, 46).indicators[0].partners == ["zorgsector (Ubuntu, ...)"]
    assert by_line(real, 52).indicators[0].partners == [
        "diensthooften activering lokale besturen",
        "regisseur sociale economie",
    ]


def test_real_file_themes(real):
    assert [(t.line, t.title) for t in real.themes] == [
        (60, "Mobiliteit van, naar en tijdens het werk van doelgroepmedewerkers -> zie 2.1!"),
        (61, "Werkbaar werk"),
        (62, "Duurzaamheid - ecologie"),
        (63, "Sociaal aanbesteden - duurzaam aankopen"),
    ]
    assert real.themes[1].text.startswith("Dit is een ruim thema.")
    assert real.themes[1].text.endswith(
        "willen we voorkomen dat 'zieken' ook 'langurig ziek' worden."
    )
    assert '"c. Overheidsopdrachten"' in real.themes[3].text


def test_real_file_has_no_html_left(real):
    for text in all_texts(real):
        assert "<" not in text, text
        assert "&amp;" not in text and "&nbsp;" not in text
        assert text == text.strip()
        assert "  " not in text


def test_real_file_line_numbers_point_at_the_source(real):
    raw_lines = FIXTURE.read_text(encoding="utf-8").split("\n")
    for heading in real.iter_headings():
        assert heading.title in raw_lines[heading.line - 1]
    for action in real.actions:
        assert action.title in raw_lines[action.line - 1]
        for indicator in action.indicators:
            assert indicator.trekkers[0] in raw_lines[indicator.line - 1]
    for theme in real.themes:
        assert theme.title in raw_lines[theme.line - 1]


def test_real_file_keys_are_stable_and_unique(real):
    again = parse(FIXTURE.read_bytes())
    keys = [h.key for h in real.iter_headings()] + [a.key for a in real.actions]
    keys += [t.key for t in real.themes]
    again_keys = [h.key for h in again.iter_headings()] + [a.key for a in again.actions]
    again_keys += [t.key for t in again.themes]
    assert keys == again_keys
    assert len(set(keys)) == len(keys) == 17 + 31 + 4
    assert all(re.fullmatch(r"[hat]-[0-9a-z-]+", key) and len(key) <= 64 for key in keys)
    assert {a.heading_key for a in real.actions} <= {h.key for h in real.iter_headings()}


def test_keys_survive_renumbering_case_spacing_and_line_endings(real):
    text = FIXTURE.read_text(encoding="utf-8")
    edited = (
        text.replace("2. We maken het netwerk", "1.  we MAKEN het netwerk")
        .replace("De Actiegroep ROSE organiseren.", "De  Actiegroep ROSE organiseren")
        .replace("\n", "\r\n")
    )
    result = parse(edited.encode())
    assert result.ok
    assert [a.key for a in result.actions] == [a.key for a in real.actions]
    assert [h.key for h in result.iter_headings()] == [h.key for h in real.iter_headings()]


def test_shipped_demo_data_is_the_real_file():
    shipped = resources.files("rosemeet.plan") / "data" / "actieplan-rose-2020-2025.tsv"
    assert shipped.read_bytes() == FIXTURE.read_bytes()


# --------------------------------------------------------------------------------------------
# Crafted files: the messy patterns


def test_shifted_block_after_blank_line():
    data = tsv(
        HEADER,
        row("1. Lijn"),
        row("1.1. Doel"),
        row("Actie A", "Indicator A", "regie", "VDAB"),
        "",
        shifted("Actie B", "Indicator B", "Actiegroep - LB", "POM"),
        row("1.2. Ander doel"),
        shifted("Actie C", "Indicator C", "W13", ""),
        "",
        shifted("1.3. Verschoven titel"),
        shifted("Actie D", "Indicator D", "ROA", "LN"),
    )
    result = parse(data)
    assert result.ok, [str(e) for e in result.errors]
    assert [(a.title, a.line, a.path[-1]) for a in result.actions] == [
        ("Actie A", 4, "Doel"),
        ("Actie B", 6, "Doel"),
        ("Actie C", 8, "Ander doel"),
        ("Actie D", 11, "Verschoven titel"),
    ]
    b = result.actions[1].indicators[0]
    assert (b.text, b.trekkers, b.partners) == ("Indicator B", ["Actiegroep", "LB"], ["POM"])


def test_continuation_rows_unshifted_and_shifted():
    data = tsv(
        HEADER,
        row("1. Lijn"),
        row("Actie A", "eerste", "regie", "VDAB"),
        row("", "tweede", "POM", ""),
        row("", "", "", "alleen partner"),
        "",
        shifted("Actie B", "eerste", "W13", ""),
        shifted("", "tweede", "Leiedal - regie", "LB"),
    )
    result = parse(data)
    assert result.ok
    a, b = result.actions
    assert [(i.text, i.trekkers, i.partners, i.line) for i in a.indicators] == [
        ("eerste", ["regie"], ["VDAB"], 3),
        ("tweede", ["POM"], [], 4),
        ("", [], ["alleen partner"], 5),
    ]
    assert [(i.text, i.trekkers, i.partners, i.line) for i in b.indicators] == [
        ("eerste", ["W13"], [], 7),
        ("tweede", ["Leiedal", "regie"], ["LB"], 8),
    ]


def test_heading_kinds_are_told_apart_by_marker_and_position():
    data = tsv(
        HEADER,
        row("1. Eerste lijn"),
        row("1. eerste doel"),
        row("Actie 1", "i"),
        row("2. Tweede lijn"),
        row("2. Doel met subdoelen"),
        row("1.1 subdoel zonder punt"),
        row("Actie 2", "i"),
        row("a) Tussentitel"),
        row("Actie 3", "i"),
        row("2. Ander doel"),
        row("2.1. subdoel"),
        row("Actie 4", "i"),
        row("3. Doel met acties"),
        row("Actie 5", "i"),
    )
    result = parse(data)
    assert result.ok
    tree = [
        (h.level, h.kind.value, h.number, h.title, [a.title for a in h.actions])
        for h in result.iter_headings()
    ]
    assert tree == [
        (1, "line", "1", "Eerste lijn", []),
        (2, "objective", "1", "eerste doel", ["Actie 1"]),
        (1, "line", "2", "Tweede lijn", []),
        (2, "objective", "2", "Doel met subdoelen", []),
        (3, "objective", "1.1", "subdoel zonder punt", ["Actie 2"]),
        (4, "subheading", "a", "Tussentitel", ["Actie 3"]),
        (2, "objective", "2", "Ander doel", []),
        (3, "objective", "2.1", "subdoel", ["Actie 4"]),
        (2, "objective", "3", "Doel met acties", ["Actie 5"]),
    ]
    assert result.actions[2].path == [
        "Tweede lijn",
        "Doel met subdoelen",
        "subdoel zonder punt",
        "Tussentitel",
    ]


def test_first_heading_is_a_line_even_with_actions_under_it():
    result = parse(tsv(HEADER, row("1. Enige lijn"), row("Actie", "indicator", "regie")))
    assert result.ok
    (line,) = result.lines
    assert line.kind is HeadingKind.LINE
    assert [a.title for a in line.actions] == ["Actie"]


def test_html_fragments_become_plain_text_and_markdown_lists():
    data = tsv(
        HEADER,
        row("<b>1. Lijn</b>"),
        row(
            "<p>Actie &amp; co</p>",
            '<ul style="x"><li>één</li><li> twee&nbsp;&nbsp;en  drie </li></ul>',
            "<p>regie</p> - W13",
            "VDAB",
        ),
        row("Actie twee", "<p>Eerste alinea.</p><p>Tweede<br>regel.</p>", "regie"),
        row("Actie drie", " - los - lijstje - ", "regie"),
        row("Actie vier", "- enkel item", "regie"),
    )
    result = parse(data)
    assert result.ok
    assert result.lines[0].title == "Lijn"
    one, two, three, four = result.actions
    assert one.title == "Actie & co"
    assert one.indicators[0].text == "- één\n- twee en drie"
    assert one.indicators[0].trekkers == ["regie", "W13"]
    assert two.indicators[0].text == "Eerste alinea.\n\nTweede\nregel."
    assert three.indicators[0].text == "- los\n- lijstje"
    assert four.indicators[0].text == "enkel item"


def test_clean_text_never_leaves_tags():
    assert clean_text('<ul style="list-style-type: none"> - a. - b. ') == "- a.\n- b."
    assert clean_text("intro: - x - y") == "intro:\n- x\n- y"
    assert clean_text("<script>alert(1)</script><i>ok</i>") == "ok"
    assert clean_text("5 < 6 &lt;b&gt;") == "5 < 6 <b>"  # escaped text stays text


def test_themes_at_the_end():
    data = tsv(
        HEADER,
        row("1. Lijn"),
        row("Actie", "i", "regie"),
        "",
        ["", "<p><u>Werkbaar werk</u></p> <p>Een <b>ruim</b> thema.</p>"],
        ["", "<p><u>Duurzaamheid - ecologie</u></p><p>Tekst - met streepje.</p>"],
    )
    result = parse(data)
    assert result.ok
    assert [(t.title, t.text, t.line) for t in result.themes] == [
        ("Werkbaar werk", "Een ruim thema.", 5),
        ("Duurzaamheid - ecologie", "Tekst - met streepje.", 6),
    ]
    assert len(result.actions) == 1


def test_duplicate_titles_get_distinct_deterministic_keys():
    data = tsv(
        HEADER,
        row("1. Lijn"),
        row("Zelfde actie.", "i"),
        row("zelfde  ACTIE", "j"),
        row("2. Lijn twee"),
        row("2.1. Doel"),
        row("Zelfde actie.", "k"),
    )
    first, second = parse(data), parse(data)
    keys = [a.key for a in first.actions]
    assert keys == [a.key for a in second.actions]
    assert len(set(keys)) == 3
    assert keys[1] == keys[0] + "-2"
    assert not keys[2].startswith(keys[0])  # other heading path, other key


def test_header_with_title_row_above_and_repeated_header():
    data = tsv(["Actieplan ROSE 2020-2025"], HEADER, row("1. Lijn"), HEADER, row("Actie", "i"))
    result = parse(data)
    assert result.ok
    assert [(a.title, a.line) for a in result.actions] == [("Actie", 5)]


def test_year_columns_are_kept_per_indicator_row():
    result = parse(tsv(HEADER, row("1. Lijn"), row("Actie", "i", "regie", "", "", "gestart")))
    assert result.actions[0].indicators[0].years == {2021: "gestart"}


def test_bom_and_utf16_are_read():
    data = FIXTURE.read_bytes()
    plain = parse(data)
    for variant in (
        codecs.BOM_UTF8 + data,
        codecs.BOM_UTF16_LE + data.decode().encode("utf-16-le"),
    ):
        result = parse(variant)
        assert result.ok
        assert [a.key for a in result.actions] == [a.key for a in plain.actions]


# --------------------------------------------------------------------------------------------
# Names


def test_split_names_on_dashes_and_commas():
    assert split_names("regisseur - Actiegroep") == ["regisseur", "Actiegroep"]
    assert split_names("SE-organisaties - LDE-fabriek") == ["SE-organisaties", "LDE-fabriek"]
    assert split_names("Intrimsector- LB -VDAB") == ["Intrimsector", "LB", "VDAB"]
    assert split_names("a, b; c") == ["a", "b", "c"]
    assert split_names("zorgsector (Ubuntu, ...) - LB (x - y)") == [
        "zorgsector (Ubuntu, ...)",
        "LB (x - y)",
    ]
    assert split_names("4werk - VDAB - ...") == ["4werk", "VDAB"]
    assert split_names("- LB - LB - lb") == ["LB"]
    assert split_names("<p>regie</p>") == ["regie"]
    assert split_names("") == []
    assert split_names("   ") == []


def test_split_names_keeps_known_names_whole_longest_first():
    known = ["Regionale afstemming LDE - LB", "LDE - LB", "Expert Werk W13"]
    assert split_names("regie - regionale afstemming LDE - LB - VDAB", known) == [
        "regie",
        "Regionale afstemming LDE - LB",
        "VDAB",
    ]
    assert split_names("LDE - LB - expert werk w13", known) == ["LDE - LB", "Expert Werk W13"]
    # a known name only counts when it ends at a separator
    assert split_names("LDE - LBX", ["LDE - LB"]) == ["LDE", "LBX"]


def test_parse_uses_known_names_for_trekkers_and_partners():
    data = tsv(
        HEADER,
        row("1. Lijn"),
        row(
            "Actie", "i", "Werkgroep Kortrijk - Menen - regie", "vdab - werkgroep kortrijk - menen"
        ),
    )
    known = ["Werkgroep Kortrijk - Menen", "VDAB"]
    (indicator,) = parse(data, known_names=known).actions[0].indicators
    assert indicator.trekkers == ["Werkgroep Kortrijk - Menen", "regie"]
    assert indicator.partners == ["VDAB", "Werkgroep Kortrijk - Menen"]
    (plain,) = parse(data).actions[0].indicators
    assert plain.trekkers == ["Werkgroep Kortrijk", "Menen", "regie"]


# --------------------------------------------------------------------------------------------
# Bad input: errors, never exceptions


def only_error(result: ParseResult) -> tuple[int | None, str]:
    assert not result.ok
    assert result.actions == [] and result.lines == [] and result.themes == []
    (error,) = result.errors
    return error.line, str(error)


def test_not_utf8_names_line_and_byte():
    data = tsv(HEADER, row("1. Lijn"), row("Ontmoeting cre\u00eberen", "i")).replace(
        "ë".encode(), b"\xeb"
    )
    line, message = only_error(parse(data))
    assert line == 3
    assert message == (
        "Line 3 is not valid UTF-8: byte 0xEB at position 15. Save the file as UTF-8 text."
    )


def test_every_bad_utf8_line_is_reported_up_to_a_limit():
    bad = tsv(HEADER, *[row(f"caf\xe9 {n}", "i") for n in range(80)]).replace(b"\xc3\xa9", b"\xe9")
    result = parse(bad)
    assert [e.line for e in result.errors[:3]] == [2, 3, 4]
    assert len(result.errors) == importer.MAX_ERRORS + 1
    assert str(result.errors[-1]) == "Too many errors: only the first 50 are shown."


def test_binary_file_is_rejected():
    line, message = only_error(parse(b"PK\x03\x04\x14\x00\x06\x00\nmore\x00"))
    assert line == 1
    assert "NUL byte" in message and message.startswith("Line 1 ")
    line, _message = only_error(parse(tsv(HEADER, row("1. x")) + b"\n\x00"))
    assert line == 3


def test_file_too_large_is_rejected_before_reading():
    line, message = only_error(parse(b"a\tb\n" * (MAX_BYTES // 4 + 1)))
    assert line is None
    assert message == "The file is larger than 5 MB, the most that can be imported."
    at_limit = parse(FIXTURE.read_bytes().ljust(MAX_BYTES, b" "))
    assert at_limit.ok
    assert len(at_limit.actions) == 31


def test_too_many_lines_are_rejected():
    assert parse(tsv(HEADER, row("1. x"), *[row("a", "b")] * (importer.MAX_LINES - 2))).ok
    line, message = only_error(parse(b"a\tb\n" * importer.MAX_LINES))
    assert line is None
    assert message == "The file has 20001 lines; the limit is 20000."


def test_empty_file():
    assert only_error(parse(b"")) == (None, "The file is empty.")
    assert only_error(parse(b"\n\t\t\n  \n")) == (None, "The file is empty.")


def test_not_tab_separated():
    data = b"\n".join(
        [b"Actie;Indicator;Trekker;Partners", b"1. Lijn;;;", b"Actie;indicator;regie;VDAB"]
    )
    line, message = only_error(parse(data))
    assert line == 1
    assert message.startswith("The file is not tab-separated: no line contains a tab")


def test_header_row_missing():
    line, message = only_error(parse(tsv("", row("1. Lijn"), row("Actie A", "i"))))
    assert line == 2
    assert "header row is missing" in message and "line 2" in message


def test_header_row_lacking_columns():
    line, message = only_error(parse(tsv(["Actie", "Indicator", "Wie"], row("1. Lijn"))))
    assert line == 1
    assert message == "The header row on line 1 lacks the column(s): Trekker, Partners."


def test_action_before_any_heading_and_orphan_continuation():
    data = tsv(
        HEADER,
        row("Actie zonder titel", "i", "regie"),
        row("", "vervolg", "POM"),
        row("1. Lijn"),
        row("", "vervolg zonder actie", "POM"),
        row("Goede actie", "i"),
    )
    result = parse(data)
    assert not result.ok
    assert [(e.line, str(e)) for e in result.errors] == [
        (
            2,
            "Line 2 holds an action before any heading: put it under a strategic line or an "
            "objective.",
        ),
        (5, "Line 5 has an empty action cell but there is no action above it to continue."),
    ]
    assert [a.title for a in result.actions] == ["Goede actie"]


# --------------------------------------------------------------------------------------------
# Messages: English without an app, Dutch from the catalogue


def test_messages_format_without_an_app_context():
    (error,) = parse(b"").errors
    assert str(error) == "The file is empty."
    assert HeadingKind.LINE.label == "Strategic line"


def test_catalogue_translates_every_message():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    assert str(catalogue.locale) == "nl"
    assert list(catalogue.check()) == []  # placeholders match
    used = {
        message
        for _line, message, _comments, _context in extract_from_file(
            "python", str(IMPORTER_SOURCE), keywords={"_l": None}
        )
    }
    assert used
    for msgid in used:
        assert msgid in catalogue, msgid
        entry = catalogue[msgid]
        assert entry.string and not entry.fuzzy, msgid


def test_messages_are_dutch_in_a_dutch_request(tmp_path):
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    target = tmp_path / "nl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalogue)
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "nl", default_translation_directories=str(tmp_path))
    result = parse(tsv(HEADER, row("Actie", "i")))
    with app.test_request_context():
        assert str(result.errors[0]) == (
            "Regel 2 bevat een actie vóór elke titel: plaats ze onder een strategische lijn of "
            "een doelstelling."
        )
        assert HeadingKind.OBJECTIVE.label == "Doelstelling"
