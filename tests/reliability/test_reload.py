"""Safe reload: all files parse → swap the library; any bad file → keep serving the old one.

Unit tests drive `NorfolkBot.reload_library()`; end-to-end tests drive `/reload` through the
fake as the application owner, as members with and without the right permission, and in DMs.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import discord
import pytest

from tests.conftest import DATA, SEEDS
from tests.fake_discord.fixtures import running
from tests.fake_discord.interactions import DEFERRED_MESSAGE, EPHEMERAL, MESSAGE
from tests.fake_discord.recording import message_text
from tests.fake_discord.server import FakeDiscord
from tests.reliability.helpers import DIRECTOR, DIRECTOR_QUESTION, wait_answer

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.config import Config

BROKEN = "= Broken article =\n\nFine prose.\n\n== Plot =\nThe heading above is unbalanced.\n"
BROKEN_LINE = 5


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped seeds, which tests add good and bad articles to."""
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def reload_config(bot_config: Config, seeds_dir: Path) -> Config:
    """Settings whose `seeds` is the writable copy."""
    return replace(bot_config, seeds=seeds_dir)


# ----- unit: reload_library -----------------------------------------------------------------


async def test_reload_swaps_in_the_new_library(reload_config: Config, seeds_dir: Path) -> None:
    from bot.client import create_bot

    bot = create_bot(reload_config, guild_ready_timeout=0.01)
    old = bot.library
    shutil.copy(DATA / "articles" / "plain.txt", seeds_dir / "plain.txt")
    ok, message = await bot.reload_library()
    assert ok and "Reloaded 2 article(s)" in message
    assert bot.library is not old and len(bot.library.articles) == 2
    assert bot.library.ask("where do glass frogs live?").answered
    await bot.close()


