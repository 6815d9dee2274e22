"""The fake speaks enough Discord for a plain discord.py bot, independent of Norfolk's code."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord.fixtures import running
from tests.fake_discord.gateway import IDENTIFY, RESUME
from tests.fake_discord.recording import button_labels, message_text
from tests.fake_discord.server import FakeDiscord


class Thanks(discord.ui.View):
    """One button whose click edits the message, to prove component routing works."""

    def __init__(self) -> None:
        super().__init__(timeout=30)
        self.clicked = asyncio.Event()

    @discord.ui.button(label="Thanks", emoji="👍", custom_id="smoke:thanks")
    async def thanks(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.clicked.set()
        await interaction.response.edit_message(content="thanked", view=None)


def make_bot() -> commands.Bot:
    """A minimal bot: /echo, a deferred /slow, autocomplete, a button, a
    message menu, and @mention replies."""
    intents = discord.Intents.default()
    intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.01)
    bot.views = []  # type: ignore[attr-defined]

    @bot.tree.command(description="Say it back")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        view = Thanks()
        bot.views.append(view)  # type: ignore[attr-defined]
        embed = discord.Embed(title="Echo", description=text)
        await interaction.response.send_message(embed=embed, view=view)

    @bot.tree.command(description="Deferred answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="done slowly")

    @bot.tree.command(description="Pick a fruit")
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name, ephemeral=True)

    @fruit.autocomplete("name")
    async def fruit_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["apple", "apricot", "banana"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @bot.tree.context_menu(name="Quote")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"{message.author.name} said: {message.content}")

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot:
            return
        mentioned = bot.user in message.mentions or any(
            r.is_bot_managed() and r.tags and r.tags.bot_id == bot.user.id  # type: ignore[union-attr]
            for r in message.role_mentions
        )
        if message.guild is None or mentioned:
            await message.reply(f"heard: {message.content}", mention_author=False)

    return bot


@pytest.fixture
async def bot(fake_discord: FakeDiscord) -> AsyncIterator[commands.Bot]:
    """The minimal bot, logged in and READY against the fake."""
    client = make_bot()
    async with running(client):
        await client.tree.sync()
        yield client


async def test_ready_guild_and_compression(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None and guild.me is not None
    assert bot.user is not None and bot.user.id == fake_discord.bot.id
    assert bot.application_id == fake_discord.application_id
    assert any(r.is_bot_managed() for r in guild.me.roles)
    conn = fake_discord.gateway.connections[0]
    assert conn.query.get("compress") == "zlib-stream" and conn.query.get("v") == "10"
    assert {c["name"] for c in fake_discord.commands["global"]} == {
        "echo",
        "slow",
        "fruit",
        "Quote",
    }


async def test_slash_command_and_button(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    handle = await fake_discord.slash("echo", {"text": "hello"})
    reply = await handle.reply()
    assert "hello" in message_text(reply)
    assert ("👍 Thanks", "smoke:thanks") in button_labels(reply)
    message = handle.original_message()
    assert message is not None
    click = await fake_discord.click(message, "smoke:thanks", user=fake_discord.bob)
    assert (await click.reply())["content"] == "thanked"
    assert bot.views[0].clicked.is_set()  # type: ignore[attr-defined]


async def test_deferred_reply_and_dm(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    handle = await fake_discord.slash("slow", dm=True)
    assert (await handle.callback()).json["type"] == 5
    assert (await handle.reply())["content"] == "done slowly"


async def test_autocomplete(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    handle = await fake_discord.autocomplete("fruit", {"name": "ap"}, focused="name")
    body = (await handle.callback()).json
    assert body["type"] == 8
    assert [c["value"] for c in body["data"]["choices"]] == ["apple", "apricot"]


async def test_messages_mentions_dms_and_bots(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    since = fake_discord.mark()
    await fake_discord.say(f"{fake_discord.mention('role')} hi there")
    call = await fake_discord.wait_for_call(
        lambda c: c.matches("POST", f"/channels/{fake_discord.guild.text_channel_id}/messages"),
        since=since,
    )
    assert "hi there" in call.json["content"]
    since = fake_discord.mark()
    await fake_discord.say("in private", dm=True)
    dm = fake_discord.dm_channel_id(fake_discord.alice)
    call = await fake_discord.wait_for_call(
        lambda c: c.matches("POST", f"/channels/{dm}/messages"), since=since
    )
    assert call.json["content"] == "heard: in private"
    since = fake_discord.mark()
    await fake_discord.say(fake_discord.mention(), author=fake_discord.other_bot)
    await asyncio.sleep(0.2)
    assert fake_discord.recorder.messages(since=since) == []


async def test_resume_after_close_and_op7(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    gateway = fake_discord.gateway
    await gateway.close(code=4000)
    await gateway.wait_until(lambda: gateway.resumed_count == 1)
    await gateway.send_reconnect()
    await gateway.wait_until(lambda: gateway.resumed_count == 2)
    gateway.drop()
    await gateway.wait_until(lambda: gateway.resumed_count == 3)
    assert len(gateway.frames(IDENTIFY)) == 1 and len(gateway.frames(RESUME)) == 3
    handle = await fake_discord.slash("echo", {"text": "still here"})
    assert "still here" in message_text(await handle.reply())


async def test_events_sent_while_down_are_replayed(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    gateway = fake_discord.gateway
    gateway.accept_resume = True
    await gateway.close(code=4000)
    handle = await fake_discord.slash("echo", {"text": "queued"})  # buffered until RESUME
    assert "queued" in message_text(await handle.reply(timeout=5))


async def test_invalid_session_forces_identify(
    fake_discord: FakeDiscord, bot: commands.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_wait(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before any re-IDENTIFY; skip that here."""

    monkeypatch.setattr(bot, "before_identify_hook", no_wait)
    gateway = fake_discord.gateway
    await gateway.send_invalid_session(resumable=False)
    await gateway.wait_until(lambda: gateway.ready_count == 2)
    assert len(gateway.frames(IDENTIFY)) == 2
    await gateway.wait_until(lambda: bot.get_guild(fake_discord.guild.id) is not None)
    handle = await fake_discord.slash("echo", {"text": "fresh session"})
    assert "fresh session" in message_text(await handle.reply())


