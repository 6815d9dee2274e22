"""Shelves: one index, answers restricted to some of its articles; citations linked to sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import Library, parse_article
from knowledge.article import Article, load_article
from tests.conftest import CACHE

DATA = Path(__file__).resolve().parents[1] / "data" / "articles"
SEED = Path(__file__).resolve().parents[2] / "seeds" / "never_let_me_go.txt"

FILM = load_article(DATA / "harbour_light.txt")
NOVEL = load_article(SEED)
SOURCED = parse_article(
    "= Glass frog =\n"
    "Source: https://en.wikipedia.org/wiki/Glass_frog (revision 42)\n\n"
    "- Family: Centrolenidae\n\n"
    "Glass frogs are amphibians of Central and South America.\n\n"
    "== Box office ==\n"
    "Glass frogs live in humid montane forests near streams.\n",
    "glass_frog.txt",
)


@pytest.fixture(scope="module")
def library() -> Library:
    """Both channels, the real model: the semantic channel must honour the shelf too."""
    return Library([NOVEL, FILM, SOURCED], cache_dir=CACHE)


def cited(answer) -> set[str]:  # type: ignore[no-untyped-def]
    titles = {c.article for c in answer.citations}
    return titles | ({answer.also.article} if answer.also else set())


def test_a_shelf_never_cites_an_article_outside_it(library: Library) -> None:
    whole = library.ask("who directed Harbour Light?")
    assert whole.answered and "Valdari" in (whole.text or "")
    shelf = library.shelf([0])  # the novel only
    answer = shelf.ask("who directed Harbour Light?")
    assert cited(answer) <= {NOVEL.title}
    assert "Valdari" not in (answer.text or "")
    for question in ("who composed the score?", "where was it filmed?", "what family is it?"):
        assert cited(shelf.ask(question)) <= {NOVEL.title}, question


def test_a_shelf_answers_from_its_own_articles(library: Library) -> None:
    shelf = library.shelf([1])
    answer = shelf.ask("who directed the film?")
    assert answer.answered and "Valdari" in (answer.text or "")
    assert cited(answer) == {FILM.title}


def test_a_shelf_of_every_article_answers_as_the_library_does(library: Library) -> None:
    shelf = library.shelf(range(len(library.articles)))
    for question in ("who directed the film?", "how many pages?", "who wrote it?"):
        assert shelf.ask(question) == library.ask(question), question


def test_an_empty_shelf_abstains_without_citations(library: Library) -> None:
    answer = library.shelf([]).ask("who directed the film?")
    assert not answer.answered and answer.citations == ()


def test_what_is_it_about_summarises_an_article_on_the_shelf(library: Library) -> None:
    shelf = library.shelf([0])
    answer = shelf.ask("what is Harbour Light about?")  # names an article off the shelf
    assert cited(answer) <= {NOVEL.title}


def test_two_articles_may_share_a_title_on_different_shelves() -> None:
    first = parse_article("= Moss =\n\n- Colour: green\n\nMoss grows in Wales.\n", "a.txt")
    second = parse_article("= Moss =\n\n- Colour: purple\n\nMoss grows on Mars.\n", "b.txt")
    library = Library([first, second], encoder=None)
    assert "green" in (library.shelf([0]).ask("what colour is moss?").text or "")
    assert "purple" in (library.shelf([1]).ask("what colour is moss?").text or "")
    assert library.shelf([1]).fact("colour").text == "purple"


def test_browsing_a_shelf_shows_only_its_articles(library: Library) -> None:
    shelf = library.shelf([1, 99, -1])  # positions outside the library are ignored
    assert shelf.articles == (FILM,)
    assert {title for title, _, _ in shelf.infobox_fields()} == {FILM.title}
    assert {title for title, _ in shelf.section_names()} == {FILM.title}
    assert list(shelf.fact_counts()) == [FILM.title]
    assert shelf.fact_counts()[FILM.title] == library.fact_counts()[FILM.title]
    assert shelf.fact("pages").citations == ()  # the novel has Pages; this shelf has not
    assert shelf.fact("running time").citations[0].article == FILM.title
    assert shelf.section_text(NOVEL.title, ("Plot",)) == ""


def test_a_shelf_from_another_library_is_refused(library: Library) -> None:
    other = Library([FILM], encoder=None)
    with pytest.raises(ValueError, match="another library"):
        library.ask("who?", shelf=other.shelf([0]))


# ----- links to the source -----------------------------------------------------------------


def test_citations_of_a_sourced_article_link_to_the_cited_section(library: Library) -> None:
    answer = library.shelf([2]).ask("where do glass frogs live?")
    assert answer.answered
    first = answer.citations[0]
    assert first.section == "Box office"
    assert first.url == "https://en.wikipedia.org/wiki/Glass_frog#Box_office"
    assert first.to_dict()["url"] == first.url
    fact = library.fact("family")
    assert fact.citations[0].url == "https://en.wikipedia.org/wiki/Glass_frog"


def test_articles_without_a_source_have_no_links(library: Library) -> None:
    answer = library.ask("how many pages?")
    assert answer.answered and all(c.url is None for c in answer.citations)
    assert "url" not in answer.citations[0].to_dict()


def test_lead_citations_link_to_the_page_itself() -> None:
    from knowledge.links import section_url

    article: Article = SOURCED
    assert section_url(article, "Lead") == article.url
    assert section_url(article, "Plot › Early life") == f"{article.url}#Early_life"
    assert section_url(NOVEL, "Plot") is None
