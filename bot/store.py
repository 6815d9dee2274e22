"""The bot's small memory, in one SQLite file: asked questions, 👍/👎 feedback, button
clicks — and the articles server admins added with `/library add` and their shelf choices.

Storage is a nice-to-have, never a reason to stop answering: every failure (a missing,
locked, read-only or corrupt file, a full disk) is logged once and the call returns
`None` or an empty result instead of raising (a write that had to succeed, such as adding
an article, returns False, so the caller can say that nothing changed). Methods are
synchronous and thread-safe so the bot can call them through `asyncio.to_thread`; one
connection behind a lock is the single writer, and WAL mode keeps outside readers (an
admin's `sqlite3` shell) unblocked.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

log = logging.getLogger("norfolk.store")

T = TypeVar("T")

MAX_QUESTION_CHARS = 1000
"""Longer questions are cut (the bot passes its own limit, `NORFOLK_MAX_QUESTION_CHARS`):
enough to recognise a question, not a place to store essays."""
MAX_LABEL_CHARS = 64
"""Cap for short labels (`source`, `action`) so a caller bug cannot bloat the file."""
DEFAULT_BUSY_TIMEOUT = 5.0
"""Seconds to wait for another process's lock before giving up on one call."""

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: questions, feedback (one vote per user per question; the last one counts), clicks.
    (
        """CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            asked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            question TEXT NOT NULL,
            normalized TEXT NOT NULL,
            answered INTEGER NOT NULL,
            confidence REAL NOT NULL,
            user_id INTEGER,
            guild_id INTEGER,
            source TEXT NOT NULL
        )""",
        "CREATE INDEX questions_unanswered ON questions (answered, normalized)",
        """CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            question_id INTEGER,
            user_id INTEGER NOT NULL,
            helpful INTEGER NOT NULL,
            UNIQUE (question_id, user_id)
        )""",
        """CREATE TABLE clicks (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            question_id INTEGER,
            user_id INTEGER NOT NULL,
            action TEXT NOT NULL
        )""",
    ),
    # 2: articles servers added (/library add), and which shared articles a server uses.
    (
        """CREATE TABLE server_articles (
            id INTEGER PRIMARY KEY,
            guild_id INTEGER NOT NULL,
            title TEXT NOT NULL,
            folded TEXT NOT NULL,
            source TEXT NOT NULL,
            text TEXT NOT NULL,
            added_by INTEGER,
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            UNIQUE (guild_id, folded)
        )""",
        """CREATE TABLE server_shelves (
            guild_id INTEGER PRIMARY KEY,
            shared TEXT NOT NULL
        )""",
    ),
)
"""Ordered schema migrations; `PRAGMA user_version` = how many have been applied.
Append new steps, never edit old ones: existing databases only run the steps they lack."""

SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class StoredArticle:
    """An article a server added: its text in the article format, and who added it."""

    guild_id: int
    title: str
    source: str
    text: str
    added_by: int | None = None


def normalize_question(text: str) -> str:
    """The grouping key for "the same question": casefolded, whitespace collapsed."""
    return " ".join(text.casefold().split())


class StoreUnavailable(Exception):
    """Internal: raised on open when the database cannot be used, with a readable reason."""


