"""The Discord client: `create_bot` builds a bot; `run_discord` runs it until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Config
from bot.conversations import Conversations, Reading, turn_of
from bot.embeds import answer_embed
from bot.reload import ReloadResult, load_replacement
from bot.replies import NO_MENTIONS
from bot.safety import Cooldown
from bot.service import AnswerService, Ticket
from bot.shelves import Catalog, catalog_of, load_catalog, stored_articles
from bot.store import Store
from bot.views import DYNAMIC_ITEMS, answer_view, handle_failure
from bot.workers import make_workers
from knowledge import Answer, Article, Library, Shelf, read_folder

log = logging.getLogger("norfolk.client")

RECENT_QUESTIONS = 2048
"""Question texts kept in memory for "More sources" when the store cannot provide them."""

LOOKUP_TIMEOUT = 10.0
"""Seconds a question's lookup may take (once a worker has it) before the user gets an
apology instead of an answer."""

SHUTDOWN_GRACE = 10.0
"""Seconds to let the gateway connection wind down after `close()` before cancelling it."""

TOKEN_REJECTED = (
    "DISCORD_TOKEN was rejected by Discord: check the token in .env / the environment "
    "(Developer Portal → Bot → Reset Token)"
)
INTENTS_REFUSED = (
    "Discord refused the gateway intents this bot asked for: enable them in the Developer "
    "Portal → Bot → Privileged Gateway Intents, or run a build that does not request them"
)
TOKEN_MISSING = "DISCORD_TOKEN is not set: put it in .env or the environment (see .env.example)"
CANNOT_REACH = (
    "Could not reach Discord (discord.com): check this machine's internet connection, DNS "
    "and any firewall or proxy, then start the bot again (the token was not checked yet)"
)
CONNECTION_LOST = (
    "Lost the connection to Discord and could not get it back: check this machine's "
    "internet connection, DNS and any firewall or proxy, then start the bot again"
)


def bot_intents() -> discord.Intents:
    """Default intents and no privileged ones: DMs and @mentions still carry message content."""
    intents = discord.Intents.default()
    intents.message_content = False
    intents.members = False
    intents.presences = False
    return intents


class NorfolkTree(app_commands.CommandTree):
    """Command tree whose error handler logs the failure and always answers the user.

    Discord refusing a response because the interaction expired (10062) or was already
    acknowledged (40060) is expected under load: counted for the overload summary, with no
    traceback and no apology (Discord would refuse that too).
    """

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        original = getattr(error, "original", error)
        await handle_failure(interaction, original, f"command /{command} failed")


class NorfolkBot(commands.Bot):
    """The Norfolk bot: slash commands in cogs, DM/mention answers, restart-safe buttons.

    Build it with `create_bot`. The library is loaded in `setup_hook` (from `config.seeds`)
    unless one is passed in; the store is optional (None: nothing is recorded). Questions
    are answered by `service` (a bounded queue in front of worker processes or threads).
    """

    def __init__(
        self,
        config: Config,
        *,
        library: Library | None = None,
        store: Store | None = None,
        **client_kwargs: Any,
    ) -> None:
        options: dict[str, Any] = {
            "command_prefix": commands.when_mentioned,  # unused: no prefix commands are added
            "help_command": None,
            "intents": bot_intents(),
            "allowed_mentions": NO_MENTIONS,
            "tree_cls": NorfolkTree,
        }
        options.update(client_kwargs)
        super().__init__(**options)
        self.config = config
        given = library if library is not None else Library(())
        self.catalog = Catalog(given, shared=config.shared)
        """The library and each server's shelf of it (`bot/shelves.py`), swapped in whole."""
        self._library_given = library is not None
        self.store: Store | None = store
        self.cooldown = Cooldown(config.cooldown_rate, config.cooldown_per)
        self._recent: OrderedDict[int, str] = OrderedDict()
        self.catalog_lock = asyncio.Lock()
        """Held while the catalog is rebuilt (/reload, /library), so changes never race."""
        self.conversations: Conversations[tuple[int, int | None]] = Conversations(
            ttl=config.followup_seconds, max_question_chars=config.max_question_chars
        )
        self.service = AnswerService(
            make_workers(config.worker_kind, config.worker_count()),
            lambda: self.library,
            queue_size=config.queue_size,
            timeout=LOOKUP_TIMEOUT,
        )

    @property
    def lookup_timeout(self) -> float:
        """Seconds one lookup may take once a worker has it (see `LOOKUP_TIMEOUT`)."""
        return self.service.timeout

    @lookup_timeout.setter
    def lookup_timeout(self, seconds: float) -> None:
        self.service.timeout = seconds

    async def login(self, token: str) -> None:
        """Log in with HTTP connections to Discord pooled and capped at
        `config.http_connections` (discord.py's own default opens one per request in flight)."""
        connector = self.http.connector
        if connector is discord.utils.MISSING or connector.closed:
            self.http.connector = aiohttp.TCPConnector(limit=self.config.http_connections)
        await super().login(token)

    async def close(self) -> None:
        """Disconnect from Discord, then stop the answering workers."""
        try:
            await super().close()
        finally:
            await self.service.close()

    async def setup_hook(self) -> None:
        """Load the library once, register buttons and cogs, and sync the slash commands."""
        from bot.cogs.admin import AdminCog
        from bot.cogs.ask import AskCog
        from bot.cogs.browse import BrowseCog
        from bot.cogs.library import LibraryCog
        from bot.cogs.messages import MessagesCog

        if self._library_given:
            self.catalog = await asyncio.to_thread(
                load_catalog, self.library, self.store, self.config.shared
            )
        else:  # the host's and the servers' articles in one library, built once
            self.catalog = await asyncio.to_thread(load_server_catalog, self.config, self.store)
        self._serving = True  # from now on a new catalog's library goes to the workers
        self.service.prepare(self.library)
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        await self.add_cog(AskCog(self))
        await self.add_cog(BrowseCog(self))
        await self.add_cog(MessagesCog(self))
        await self.add_cog(AdminCog(self))
        await self.add_cog(LibraryCog(self))
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Sync to the dev guild (instant) when configured, else globally (up to an hour)."""
        guild_id = self.config.dev_guild_id
        try:
            if guild_id:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d command(s) to dev guild %s", len(synced), guild_id)
            else:
                synced = await self.tree.sync()
                log.info("synced %d global command(s)", len(synced))
        except discord.Forbidden:
            log.error(
                "could not sync commands to guild %s: is the bot in that guild, invited with "
                "the applications.commands scope?",
                guild_id,
            )
        except discord.HTTPException:
            log.exception("could not sync slash commands; existing ones stay as they were")

    async def reload_library(self) -> ReloadResult:
        """Re-read `config.seeds`; swap the library in one assignment only if every file parses.

        Used by `/reload` and SIGHUP. Parsing runs off the event loop; questions keep being
        answered from the old library until the swap, and after a refusal.
        """
        async with self.catalog_lock:  # two reloads at once would race on the swap
            old = self.library
            extra = self.catalog.server_articles()  # servers' articles stay as they are
            try:
                found = await asyncio.to_thread(load_replacement, self.config.seeds, old, extra)
            except Exception:
                log.exception("reload of %s failed; keeping the old articles", self.config.seeds)
                return ReloadResult(False, "Reload failed unexpectedly; the log says why.")
            if found.library is None:
                where = "; ".join(str(e) for e in found.errors) or "no articles"
                log.error("reload refused, old articles kept serving: %s", where)
                return found.result
            self.catalog = self.catalog.replaced(found.library)  # the workers load it too
            for warning in found.warnings:
                log.warning("%s", warning)
            log.info("reload of %s: %s", self.config.seeds, found.result.message)
            return found.result

    @property
    def catalog(self) -> Catalog:
        """Every article and which servers answer from which (see `bot.shelves`)."""
        return self._catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        old = getattr(self, "_catalog", None)
        self._catalog = catalog
        changed = old is None or catalog.library is not old.library  # not a `/library use`
        if changed and getattr(self, "_serving", False):  # the workers load it ahead of use
            self.service.prepare(catalog.library)

    @property
    def library(self) -> Library:
        """Every article: the host's and those servers added (answers go through a shelf)."""
        return self.catalog.library

    @library.setter
    def library(self, library: Library) -> None:
        """A new library on its own: every article in it is shared, nothing server-added."""
        self.catalog = Catalog(library, shared=self.config.shared)

    def shelf_for(self, guild_id: int | None) -> Library | Shelf:
        """What a server (None: a DM) answers and browses from: its shelf of the library."""
        return self.catalog.shelf(guild_id)

    def interaction_shelf(self, interaction: discord.Interaction[Any]) -> Library | Shelf:
        """An interaction's shelf: its server's where Norfolk is installed to the server; the
        shared articles in DMs and for a member's user-installed Norfolk."""
        installed = interaction.guild_id is not None and interaction.is_guild_integration()
        return self.shelf_for(interaction.guild_id if installed else None)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: questions in messages are handled by the messages cog."""

    async def on_ready(self) -> None:
        """Log who we are connected as, so an admin can tell which bot account is running."""
        user = self.user
        log.info("connected as %s (%s) in %d guild(s)", user, user and user.id, len(self.guilds))

    # -- the question pipeline shared by /ask, DMs and mentions ---------------------------

    async def answer_question(
        self,
        question: str,
        *,
        user_id: int | None,
        guild_id: int | None,
        source: str,
        ticket: Ticket | None = None,
        shelf: Callable[[], Library | Shelf] | None = None,
    ) -> tuple[Answer, int | None]:
        """Ask through the service (off the event loop) and record the question; returns its
        row id. `ticket` is the queue place reserved before acknowledging, if any.

        The answer comes from what `shelf()` gives when a worker takes the question (so a
        reload in between reaches it), by default the shelf of the server `guild_id`.
        Raises `Busy` when the question is turned away (the caller says "busy"). A lookup that
        outlives `lookup_timeout` raises `TimeoutError`, which the command and message error
        handlers turn into an apology rather than an endless "thinking…".
        """
        try:
            answer = await self.service.ask(
                question,
                ticket=ticket,
                # read when a worker takes the question: a server's shelf as it is then
                library=shelf or (lambda: self.shelf_for(guild_id)),
            )
        except TimeoutError:
            log.warning("lookup took over %.0f s; apologising instead", self.lookup_timeout)
            raise
        question_id = await self.record_question(
            answer, user_id=user_id, guild_id=guild_id, source=source
        )
        return answer, question_id

    async def record_question(
        self, answer: Answer, *, user_id: int | None, guild_id: int | None, source: str
    ) -> int | None:
        """Store a question (answered or not) so feedback and `top_unanswered` can use it."""
        question_id: int | None = None
        if self.store is not None:
            try:
                question_id = await asyncio.to_thread(
                    self.store.record_question,
                    question=answer.question,
                    answered=answer.answered,
                    confidence=float(answer.confidence),
                    user_id=user_id,
                    guild_id=guild_id,
                    source=source,
                )
            except Exception:  # storage must never stop an answer
                log.exception("could not record a question")
        if question_id is not None:
            self._recent[question_id] = answer.question
            while len(self._recent) > RECENT_QUESTIONS:
                self._recent.popitem(last=False)
        return question_id

    async def question_text(self, question_id: int) -> str | None:
        """A recorded question's text, from memory or the store (for "More sources")."""
        if question_id in self._recent:
            return self._recent[question_id]
        if self.store is None:
            return None
        try:
            return await asyncio.to_thread(self.store.question_text, question_id)
        except Exception:
            log.exception("could not read question %s", question_id)
            return None

    def render_answer(
        self,
        answer: Answer,
        question_id: int | None,
        *,
        spoil: bool,
        reading: Reading | None = None,
        asked: str | None = None,
    ) -> tuple[list[discord.Embed], discord.ui.View]:
        """The embeds and buttons for one answer (`answer_embed` already fits Discord's limits).

        For a follow-up that was rewritten (`reading.read_as`), the title stays the question
        the user `asked` and the embed says which question it was read as.
        """
        read_as = reading.read_as if reading is not None else None
        shown = replace(answer, question=asked) if read_as and asked else answer
        embed = answer_embed(
            shown, spoil=spoil, spoiler_sections=self.config.spoiler_sections, read_as=read_as
        )
        return [embed], answer_view(question_id, answered=answer.answered)

    # -- follow-up questions ----------------------------------------------------------------

    def read_followup(
        self, user_id: int, conversation_id: int | None, question: str, *, replying_to: int | None
    ) -> Reading:
        """How to read a question in a conversation (a DM, channel or thread): rewritten with
        the same user's previous question there when it cannot stand alone."""
        return self.conversations.read(
            (user_id, conversation_id), question, replying_to=replying_to
        )

    def remember_turn(
        self,
        user_id: int,
        conversation_id: int | None,
        answer: Answer,
        *,
        message_id: int | None = None,
    ) -> None:
        """Keep the question just answered as the conversation's last (refusals and notices
        such as "hi" are not questions and leave the conversation as it was)."""
        turn = turn_of(answer)
        if turn is not None:
            self.conversations.remember((user_id, conversation_id), turn, message_id=message_id)


