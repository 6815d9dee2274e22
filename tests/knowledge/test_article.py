"""The article parser: the seed, heading variants, missing parts and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import ArticleError, load_article, parse_article, read_article
from knowledge.article import LEAD

SEED = Path(__file__).resolve().parents[2] / "seeds" / "never_let_me_go.txt"


def test_seed_title_infobox_and_sections() -> None:
    article = load_article(SEED)
    assert article.title == "Never Let Me Go (novel)"
    fields = {f.key: f.value for f in article.infobox}
    assert fields["Author"] == "Kazuo Ishiguro"
    assert fields["Pages"] == "288"
    assert len(article.infobox) == 14
    assert ("Reception", "Critical reception") in article.sections
    assert ("Reception", "Awards and lists") in article.sections
    assert article.sections[0] == (LEAD,)


def test_caption_above_infobox_is_not_prose() -> None:
    article = load_article(SEED)
    assert all(block.text != "Never Let Me Go" for block in article.blocks)


def test_list_items_keep_their_section() -> None:
    article = load_article(SEED)
    items = [b for b in article.blocks if b.is_item]
    assert items and all(b.path == ("Principal characters",) for b in items)
    assert items[0].text.startswith("Kathy H. – The protagonist")


@pytest.mark.parametrize("heading", ["==Reception==", "== Reception ==", "==  Reception  =="])
def test_headings_with_or_without_spaces(heading: str) -> None:
    article = parse_article(f"= T =\n\nLead text.\n\n{heading}\n===Critics===\nGood.\n")
    assert article.sections == ((LEAD,), ("Reception",), ("Reception", "Critics"))
    assert article.blocks[-1].path == ("Reception", "Critics")


def test_title_and_paragraphs_only() -> None:
    article = parse_article("= Frogs =\n\nFrogs are amphibians. They jump.\n\nSecond one.\n")
    assert article.title == "Frogs"
    assert article.infobox == ()
    assert [b.text for b in article.blocks] == ["Frogs are amphibians. They jump.", "Second one."]
    assert article.sections == ((LEAD,),)


def test_sections_without_infobox_or_lead() -> None:
    article = parse_article("= Frogs =\n== Habitat ==\nPonds.\n== Diet ==\nFlies.\n")
    assert article.infobox == ()
    assert article.sections == (("Habitat",), ("Diet",))


def test_section_text_includes_subsections() -> None:
    article = load_article(SEED)
    text = article.section_text(("Reception",))
    assert "**Critical reception**" in text and "**Awards and lists**" in text
    assert "Louis Menand" in text and "Guardians list" in text


def test_long_article_parses() -> None:
    body = "\n\n".join(f"Paragraph {i} says something. It goes on." for i in range(3000))
    article = parse_article(f"= Long =\n\n{body}\n")
    assert len(article.blocks) == 3000


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty"),
        ("   \n\n  \n", 1, "empty"),
        ("No title here.\n", 1, "title"),
        ("\n\nStill no title\n= Late =\n", 3, "title"),
        ("= T =\n\nText.\n== Broken =\n", 4, "unbalanced"),
        ("= T =\n\n== \n", 3, "heading"),
        ("= T =\nabc\x00def\n", 2, "binary"),
    ],
)
def test_malformed_text_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ArticleError) as caught:
        parse_article(text, source="bad.txt")
    assert caught.value.line == line
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"bad.txt:{line}:")


def test_malformed_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"= Ok =\n\nfine\n\xff\xfe bad bytes\n")
    with pytest.raises(ArticleError) as caught:
        load_article(bad)
    assert str(bad) in str(caught.value) and caught.value.line == 4


def test_missing_file_is_an_article_error(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="cannot read"):
        load_article(tmp_path / "nope.txt")


MOSS = "= Moss =\n\n- Kingdom: Plantae\n\nMoss grows in Wales, and in Cornwall.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(
    tmp_path: Path, encoding: str
) -> None:
    """Notepad's "Unicode" is UTF-16 with a BOM: the text is unambiguous, so read it."""
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path = tmp_path / "moss.txt"
    path.write_bytes(bom + MOSS.encode(encoding))
    article = load_article(path)
    assert article.title == "Moss"
    assert [(f.key, f.value) for f in article.infobox] == [("Kingdom", "Plantae")]
    assert article.blocks[0].text == "Moss grows in Wales, and in Cornwall."


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_says_how_to_save_it(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "moss.txt"
    path.write_bytes(MOSS.encode(encoding))
    with pytest.raises(ArticleError) as caught:
        load_article(path)
    reason = caught.value.reason
    assert "UTF-16" in reason and "UTF-8" in reason and "binary" not in reason
    assert caught.value.source == str(path)


def test_broken_utf16_after_a_byte_order_mark_is_an_article_error(tmp_path: Path) -> None:
    path = tmp_path / "moss.txt"
    path.write_bytes(b"\xff\xfe" + "= Moss =\n".encode("utf-16-le") + b"\x00\xd8x")  # lone half
    with pytest.raises(ArticleError) as caught:
        load_article(path)
    assert "UTF-16" in caught.value.reason and "UTF-8" in caught.value.reason


# ----- the Source: line -------------------------------------------------------------------

SOURCED = (
    "= Jaws (film) =\n"
    "Source: https://en.wikipedia.org/wiki/Jaws_(film) (revision 1234567)\n\n"
    "- Director: Steven Spielberg\n\n"
    "Jaws is a 1975 film.\n"
)


def test_source_line_gives_url_and_revision_and_is_not_text() -> None:
    article = parse_article(SOURCED)
    assert article.url == "https://en.wikipedia.org/wiki/Jaws_(film)"
    assert article.revision == 1234567
    assert [(f.key, f.value) for f in article.infobox] == [("Director", "Steven Spielberg")]
    assert [b.text for b in article.blocks] == ["Jaws is a 1975 film."]


def test_source_line_without_revision_and_after_a_blank_line() -> None:
    article = parse_article("= Moss =\n\nSource: https://example.org/moss\n\nMoss is green.\n")
    assert (article.url, article.revision) == ("https://example.org/moss", None)
    assert [b.text for b in article.blocks] == ["Moss is green."]


def test_files_without_a_source_line_have_none() -> None:
    article = load_article(SEED)
    assert article.url is None and article.revision is None


def test_a_line_starting_with_source_but_no_address_reads_as_before() -> None:
    """Old files stay valid: only a line giving a web address is the Source: line."""
    article = parse_article("= Moss =\nSource: my own notes\n\nMoss is green.\n")
    assert article.url is None
    assert [b.text for b in article.blocks] == ["Source: my own notes", "Moss is green."]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("Source: https:///nohost", "not a valid web address"),
        ("Source: https://example.org/x (rev 12)", "(revision 123)"),
        ("Source: https://example.org/x and more", "(revision 123)"),
    ],
)
def test_a_broken_source_line_names_its_line(line: str, words: str) -> None:
    with pytest.raises(ArticleError) as caught:
        parse_article(f"= Moss =\n{line}\n\nMoss is green.\n", source="moss.txt")
    assert caught.value.line == 2 and words in caught.value.reason


def test_read_article_decodes_and_parses_bytes() -> None:
    text, article = read_article(SOURCED.encode("utf-8"), "upload.txt")
    assert text == SOURCED and article.title == "Jaws (film)" and article.source == "upload.txt"
    with pytest.raises(ArticleError, match=r"^upload\.txt:1: .*UTF-8"):
        read_article(b"\xfa not text", "upload.txt")
