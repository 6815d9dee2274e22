"""The SQLite store: round trips, grouping, concurrency, and degrading instead of raising."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.store import MAX_QUESTION_CHARS, SCHEMA_VERSION, Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "norfolk.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store(db_path, busy_timeout=0.2)
    yield s
    s.close()


def query(path: Path, sql: str) -> list[tuple]:
    """Read the file the way an admin's `sqlite3` shell would, closing the connection after."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def ask(store: Store, question: str, *, answered: bool = False, user: int = 1) -> int | None:
    return store.record_question(
        question=question,
        answered=answered,
        confidence=0.9 if answered else 0.1,
        user_id=user,
        guild_id=42,
        source="slash",
    )


def store_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "norfolk.store" and r.levelno >= logging.WARNING]


def assert_degraded(store: Store) -> None:
    """Every method answers with its empty value and none raises."""
    assert store.available is False
    assert ask(store, "who directed the film?") is None
    assert store.question_text(1) is None
    store.record_feedback(question_id=1, user_id=1, helpful=True)
    store.record_click(question_id=1, user_id=1, action="source")
    assert store.top_unanswered() == []
    assert store.feedback_tally() == {"up": 0, "down": 0}
    store.close()


# -- creation and schema ------------------------------------------------------------------


def test_first_run_creates_parent_dirs_schema_and_wal(store: Store, db_path: Path) -> None:
    assert store.available
    assert db_path.is_file()
    assert query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert SCHEMA_VERSION >= 1
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
    tables = {name for (name,) in query(db_path, "SELECT name FROM sqlite_master")}
    assert {"questions", "feedback", "clicks"} <= tables