class ShardedNorfolkBot(NorfolkBot, commands.AutoShardedBot):
    """Norfolk on `AutoShardedBot`, used when `config.shard_count` is set (very large bots)."""


def load_library(config: Config, extra: Sequence[Article] = ()) -> Library:
    """Load the seed articles (then `extra`), logging (not raising on) files that cannot be
    parsed."""
    if not config.seeds.is_dir():
        log.error(
            "the seeds folder %s does not exist (point NORFOLK_SEEDS at a folder of .txt "
            "articles); answering nothing until /reload",
            config.seeds,
        )
        return Library(tuple(extra), **config.library_options())
    report = read_folder(config.seeds)
    for error in report.errors:
        log.error("skipped article: %s", error)
    for warning in report.warnings:
        log.warning("%s", warning)
    log.info("loaded %d article(s) from %s", len(report.articles), config.seeds)
    return Library([*report.articles, *extra], **config.library_options())


def load_server_catalog(config: Config, store: Store | None) -> Catalog:
    """The catalog at start-up: the seed articles and what servers added, one library."""
    server, uses = stored_articles(store)
    library = load_library(config, [s.article for s in server])
    return catalog_of(library, server, uses, config.shared)


def create_bot(
    config: Config,
    *,
    library: Library | None = None,
    store: Store | None = None,
    **client_kwargs: Any,
) -> NorfolkBot:
    """Build a bot (no module-level state, so tests can build many).

    Sharding: when `config.shard_count` is set the bot is an `AutoShardedBot` running that
    many shards in this process; otherwise a plain single-connection `Bot`.
    `client_kwargs` go straight to the discord.py constructor (e.g. `guild_ready_timeout`).
    """
    if config.shard_count:
        client_kwargs.setdefault("shard_count", config.shard_count)
        return ShardedNorfolkBot(config, library=library, store=store, **client_kwargs)
    return NorfolkBot(config, library=library, store=store, **client_kwargs)


