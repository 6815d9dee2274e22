"""Pytest fixtures for the fake MediaWiki: on the test's loop, or in a thread for the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.fake_wiki.server import FakeWiki, wiki_in_thread


@pytest.fixture
async def fake_wiki() -> AsyncIterator[FakeWiki]:
    """A running fake MediaWiki on the test's own event loop."""
    wiki = FakeWiki()
    await wiki.start()
    try:
        yield wiki
    finally:
        await wiki.stop()


@pytest.fixture
def threaded_wiki() -> Iterator[FakeWiki]:
    """A running fake MediaWiki on a loop of its own, for commands that call asyncio.run."""
    with wiki_in_thread() as wiki:
        yield wiki
