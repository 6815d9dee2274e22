"""Pytest fixtures: a started fake with discord.py pointed at it, and a runner for real clients."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.fake_discord.server import FakeDiscord

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
READY_TIMEOUT = 5.0


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse DNS for anything but loopback, so a missed redirect fails instead of going online."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK:
            raise OSError(f"fake_discord: refusing to resolve non-loopback host {name!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture
async def fake_discord(
    monkeypatch: pytest.MonkeyPatch, no_internet: None
) -> AsyncIterator[FakeDiscord]:
    """A running fake with `Route.BASE` and `DEFAULT_GATEWAY` pointed at it (restored after)."""
    import yarl

    fake = FakeDiscord()
    await fake.start()
    monkeypatch.setattr(Route, "BASE", fake.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    try:
        yield fake
    finally:
        await fake.stop()


@contextlib.asynccontextmanager
async def running(client: discord.Client, token: str = "fake-token") -> AsyncIterator[None]:
    """Log a real client in, connect it to the fake, wait for READY; close it cleanly after."""
    await client.login(token)
    connect = asyncio.create_task(client.connect(), name="discord-connect")
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait(
        {connect, ready}, timeout=READY_TIMEOUT, return_when="FIRST_COMPLETED"
    )
    try:
        if ready not in done:
            ready.cancel()
            if connect in done:
                connect.result()  # re-raise why the client stopped
            raise AssertionError(f"client was not ready within {READY_TIMEOUT}s")
        yield
    finally:
        await client.close()
        try:
            await asyncio.wait_for(connect, timeout=5)
        except (asyncio.CancelledError, TimeoutError):
            connect.cancel()