async def test_reload_with_a_bad_file_keeps_the_old_library(
    reload_config: Config, seeds_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.client import create_bot
    from knowledge import Library

    old = Library.from_dir(seeds_dir)
    bot = create_bot(reload_config, library=old, guild_ready_timeout=0.01)
    shutil.copy(DATA / "articles" / "plain.txt", seeds_dir / "plain.txt")  # good, but…
    (seeds_dir / "broken.txt").write_text(BROKEN, encoding="utf-8")  # …one file is bad
    caplog.set_level(logging.INFO, logger="norfolk")
    ok, message = await bot.reload_library()
    assert not ok
    assert bot.library is old  # nothing swapped: not even the good new file
    assert f"broken.txt line {BROKEN_LINE}: unbalanced heading" in message
    assert "still serving the 1 article(s)" in message
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and f"{seeds_dir / 'broken.txt'}:{BROKEN_LINE}:" in errors[0]
    assert bot.library.ask(DIRECTOR_QUESTION).answered  # and the old index still serves
    await bot.close()


@pytest.mark.parametrize("layout", ["empty", "missing", "binary"])
async def test_reload_refuses_unusable_folders(
    reload_config: Config, seeds_dir: Path, layout: str
) -> None:
    from bot.client import create_bot
    from knowledge import Library

    old = Library.from_dir(seeds_dir)
    bot = create_bot(reload_config, library=old, guild_ready_timeout=0.01)
    for path in seeds_dir.iterdir():
        path.unlink()
    if layout == "missing":
        seeds_dir.rmdir()
    if layout == "binary":
        (seeds_dir / "image.txt").write_bytes(b"= T =\n\x00\x01\x02")
    ok, message = await bot.reload_library()
    assert not ok and bot.library is old and "still serving the 1 article(s)" in message
    if layout == "binary":
        assert "image.txt line 2: binary data" in message
    if layout == "missing":  # one plain sentence, not a parse error of a file named "seeds"
        assert message.startswith("Reload refused: the seeds folder does not exist")
        assert "could not be parsed" not in message and "• " not in message
    await bot.close()


# ----- end to end: /reload ------------------------------------------------------------------


@pytest.fixture
async def reload_bot(fake_discord: FakeDiscord, reload_config: Config) -> AsyncIterator[NorfolkBot]:
    """The real bot, loading its articles from the writable seeds folder in `setup_hook`."""
    from bot.client import create_bot

    bot = create_bot(reload_config, guild_ready_timeout=0.01)
    async with running(bot):
        assert len(bot.library.articles) == 1
        yield bot


async def _reload_reply(handle: object) -> tuple[dict, dict]:
    """The callback body and the message the user finally sees for a /reload."""
    callback = (await handle.callback()).json  # type: ignore[attr-defined]
    return callback, await handle.reply()  # type: ignore[attr-defined]


def _is_ephemeral(callback: dict) -> bool:
    return bool(int((callback.get("data") or {}).get("flags") or 0) & EPHEMERAL)


async def test_owner_reloads_from_the_guild_and_from_a_dm(
    fake_discord: FakeDiscord, reload_bot: NorfolkBot, seeds_dir: Path
) -> None:
    old = reload_bot.library
    shutil.copy(DATA / "articles" / "plain.txt", seeds_dir / "plain.txt")
    for dm in (False, True):
        handle = await fake_discord.slash("reload", user=fake_discord.owner, dm=dm)
        callback, reply = await _reload_reply(handle)
        assert callback["type"] == DEFERRED_MESSAGE and _is_ephemeral(callback)
        assert "Reloaded 2 article(s)" in message_text(reply)
        assert reply.get("allowed_mentions", {}).get("parse") == []
    assert reload_bot.library is not old and len(reload_bot.library.articles) == 2


@pytest.mark.parametrize(
    ("permissions", "allowed"),
    [
        (discord.Permissions(administrator=True).value, True),
        (discord.Permissions(manage_guild=True).value, True),
        (discord.Permissions(send_messages=True, manage_messages=True).value, False),
    ],
    ids=["administrator", "manage-guild", "moderator-without-manage-guild"],
)
async def test_guild_members_need_manage_guild_or_administrator(
    fake_discord: FakeDiscord,
    reload_bot: NorfolkBot,
    seeds_dir: Path,
    permissions: int,
    allowed: bool,
) -> None:
    old = reload_bot.library
    shutil.copy(DATA / "articles" / "plain.txt", seeds_dir / "plain.txt")
    handle = await fake_discord.slash("reload", user=fake_discord.bob, permissions=permissions)
    callback, reply = await _reload_reply(handle)
    assert _is_ephemeral(callback)
    if allowed:
        assert "Reloaded 2 article(s)" in message_text(reply)
        assert reload_bot.library is not old
    else:
        assert callback["type"] == MESSAGE
        assert "only the bot's owner" in message_text(reply).lower()
        assert reload_bot.library is old


async def test_ordinary_users_are_politely_refused_in_guild_and_dm(
    fake_discord: FakeDiscord, reload_bot: NorfolkBot, seeds_dir: Path
) -> None:
    old = reload_bot.library
    (seeds_dir / "broken.txt").write_text(BROKEN, encoding="utf-8")  # would be reported if run
    for dm in (False, True):
        handle = await fake_discord.slash("reload", user=fake_discord.alice, dm=dm)
        callback, reply = await _reload_reply(handle)
        assert callback["type"] == MESSAGE and _is_ephemeral(callback)
        text = message_text(reply)
        assert text.startswith("Sorry, only the bot's owner") and "broken" not in text
    assert reload_bot.library is old


async def test_reload_with_a_bad_file_reports_it_and_keeps_answering(
    fake_discord: FakeDiscord, reload_bot: NorfolkBot, seeds_dir: Path
) -> None:
    old = reload_bot.library
    (seeds_dir / "broken.txt").write_text(BROKEN, encoding="utf-8")
    handle = await fake_discord.slash("reload", user=fake_discord.owner)
    _, reply = await _reload_reply(handle)
    text = message_text(reply)
    assert "Reload refused" in text and f"broken.txt line {BROKEN_LINE}" in text
    assert str(seeds_dir) not in text  # file names only: no server paths in Discord
    assert reload_bot.library is old
    ask = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
    assert DIRECTOR in message_text((await wait_answer(fake_discord, ask)).message)


async def test_reload_with_two_files_of_one_title_keeps_one_and_says_so(
    reload_config: Config, seeds_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.client import create_bot, load_library
    from tests.knowledge.test_load_folder import write_twins

    first, second = write_twins(seeds_dir)
    with caplog.at_level(logging.WARNING, logger="norfolk"):
        library = load_library(reload_config)
    titles = [a.title for a in library.articles]
    assert titles.count("Jaws (film)") == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(second) in warnings[0] and first.name in warnings[0]

    bot = create_bot(reload_config, library=library, guild_ready_timeout=0.01)
    ok, message = await bot.reload_library()
    assert ok, message  # a duplicate is worth a warning, not a refusal
    assert f"{second.name}: same title" in message and first.name in message
    assert str(seeds_dir) not in message  # file names only: replies don't reveal server paths
    assert [a.title for a in bot.library.articles].count("Jaws (film)") == 1
    await bot.close()


async def test_reload_reaches_the_worker_processes(
    fake_discord: FakeDiscord, reload_config: Config, bot_store: object, seeds_dir: Path
) -> None:
    """With answering in worker processes (the default outside tests), a /reload is
    answered from the new articles: the workers are rebuilt for the new library."""
    from bot.client import create_bot
    from bot.workers import ProcessWorkers

    config = replace(reload_config, worker_kind="process", workers=1)
    bot = create_bot(config, store=bot_store, guild_ready_timeout=0.01)  # type: ignore[arg-type]
    async with running(bot):
        assert isinstance(bot.service.workers, ProcessWorkers)
        ask = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
        assert DIRECTOR in message_text((await wait_answer(fake_discord, ask)).message)
        before = bot.service.workers.pids
        shutil.copy(DATA / "articles" / "plain.txt", seeds_dir / "plain.txt")
        _, reply = await _reload_reply(await fake_discord.slash("reload", user=fake_discord.owner))
        assert "Reloaded 2 article(s)" in message_text(reply)
        frogs = await fake_discord.slash(
            "ask", {"question": "where do glass frogs live?"}, user=fake_discord.bob
        )
        answer = message_text((await wait_answer(fake_discord, frogs, timeout=30)).message)
        assert "Central and South America" in answer
        assert before and not set(before) & set(bot.service.workers.pids)