def _log_level(name: str) -> int:
    return logging.getLevelNamesMapping().get(name.upper(), logging.INFO)


def run_discord(config: Config) -> int:
    """Run the bot until Ctrl-C/SIGTERM; returns a process exit code (2: bad token/intents)."""
    discord.utils.setup_logging(level=_log_level(config.log_level))
    # Norfolk never joins voice: don't alarm admins about voice libraries it doesn't need.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    if not config.token:
        print(TOKEN_MISSING, file=sys.stderr)
        return 2
    log.info("database: %s", config.db_path)
    store = Store(config.db_path, max_question_chars=config.max_question_chars)
    try:
        return asyncio.run(_run(config, store))
    except KeyboardInterrupt:
        return 0
    finally:
        store.close()


def _install_signal_handlers(bot: NorfolkBot, stop: asyncio.Event) -> set[asyncio.Task[Any]]:
    """SIGINT/SIGTERM stop the bot; SIGHUP (POSIX) reloads the articles without a restart.

    Returns the set that keeps reload tasks referenced until they finish.
    """
    loop = asyncio.get_running_loop()
    reloads: set[asyncio.Task[Any]] = set()

    def reload() -> None:
        task = loop.create_task(bot.reload_library(), name="norfolk-reload")
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    handlers: list[tuple[int, Any]] = [(signal.SIGINT, stop.set), (signal.SIGTERM, stop.set)]
    if hasattr(signal, "SIGHUP"):
        handlers.append((signal.SIGHUP, reload))
    for sig, handler in handlers:
        # Windows has no add_signal_handler: there Ctrl-C raises KeyboardInterrupt instead;
        # outside the main thread (embedded use) signals stay with the host program.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, handler)
    return reloads


