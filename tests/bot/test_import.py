"""`norfolk import` against the local fake MediaWiki: files written, and failures that write
nothing and say why in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.wiki import ImportFailed, page_title, user_agent
from knowledge import Library, load_article
from tests.fake_wiki.fixtures import threaded_wiki
from tests.fake_wiki.server import FakeWiki, closed_port_api

__all__ = ["threaded_wiki"]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    return folder


@pytest.fixture
def wiki(threaded_wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch) -> FakeWiki:
    monkeypatch.setenv("NORFOLK_WIKI_API", threaded_wiki.api)
    return threaded_wiki


def run(seeds: Path, *args: str) -> int:
    return main(["import", *args, "--seeds", str(seeds)])


def test_import_writes_a_seed_file_with_its_source(
    wiki: FakeWiki, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(seeds, "Jaws (film)") == 0
    out = capsys.readouterr().out
    assert "Imported “Jaws (film)” (revision 1001)" in out and "jaws_film.txt" in out
    article = load_article(seeds / "jaws_film.txt")
    assert article.title == "Jaws (film)"
    assert article.url == f"http://127.0.0.1:{wiki.port}/wiki/Jaws_(film)"
    assert article.revision == 1001
    answer = Library([article], encoder=None).ask("who directed the film?")
    assert answer.text == "Steven Spielberg"
    assert answer.citations[0].url == article.url  # the infobox links to the page


def test_import_follows_redirects_and_takes_urls(
    wiki: FakeWiki, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(seeds, "Jaws (1975 film)") == 0
    assert "redirected from “Jaws (1975 film)”" in capsys.readouterr().out
    assert run(seeds, f"http://127.0.0.1:{wiki.port}/wiki/Peter_Benchley") == 0
    assert sorted(p.name for p in seeds.iterdir()) == ["jaws_film.txt", "peter_benchley.txt"]


def test_importing_again_updates_the_same_file(
    wiki: FakeWiki, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(seeds, "Jaws (novel)") == 0
    assert run(seeds, "Jaws (novel)") == 0
    assert "Updated “Jaws (novel)”" in capsys.readouterr().out
    assert [p.name for p in seeds.iterdir()] == ["jaws_novel.txt"]


def test_the_request_identifies_norfolk(wiki: FakeWiki, seeds: Path) -> None:
    assert run(seeds, "--lang", "en", "Jaws (film)") == 0
    request = wiki.requests[-1]
    assert request["user_agent"].startswith("Norfolk/")
    assert "aiohttp/" in request["user_agent"]
    assert request["params"]["titles"] == "Jaws (film)"
    assert request["params"]["redirects"] == "1"


def assert_failed(seeds: Path, capsys: pytest.CaptureFixture[str], *words: str) -> None:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err  # one line
    assert err.startswith("norfolk: import failed: ") and err.endswith("nothing was written")
    for word in words:
        assert word in err, (word, err)
    assert list(seeds.iterdir()) == []  # not even a partial file


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("No Such Page", ("no article called “No Such Page”",)),
        ("Jaws", ("disambiguation", "“Jaws (film)”")),
        ("a|b", ("not a valid page title",)),
    ],
)
def test_pages_that_cannot_be_imported(
    wiki: FakeWiki,
    seeds: Path,
    capsys: pytest.CaptureFixture[str],
    title: str,
    words: tuple[str, ...],
) -> None:
    assert run(seeds, title) == 1
    assert_failed(seeds, capsys, *words)


def test_rate_limit_says_when_to_try_again(
    wiki: FakeWiki, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wiki.fail_with(429, {"Retry-After": "30"})
    assert run(seeds, "Jaws (film)") == 1
    assert_failed(seeds, capsys, "rate-limiting", "30 s")
    wiki.recover()
    wiki.api_error("ratelimited")
    assert run(seeds, "Jaws (film)") == 1
    assert_failed(seeds, capsys, "rate-limiting")


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [(503, "", "HTTP 503"), (404, "", "HTTP 404"), (200, "<html>not json</html>", "MediaWiki")],
)
def test_broken_endpoints(
    wiki: FakeWiki,
    seeds: Path,
    capsys: pytest.CaptureFixture[str],
    status: int,
    body: str,
    words: str,
) -> None:
    wiki.fail_with(status, body=body)
    assert run(seeds, "Jaws (film)") == 1
    assert_failed(seeds, capsys, words)


def test_no_network_is_one_line(
    seeds: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NORFOLK_WIKI_API", closed_port_api())
    assert run(seeds, "Jaws (film)") == 1
    assert_failed(seeds, capsys, "could not reach 127.0.0.1")


def test_an_existing_file_of_another_article_is_never_overwritten(
    wiki: FakeWiki, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (seeds / "jaws_film.txt").write_text("= Something Else =\n\nText.\n", "utf-8")
    (seeds / "mine.txt").write_text("= Jaws (novel) =\n\nMy notes.\n", "utf-8")
    assert run(seeds, "Jaws (film)") == 1
    assert "already holds another article" in capsys.readouterr().err
    assert run(seeds, "Jaws (novel)") == 1
    assert "mine.txt already has the title" in capsys.readouterr().err
    assert sorted(p.name for p in seeds.iterdir()) == ["jaws_film.txt", "mine.txt"]


def test_a_missing_seeds_folder_writes_nothing(
    wiki: FakeWiki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path / "nope", "Jaws (film)") == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nope").exists()


def test_bad_language_and_bad_api_setting_are_usage_errors(
    seeds: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run(seeds, "--lang", "EN!", "Jaws")
    assert exited.value.code == 2
    monkeypatch.setenv("NORFOLK_WIKI_API", "ftp://example.org/api.php")
    assert run(seeds, "Jaws") == 2
    assert "NORFOLK_WIKI_API" in capsys.readouterr().err


def test_titles_and_addresses() -> None:
    assert page_title("Jaws (film)") == ("Jaws (film)", "en")
    assert page_title("  Jaws  ", "fr") == ("Jaws", "fr")
    assert page_title("https://fr.wikipedia.org/wiki/Les_Dents_de_la_mer") == (
        "Les Dents de la mer",
        "fr",
    )
    assert page_title("https://en.m.wikipedia.org/wiki/Jaws_(film)#Plot") == ("Jaws (film)", "en")
    assert page_title("https://en.wikipedia.org/w/index.php?title=Jaws_%28film%29&oldid=1") == (
        "Jaws (film)",
        "en",
    )
    with pytest.raises(ImportFailed):
        page_title("https://example.org/")
    with pytest.raises(ImportFailed):
        page_title("   ")
    assert "contact me@example.org" not in user_agent()
    assert user_agent("me@example.org").endswith(
        f"me@example.org) aiohttp/{__import__('aiohttp').__version__}"
    )
