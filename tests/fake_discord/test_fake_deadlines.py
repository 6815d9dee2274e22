"""The fake keeps Discord's clocks: one callback per interaction, within 3 seconds; tokens
live 15 minutes. Time is moved by back-dating the dispatch, never by sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord.ext import commands

from tests.fake_discord.errors import (
    ALREADY_ACKNOWLEDGED,
    INVALID_WEBHOOK_TOKEN,
    UNKNOWN_INTERACTION,
)
from tests.fake_discord.fixtures import running
from tests.fake_discord.interactions import ACK_DEADLINE, TOKEN_LIFETIME
from tests.fake_discord.server import FakeDiscord


class Gate:
    """Holds a command back until the test lets it go, and keeps what it raised."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.errors: list[BaseException] = []
        self.done = asyncio.Event()


def make_bot(gate: Gate) -> commands.Bot:
    bot = commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.01
    )

    @bot.tree.command(description="Acknowledge when told to")
    async def late(interaction: discord.Interaction) -> None:
        await gate.open.wait()
        try:
            await interaction.response.defer(thinking=True)
        except discord.HTTPException as error:
            gate.errors.append(error)
        finally:
            gate.done.set()

    @bot.tree.command(description="Defer, then edit when told to")
    async def edit(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await gate.open.wait()
        try:
            await interaction.edit_original_response(content="too late?")
        except discord.HTTPException as error:
            gate.errors.append(error)
        finally:
            gate.done.set()

    return bot


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
async def bot(fake_discord: FakeDiscord, gate: Gate) -> AsyncIterator[commands.Bot]:
    client = make_bot(gate)
    async with running(client):
        await client.tree.sync()
        yield client


def back_date(fake: FakeDiscord, token: str, seconds: float) -> None:
    """Pretend the interaction was dispatched `seconds` earlier than it was."""
    fake.dispatched_at[token] -= seconds


async def test_callback_after_three_seconds_is_unknown_interaction(
    fake_discord: FakeDiscord, bot: commands.Bot, gate: Gate
) -> None:
    handle = await fake_discord.slash("late")
    back_date(fake_discord, handle.token, ACK_DEADLINE + 0.5)
    gate.open.set()
    await asyncio.wait_for(gate.done.wait(), 5)
    (error,) = gate.errors
    assert isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION
    (call,) = handle.calls()
    assert call.status == 404 and handle.token not in fake_discord.acknowledged


async def test_callback_in_time_is_accepted(
    fake_discord: FakeDiscord, bot: commands.Bot, gate: Gate
) -> None:
    handle = await fake_discord.slash("late")
    back_date(fake_discord, handle.token, ACK_DEADLINE - 0.5)
    gate.open.set()
    await asyncio.wait_for(gate.done.wait(), 5)
    assert gate.errors == []
    assert (await handle.callback()).status == 200


async def test_edit_after_the_token_expired_is_refused(
    fake_discord: FakeDiscord, bot: commands.Bot, gate: Gate
) -> None:
    handle = await fake_discord.slash("edit")
    await handle.callback()
    back_date(fake_discord, handle.token, TOKEN_LIFETIME + 1)
    gate.open.set()
    await asyncio.wait_for(gate.done.wait(), 5)
    (error,) = gate.errors
    assert isinstance(error, discord.HTTPException) and error.code == INVALID_WEBHOOK_TOKEN


async def test_second_callback_is_already_acknowledged(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    handle = await fake_discord.slash("nothing")  # unknown to the bot: the test answers it
    url = f"{fake_discord.api_base}/interactions/{handle.id}/{handle.token}/callback"
    async with aiohttp.ClientSession() as session:
        first = await session.post(url, json={"type": 5})
        second = await session.post(url, json={"type": 4, "data": {"content": "again"}})
        body = await second.json()
    assert first.status == 200
    assert second.status == 400 and body["code"] == ALREADY_ACKNOWLEDGED
    assert [c.status for c in handle.calls()] == [200, 400]
