"""Data safety end to end: concurrent feedback is never lost; a broken database never stops
answers (the store degrades with one clear log line and the bot keeps running)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.fake_discord.burst import burst_users
from tests.fake_discord.fixtures import running
from tests.fake_discord.interactions import MESSAGE
from tests.fake_discord.recording import message_text
from tests.fake_discord.server import FakeDiscord
from tests.reliability.helpers import DIRECTOR, DIRECTOR_QUESTION, callbacks_for, wait_answer

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.config import Config
    from bot.store import Store
    from knowledge import Library

CLICKS = 50


def _custom_id(message: dict, prefix: str) -> str:
    for row in message["components"]:
        for component in row["components"]:
            if component.get("custom_id", "").startswith(prefix):
                return component["custom_id"]
    raise AssertionError(f"no {prefix} button")


async def test_concurrent_thumbs_up_from_many_users_are_all_stored(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot, bot_store: Store, bot_config: Config
) -> None:
    handle = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
    await wait_answer(fake_discord, handle)
    message = handle.original_message()
    assert message is not None
    thumbs_up = _custom_id(message, "norfolk:fb:up:")
    users = burst_users(fake_discord, CLICKS)
    clicks = await asyncio.gather(
        *(fake_discord.click(message, thumbs_up, user=user) for user in users)
    )
    for click in clicks:
        assert (await click.callback()).json["type"] == MESSAGE  # each user thanked once

    async def tallied() -> None:
        while (await asyncio.to_thread(bot_store.feedback_tally))["up"] < CLICKS:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(tallied(), timeout=5)
    await asyncio.sleep(0.1)
    assert bot_store.feedback_tally() == {"up": CLICKS, "down": 0}
    assert all(len(callbacks_for(click)) == 1 for click in clicks)
    with contextlib.closing(sqlite3.connect(bot_config.db_path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        voters = {row[0] for row in db.execute("SELECT user_id FROM feedback")}
    assert voters == {user.id for user in users}


def _corrupt(path: Path) -> str:
    path.write_bytes(b"this is not an SQLite database\n" * 64)
    return str(path)


def _read_only(path: Path) -> str:
    from bot.store import Store

    Store(path).close()  # a valid database…
    return f"file:{path}?mode=ro"  # …that this process may only read (root ignores chmod)


@pytest.fixture(params=["corrupt", "read-only"])
def broken_store_path(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database path the store cannot write to."""
    make = _corrupt if request.param == "corrupt" else _read_only
    return make(tmp_path / "broken.db")


@pytest.fixture
async def bot_on_broken_store(
    fake_discord: FakeDiscord,
    bot_config: Config,
    seed_library: Library,
    broken_store_path: str,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[NorfolkBot]:
    """The real bot whose store failed to open, with the store's log captured from the start."""
    from bot.client import create_bot
    from bot.store import Store

    caplog.set_level(logging.DEBUG, logger="norfolk")
    caplog.clear()  # count from the bot's own open, not the fixture that made the file
    store = Store(broken_store_path)
    bot = create_bot(bot_config, library=seed_library, store=store, guild_ready_timeout=0.01)
    try:
        async with running(bot):
            yield bot
    finally:
        store.close()


async def test_broken_database_still_answers_with_one_log_line(
    fake_discord: FakeDiscord,
    bot_on_broken_store: NorfolkBot,
    broken_store_path: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert bot_on_broken_store.store is not None and not bot_on_broken_store.store.available
    for _ in range(2):  # and keeps answering
        handle = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
        answer = await wait_answer(fake_discord, handle)
        assert DIRECTOR in message_text(answer.message)
    message = handle.original_message()
    assert message is not None
    click = await fake_discord.click(message, _custom_id(message, "norfolk:fb:up:"))
    assert "Thanks" in message_text((await click.callback()).json["data"])
    await asyncio.sleep(0.1)
    records = caplog.get_records("setup") + caplog.records  # the store opened during setup
    store_lines = [r for r in records if r.name == "norfolk.store"]
    problems = [r for r in records if r.name.startswith("norfolk") and r.levelno >= logging.WARNING]
    assert len(store_lines) == 1 and problems == store_lines, [r.getMessage() for r in problems]
    line = store_lines[0].getMessage()
    assert broken_store_path in line and "will not be saved" in line and "\n" not in line
    assert not bot_on_broken_store.is_closed()
