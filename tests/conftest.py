"""Shared fixtures: the shipped seed library and the test articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import Library

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def seed_library() -> Library:
    """The library the bot ships with (built once per test session)."""
    return Library.from_dir(SEEDS)


@pytest.fixture(scope="session")
def other_library() -> Library:
    """Articles of other kinds: a film with an infobox, a plain title-and-paragraphs page."""
    return Library.from_dir(DATA / "articles")
