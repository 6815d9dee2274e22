"""Helpers for reliability tests: successful-call filters and slow libraries."""

from __future__ import annotations

import time
from typing import Any

from knowledge import Answer, Library
from tests.fake_discord.interactions import InteractionHandle
from tests.fake_discord.recording import Call
from tests.fake_discord.server import FakeDiscord

DIRECTOR_QUESTION = "who directed the film?"
DIRECTOR = "Romanek"
QUIET_PERIOD = 0.3
"""How long to watch for a duplicate that must not come (the bot answers in milliseconds)."""


def succeeded(call: Call) -> bool:
    """A call the fake served (not one it failed on purpose)."""
    return call.status < 400


def answers_for(handle: InteractionHandle) -> list[Call]:
    """Successful calls for an interaction that carry the answer (a message with embeds)."""
    return [c for c in handle.calls() if succeeded(c) and c.message and c.message.get("embeds")]


def callbacks_for(handle: InteractionHandle) -> list[Call]:
    """Successful interaction callbacks (Discord accepts exactly one per interaction)."""
    return [c for c in handle.calls() if succeeded(c) and c.path.endswith("/callback")]


async def wait_answer(fake: FakeDiscord, handle: InteractionHandle, timeout: float = 5.0) -> Call:
    """The first successful call delivering the interaction's answer embed."""
    await fake.recorder.until(lambda: answers_for(handle), timeout, "the answer to an /ask")
    return answers_for(handle)[0]


class SlowLibrary:
    """A library whose `ask` blocks its worker thread first, like a slow disk or a huge index."""

    def __init__(self, library: Library, delay: float) -> None:
        self.library = library
        self.delay = delay
        self.calls = 0
        self.finished = 0

    def ask(self, question: str, **options: Any) -> Answer:
        """Sleep (in the caller's thread), then answer."""
        self.calls += 1
        time.sleep(self.delay)
        self.finished += 1
        return self.library.ask(question, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.library, name)
