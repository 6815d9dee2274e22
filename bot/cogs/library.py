"""`/library add|list|remove|use`: a server's admins choose what the server answers from.

* `add file:` takes a `.txt` article (UTF-8, at most `MAX_ARTICLE_BYTES`), parsed before it
  is accepted; `add title:` imports a Wikipedia article when the host allows it
  (`NORFOLK_ALLOW_IMPORT`). Adding a title the server already has replaces it.
* `remove article:` takes one of the server's own articles off its shelf.
* `use articles:` picks which of the host's shared articles count here (`all`, `none`, or
  titles separated by commas).
* `list` shows the shelf.

Only the bot's owner and members with Manage Server may use them, in a server that
installed the bot. Every change is stored (`bot/store.py`) and swapped in whole through
`bot/shelves.py`; a malformed upload or a failed import says why and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from rapidfuzz import fuzz, process

from bot.cogs.admin import may_reload
from bot.reload import describe_error
from bot.replies import NO_MENTIONS
from bot.safety import escape_text, truncate
from bot.shelves import (
    MAX_ARTICLE_BYTES,
    MAX_SERVER_ARTICLES,
    Catalog,
    ServerArticle,
    folded,
)
from knowledge import Article, ArticleError, read_article

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.store import Store

log = logging.getLogger("norfolk.library")

CONTENT_LIMIT = 2000
MAX_CHOICES = 25
CHOICE_CHARS = 100
REFUSAL = (
    "Sorry, only the bot's owner or members with the Manage Server permission can change "
    "this server's shelf."
)
NOT_IN_A_SERVER = "Shelves belong to servers: use `/library` in a server that installed Norfolk."
GIVE_ONE = (
    "Attach a `.txt` article with `file:`, or give a Wikipedia article with `title:` "
    "(one of the two)."
)
IMPORT_OFF = (
    "Importing from Wikipedia is turned off on this bot (its host can turn it on with "
    "`NORFOLK_ALLOW_IMPORT`). Attach a `.txt` article with `file:` instead."
)
STORE_DOWN = (
    "The bot's database is unavailable, so the change could not be kept; nothing was changed."
)
FAILED = "Something went wrong while rebuilding the index; nothing was changed."
HOW_TO_CHANGE = "Change it with `/library add`, `/library remove` and `/library use`."


class Refused(Exception):
    """A request that cannot be done; the message says why (shown as it is)."""


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB"


def _titles(titles: list[str]) -> str:
    return ", ".join(f"“{t}”" for t in titles) or "none"


@app_commands.default_permissions(manage_guild=True)
@app_commands.allowed_installs(guilds=True, users=False)
@app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
class LibraryCog(
    commands.GroupCog,
    group_name="library",
    group_description="Choose the articles this server answers from (admins)",
):
    """The `/library` commands; every reply is ephemeral."""

    def __init__(self, bot: NorfolkBot) -> None:
        self.bot = bot
        super().__init__()

    # -- commands -----------------------------------------------------------------------------

    @app_commands.command(name="add", description="Add an article: attach a .txt, or a title")
    @app_commands.describe(
        file="An article in Norfolk's text format (.txt, UTF-8)",
        title="A Wikipedia article's title or address (when the host allows importing)",
        lang="Wikipedia's language for the title, e.g. en or fr (default en)",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        title: str | None = None,
        lang: str | None = None,
    ) -> None:
        """Check, then read or import off the event loop, then rebuild and store."""
        title = " ".join((title or "").split()) or None
        try:
            await self._check(interaction)
            if (file is None) == (title is None):
                raise Refused(GIVE_ONE)
            if title is not None and not self.bot.config.allow_import:
                raise Refused(IMPORT_OFF)
            if file is not None:
                _check_upload(file)
        except Refused as refused:
            await self._say(interaction, str(refused))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            if file is not None:
                text, article = await self._read(file)
            else:
                text, article = await self._import(title or "", lang)
            message = await self._add(interaction, article, text)
        except Refused as refused:
            message = str(refused)
        await self._edit(interaction, message)

    @app_commands.command(name="list", description="Show the articles this server answers from")
    async def list_(self, interaction: discord.Interaction) -> None:
        if not await self._allowed(interaction):
            return
        await self._say(interaction, shelf_text(self.bot.catalog, interaction.guild_id))

    @app_commands.command(name="remove", description="Remove an article this server added")
    @app_commands.describe(article="The title of an article added here")
    async def remove(self, interaction: discord.Interaction, article: str) -> None:
        if not await self._allowed(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = interaction.guild_id or 0
        title = " ".join(article.split())

        def work(catalog: Catalog) -> tuple[Catalog, Callable[[Store], bool], str]:
            own = [s.article.title for s in catalog.own(guild_id)]
            found = next((t for t in own if folded(t) == folded(title)), None)
            if found is None:
                raise Refused(
                    f"No article called “{title}” was added on this server. "
                    f"Added here: {_titles(own)}."
                )
            return (
                catalog.without_article(guild_id, found),
                lambda store: store.delete_article(guild_id, found),
                f"Removed “{found}” from this server's shelf.",
            )

        await self._edit(interaction, await self._change(work))

    @app_commands.command(name="use", description="Choose which shared articles count here")
    @app_commands.describe(articles="Shared articles' titles separated by commas, or all, or none")
    async def use(self, interaction: discord.Interaction, articles: str) -> None:
        if not await self._allowed(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = interaction.guild_id or 0

        def work(catalog: Catalog) -> tuple[Catalog, Callable[[Store], bool], str]:
            shared = [catalog.library.articles[i].title for i in catalog.shared()]
            chosen = pick_shared(articles, shared)
            if chosen is None:
                message = f"This server now uses every shared article: {_titles(shared)}."
            elif not chosen:
                message = (
                    "This server now uses none of the shared articles: it answers from the "
                    "articles it added only."
                )
            else:
                message = f"This server now uses {_titles(chosen)} of the shared articles."
            return (
                catalog.with_uses(guild_id, chosen),
                lambda store: store.save_shelf_choice(guild_id, chosen),
                message,
            )

        await self._edit(interaction, await self._change(work, rebuild=False))

    @remove.autocomplete("article")
    async def remove_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        own = [s.article.title for s in self.bot.catalog.own(interaction.guild_id)]
        return _choices(_matching(own, current))

    @use.autocomplete("articles")
    async def use_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Completes the last title of the comma-separated list."""
        catalog = self.bot.catalog
        shared = [catalog.library.articles[i].title for i in catalog.shared()]
        done, _, typing = current.rpartition(",")
        taken = {folded(t) for t in done.split(",")}
        prefix = f"{done.strip()}, " if done.strip() else ""
        options = [t for t in shared if folded(t) not in taken]
        values = [prefix + t for t in _matching(options, typing)]
        if not done.strip():
            values += [v for v in ("all", "none") if v.startswith(typing.strip().casefold())]
        return _choices(values)

    # -- the steps ------------------------------------------------------------------------------

    async def _allowed(self, interaction: discord.Interaction) -> bool:
        """Whether this user may change this server's shelf; if not, says why."""
        try:
            await self._check(interaction)
        except Refused as refused:
            await self._say(interaction, str(refused))
            return False
        return True

    async def _check(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            raise Refused(NOT_IN_A_SERVER)
        if not await may_reload(self.bot, interaction):
            log.info("refused /library from user %s", interaction.user.id)
            raise Refused(REFUSAL)

    async def _read(self, file: discord.Attachment) -> tuple[str, Article]:
        """Download and parse an upload; parse errors name the file and line."""
        name = Path(file.filename).name
        try:
            data = await file.read()
        except discord.HTTPException:
            raise Refused(f"Could not download “{name}” from Discord; try again.") from None
        if len(data) > MAX_ARTICLE_BYTES:
            raise Refused(f"“{name}” is {_kib(len(data))}; the limit is {_kib(MAX_ARTICLE_BYTES)}.")
        try:
            return await asyncio.to_thread(read_article, data, name)
        except ArticleError as error:
            raise Refused(
                f"Could not add {describe_error(error)}. Fix the file and attach it again; "
                "nothing was changed."
            ) from None

    async def _import(self, title: str, lang: str | None) -> tuple[str, Article]:
        from bot.importer import import_page
        from bot.wiki import LANG_RE, ImportFailed

        if lang is not None and not LANG_RE.match(lang.strip()):
            raise Refused(f"“{lang}” is not a Wikipedia language code (such as en or fr).")
        config = self.bot.config
        try:
            imported = await import_page(
                title, lang=lang and lang.strip(), api=config.wiki_api, contact=config.contact
            )
        except ImportFailed as failed:
            raise Refused(f"Could not import: {failed}. Nothing was changed.") from None
        size = len(imported.text.encode("utf-8"))
        if size > MAX_ARTICLE_BYTES:
            raise Refused(
                f"“{imported.article.title}” converts to {_kib(size)}; the limit is "
                f"{_kib(MAX_ARTICLE_BYTES)}. Nothing was changed."
            )
        return imported.text, imported.article

    async def _add(self, interaction: discord.Interaction, article: Article, text: str) -> str:
        guild_id = interaction.guild_id or 0
        added = ServerArticle(guild_id, article, text, interaction.user.id)

        def work(catalog: Catalog) -> tuple[Catalog, Callable[[Store], bool], str]:
            own = catalog.own(guild_id)
            replacing = any(folded(s.article.title) == folded(article.title) for s in own)
            if not replacing and len(own) >= MAX_SERVER_ARTICLES:
                raise Refused(
                    f"This server already has {len(own)} articles, the most it may add: "
                    "remove one with `/library remove` first. Nothing was changed."
                )
            shared = {folded(catalog.library.articles[i].title) for i in catalog.shared()}
            hides = folded(article.title) in shared
            verb = "Updated" if replacing else "Added"
            message = (
                f"{verb} “{article.title}” on this server's shelf: {len(article.sections)} "
                f"sections, {len(article.infobox)} infobox facts."
                + (" It takes the place of the shared article of the same title." if hides else "")
                + " Ask away with `/ask`."
            )
            return (
                catalog.with_article(added),
                lambda store: store.save_article(added.stored()),
                message,
            )

        return await self._change(work)

    async def _change(
        self,
        work: Callable[[Catalog], tuple[Catalog, Callable[[Store], bool], str]],
        *,
        rebuild: bool = True,
    ) -> str:
        """Build the new catalog (off the event loop when it rebuilds the index), store the
        change, then swap the catalog in; under the lock `/reload` takes too."""
        async with self.bot.catalog_lock:
            try:
                if rebuild:
                    new, save, message = await asyncio.to_thread(work, self.bot.catalog)
                else:
                    new, save, message = work(self.bot.catalog)
            except Refused as refused:
                return str(refused)
            except Exception:
                log.exception("rebuilding the library failed; nothing changed")
                return FAILED
            store = self.bot.store
            if store is None or not store.available or not await asyncio.to_thread(save, store):
                return STORE_DOWN
            self.bot.catalog = new
            log.info("shelf change: %s", message)
            return message

    async def _say(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(
            _content(text), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def _edit(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.edit_original_response(
            content=_content(text), allowed_mentions=NO_MENTIONS
        )


def _content(text: str) -> str:
    """Replies quote titles and article lines: show them literally, never as markdown or
    pings (the command names in backticks stay code)."""
    parts = text.split("`")
    safe = [escape_text(p) if n % 2 == 0 else p for n, p in enumerate(parts)]
    return truncate("`".join(safe), CONTENT_LIMIT)


def _check_upload(file: discord.Attachment) -> None:
    name = Path(file.filename).name
    if not name.lower().endswith(".txt"):
        raise Refused(
            f"“{name}” is not a .txt file: attach an article in Norfolk's text format "
            "(a `= Title =` line, then its text; see “Add your book” in the README)."
        )
    if file.size > MAX_ARTICLE_BYTES:
        raise Refused(f"“{name}” is {_kib(file.size)}; the limit is {_kib(MAX_ARTICLE_BYTES)}.")


def pick_shared(raw: str, shared: list[str]) -> list[str] | None:
    """The shared titles `raw` names (None for "all", [] for "none"); raises `Refused`
    naming what it could not match, so nothing changes."""
    wanted = [" ".join(part.split()) for part in raw.split(",") if part.strip()]
    if not wanted or [w.casefold() for w in wanted] == ["all"]:
        return None
    if [w.casefold() for w in wanted] == ["none"]:
        return []
    chosen: list[str] = []
    for name in wanted:
        exact = next((t for t in shared if folded(t) == folded(name)), None)
        match = exact or _close(name, shared)
        if match is None:
            raise Refused(
                f"“{name}” is not one of the shared articles: {_titles(shared)}. "
                "Nothing was changed."
            )
        if match not in chosen:
            chosen.append(match)
    return chosen


def _close(name: str, titles: list[str]) -> str | None:
    found = process.extractOne(name, titles, scorer=fuzz.WRatio, score_cutoff=88)
    return found[0] if found else None


def _matching(titles: list[str], current: str) -> list[str]:
    current = current.strip()
    if not current:
        return titles[:MAX_CHOICES]
    found = process.extract(current, titles, scorer=fuzz.WRatio, limit=MAX_CHOICES, score_cutoff=45)
    return [title for title, _, _ in found]


def _choices(values: list[str]) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=v, value=v) for v in values[:MAX_CHOICES] if len(v) <= CHOICE_CHARS
    ]


def shelf_text(catalog: Catalog, guild_id: int | None) -> str:
    """What `/library list` shows: the server's own articles, then the shared ones."""
    own = catalog.own(guild_id)
    used = set(catalog.used(guild_id))
    articles = catalog.library.articles
    shared = catalog.shared()
    total = len(own) + len(used)
    lines = [f"This server's shelf: {total} article{'s' if total != 1 else ''}."]
    if own:
        lines.append(f"Added here ({len(own)} of at most {MAX_SERVER_ARTICLES}):")
        for item in own:
            a = item.article
            where = f" — from {_host(a.url)}" if a.url else ""
            revision = f", revision {a.revision}" if a.revision else ""
            lines.append(f"• {a.title}{where}{revision}")
    if shared:
        lines.append("Shared by the bot's host:")
        mine = {folded(item.article.title) for item in own}
        for i in shared:
            title = articles[i].title
            mark = "" if i in used else " (not used here)"
            if folded(title) in mine:
                mark = " (this server's own article of that title is used instead)"
            lines.append(f"• {title}{mark}")
    if not own and not shared:
        lines.append("Nothing yet: add an article with `/library add`.")
    lines.append(HOW_TO_CHANGE)
    return "\n".join(lines)


def _host(url: str | None) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url or "").hostname or "its source"
