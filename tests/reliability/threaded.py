"""The fake Discord on its own event loop in a background thread, for `run_discord` tests.

`run_discord` calls `asyncio.run` and installs signal handlers, so it must own the main
thread; the fake therefore runs elsewhere, and a driver thread plays the user (and sends
the signals) while the bot runs exactly as `norfolk run` would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from tests.fake_discord.recording import message_text
from tests.fake_discord.server import FakeDiscord

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.config import Config

T = TypeVar("T")


class ThreadedFake:
    """A started fake plus the loop it lives on; `run()` executes a coroutine there."""

    def __init__(self, fake: FakeDiscord, loop: asyncio.AbstractEventLoop) -> None:
        self.fake = fake
        self.loop = loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run `coro` on the fake's loop and wait for its result (from any other thread)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, func: Callable[[], T], timeout: float = 10.0) -> T:
        """Run a plain function on the fake's loop (its state is not thread-safe)."""

        async def wrapper() -> T:
            return func()

        return self.run(wrapper(), timeout)


@contextlib.contextmanager
def fake_in_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedFake]:
    """Start the fake on a background loop and point discord.py at it (undone by monkeypatch)."""
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-discord", daemon=True)
    thread.start()

    async def start() -> FakeDiscord:
        fake = FakeDiscord()
        await fake.start()
        return fake

    threaded = ThreadedFake(asyncio.run_coroutine_threadsafe(start(), loop).result(10), loop)
    monkeypatch.setattr(Route, "BASE", threaded.fake.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(threaded.fake.gateway_url))
    try:
        yield threaded
    finally:
        with contextlib.suppress(Exception):
            threaded.run(threaded.fake.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


class Driver(threading.Thread):
    """Runs a scenario beside `run_discord`; keeps its error for the test to re-raise.

    Whatever happens, it finally sends `stop_signal` so `run_discord` returns.
    """

    def __init__(self, scenario: Callable[[], None], stop: Callable[[], None]) -> None:
        super().__init__(name="scenario-driver", daemon=True)
        self.scenario = scenario
        self.stop = stop
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.scenario()
        except BaseException as exc:
            self.error = exc
            traceback.print_exc()
        finally:
            self.stop()

    def check(self) -> None:
        """Re-raise the scenario's failure in the test thread."""
        self.join(10)
        assert not self.is_alive(), "the scenario driver did not finish"
        if self.error is not None:
            raise self.error


def capture_bots(monkeypatch: pytest.MonkeyPatch) -> list[NorfolkBot]:
    """Make `run_discord`'s bots skip the 2 s guild wait, and keep them for inspection."""
    from bot import client as client_module

    bots: list[NorfolkBot] = []
    real = client_module.create_bot

    def create(config: Config, **kwargs: Any) -> NorfolkBot:
        bot = real(config, guild_ready_timeout=0.01, **kwargs)
        bots.append(bot)
        return bot

    monkeypatch.setattr(client_module, "create_bot", create)
    return bots


def signal_if_handled(sig: int) -> Callable[[], None]:
    """Send `sig` to this process, but only while asyncio handles it (never kill pytest)."""

    def send() -> None:
        if signal.getsignal(sig) not in (signal.SIG_DFL, signal.SIG_IGN, None):
            os.kill(os.getpid(), sig)

    return send


def ask(threaded: ThreadedFake, question: str) -> str:
    """Run `/ask` through the fake and return the text the user sees."""
    handle = threaded.run(threaded.fake.slash("ask", {"question": question}))
    return message_text(threaded.run(handle.reply(timeout=5)))


def wait_for(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll a condition another thread makes true."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting for the bot"
        time.sleep(0.01)
