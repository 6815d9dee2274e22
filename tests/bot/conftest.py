"""Fixtures for end-to-end tests: the real Norfolk bot connected to the local fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.fake_discord.fixtures import fake_discord, no_internet, running
from tests.fake_discord.server import FakeDiscord

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.config import Config
    from bot.store import Store
    from knowledge import Library

__all__ = ["bot_config", "bot_store", "fake_discord", "no_internet", "norfolk_bot"]


@pytest.fixture
def bot_config(tmp_path: Path) -> Config:
    """Default settings (spoilers on for Plot, 5 questions per 30 s) with a throwaway DB path.

    Questions are answered in worker threads here, so tests can swap in stand-in libraries
    (slow, stuck, failing) and no test pays for starting processes; the process workers
    have their own tests (tests/bot/test_workers.py, tests/reliability/test_overload.py,
    and `run_discord`'s in tests/reliability/test_lifecycle.py)."""
    from bot.config import load_config

    return load_config(
        {
            "DISCORD_TOKEN": "fake-token",
            "NORFOLK_DB": str(tmp_path / "t.db"),
            "NORFOLK_WORKER_KIND": "thread",
        }
    )


@pytest.fixture
def bot_store(bot_config: Config) -> Iterator[Store]:
    """A fresh SQLite store for one test, closed afterwards."""
    from bot.store import Store

    store = Store(bot_config.db_path)
    yield store
    store.close()


@pytest.fixture
async def norfolk_bot(
    fake_discord: FakeDiscord, bot_config: Config, bot_store: Store, seed_library: Library
) -> AsyncIterator[NorfolkBot]:
    """The real bot from `create_bot` (seed library from tests/conftest.py), READY on the fake."""
    from bot.client import create_bot

    bot = create_bot(bot_config, library=seed_library, store=bot_store, guild_ready_timeout=0.01)
    async with running(bot):
        yield bot