def test_reopening_keeps_data_and_version(db_path: Path) -> None:
    with Store(db_path) as first:
        qid = ask(first, "Who is Tommy?")
    with Store(db_path) as second:
        assert second.available
        assert second.question_text(qid) == "Who is Tommy?"
    assert query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_newer_schema_version_degrades(db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    Store(db_path).close()
    query(db_path, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")  # autocommits
    assert_degraded(Store(db_path))
    assert len(store_errors(caplog)) == 1
    assert "newer" in store_errors(caplog)[0].getMessage()


def test_in_memory_database_works() -> None:
    with Store(":memory:") as s:
        assert s.available
        assert ask(s, "x?") == 1


# -- round trips --------------------------------------------------------------------------


def test_question_round_trip_and_ids(store: Store) -> None:
    first = ask(store, "Who wrote it?", answered=True)
    second = ask(store, "Where is Hailsham?")
    assert isinstance(first, int) and isinstance(second, int) and first != second
    assert store.question_text(first) == "Who wrote it?"
    assert store.question_text(second) == "Where is Hailsham?"
    assert store.question_text(9999) is None


def test_question_text_is_truncated(store: Store) -> None:
    qid = ask(store, "why " * 1000)
    text = store.question_text(qid)
    assert text is not None and len(text) == MAX_QUESTION_CHARS


def test_the_configured_question_limit_is_the_stored_one(tmp_path) -> None:
    with Store(tmp_path / "long.db", max_question_chars=3000) as long_store:
        text = long_store.question_text(ask(long_store, "why " * 1000))
    assert text is not None and len(text) == 3000


def test_odd_values_are_stored_not_raised(store: Store) -> None:
    qid = store.record_question(
        question="", answered=False, confidence=float("nan"), user_id=None, guild_id=None, source=""
    )
    assert qid is not None
    assert store.question_text(qid) == ""


def test_clicks_are_stored(store: Store, db_path: Path) -> None:
    qid = ask(store, "who is Ruth?")
    store.record_click(question_id=qid, user_id=7, action="source")
    store.record_click(question_id=None, user_id=7, action="x" * 500)
    rows = query(db_path, "SELECT question_id, user_id, action FROM clicks ORDER BY id")
    assert rows[0] == (qid, 7, "source")
    assert rows[1][0] is None and len(rows[1][2]) == 64


# -- aggregates ---------------------------------------------------------------------------


def test_top_unanswered_groups_normalised_text_most_asked_first(store: Store) -> None:
    for text in ["Who is Madame?", "who  is MADAME?", "\twho is madame? "]:
        ask(store, text)
    for text in ["when was it filmed?", "When was it filmed?"]:
        ask(store, text)
    ask(store, "what is the weather?")
    ask(store, "who is madame?", answered=True)  # answered: never counted
    top = store.top_unanswered()
    assert [count for _, count in top] == [3, 2, 1]
    assert top[0][0] == "\twho is madame? "  # the latest wording represents the group
    assert top[1][0] == "When was it filmed?"
    assert top[2] == ("what is the weather?", 1)
    assert store.top_unanswered(limit=1) == top[:1]
    assert store.top_unanswered(limit=0) == []


def test_top_unanswered_ties_prefer_most_recent(store: Store) -> None:
    ask(store, "older?")
    ask(store, "newer?")
    assert store.top_unanswered() == [("newer?", 1), ("older?", 1)]


def test_feedback_tally_counts_last_vote_per_user_and_question(store: Store) -> None:
    assert store.feedback_tally() == {"up": 0, "down": 0}
    qid = ask(store, "who wrote it?", answered=True)
    store.record_feedback(question_id=qid, user_id=1, helpful=True)
    store.record_feedback(question_id=qid, user_id=2, helpful=True)
    store.record_feedback(question_id=qid, user_id=3, helpful=False)
    assert store.feedback_tally() == {"up": 2, "down": 1}
    store.record_feedback(question_id=qid, user_id=2, helpful=False)  # changed their mind
    assert store.feedback_tally() == {"up": 1, "down": 2}
    store.record_feedback(question_id=None, user_id=1, helpful=True)  # unknown question: kept
    store.record_feedback(question_id=None, user_id=1, helpful=True)
    assert store.feedback_tally() == {"up": 3, "down": 2}


# -- concurrency --------------------------------------------------------------------------


def test_concurrent_feedback_writes_are_all_stored(store: Store, db_path: Path) -> None:
    threads_n, writes_n = 8, 50
    start = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def writer(t: int) -> None:
        try:
            start.wait()
            for i in range(writes_n):
                store.record_feedback(question_id=t * 1000 + i, user_id=t, helpful=i % 2 == 0)
        except BaseException as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert store.feedback_tally() == {"up": 200, "down": 200}
    assert query(db_path, "SELECT COUNT(*) FROM feedback") == [(400,)]


# -- degrading ----------------------------------------------------------------------------


def test_corrupt_file_degrades_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "norfolk.db"
    garbage = b"this is not an sqlite database \x00\xff" * 200
    path.write_bytes(garbage)
    store = Store(path)
    assert len(store_errors(caplog)) == 1
    assert str(path) in store_errors(caplog)[0].getMessage()
    assert_degraded(store)
    assert len(store_errors(caplog)) == 1  # calls on an unavailable store stay quiet
    assert path.read_bytes() == garbage  # the evidence is left for the admin


def test_path_that_is_a_directory_degrades(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert_degraded(Store(tmp_path))
    assert len(store_errors(caplog)) == 1


def test_parent_that_is_a_file_degrades(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "file").write_text("x")
    assert_degraded(Store(tmp_path / "file" / "norfolk.db"))
    assert len(store_errors(caplog)) == 1


def test_read_only_database_degrades(db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    Store(db_path).close()  # a valid, current database…
    store = Store(f"file:{db_path}?mode=ro")  # …that this process may only read
    assert len(store_errors(caplog)) == 1
    assert "readonly" in store_errors(caplog)[0].getMessage()
    assert_degraded(store)


def test_missing_read_only_database_degrades(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert_degraded(Store(f"file:{tmp_path / 'absent.db'}?mode=ro"))
    assert len(store_errors(caplog)) == 1


def test_locked_database_write_degrades_then_recovers(
    store: Store, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    qid = ask(store, "who is Kathy?")
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        began = time.monotonic()
        assert ask(store, "blocked?") is None
        store.record_feedback(question_id=qid, user_id=1, helpful=True)
        store.record_click(question_id=qid, user_id=1, action="source")
        assert time.monotonic() - began < 3  # bounded by the 0.2 s busy timeout per call
        assert store.available  # a lock is temporary: the store stays open
        assert len(store_errors(caplog)) == 1  # one line per outage, not one per call
        assert "locked" in store_errors(caplog)[0].getMessage()
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.record_feedback(question_id=qid, user_id=1, helpful=True)
    assert store.feedback_tally() == {"up": 1, "down": 0}
    assert store.top_unanswered() == [("who is Kathy?", 1)]  # the blocked write is not there


def test_database_locked_on_open_degrades(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "norfolk.db"
    other = sqlite3.connect(path, isolation_level=None)  # rollback journal: locks block reads
    try:
        other.execute("CREATE TABLE x (y)")
        other.execute("BEGIN EXCLUSIVE")
        began = time.monotonic()
        store = Store(path, busy_timeout=0.1)
        assert time.monotonic() - began < 3
        assert len(store_errors(caplog)) == 1
        assert_degraded(store)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_close_is_idempotent_and_checkpoints(store: Store, db_path: Path) -> None:
    ask(store, "who is Ruth?")
    store.close()
    store.close()
    assert store.available is False
    assert ask(store, "after close?") is None
    wal = db_path.with_name(db_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert query(db_path, "SELECT COUNT(*) FROM questions") == [(1,)]
