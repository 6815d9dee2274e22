"""`format_stats`: the admin's view of unanswered questions and feedback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.stats import MAX_SHOWN_CHARS, format_stats
from bot.store import Store


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store(":memory:")
    yield s
    s.close()


def ask(store: Store, question: str, *, answered: bool = False) -> int | None:
    return store.record_question(
        question=question,
        answered=answered,
        confidence=0.0,
        user_id=1,
        guild_id=None,
        source="cli",
    )


def test_empty_store_says_nothing_yet(store: Store) -> None:
    text = format_stats(store)
    assert "No unanswered questions yet" in text
    assert "no votes yet" in text
    assert "👍" not in text


def test_lists_unanswered_with_counts_most_asked_first(store: Store) -> None:
    for _ in range(3):
        ask(store, "who composed the score?")
    ask(store, "when was Ishiguro born?")
    ask(store, "who wrote it?", answered=True)
    lines = format_stats(store).splitlines()
    assert "Top 2 unanswered questions:" in lines
    assert "1. who composed the score? — asked 3 times" in lines
    assert "2. when was Ishiguro born? — asked once" in lines
    assert not any("who wrote it?" in line for line in lines)


def test_limit_is_respected(store: Store) -> None:
    for i in range(5):
        ask(store, f"question {i}?")
    text = format_stats(store, limit=2)
    assert "Top 2 unanswered questions:" in text
    assert sum(line.startswith(("1. ", "2. ", "3. ")) for line in text.splitlines()) == 2


def test_feedback_tally_is_shown(store: Store) -> None:
    qid = ask(store, "who wrote it?", answered=True)
    store.record_feedback(question_id=qid, user_id=1, helpful=True)
    store.record_feedback(question_id=qid, user_id=2, helpful=True)
    store.record_feedback(question_id=qid, user_id=3, helpful=False)
    assert "Feedback: 👍 2 / 👎 1" in format_stats(store).splitlines()


def test_long_and_multiline_questions_stay_on_one_short_line(store: Store) -> None:
    ask(store, "why\n\nwhy " + "really " * 100)
    line = next(li for li in format_stats(store).splitlines() if li.startswith("1. "))
    shown = line.removeprefix("1. ").split(" — asked")[0]
    assert "\n" not in shown and shown.startswith("why why really")
    assert len(shown) == MAX_SHOWN_CHARS and shown.endswith("…")


def test_ranks_are_aligned_for_ten_or_more(store: Store) -> None:
    for i in range(10):
        ask(store, f"q{i}")
    lines = format_stats(store).splitlines()
    assert " 1. q9 — asked once" in lines
    assert "10. q0 — asked once" in lines


def test_unavailable_database_is_explained(tmp_path: Path) -> None:
    (tmp_path / "bad.db").write_bytes(b"not a database" * 100)
    text = format_stats(Store(tmp_path / "bad.db"))
    assert "unavailable" in text
    assert "Top" not in text


def test_fits_in_a_discord_message(store: Store) -> None:
    for i in range(10):
        ask(store, f"{i} " + "x" * 900)
    assert len(format_stats(store)) < 2000
