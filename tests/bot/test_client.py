"""The bot factory, setup_hook and the command/message handlers, driven with fakes (no network)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot import client as client_module
from bot.client import NorfolkBot, ShardedNorfolkBot, create_bot, run_discord
from bot.config import Config
from knowledge import Library
from tests.bot.fakes import FakeInteraction, FakeStore
from tests.conftest import SEEDS

BOT_ID = 4242
ROLE_ID = 4343


@pytest.fixture
def library(seed_library: Library) -> Library:
    """The shipped articles, parsed once per session (a `Library` is immutable)."""
    return seed_library


def capture_sync(bot: NorfolkBot) -> list[Any]:
    """Record the guild of each command sync instead of sending it to Discord."""
    synced: list[Any] = []

    async def fake_sync(*, guild: Any = None) -> list[Any]:
        synced.append(guild)
        return []

    bot.tree.sync = fake_sync  # type: ignore[method-assign]
    return synced


async def make_bot(library: Library, **config: Any) -> tuple[NorfolkBot, list[Any]]:
    """A bot after setup_hook, with command sync captured instead of sent."""
    config.setdefault("worker_kind", "thread")
    bot = create_bot(Config(**config), library=library, store=FakeStore(), guild_ready_timeout=0.01)
    synced = capture_sync(bot)
    await bot.setup_hook()
    bot._connection.user = SimpleNamespace(id=BOT_ID)  # type: ignore[assignment]
    return bot, synced


def test_factory_settings() -> None:
    bot = create_bot(Config(), guild_ready_timeout=0.01)
    assert type(bot) is NorfolkBot
    assert not bot.intents.message_content and not bot.intents.members
    assert not bot.intents.presences and bot.intents.dm_messages and bot.intents.guild_messages
    am = bot.allowed_mentions
    assert am is not None
    assert not (am.everyone or am.users or am.roles or am.replied_user)
    sharded = create_bot(Config(shard_count=3))
    assert isinstance(sharded, ShardedNorfolkBot) and isinstance(sharded, NorfolkBot)
    assert isinstance(sharded, discord.AutoShardedClient) and sharded.shard_count == 3


async def test_setup_hook_registers_commands_everywhere(library: Library) -> None:
    bot, synced = await make_bot(library)
    assert synced == [None]  # global sync without a dev guild
    commands = {c.name: c for c in bot.tree.get_commands()}
    assert set(commands) == {
        "ask",
        "fact",
        "section",
        "about",
        "help",
        "reload",
        "library",
        "Ask Norfolk",
    }
    menu = commands["Ask Norfolk"].to_dict(bot.tree)
    assert menu["type"] == discord.AppCommandType.message.value  # right-click a message → Apps
    admin = commands.pop("reload").to_dict(bot.tree)  # guild installs, guild or bot DM only
    assert admin["integration_types"] == [0] and sorted(admin["contexts"]) == [0, 1]
    assert int(admin["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    shelf = commands.pop("library").to_dict(bot.tree)  # guild installs, in servers only
    assert shelf["integration_types"] == [0] and shelf["contexts"] == [0]
    assert int(shelf["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    for command in commands.values():
        payload = command.to_dict(bot.tree)
        assert sorted(payload["integration_types"]) == [0, 1]
        assert sorted(payload["contexts"]) == [0, 1, 2]
    options = {o["name"]: o for o in commands["ask"].to_dict(bot.tree)["options"]}
    assert options["question"]["required"] and not options["private"]["required"]


async def test_setup_hook_loads_seeds_and_syncs_dev_guild() -> None:
    config = Config(seeds=SEEDS, dev_guild_id=77, worker_kind="thread")
    bot = create_bot(config, guild_ready_timeout=0.01)
    synced = capture_sync(bot)
    await bot.setup_hook()
    assert [g.id for g in synced] == [77]
    assert {c.name for c in bot.tree.get_commands(guild=discord.Object(77))} >= {"ask", "fact"}
    assert bot.library.articles and bot.store is None


async def test_ask_defers_then_edits_in_the_answer(library: Library) -> None:
    bot, _ = await make_bot(library)
    interaction = FakeInteraction(bot, guild_id=None)
    await bot.get_cog("AskCog").ask.callback(bot.get_cog("AskCog"), interaction, "Who is Kathy?")
    assert interaction.response.deferred == {"ephemeral": False, "thinking": True}
    edit = interaction.edits[0]
    assert edit["embeds"][0].description
    assert edit["allowed_mentions"].to_dict() == {"parse": []}
    assert [item.custom_id for item in edit["view"].children][1] == "norfolk:fb:up:1"
    assert bot.store.questions[0]["source"] == "slash"


async def test_ask_private_empty_long_and_cooldown(library: Library) -> None:
    bot, _ = await make_bot(library, max_question_chars=20, cooldown_rate=2, cooldown_per=60)
    cog = bot.get_cog("AskCog")
    private = FakeInteraction(bot)
    await cog.ask.callback(cog, private, "Who is Kathy?", True)
    assert private.response.deferred["ephemeral"] is True

    empty = FakeInteraction(bot)
    await cog.ask.callback(cog, empty, "   ")
    assert empty.response.sent[0]["ephemeral"] and "Ask me" in empty.response.sent[0]["content"]

    long = FakeInteraction(bot)
    await cog.ask.callback(cog, long, "x" * 21)
    assert "too long" in long.response.sent[0]["content"]

    await cog.ask.callback(cog, FakeInteraction(bot), "Who is Ruth?")
    limited = FakeInteraction(bot)
    await cog.ask.callback(cog, limited, "Who is Tommy?")
    assert "try again in" in limited.response.sent[0]["content"]
    assert limited.response.sent[0]["ephemeral"]
    assert len(bot.store.questions) == 2


async def test_tree_error_handler_apologises(library: Library) -> None:
    bot, _ = await make_bot(library)
    for deferred in (False, True):
        interaction = FakeInteraction(bot)
        if deferred:
            await interaction.response.defer(thinking=True)
        error = discord.app_commands.CommandInvokeError(bot.tree.get_command("ask"), KeyError("x"))
        await bot.tree.on_error(interaction, error)  # type: ignore[arg-type]
        said = (
            interaction.edits[0]["content"] if deferred else interaction.response.sent[0]["content"]
        )
        assert "Sorry" in said


async def test_fact_and_section_commands(library: Library) -> None:
    bot, _ = await make_bot(library)
    cog = bot.get_cog("BrowseCog")
    choices = await cog.fact_autocomplete(FakeInteraction(bot), "auth")
    assert choices and choices[0].value == "Author" and len(choices) <= 25
    interaction = FakeInteraction(bot)
    await cog.fact.callback(cog, interaction, "author")
    assert interaction.response.sent[0]["embed"].description == "Kazuo Ishiguro"
    miss = FakeInteraction(bot)
    await cog.fact.callback(cog, miss, "zzzzqqqq")
    text = miss.response.sent[0]["embed"].description
    assert "No infobox field matches" in text and "Try: Author" in text  # first keys offered

    choices = await cog.section_autocomplete(FakeInteraction(bot), "plo")
    assert choices[0].value == "Plot"
    guild = FakeInteraction(bot, guild_id=10)
    await cog.section.callback(cog, guild, "Plot")
    first = guild.response.sent[0]["embeds"][0]
    assert first.description.startswith("||")
    dm = FakeInteraction(bot, guild_id=None)
    await cog.section.callback(cog, dm, "plot")
    assert not dm.response.sent[0]["embeds"][0].description.startswith("||")
    missing = FakeInteraction(bot)
    await cog.section.callback(cog, missing, "zzzzzzzz qqqq")
    assert "can't find" in missing.response.sent[0]["content"]


class FakeMessage:
    def __init__(
        self,
        content: str,
        *,
        guild: Any = None,
        mentions: tuple[int, ...] = (),
        roles: tuple[int, ...] = (),
        bot: bool = False,
        author_id: int = 600,
    ) -> None:
        self.content = content
        self.guild = guild
        self.mentions = [SimpleNamespace(id=i) for i in mentions]
        self.raw_role_mentions = list(roles)
        self.author = SimpleNamespace(id=author_id, bot=bot)
        self.channel = SimpleNamespace(id=20 if guild else 30)
        self.reference = None
        self.type = discord.MessageType.default
        self.id = 1
        self.replies: list[dict[str, Any]] = []

    async def reply(self, content: str | None = None, **kwargs: Any) -> SimpleNamespace:
        self.replies.append({"content": content, **kwargs})
        return SimpleNamespace(id=1000 + len(self.replies))


GUILD = SimpleNamespace(id=10, self_role=SimpleNamespace(id=ROLE_ID))


@pytest.mark.parametrize(
    ("message", "answered"),
    [
        (FakeMessage("Who is Kathy?"), True),  # DM
        (FakeMessage(f"<@{BOT_ID}> Who is Kathy?", guild=GUILD, mentions=(BOT_ID,)), True),
        (FakeMessage(f"<@&{ROLE_ID}> Who is Kathy?", guild=GUILD, roles=(ROLE_ID,)), True),
        (FakeMessage("Who is Kathy?", guild=GUILD), False),  # not for us
        (FakeMessage("Who is Kathy?", bot=True), False),  # bots are ignored
        (FakeMessage("Who is Kathy?", author_id=BOT_ID), False),  # ourselves
    ],
)
async def test_messages_answered_only_when_addressed(
    library: Library, message: FakeMessage, answered: bool
) -> None:
    bot, _ = await make_bot(library)
    await bot.get_cog("MessagesCog").on_message(message)
    if not answered:
        assert message.replies == []
        return
    (reply,) = message.replies
    assert reply["mention_author"] is False
    assert reply["allowed_mentions"].to_dict() == {"parse": []}
    assert reply["embeds"] and reply["view"].children
    source = bot.store.questions[0]["source"]
    assert source == ("dm" if message.guild is None else "mention")


async def test_bare_mention_gets_hint_and_cooldown_warns_once(library: Library) -> None:
    bot, _ = await make_bot(library, cooldown_rate=1, cooldown_per=60)
    cog = bot.get_cog("MessagesCog")
    bare = FakeMessage(f"<@{BOT_ID}>", guild=GUILD, mentions=(BOT_ID,))
    await cog.on_message(bare)
    assert "Put your question" in bare.replies[0]["content"]
    messages = [FakeMessage("Who is Kathy?") for _ in range(3)]
    for message in messages:
        await cog.on_message(message)
    assert messages[0].replies[0]["embeds"]
    assert "try again" in messages[1].replies[0]["content"]
    assert messages[2].replies == []


def test_run_discord_without_token_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_discord(Config(token=None)) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


def test_run_discord_rejected_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = "MTIz.secret.token"

    async def refuse(self: NorfolkBot, token: str, *, reconnect: bool = True) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(NorfolkBot, "start", refuse)
    config = Config(token=secret, seeds=SEEDS, db_path=tmp_path / "n.db")
    assert run_discord(config) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN was rejected by Discord" in err and secret not in err


def test_run_discord_stops_cleanly_on_signal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    closed: list[str] = []

    async def wait_forever(self: NorfolkBot, token: str, *, reconnect: bool = True) -> None:
        asyncio.get_running_loop().call_later(0.05, client_module.signal.raise_signal, 15)
        while not self.is_closed():  # like the real gateway loop: ends once closed
            await asyncio.sleep(0.01)

    class Store(FakeStore):
        def __init__(self, path: Any, **options: Any) -> None:
            super().__init__()

        def close(self) -> None:
            closed.append("store")

    monkeypatch.setattr(NorfolkBot, "start", wait_forever)
    monkeypatch.setattr(client_module, "Store", Store)
    config = Config(token="t", seeds=SEEDS, db_path=tmp_path / "n.db")
    assert run_discord(config) == 0
    assert closed == ["store"]


class StuckLibrary(Library):
    """A library whose lookups hang, as a pathological article or a bug might make them."""

    def ask(self, question: str, *, max_citations: int = 3) -> Any:
        time.sleep(0.5)
        return super().ask(question, max_citations=max_citations)


async def test_stuck_lookup_is_apologised_for_not_left_thinking(library: Library) -> None:
    bot, _ = await make_bot(StuckLibrary(library.articles))
    bot.lookup_timeout = 0.05
    cog = bot.get_cog("AskCog")
    interaction = FakeInteraction(bot)
    with pytest.raises(TimeoutError):  # the tree's on_error turns this into an apology
        await cog.ask.callback(cog, interaction, "who wrote it?")
    assert interaction.response.deferred is not None and interaction.edits == []

    message = FakeMessage("who wrote it?")
    await bot.get_cog("MessagesCog").on_message(message)
    assert "Sorry" in message.replies[0]["content"]


def test_bot_with_a_missing_seeds_folder_logs_one_clear_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "nope"
    with caplog.at_level("INFO", logger="norfolk"):
        library = client_module.load_library(Config(seeds=missing))
    assert library.articles == ()
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        f"the seeds folder {missing} does not exist "
        "(point NORFOLK_SEEDS at a folder of .txt articles); answering nothing until /reload"
    ]
    assert not any(":0:" in r.getMessage() for r in caplog.records)


def test_run_discord_that_cannot_reach_discord_says_what_to_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No DNS (offline, a broken resolver): aiohttp's ClientConnectorDNSError, explained."""
    import socket

    def no_dns(host: Any, *args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # nothing here reaches the internet
    config = Config(token="MTIz.unreachable.token", seeds=SEEDS, db_path=tmp_path / "n.db")
    assert run_discord(config) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # after the log lines: what the admin reads last
    assert last.startswith("Could not reach Discord")
    assert "internet connection" in last and "DNS" in last and "proxy" in last
    assert "ClientConnector" not in last and "unreachable.token" not in err


def test_run_discord_refused_connection_is_explained_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from discord.http import Route

    monkeypatch.setattr(Route, "BASE", "http://127.0.0.1:9/api/v10")  # discard port: refused
    config = Config(token="MTIz.refused.token", seeds=SEEDS, db_path=tmp_path / "n.db")
    assert run_discord(config) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("Could not reach Discord") and "Connector" not in last
