"""Fixtures for reliability tests: the real bot on the fake, plus fault-injection helpers."""

from __future__ import annotations

import pytest

from tests.bot.conftest import bot_config, bot_store, fake_discord, no_internet, norfolk_bot

__all__ = [
    "bot_config",
    "bot_store",
    "fake_discord",
    "no_identify_wait",
    "no_internet",
    "norfolk_bot",
]


@pytest.fixture
def no_identify_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py sleeps 5 s before every re-IDENTIFY; make that instant for every client."""
    import discord

    async def no_wait(self: discord.Client, shard_id: int | None, *, initial: bool = False) -> None:
        """Skip the identify rate-limit pause (the fake has no such limit)."""

    monkeypatch.setattr(discord.Client, "before_identify_hook", no_wait)
