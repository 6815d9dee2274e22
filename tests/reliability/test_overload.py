"""Overload through the fake: acknowledgements go out while the answerer is stuck, a full
queue answers "busy" once and at once, and expected Discord refusals log no traceback.

The answerer here is held shut by the test (a gate), so every state is reached on purpose;
the fake enforces Discord's 3-second window, so an accepted callback is one in time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from bot.replies import BUSY
from knowledge import Answer, Library
from tests.fake_discord.burst import run_burst
from tests.fake_discord.fixtures import running
from tests.fake_discord.interactions import DEFERRED_MESSAGE, EPHEMERAL, MESSAGE, InteractionHandle
from tests.fake_discord.payloads import FakeUser
from tests.fake_discord.recording import message_text
from tests.fake_discord.server import FakeDiscord
from tests.reliability.helpers import (
    DIRECTOR,
    DIRECTOR_QUESTION,
    QUIET_PERIOD,
    answers_for,
    callbacks_for,
    succeeded,
    wait_answer,
)

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.config import Config
    from bot.store import Store

QUEUE = 2


class GatedLibrary:
    """A library whose lookups block their worker until the test opens the gate."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.gate = threading.Event()
        self.started = 0
        self.finished = 0

    def ask(self, question: str, **options: Any) -> Answer:
        self.started += 1
        assert self.gate.wait(30), "the test never opened the gate"
        self.finished += 1
        return self.library.ask(question, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.library, name)


@pytest.fixture
async def small_bot(
    fake_discord: FakeDiscord, bot_config: Config, bot_store: Store, seed_library: Library
) -> AsyncIterator[NorfolkBot]:
    """One worker thread and room for two waiting questions."""
    from bot.client import create_bot

    config = replace(bot_config, workers=1, queue_size=QUEUE)
    bot = create_bot(config, library=seed_library, store=bot_store, guild_ready_timeout=0.01)
    async with running(bot):
        yield bot


@pytest.fixture
def gated(small_bot: NorfolkBot, seed_library: Library) -> Iterator[GatedLibrary]:
    library = GatedLibrary(seed_library)
    small_bot.library = library  # type: ignore[assignment]
    yield library
    library.gate.set()  # never leave a worker thread waiting


def users(fake: FakeDiscord, n: int) -> list[FakeUser]:
    return [FakeUser(fake.ids.next(), f"reader{i}") for i in range(n)]


async def ask(fake: FakeDiscord, user: FakeUser, question: str = DIRECTOR_QUESTION) -> Any:
    return await fake.slash("ask", {"question": question}, user=user)


async def until(check: Any, what: str) -> None:
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def messages_for(handle: InteractionHandle) -> list[dict[str, Any]]:
    """Every message the reader was shown for this interaction (callbacks and edits)."""
    return [c.message for c in handle.calls() if succeeded(c) and c.message is not None]


def is_busy_reply(handle: InteractionHandle) -> bool:
    (callback,) = callbacks_for(handle)
    data = callback.json.get("data") or {}
    return (
        callback.json["type"] == MESSAGE
        and bool(int(data.get("flags") or 0) & EPHEMERAL)
        and data.get("content") == BUSY
    )


async def test_acks_go_out_while_the_answerer_is_stuck_and_busy_replies_once(
    fake_discord: FakeDiscord,
    small_bot: NorfolkBot,
    gated: GatedLibrary,
    caplog: pytest.LogCaptureFixture,
) -> None:
    readers = users(fake_discord, 6)
    first = await ask(fake_discord, readers[0])
    await until(lambda: gated.started == 1, "the worker is stuck on the first question")
    rest = [await ask(fake_discord, reader) for reader in readers[1:]]
    handles = [first, *rest]
    for handle in handles:  # every one acknowledged, in time (the fake refuses late ones)
        await handle.callback(timeout=5)
    assert gated.finished == 0  # ...while the answerer was still stuck
    busy = [h for h in handles if is_busy_reply(h)]
    deferred = [h for h in handles if callbacks_for(h)[0].json["type"] == DEFERRED_MESSAGE]
    assert busy == rest[QUEUE:]  # the first asked are the ones queued, in order
    assert deferred == [first, *rest[:QUEUE]]
    with caplog.at_level(logging.WARNING, logger="norfolk"):
        gated.gate.set()
        for handle in deferred:
            assert DIRECTOR in message_text((await wait_answer(fake_discord, handle)).message)
        await asyncio.sleep(QUIET_PERIOD)
        small_bot.service.overload.flush()
    for handle in handles:
        assert len(callbacks_for(handle)) == 1 and len(messages_for(handle)) == 1
    assert gated.finished == 1 + QUEUE  # the busy ones were never looked up
    summary = [r for r in caplog.records if "away as busy" in r.getMessage()]
    assert len(summary) == 1 and "turned 3 question(s) away as busy" in summary[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)