async def test_two_shards_split_guild_and_dms(
    fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    intents = discord.Intents.default()
    client = commands.AutoShardedBot(
        command_prefix="!", intents=intents, shard_count=2, guild_ready_timeout=0.01
    )

    async def no_wait(shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before each non-first IDENTIFY; skip that here."""

    monkeypatch.setattr(client, "before_identify_hook", no_wait)

    @client.tree.command(description="Which shard am I on?")
    async def shard(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"shard {interaction.client.shard_id}")

    async with running(client):
        shards = sorted(f["d"]["shard"][0] for f in fake_discord.gateway.frames(IDENTIFY))
        assert shards == [0, 1]
        guild = client.get_guild(fake_discord.guild.id)
        assert guild is not None and guild.shard_id == (fake_discord.guild.id >> 22) % 2
        for dm in (False, True):
            handle = await fake_discord.slash("shard", dm=dm)
            assert (await handle.reply())["content"].startswith("shard")


async def test_message_context_menu(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    synced = {c["name"]: c for c in fake_discord.commands["global"]}
    assert synced["Quote"]["type"] == 3 and synced["Quote"]["description"] == ""
    target = fake_discord.user_message("hello there", author=fake_discord.bob)
    handle = await fake_discord.message_command("Quote", target)
    assert message_text(await handle.reply()) == "bob said: hello there"
    in_dm = fake_discord.user_message("in private", dm=True)
    handle = await fake_discord.message_command("Quote", in_dm)
    assert message_text(await handle.reply()) == "alice said: in private"


async def test_thread_and_replies(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    thread = bot.get_channel(fake_discord.guild.thread_id)
    assert isinstance(thread, discord.Thread)
    assert thread.parent_id == fake_discord.guild.text_channel_id
    since = fake_discord.mark()
    await fake_discord.say(f"{fake_discord.mention()} in the thread", thread=True)
    call = await fake_discord.wait_for_call(
        lambda c: c.matches("POST", f"/channels/{thread.id}/messages"), since=since
    )
    assert call.json["content"] == f"heard: {fake_discord.mention()} in the thread"
    answer = fake_discord.messages[int(call.response["id"])]
    assert answer["guild_id"] == str(fake_discord.guild.id)
    since = fake_discord.mark()
    reply = await fake_discord.say("a reply that pings", thread=True, reply_to=answer)
    assert reply["type"] == 19 and reply["referenced_message"]["id"] == answer["id"]
    call = await fake_discord.wait_for_call(
        lambda c: c.matches("POST", f"/channels/{thread.id}/messages"), since=since
    )
    assert call.json["content"] == "heard: a reply that pings"  # the ping is a mention
    since = fake_discord.mark()
    await fake_discord.say("a quiet reply", thread=True, reply_to=answer, ping=False)
    await asyncio.sleep(0.2)
    assert fake_discord.recorder.messages(since=since) == []
