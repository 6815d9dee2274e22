"""The knowledge facade front ends use: load articles, ask questions, browse facts.

A `Library` is every loaded article in one index. A `Shelf` is some of them — one server's
articles — answered from inside that same index: `Library.ask(question, shelf=…)` lets only
the shelf's facts become candidates, so one index serves many servers without a copy each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.answer import Answer, Citation
from knowledge.answerer import Answerer
from knowledge.article import Article, ArticleError, load_article
from knowledge.candidate import Retriever
from knowledge.encoder import Encoder, Progress, load_encoder
from knowledge.index import Fact, FactIndex, build_index
from knowledge.lexical import LexicalRetriever
from knowledge.links import section_url
from knowledge.ranker import load_ranker
from knowledge.reader import ExtractiveReader, load_span_model
from knowledge.semantic import DenseIndex, EmbeddingCache, SemanticRetriever
from knowledge.settings import Settings

ARTICLE_SUFFIXES = (".txt",)


@dataclass(frozen=True)
class LoadWarning:
    """A file that was read but not used (e.g. a second article with the same title)."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True)
class LoadReport:
    """What loading a folder produced: the library, the files that failed, and warnings."""

    library: Library
    errors: tuple[ArticleError, ...]
    warnings: tuple[LoadWarning, ...] = ()


@dataclass(frozen=True)
class FolderReport:
    """What reading a folder produced, before any index is built: the articles that parsed
    (one per title), the files that failed, and warnings."""

    articles: tuple[Article, ...]
    errors: tuple[ArticleError, ...]
    warnings: tuple[LoadWarning, ...] = ()


class _Default:
    """Marks "the process-wide encoder named by the settings" (see `shared_encoder`)."""


DEFAULT_ENCODER = _Default()


@lru_cache(maxsize=4)
def shared_encoder(name: str) -> Encoder | None:
    """One encoder per process and name: loading a model is done once, then shared."""
    return load_encoder(name)