async def test_mentions_and_dms_are_told_busy_once_too(
    fake_discord: FakeDiscord, small_bot: NorfolkBot, gated: GatedLibrary
) -> None:
    readers = users(fake_discord, 3)
    first = await ask(fake_discord, readers[0])
    await until(lambda: gated.started == 1, "the worker is stuck")
    queued = [await ask(fake_discord, reader) for reader in readers[1:]]
    for handle in queued:
        await handle.callback()
    since = fake_discord.mark()
    await fake_discord.say(f"{fake_discord.mention()} {DIRECTOR_QUESTION}", author=fake_discord.bob)
    await fake_discord.say(DIRECTOR_QUESTION, dm=True, author=fake_discord.alice)
    await until(lambda: len(fake_discord.recorder.messages(since=since)) == 2, "two replies")
    replies = [m for _, m in fake_discord.recorder.messages(since=since)]
    assert [m["content"] for m in replies] == [BUSY, BUSY]
    gated.gate.set()
    for handle in (first, *queued):
        await wait_answer(fake_discord, handle)
    await asyncio.sleep(QUIET_PERIOD)
    assert len(fake_discord.recorder.messages(since=since)) == 2 + 1 + len(queued)  # no more


async def test_a_question_that_can_no_longer_be_answered_in_time_gets_busy_instead(
    fake_discord: FakeDiscord, small_bot: NorfolkBot, gated: GatedLibrary
) -> None:
    readers = users(fake_discord, 2)
    first = await ask(fake_discord, readers[0])
    await until(lambda: gated.started == 1, "the worker is stuck")
    late = await ask(fake_discord, readers[1])
    assert (await late.callback()).json["type"] == DEFERRED_MESSAGE  # "thinking…"
    small_bot.service.deadline = 0.0  # as if it had waited out the 15 minutes
    gated.gate.set()
    await wait_answer(fake_discord, first)
    reply = await late.reply()
    assert reply["content"] == BUSY and not reply.get("embeds")
    await asyncio.sleep(QUIET_PERIOD)
    assert len(messages_for(late)) == 1 and answers_for(late) == []
    assert gated.finished == 1


async def test_an_expired_interaction_is_counted_not_traced(
    fake_discord: FakeDiscord, small_bot: NorfolkBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.ack_deadline = 0.0  # every acknowledgement arrives "too late"
    with caplog.at_level(logging.DEBUG):
        handle = await ask(fake_discord, fake_discord.bob)
        await until(lambda: small_bot.service.overload.total_expired == 1, "the 10062 is noted")
        await asyncio.sleep(QUIET_PERIOD)
    assert [c.status for c in handle.calls()] == [404]  # one try, no apology after it
    assert small_bot.service.waiting == 0  # its place in the queue was given back
    noisy = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert noisy == []
    assert "(1× 10062)" in (small_bot.service.overload.summary() or "")


async def test_http_connections_are_pooled_and_capped(
    fake_discord: FakeDiscord, bot_config: Config, bot_store: Store, seed_library: Library
) -> None:
    from bot.client import create_bot

    config = replace(bot_config, http_connections=3)
    bot = create_bot(config, library=seed_library, store=bot_store, guild_ready_timeout=0.01)
    async with running(bot):
        assert bot.http.connector.limit == 3
        result = await run_burst(fake_discord, 40, timeout=30)
    assert result.answered == 40 and result.duplicates == 0, result.summary_line()
    assert 1 < fake_discord.peak_connections <= 3  # the gateway's socket included
