"""The catalog: which articles each server's shelf holds, and the store that keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.shelves import Catalog, ServerArticle, load_catalog, stored_articles
from bot.store import Store, StoredArticle
from knowledge import Library, Shelf, parse_article

NOVEL = parse_article("= Novel =\n\n- Author: Ann\n\nA novel about moss.\n", "novel.txt")
FILM = parse_article("= Film =\n\n- Director: Bo\n\nA film about frogs.\n", "film.txt")
A, B = 111, 222


def server(guild: int, title: str, text: str) -> ServerArticle:
    body = f"= {title} =\n\n{text}\n"
    return ServerArticle(guild, parse_article(body, f"{title}.txt"), body, added_by=7)


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(Library([NOVEL, FILM], encoder=None))


def titles(shelf: Library | Shelf) -> list[str]:
    return [a.title for a in shelf.articles]


def test_with_nothing_added_every_shelf_is_the_whole_library(catalog: Catalog) -> None:
    assert catalog.shelf(A) is catalog.library
    assert catalog.shelf(None) is catalog.library


def test_added_articles_are_on_their_servers_shelf_only(catalog: Catalog) -> None:
    new = catalog.with_article(server(A, "Jaws", "A shark story.")).with_article(
        server(B, "Dune", "A desert story.")
    )
    assert titles(new.library) == ["Novel", "Film", "Jaws", "Dune"]  # one index for all
    assert titles(new.shelf(A)) == ["Novel", "Film", "Jaws"]
    assert titles(new.shelf(B)) == ["Novel", "Film", "Dune"]
    assert titles(new.shelf(None)) == ["Novel", "Film"]  # DMs: the shared ones
    assert new.shelf(333) is new.shelf(None)  # servers that added nothing share one shelf
    assert catalog.shelf(A) is catalog.library  # the old catalog is untouched


def test_adding_the_same_title_again_replaces_it(catalog: Catalog) -> None:
    first = catalog.with_article(server(A, "Jaws", "Version one."))
    second = first.with_article(server(A, "JAWS", "Version two."))
    assert [s.article.title for s in second.own(A)] == ["JAWS"]
    assert len(second.library.articles) == 3


def test_removing_and_choosing_shared_articles(catalog: Catalog) -> None:
    added = catalog.with_article(server(A, "Jaws", "A shark story."))
    assert titles(added.without_article(A, "jaws").shelf(A)) == ["Novel", "Film"]
    narrowed = added.with_uses(A, ["film"])
    assert narrowed.library is added.library  # choosing rebuilds nothing
    assert titles(narrowed.shelf(A)) == ["Film", "Jaws"]
    assert titles(narrowed.with_uses(A, []).shelf(A)) == ["Jaws"]
    assert titles(narrowed.with_uses(A, None).shelf(A)) == ["Novel", "Film", "Jaws"]
    assert titles(narrowed.shelf(B)) == ["Novel", "Film"]


def test_a_servers_own_article_hides_the_shared_one_of_its_title(catalog: Catalog) -> None:
    mine = catalog.with_article(server(A, "novel", "My own notes."))
    assert titles(mine.shelf(A)) == ["Film", "novel"]
    assert mine.shelf(A).fact("author").text is None  # the shared Novel's field is not here


def test_the_host_chooses_which_seeds_are_shared() -> None:
    catalog = Catalog(Library([NOVEL, FILM], encoder=None), shared=("film",))  # a file stem
    assert titles(catalog.shelf(None)) == ["Film"]
    assert titles(catalog.shelf(A)) == ["Film"]
    assert catalog.shared() == [1]


def test_a_reload_keeps_the_servers_articles(catalog: Catalog) -> None:
    added = catalog.with_article(server(A, "Jaws", "A shark story."))
    reloaded = added.replaced(Library([FILM, *added.server_articles()], encoder=None))
    assert reloaded.seeds == 1
    assert titles(reloaded.shelf(A)) == ["Film", "Jaws"]


# ----- the store ---------------------------------------------------------------------------


def test_articles_and_choices_survive_reopening_the_store(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as store:
        assert store.save_article(server(A, "Jaws", "One.").stored())
        assert store.save_article(server(A, "jaws", "Two.").stored())  # same title: replaced
        assert store.save_article(server(B, "Jaws", "B's.").stored())  # another server's
        assert store.save_shelf_choice(A, ["Film"])
    with Store(path) as store:
        rows = store.articles() or []
        assert [(r.guild_id, r.title) for r in rows] == [(A, "jaws"), (B, "Jaws")]
        assert "Two." in rows[0].text and rows[0].added_by == 7
        assert store.shelf_choices() == {A: ("Film",)}
        assert store.delete_article(A, "JAWS") and store.save_shelf_choice(A, None)
        assert [r.guild_id for r in store.articles() or []] == [B]
        assert store.shelf_choices() == {}


def test_load_catalog_rebuilds_with_stored_articles_and_skips_broken_ones(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        store.save_article(server(A, "Jaws", "A shark story.").stored())
        store.save_article(StoredArticle(B, "Broken", "broken.txt", "no title line", None))
        store.save_shelf_choice(B, ["Novel"])
        articles, uses = stored_articles(store)
        assert [a.article.title for a in articles] == ["Jaws"]
        catalog = load_catalog(Library([NOVEL, FILM], encoder=None), store)
    assert titles(catalog.shelf(A)) == ["Novel", "Film", "Jaws"]
    assert titles(catalog.shelf(B)) == ["Novel"]
    assert uses == {B: ("Novel",)}


def test_a_store_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.close()  # closed: every call fails quietly
    assert store.save_article(server(A, "Jaws", "x").stored()) is False
    assert store.save_shelf_choice(A, []) is False
    assert store.articles() is None
    assert stored_articles(store) == ([], {})


def test_start_up_builds_one_library_of_the_seeds_and_the_servers_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import client as client_module
    from bot.config import Config

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "novel.txt").write_text("= Novel =\n\n- Author: Ann\n\nA novel about moss.\n")
    (seeds / "film.txt").write_text("= Film =\n\n- Director: Bo\n\nA film about frogs.\n")
    built: list[int] = []
    real = client_module.Library

    def counted(articles, **options):
        built.append(len(articles))
        return real(articles, **options)

    monkeypatch.setattr(client_module, "Library", counted)
    with Store(tmp_path / "s.db") as store:
        store.save_article(server(A, "Jaws", "A shark story.").stored())
        store.save_shelf_choice(B, ["Novel"])
        catalog = client_module.load_server_catalog(Config(seeds=seeds, encoder="none"), store)
    assert built == [3]  # the seeds and the server's article together, once
    assert sorted(titles(catalog.shelf(A))) == ["Film", "Jaws", "Novel"]
    assert titles(catalog.shelf(B)) == ["Novel"]