class Store:
    """Thread-safe SQLite store that degrades to a no-op instead of raising.

    `path` is a file path (parent folders are created), ":memory:", or an SQLite URI
    starting with "file:" (e.g. "file:/x/norfolk.db?mode=ro"), which is opened with
    `uri=True`; a database that turns out to be read-only is treated as unavailable.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        max_question_chars: int = MAX_QUESTION_CHARS,
    ) -> None:
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self.max_question_chars = max_question_chars
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._failing = False  # a call failed and it was logged; stay quiet until one succeeds
        self.error: str | None = None
        """Why the database could not be opened (None while it is available)."""
        try:
            self._conn = self._open()
        except (sqlite3.Error, OSError, StoreUnavailable) as exc:
            self.error = _reason(exc)
            log.error(
                "database %s is unavailable (%s); questions and feedback will not be saved",
                self.path,
                _reason(exc),
            )

    @property
    def available(self) -> bool:
        """True while the database is open and usable."""
        return self._conn is not None

    # -- opening -------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        is_uri = self.path.startswith("file:")
        if not is_uri and self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout,
            isolation_level=None,  # autocommit; transactions are explicit
            check_same_thread=False,
            uri=is_uri,
        )
        try:
            conn.execute("PRAGMA journal_mode=WAL")  # first read: fails on a corrupt file
            conn.execute("PRAGMA synchronous=NORMAL")
            _migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    # -- plumbing ------------------------------------------------------------------------

    def _run(self, what: str, work: Callable[[sqlite3.Connection], T], default: T) -> T:
        """Run one unit of work under the lock; on failure log once and return `default`."""
        with self._lock:
            if self._conn is None:
                return default
            try:
                result = work(self._conn)
            except (sqlite3.Error, OverflowError) as exc:  # OverflowError: int beyond 64 bits
                if not self._failing:
                    log.warning(
                        "could not %s in %s (%s); carrying on without it",
                        what,
                        self.path,
                        _reason(exc),
                    )
                self._failing = True
                return default
            if self._failing:
                log.info("database %s works again", self.path)
                self._failing = False
            return result

    # -- writes --------------------------------------------------------------------------

    def record_question(
        self,
        *,
        question: str,
        answered: bool,
        confidence: float,
        user_id: int | None,
        guild_id: int | None,
        source: str,
    ) -> int | None:
        """Log an asked question; returns its row id for feedback buttons (None if not saved)."""
        text = question[: self.max_question_chars]
        conf = float(confidence)
        row = (
            text,
            normalize_question(text),
            int(bool(answered)),
            conf if math.isfinite(conf) else 0.0,
            user_id,
            guild_id,
            source[:MAX_LABEL_CHARS],
        )

        def work(conn: sqlite3.Connection) -> int | None:
            cursor = conn.execute(
                "INSERT INTO questions"
                " (question, normalized, answered, confidence, user_id, guild_id, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return cursor.lastrowid

        return self._run("record a question", work, None)

    def record_feedback(self, *, question_id: int | None, user_id: int, helpful: bool) -> None:
        """Store a 👍/👎; a user's later vote on the same question replaces the earlier one."""
        self._run(
            "record feedback",
            lambda conn: conn.execute(
                "INSERT INTO feedback (question_id, user_id, helpful) VALUES (?, ?, ?)"
                " ON CONFLICT (question_id, user_id) DO UPDATE"
                " SET helpful = excluded.helpful, at = excluded.at",
                (question_id, user_id, int(bool(helpful))),
            ),
            None,
        )

    def record_click(self, *, question_id: int | None, user_id: int, action: str) -> None:
        """Store a button click (e.g. "more_sources") to see which buttons get used."""
        self._run(
            "record a click",
            lambda conn: conn.execute(
                "INSERT INTO clicks (question_id, user_id, action) VALUES (?, ?, ?)",
                (question_id, user_id, action[:MAX_LABEL_CHARS]),
            ),
            None,
        )

    # -- server shelves ------------------------------------------------------------------

    def save_article(self, article: StoredArticle) -> bool:
        """Add a server's article, or replace its article of the same title; False (nothing
        stored) when the database cannot be written."""
        row = (
            article.guild_id,
            article.title,
            article.title.casefold(),
            article.source[: MAX_LABEL_CHARS * 4],
            article.text,
            article.added_by,
        )

        def work(conn: sqlite3.Connection) -> bool:
            conn.execute(
                "INSERT INTO server_articles"
                " (guild_id, title, folded, source, text, added_by) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, folded) DO UPDATE SET title = excluded.title,"
                " source = excluded.source, text = excluded.text,"
                " added_by = excluded.added_by, added_at = excluded.added_at",
                row,
            )
            return True

        return self._run("save a server's article", work, False)

    def delete_article(self, guild_id: int, title: str) -> bool:
        """Remove a server's article by title; False when it cannot be written."""

        def work(conn: sqlite3.Connection) -> bool:
            conn.execute(
                "DELETE FROM server_articles WHERE guild_id = ? AND folded = ?",
                (guild_id, title.casefold()),
            )
            return True

        return self._run("remove a server's article", work, False)

    def articles(self) -> list[StoredArticle] | None:
        """Every server's articles, oldest first; None when the database cannot be read."""

        def work(conn: sqlite3.Connection) -> list[StoredArticle]:
            rows = conn.execute(
                "SELECT guild_id, title, source, text, added_by FROM server_articles ORDER BY id"
            ).fetchall()
            return [StoredArticle(*row) for row in rows]

        return self._run("read servers' articles", work, None)

    def save_shelf_choice(self, guild_id: int, titles: Sequence[str] | None) -> bool:
        """Which shared articles a server uses (None: all of them, the default)."""

        def work(conn: sqlite3.Connection) -> bool:
            if titles is None:
                conn.execute("DELETE FROM server_shelves WHERE guild_id = ?", (guild_id,))
            else:
                conn.execute(
                    "INSERT INTO server_shelves (guild_id, shared) VALUES (?, ?)"
                    " ON CONFLICT (guild_id) DO UPDATE SET shared = excluded.shared",
                    (guild_id, json.dumps(list(titles), ensure_ascii=False)),
                )
            return True

        return self._run("save a server's shelf", work, False)

    def shelf_choices(self) -> dict[int, tuple[str, ...]] | None:
        """Per server that chose, the titles of the shared articles it uses."""

        def work(conn: sqlite3.Connection) -> dict[int, tuple[str, ...]]:
            choices = {}
            for guild_id, shared in conn.execute("SELECT guild_id, shared FROM server_shelves"):
                try:
                    titles = json.loads(shared)
                except ValueError:
                    continue  # a hand-edited row: that server sees every shared article
                if isinstance(titles, list):
                    choices[int(guild_id)] = tuple(str(t) for t in titles)
            return choices

        return self._run("read servers' shelves", work, None)

    # -- reads ---------------------------------------------------------------------------

    def question_text(self, question_id: int) -> str | None:
        """The stored (possibly truncated) text of a question, or None if unknown."""

        def work(conn: sqlite3.Connection) -> str | None:
            row = conn.execute(
                "SELECT question FROM questions WHERE id = ?", (question_id,)
            ).fetchone()
            return None if row is None else row[0]

        return self._run("read a question", work, None)

    def top_unanswered(self, limit: int = 10) -> list[tuple[str, int]]:
        """Most-asked unanswered questions as (latest wording, times asked), most asked first.

        Wordings that differ only in case or spacing count as one question; ties go to
        the most recently asked, so the list shows what people want now.
        """

        def work(conn: sqlite3.Connection) -> list[tuple[str, int]]:
            # SQLite returns the bare column `question` from the row holding MAX(id).
            rows = conn.execute(
                "SELECT question, COUNT(*) AS n, MAX(id) AS latest FROM questions"
                " WHERE answered = 0 GROUP BY normalized"
                " ORDER BY n DESC, latest DESC LIMIT ?",
                (max(0, limit),),
            ).fetchall()
            return [(question, count) for question, count, _ in rows]

        return self._run("read unanswered questions", work, [])

    def feedback_tally(self) -> dict[str, int]:
        """Counts of helpful / unhelpful votes: {"up": n, "down": m}."""

        def work(conn: sqlite3.Connection) -> dict[str, int]:
            up, down = conn.execute(
                "SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM feedback"
            ).fetchone()
            return {"up": int(up), "down": int(down)}

        return self._run("read the feedback tally", work, {"up": 0, "down": 0})

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Fold the WAL back into the main file and close; safe to call more than once."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA optimize")
        except sqlite3.Error as exc:
            log.warning("could not checkpoint %s on close (%s)", self.path, _reason(exc))
        finally:
            conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply missing migrations in one transaction; the version write also proves writability."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"schema version {version} is newer than this bot understands ({SCHEMA_VERSION})"
            )
        for number, steps in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in steps:
                conn.execute(statement)
            log.info("database schema migrated to version %d", number)
        # Rewritten even when current: a read-only file fails here, on open, not mid-chat.
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def _reason(exc: BaseException) -> str:
    """A short human reason for a log line, e.g. 'database is locked'."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc) or type(exc).__name__