async def _run(config: Config, store: Store) -> int:
    """Start the bot, reload on SIGHUP, and stop it cleanly on SIGINT/SIGTERM."""
    bot = create_bot(config, store=store)
    stop = asyncio.Event()
    reloads = _install_signal_handlers(bot, stop)
    async with bot:
        runner = asyncio.create_task(bot.start(config.token or ""), name="norfolk-bot")
        stopper = asyncio.create_task(stop.wait(), name="norfolk-stop")
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if stop.is_set():
            log.info("shutting down")
            await bot.close()
            await asyncio.wait({runner}, timeout=SHUTDOWN_GRACE)
            if not runner.done():
                runner.cancel()
                await asyncio.wait({runner})
        for task in list(reloads):  # a reload mid-parse has nothing worth waiting for
            task.cancel()
        error = None if runner.cancelled() else runner.exception()
    if isinstance(error, discord.LoginFailure):
        print(TOKEN_REJECTED, file=sys.stderr)
        return 2
    if isinstance(error, discord.PrivilegedIntentsRequired):
        print(INTENTS_REFUSED, file=sys.stderr)
        return 2
    if isinstance(error, (aiohttp.ClientConnectorError, TimeoutError)):
        log.info("could not reach Discord: %r", error)
        print(CANNOT_REACH, file=sys.stderr)
        return 1
    if isinstance(error, (discord.GatewayNotFound, discord.ConnectionClosed, OSError)):
        log.info("connection to Discord lost: %r", error)
        print(CONNECTION_LOST, file=sys.stderr)
        return 1
    if error is not None:
        raise error
    return 0