class Articles:
    """Browsing what a set of articles says (facts, sections), shared by `Library` and
    `Shelf`: each has its `articles` and the `facts` it answers from."""

    articles: tuple[Article, ...]

    def facts(self) -> Iterator[Fact]:
        """The searchable facts of these articles."""
        raise NotImplementedError

    def fact_counts(self) -> dict[str, int]:
        """How many searchable facts (fields and sentences) each article contributes."""
        counts = dict.fromkeys((a.title for a in self.articles), 0)
        for fact in self.facts():
            counts[fact.article] += 1
        return counts

    def infobox_fields(self) -> list[tuple[str, str, str]]:
        """Every infobox field as (article title, key, value)."""
        return [(a.title, f.key, f.value) for a in self.articles for f in a.infobox]

    def fact(self, key: str) -> Answer:
        """One infobox value by key (case-insensitive; fuzzy when not exact)."""
        fields = self.infobox_fields()
        question = f"{key}?"
        if not fields or not key.strip():
            return Answer(question, None)
        choices = [key for _, key, _ in fields]
        match = process.extractOne(key.strip(), choices, scorer=fuzz.WRatio, score_cutoff=70)
        if match is None:
            return Answer(question, None)
        title, k, value = fields[match[2]]
        return self.linked(
            Answer(question, value, (Citation(title, "Infobox", f"{k}: {value}"),), 1.0)
        )

    def section_names(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every section as (article title, heading path)."""
        return [(a.title, path) for a in self.articles for path in a.sections]

    def section_text(self, title: str, path: tuple[str, ...]) -> str:
        """The text of one section of one article ('' when unknown)."""
        article = self.article(title)
        return article.section_text(path) if article is not None else ""

    def article(self, title: str) -> Article | None:
        """The article with this title (the first, should two share it), or None."""
        return next((a for a in self.articles if a.title == title), None)

    @cached_property
    def _sources(self) -> dict[str, Article]:
        """Title → the article with a `Source:` line (the first, should two share a title)."""
        return {a.title: a for a in reversed(self.articles) if a.url}

    def linked(self, answer: Answer) -> Answer:
        """The answer with each citation linked to its article's source page at the cited
        section, for articles with a `Source:` line."""
        sources = self._sources
        if not sources:
            return answer

        def link(c: Citation) -> Citation:
            article = sources.get(c.article)
            return replace(c, url=section_url(article, c.section)) if article else c

        return replace(
            answer,
            citations=tuple(link(c) for c in answer.citations),
            also=link(answer.also) if answer.also is not None else None,
        )


class Library(Articles):
    """Articles, their fact index and embeddings, and the answerer over them; immutable,
    so a reload swaps a whole new one in.

    `encoder` defaults to the process-wide one the settings name; pass None for the
    lexical channel alone, or a stand-in in tests. `cache_dir` keeps fact embeddings
    across restarts; `progress` is told (done, total) while facts are encoded.
    """

    def __init__(
        self,
        articles: Iterable[Article],
        *,
        settings: Settings | None = None,
        encoder: Encoder | _Default | None = DEFAULT_ENCODER,
        cache_dir: Path | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.articles: tuple[Article, ...] = tuple(articles)
        self.index: FactIndex = build_index(self.articles)
        if isinstance(encoder, _Default):
            encoder = shared_encoder(self.settings.encoder)
        self.encoder = encoder
        self.cache = EmbeddingCache(cache_dir)
        retrievers: list[Retriever] = [LexicalRetriever()]
        if encoder is not None and self.index.facts:
            dense = DenseIndex.build(encoder, self.index.facts, self.cache, progress)
            retrievers.append(SemanticRetriever(dense))
        self.channels = tuple(r.channel for r in retrievers)
        self.answerer = Answerer(
            self.index,
            retrievers,
            load_ranker(self.channels),
            ExtractiveReader(load_span_model(), self.settings.span_min_probability),
            self.settings,
        )

    def options(self) -> dict[str, Any]:
        """What this library was built with, to build its replacement the same way."""
        return {"settings": self.settings, "encoder": self.encoder, "cache_dir": self.cache.folder}

    @classmethod
    def from_dir(cls, folder: str | Path, *, strict: bool = True, **options: Any) -> Library:
        """Load every `*.txt` article in a folder; `strict` raises on the first bad file.

        `options` are the constructor's (settings, encoder, cache_dir, progress)."""
        report = load_folder(folder, **options)
        if strict and report.errors:
            raise report.errors[0]
        return report.library

    def ask(
        self, question: str, *, max_citations: int | None = None, shelf: Shelf | None = None
    ) -> Answer:
        """Answer a question from the loaded articles, or abstain (with near misses).

        With a `shelf` (`Library.shelf`), only its articles' facts may become candidates,
        so nothing outside it is ever cited."""
        if shelf is not None and shelf.library is not self:
            raise ValueError("that shelf belongs to another library")
        allowed = None if shelf is None else shelf.allowed
        answer = self.answerer.answer(question, max_citations, allowed)
        return (shelf or self).linked(answer)

    def shelf(self, positions: Iterable[int]) -> Shelf:
        """Some of the articles (by position in `articles`), answered inside this index."""
        return Shelf(self, positions)

    def facts(self) -> Iterator[Fact]:
        return iter(self.index.facts)


class Shelf(Articles):
    """Some of a library's articles (one server's), answered from inside the library's one
    index; build it with `Library.shelf`. Immutable, like the library."""

    def __init__(self, library: Library, positions: Iterable[int]) -> None:
        keep = sorted({p for p in positions if 0 <= p < len(library.articles)})
        self.library = library
        self.positions: tuple[int, ...] = tuple(keep)
        self.articles = tuple(library.articles[p] for p in keep)
        self.allowed: np.ndarray = np.isin(library.index.doc_of, keep)
        """Per fact of the library's index: whether this shelf answers from it."""

    def facts(self) -> Iterator[Fact]:
        return (f for f in self.library.index.facts if self.allowed[f.id])

    def ask(self, question: str, *, max_citations: int | None = None) -> Answer:
        """Answer from this shelf's articles only, or abstain."""
        return self.library.ask(question, max_citations=max_citations, shelf=self)


def read_folder(folder: str | Path) -> FolderReport:
    """Parse every article in a folder, keeping the good ones (one per title) and collecting
    the errors; no index is built."""
    folder = Path(folder)
    if not folder.is_dir():
        return FolderReport((), (ArticleError(str(folder), 0, "no such folder of articles"),))
    articles: list[Article] = []
    errors: list[ArticleError] = []
    warnings: list[LoadWarning] = []
    by_title: dict[str, Article] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in ARTICLE_SUFFIXES or not path.is_file():
            continue
        try:
            article = load_article(path)
        except ArticleError as exc:
            errors.append(exc)
            continue
        kept = by_title.setdefault(article.title.casefold(), article)
        if kept is not article:  # two "Jaws (film)" would read as one article, twice
            kept_name = Path(kept.source).name
            reason = (
                f"same title “{kept.title}” as {kept_name}: skipped this file, kept "
                f"{kept_name} (give one of them another title to use both)"
            )
            warnings.append(LoadWarning(str(path), reason))
            continue
        articles.append(article)
    return FolderReport(tuple(articles), tuple(errors), tuple(warnings))


def load_folder(folder: str | Path, **options: Any) -> LoadReport:
    """Parse every article in a folder, keeping the good ones and collecting the errors.

    `options` go to the `Library` (settings, encoder, cache_dir, progress)."""
    found = read_folder(folder)
    return LoadReport(Library(found.articles, **options), found.errors, found.warnings)
