"""Importing a Wikipedia article: fetch (`bot.wiki`), convert (`knowledge.wikitext`), check
that the result parses as an article, and — for `norfolk import` — write it to `seeds/`.

Nothing is written unless every step worked: a missing page, a disambiguation page, no
network or a rate limit is one `ImportFailed` line, and the file appears whole or not at
all (written beside its place, then renamed over it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mwparserfromhell

from bot.wiki import ImportFailed, Page, api_url, fetch_page, page_title
from knowledge import Article, ArticleError, parse_article, read_folder
from knowledge.wikitext import disambiguation_choices, is_disambiguation, slug, to_article


@dataclass(frozen=True)
class Imported:
    """A converted page: the article-format text, the parsed article and the page it came from."""

    text: str
    article: Article
    page: Page

    @property
    def file_name(self) -> str:
        return f"{slug(self.article.title)}.txt"

    def describe(self) -> str:
        """ "“Jaws (film)” (revision 1001, redirected from “Jaws (1975 film)”)"."""
        notes = [f"revision {self.page.revision}"] if self.page.revision else []
        if self.page.redirected_from:
            notes.append(f"redirected from “{self.page.redirected_from}”")
        return f"“{self.article.title}”" + (f" ({', '.join(notes)})" if notes else "")


def convert(page: Page) -> Imported:
    """The article-format text of a fetched page, parsed; refuses disambiguation pages."""
    code = mwparserfromhell.parse(page.wikitext)  # parsed once, for both questions below
    if page.disambiguation or is_disambiguation(code):
        choices = disambiguation_choices(page.wikitext)
        hint = f" such as {', '.join(f'“{c}”' for c in choices[:3])}" if choices else ""
        raise ImportFailed(
            f"“{page.title}” is a disambiguation page: import one of the articles it lists{hint}"
        )
    text = to_article(page.title, code, url=page.url or None, revision=page.revision)
    try:
        article = parse_article(text, f"{slug(page.title)}.txt")
    except ArticleError as exc:  # a conversion bug, not the reader's fault: still one line
        raise ImportFailed(f"“{page.title}” could not be converted ({exc.reason})") from None
    if not article.blocks and not article.infobox:
        raise ImportFailed(f"“{page.title}” has no text to answer from")
    return Imported(text, article, page)


async def import_page(
    title_or_url: str, *, lang: str | None = None, api: str, contact: str | None = None
) -> Imported:
    """Fetch and convert one article. `api` is the `NORFOLK_WIKI_API` template."""
    title, language = page_title(title_or_url, lang)
    page = await fetch_page(title, api=api_url(api, language), contact=contact)
    return await asyncio.to_thread(convert, page)  # parsing a long page takes a moment


def write_article(imported: Imported, seeds: Path) -> tuple[Path, bool]:
    """Write the article to `seeds/<slug>.txt`; returns (path, whether it replaced an older
    import of the same article). Refuses to overwrite or duplicate another article."""
    if not seeds.is_dir():
        raise ImportFailed(f"the seeds folder {seeds} does not exist")
    title = imported.article.title
    path = seeds / imported.file_name
    existing = read_folder(seeds)
    for article in existing.articles:
        same_file = Path(article.source).name == path.name
        if same_file and article.title.casefold() != title.casefold():
            raise ImportFailed(f"{path.name} already holds another article, “{article.title}”")
        if not same_file and article.title.casefold() == title.casefold():
            raise ImportFailed(
                f"{Path(article.source).name} already has the title “{article.title}”: "
                "remove that file first to import it again"
            )
    replaced = path.exists()
    if replaced and path.name not in {Path(a.source).name for a in existing.articles}:
        raise ImportFailed(f"{path.name} already exists and is not a readable article")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part", dir=seeds)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(imported.text)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise ImportFailed(f"could not write {path}: {exc.strerror or exc}") from None
    return path, replaced
