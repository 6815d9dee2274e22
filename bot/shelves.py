"""Per-server shelves: which of the library's articles each server answers from.

The bot keeps one `Library` — the host's shared `seeds/` articles first, then every article
a server's admins added with `/library add` — and a `Catalog` saying, per server, which of
them count: the server's own articles plus the shared ones it uses (all of them unless
`/library use` narrowed that; a server's own article hides a shared one of the same
title). DMs answer from the shared articles. Retrieval filters by shelf inside the one
index (`Library.shelf`), so no server's articles are copied, and none is ever cited in
another server.

A catalog is immutable: adding or removing an article builds a new library off the event
loop, and the bot swaps the new catalog in whole, as `/reload` does.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.store import Store, StoredArticle
from knowledge import Article, ArticleError, Library, Shelf, parse_article

log = logging.getLogger("norfolk.shelves")

MAX_ARTICLE_BYTES = 512 * 1024
"""The largest article a server may add (Wikipedia's longest articles convert to ~300 KiB)."""
MAX_SERVER_ARTICLES = 25
"""Articles one server may add (Discord lists 25 choices in an autocomplete)."""
SHELVES_KEPT = 256
"""Distinct shelves kept built (a byte per fact each); others are rebuilt when asked for."""


@dataclass(frozen=True)
class ServerArticle:
    """An article one server added, with the text it was parsed from (what is stored)."""

    guild_id: int
    article: Article
    text: str
    added_by: int | None = None

    def stored(self) -> StoredArticle:
        return StoredArticle(
            self.guild_id, self.article.title, self.article.source, self.text, self.added_by
        )


def folded(title: str) -> str:
    """How titles are compared: case and spacing do not matter."""
    return " ".join(title.split()).casefold()


class Catalog:
    """The library and, per server, its shelf. `library.articles[:seeds]` are the host's;
    after them come `server`'s articles, in order."""

    def __init__(
        self,
        library: Library,
        *,
        server: Sequence[ServerArticle] = (),
        uses: Mapping[int, Sequence[str]] | None = None,
        shared: Sequence[str] = (),
    ) -> None:
        self.library = library
        self.server = tuple(server)
        # a stand-in library in tests may have no articles attribute
        self.seeds = len(getattr(library, "articles", ())) - len(self.server)
        self.uses = {guild: tuple(titles) for guild, titles in (uses or {}).items()}
        self.shared_names = tuple(shared)
        self._shelves: OrderedDict[frozenset[int], Shelf] = OrderedDict()
        self._positions: dict[int | None, frozenset[int]] = {}  # a catalog never changes

    # -- what each server sees ----------------------------------------------------------------

    def host_articles(self) -> tuple[Article, ...]:
        return tuple(self.library.articles[: self.seeds])

    def shared(self) -> list[int]:
        """Positions of the host's articles offered to every server (`NORFOLK_SHARED`)."""
        if not self.shared_names:
            return list(range(self.seeds))
        names = {folded(n) for n in self.shared_names}
        return [
            i
            for i, a in enumerate(self.host_articles())
            if folded(a.title) in names or folded(Path(a.source).stem) in names
        ]

    def own(self, guild_id: int | None) -> list[ServerArticle]:
        """The articles this server added, oldest first."""
        return [s for s in self.server if s.guild_id == guild_id]

    def used(self, guild_id: int | None) -> list[int]:
        """Positions of the shared articles this server answers from."""
        shared = self.shared()
        if guild_id is None:
            return shared
        hidden = {folded(s.article.title) for s in self.own(guild_id)}
        chosen = self.uses.get(guild_id)
        wanted = None if chosen is None else {folded(t) for t in chosen}
        articles = self.library.articles
        return [
            i
            for i in shared
            if folded(articles[i].title) not in hidden
            and (wanted is None or folded(articles[i].title) in wanted)
        ]

    def positions(self, guild_id: int | None) -> frozenset[int]:
        """Every article position on this server's shelf (None: a DM, the shared ones);
        worked out once per server, as every question asks it."""
        found = self._positions.get(guild_id)
        if found is None:
            own = [self.seeds + n for n, s in enumerate(self.server) if s.guild_id == guild_id]
            found = frozenset(self.used(guild_id) + (own if guild_id is not None else []))
            self._positions[guild_id] = found
        return found

    def shelf(self, guild_id: int | None) -> Library | Shelf:
        """What a server (or a DM, None) answers from: the whole library when its shelf
        holds every article, else a `Shelf` of it (built once per distinct shelf)."""
        if not self.server and not self.uses and not self.shared_names:
            return self.library  # nothing was added or narrowed: every shelf is everything
        positions = self.positions(guild_id)
        if len(positions) == len(self.library.articles):
            return self.library
        shelf = self._shelves.get(positions)
        if shelf is None:
            shelf = self._shelves[positions] = self.library.shelf(positions)
            while len(self._shelves) > SHELVES_KEPT:
                self._shelves.popitem(last=False)
        else:
            self._shelves.move_to_end(positions)
        return shelf

    def server_articles(self) -> tuple[Article, ...]:
        return tuple(s.article for s in self.server)

    # -- changes: each returns a new catalog ------------------------------------------------

    def replaced(self, library: Library) -> Catalog:
        """The same servers' articles and choices over a reloaded library (its host articles
        first, then `server_articles()`, as `bot.reload.load_replacement` builds it)."""
        return Catalog(library, server=self.server, uses=self.uses, shared=self.shared_names)

    def _rebuilt(self, server: Sequence[ServerArticle]) -> Catalog:
        """A new library of the host's articles and these server articles (slow: embeds any
        new facts; run it off the event loop)."""
        articles = [*self.host_articles(), *(s.article for s in server)]
        library = Library(articles, **self.library.options())
        return Catalog(library, server=server, uses=self.uses, shared=self.shared_names)

    def with_article(self, added: ServerArticle) -> Catalog:
        """With a server's article added, or replacing its article of the same title."""
        title = folded(added.article.title)
        kept = [
            s
            for s in self.server
            if not (s.guild_id == added.guild_id and folded(s.article.title) == title)
        ]
        return self._rebuilt([*kept, added])

    def without_article(self, guild_id: int, title: str) -> Catalog:
        """With that server's article of this title removed."""
        kept = [
            s
            for s in self.server
            if not (s.guild_id == guild_id and folded(s.article.title) == folded(title))
        ]
        return self._rebuilt(kept)

    def with_uses(self, guild_id: int, titles: Sequence[str] | None) -> Catalog:
        """With the shared articles this server uses set (None: all, the default)."""
        uses = dict(self.uses)
        if titles is None:
            uses.pop(guild_id, None)
        else:
            uses[guild_id] = tuple(titles)
        return Catalog(self.library, server=self.server, uses=uses, shared=self.shared_names)


def stored_articles(store: Store | None) -> tuple[list[ServerArticle], dict[int, tuple[str, ...]]]:
    """The servers' articles and shelf choices kept in the store (an article that no longer
    parses is logged and left out; an unreadable store gives none)."""
    if store is None or not store.available:
        return [], {}
    rows = store.articles() or []
    articles = []
    for row in rows:
        try:
            article = parse_article(row.text, row.source)
        except ArticleError as exc:
            log.error(
                "server %s's article %r no longer parses, left out: %s",
                row.guild_id,
                row.title,
                exc,
            )
            continue
        articles.append(ServerArticle(row.guild_id, article, row.text, row.added_by))
    return articles, store.shelf_choices() or {}


def load_catalog(library: Library, store: Store | None, shared: Sequence[str] = ()) -> Catalog:
    """The catalog at start-up for a library of the host's articles alone: plus what servers
    added (rebuilt with their articles only when there are some)."""
    server, uses = stored_articles(store)
    if server:  # slow: embeds any new facts; run it off the event loop
        articles = [*library.articles, *(s.article for s in server)]
        library = Library(articles, **library.options())
    return catalog_of(library, server, uses, shared)


def catalog_of(
    library: Library,
    server: Sequence[ServerArticle],
    uses: Mapping[int, Sequence[str]],
    shared: Sequence[str] = (),
) -> Catalog:
    """The catalog over a library already holding the host's articles, then `server`'s;
    says which `NORFOLK_SHARED` names match no host article, and what servers added."""
    catalog = Catalog(library, server=server, uses=uses, shared=shared)
    offered = {folded(a.title) for a in catalog.host_articles()} | {
        folded(Path(a.source).stem) for a in catalog.host_articles()
    }
    for name in shared:
        if folded(name) not in offered:
            log.warning("NORFOLK_SHARED names %r, which is no article in the seeds folder", name)
    if server:
        log.info(
            "loaded %d article(s) added by %d server(s)",
            len(server),
            len({s.guild_id for s in server}),
        )
    return catalog
