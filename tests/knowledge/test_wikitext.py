"""Wikitext → article format: what is kept, what is dropped, and that the result answers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import Library, parse_article
from knowledge.article import Article
from knowledge.wikitext import (
    disambiguation_choices,
    field_key,
    is_disambiguation,
    slug,
    to_article,
)
from tests.conftest import CACHE
from tests.fake_wiki.server import PAGES


def convert(title: str) -> str:
    page = PAGES[title]
    url = f"https://en.wikipedia.org/wiki/{title.replace(' ', '_')}"
    return to_article(title, page.wikitext(), url=url, revision=page.revision)


def article(title: str) -> Article:
    return parse_article(convert(title), f"{slug(title)}.txt")


ARTICLES = ("Jaws (film)", "Jaws (novel)", "Peter Benchley")


@pytest.mark.parametrize("title", ARTICLES)
def test_every_fixture_converts_to_an_article_the_parser_reads(title: str) -> None:
    parsed = article(title)
    assert parsed.title == title
    assert parsed.url == f"https://en.wikipedia.org/wiki/{title.replace(' ', '_')}"
    assert parsed.revision == PAGES[title].revision
    assert parsed.infobox and parsed.blocks
    text = convert(title)
    for leftover in ("{{", "}}", "[[", "]]", "<ref", "</ref", "{|", "|}", "''", "&nbsp;"):
        assert leftover not in text, leftover


def test_infobox_fields_are_plain_text() -> None:
    fields = {f.key: f.value for f in article("Jaws (film)").infobox}
    assert fields["Director"] == "Steven Spielberg"
    assert fields["Starring"] == "Roy Scheider, Robert Shaw, Richard Dreyfuss"  # {{Plainlist}}
    assert fields["Producer"] == "Richard D. Zanuck, David Brown"  # [[A|B]] → B
    assert fields["Released"] == "June 20, 1975"  # {{Film date}}, in the page's mdy style
    assert fields["Runtime"] == "124 minutes"  # the <ref> and its {{cite web}} are gone
    assert fields["Based On"] == "Jaws by Peter Benchley"
    assert not {"Name", "Image", "Alt", "Caption"} & set(fields)  # layout, not facts


def test_person_dates_and_lists() -> None:
    fields = {f.key: f.value for f in article("Peter Benchley").infobox}
    assert fields["Birth Date"] == "May 8, 1940"
    assert fields["Death Date"] == "February 11, 2006 (aged 65)"
    assert fields["Occupation"] == "Author, screenwriter, journalist"  # {{hlist}}
    assert fields["Spouse"] == "Wendy Wesson (m. 1964)"  # {{marriage}}
    assert fields["Notableworks"] == "Jaws, The Deep"  # <br /> between them


def test_dmy_pages_keep_day_first() -> None:
    fields = {f.key: f.value for f in article("Jaws (novel)").infobox}
    assert fields["Release Date"] == "1 February 1974"


def test_sections_lists_and_what_is_dropped() -> None:
    parsed = article("Jaws (film)")
    assert ("Production", "Filming") in parsed.sections
    for dropped in ("See also", "References", "External links", "Further reading"):
        assert not any(dropped in path for path in parsed.sections), dropped
    assert ("Reception", "Accolades") not in parsed.sections  # only a table: nothing left
    cast = [b.text for b in parsed.blocks if b.is_item]
    assert "Robert Shaw as Quint, a professional shark hunter" in cast
    text = convert("Jaws (film)")
    assert "Bruce the shark.jpg" not in text and 'nicknamed "Bruce", in 2019' not in text
    assert "Les Dents de la mer" not in text and "Category" not in text  # links out
    assert "$260 million" not in text  # a table
    assert "do not add the sequels" not in text  # a comment
    lead = parsed.blocks[0].text
    assert lead.startswith("Jaws is a 1975 American thriller film directed by Steven Spielberg")
    assert "Benchley. It stars" in lead  # no space left where the <ref> was
    assert "35 ft deep" in parsed.section_text(("Production", "Filming"))  # {{convert}}


def test_pronunciation_and_entities_leave_no_marks() -> None:
    lead = article("Peter Benchley").blocks[0].text
    assert lead.startswith("Peter Bradford Benchley (May 8, 1940 – February 11, 2006) was")


def test_disambiguation_pages_are_recognised_with_their_choices() -> None:
    wikitext = PAGES["Jaws"].wikitext()
    assert is_disambiguation(wikitext)
    assert disambiguation_choices(wikitext)[:2] == ["Jaws (film)", "Jaws (franchise)"]
    assert not any(is_disambiguation(PAGES[t].wikitext()) for t in ARTICLES)


def test_a_disambiguation_template_of_several_words_is_one_name() -> None:
    assert is_disambiguation("{{Letter-Number Combination Disambiguation}}\n* [[A1]]")
    assert not is_disambiguation("{{combination}} of two things")


@pytest.mark.parametrize(
    ("wikitext", "expected"),
    [
        ("{{lang|fr|Les Dents de la mer}} opened.", "Les Dents de la mer opened."),
        ("It cost {{US$|9 million}}.", "It cost $9 million."),
        ("Built {{circa|1900}}.", "Built c. 1900."),
        ("A{{snd}}B and [[Jaws (film)|]] and [http://x.org label].", "A – B and Jaws and label."),
        ("Warsaw ({{IPA-pl|ˈvar}}) is big.", "Warsaw is big."),
        ("Text{{efn|a note}}{{sfn|Baer|2008}}.", "Text."),
        ("'''Bold''' and ''italic'' __NOTOC__", "Bold and italic"),
        ("{{Unknown navbox|a|b}}Kept.", "Kept."),
    ],
)
def test_inline_templates_render_to_text(wikitext: str, expected: str) -> None:
    parsed = parse_article(to_article("T", wikitext))
    assert parsed.blocks[0].text == expected


def test_keys_slugs_and_no_source_without_url() -> None:
    assert field_key("release_date") == "Release Date"
    assert field_key("a:b–c") == "A B C"
    assert slug("Jaws (film)") == "jaws_film"
    assert slug("Les Misérables") == "les_misérables"
    assert slug("???") == "article"
    assert parse_article(to_article("T", "Text.")).url is None


# ----- the converted articles answer questions ---------------------------------------------------

QUESTIONS = {
    "Jaws (film)": [
        ("who directed Jaws?", "Steven Spielberg"),
        ("how long is the film?", "124 minutes"),
        ("who composed the music for the film?", "John Williams"),
    ],
    "Jaws (novel)": [
        ("who published the novel?", "Doubleday"),
        ("how many pages does the novel have?", "278"),
        ("who designed the cover of the novel?", "Paul Bacon"),
    ],
    "Peter Benchley": [
        ("when was Peter Benchley born?", "May 8, 1940"),
        ("where did Peter Benchley die?", "Princeton"),
        ("who was Benchley's wife?", "Wendy Wesson"),
    ],
}


@pytest.fixture(scope="module")
def imported_library() -> Library:
    """The three converted fixtures in one library, with the real model."""
    return Library([article(title) for title in ARTICLES], cache_dir=CACHE)


@pytest.mark.parametrize("title", ARTICLES)
def test_converted_articles_answer_questions(imported_library: Library, title: str) -> None:
    shelf = imported_library.shelf([ARTICLES.index(title)])
    for question, expected in QUESTIONS[title]:
        answer = shelf.ask(question)
        assert answer.answered, question
        assert expected in (answer.text or ""), (question, answer.text)
        assert answer.citations[0].article == title
        assert (answer.citations[0].url or "").startswith("https://en.wikipedia.org/wiki/")


WIKI_BITS = st.sampled_from(
    [
        "\n",
        "\n\n",
        "== ",
        " ==",
        "=== H ===\n",
        "=",
        "* ",
        "# ",
        ": ",
        "; ",
        "'''",
        "''",
        "[[",
        "]]",
        "|",
        "{{",
        "}}",
        "{{Infobox x\n| a_b = ",
        "\n}}",
        "<ref>",
        "</ref>",
        "<br />",
        "{|",
        "|}",
        "[http://x.org ",
        "]",
        "&nbsp;",
        "<!--",
        "-->",
        "- ",
        "– ",
        "Key: value",
        "Source: https://x.org",
        "__NOTOC__",
        "{{convert|1|km}}",
        "(",
        ")",
    ]
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(WIKI_BITS, st.text(max_size=8)), max_size=40).map("".join))
def test_any_wikitext_converts_to_an_article_the_parser_reads(wikitext: str) -> None:
    text = to_article("Some = title", wikitext, url="https://x.org/wiki/T", revision=3)
    assert parse_article(text).title == "Some = title"
