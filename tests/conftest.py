"""Shared fixtures: the shipped seed library and the test articles."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import Library

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
CACHE = ROOT / ".cache"  # fact embeddings, kept between runs like the bot keeps them


@pytest.fixture(scope="session")
def seed_library() -> Library:
    """The library the bot ships with (built once per test session)."""
    return Library.from_dir(SEEDS, cache_dir=CACHE)


@pytest.fixture(scope="session")
def other_library() -> Library:
    """Articles of other kinds: a film with an infobox, a plain title-and-paragraphs page."""
    return Library.from_dir(DATA / "articles", cache_dir=CACHE)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """`run_discord` installs a root handler and level (once per process in production); put
    the root logger back after each test so no handler outlives the stream it writes to."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


SETTINGS = (
    "DISCORD_TOKEN",
    "NORFOLK_DEV_GUILD_ID",
    "NORFOLK_SEEDS",
    "NORFOLK_DB",
    "NORFOLK_SPOILERS",
    "NORFOLK_SPOILER_SECTIONS",
    "NORFOLK_COOLDOWN_RATE",
    "NORFOLK_COOLDOWN_SECONDS",
    "NORFOLK_MAX_QUESTION_CHARS",
    "NORFOLK_SHARD_COUNT",
    "NORFOLK_FOLLOWUP_SECONDS",
    "NORFOLK_LOG_LEVEL",
    "NORFOLK_ENCODER",
    "NORFOLK_CACHE_DIR",
    "NORFOLK_WORKERS",
    "NORFOLK_WORKER_KIND",
    "NORFOLK_QUEUE_SIZE",
    "NORFOLK_HTTP_CONNECTIONS",
    "NORFOLK_WIKI_API",
    "NORFOLK_ALLOW_IMPORT",
    "NORFOLK_CONTACT",
    "NORFOLK_SHARED",
)


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see a developer's real `.env` or Norfolk environment (e.g. a live token)."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("bot.config._default_dotenv", lambda: tmp_path / "no-such.env")
