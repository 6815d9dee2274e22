"""Short-lived, bounded memory of the last question per (user, conversation), for follow-ups.

Nothing here is written to disk: a restart forgets every conversation, an idle one is
forgotten after `ttl` seconds, and at most `max_entries` are kept (the oldest go first).
The rewriting itself is `bot.followup.read_followup`; this only remembers what it needs.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.followup import read_followup

if TYPE_CHECKING:
    from knowledge import Answer

K = TypeVar("K", bound=Hashable)

DEFAULT_TTL = 600.0
"""Seconds a conversation is remembered after its last question."""
MAX_ENTRIES = 4096
"""Conversations (and, separately, answer messages) remembered at most."""


@dataclass(frozen=True)
class Turn:
    """One question of a conversation, as it was read (after any rewrite)."""

    question: str


@dataclass(frozen=True)
class Reading:
    """How to read an incoming question: `question` is what to ask; `read_as` is set (to the
    same text) only when it was rewritten from a follow-up, for "Reading this as: …"."""

    question: str
    read_as: str | None = None


class _Expiring(Generic[K]):
    """An LRU mapping whose entries also expire `ttl` seconds after they were stored."""

    def __init__(self, ttl: float, max_entries: int, clock: Callable[[], float]) -> None:
        self.ttl = ttl
        self.max_entries = max(1, max_entries)
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, Turn]] = OrderedDict()

    def get(self, key: K) -> Turn | None:
        item = self._items.get(key)
        if item is None:
            return None
        stored_at, turn = item
        if self._clock() - stored_at > self.ttl:
            del self._items[key]
            return None
        return turn

    def put(self, key: K, turn: Turn) -> None:
        self._items[key] = (self._clock(), turn)
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class Conversations(Generic[K]):
    """The last turn of each conversation, plus the turn each answer message answered (so a
    reply to an answer is read with that answer's question). `ttl <= 0` turns follow-ups off.
    """

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL,
        max_entries: int = MAX_ENTRIES,
        max_question_chars: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = ttl > 0
        self.max_question_chars = max_question_chars
        self._last: _Expiring[K] = _Expiring(ttl, max_entries, clock)
        self._answers: _Expiring[int] = _Expiring(ttl, max_entries, clock)

    def read(self, key: K, question: str, *, replying_to: int | None = None) -> Reading:
        """The question to ask: rewritten with the previous turn when it cannot stand alone.

        The previous turn is the one of the answer being replied to, if known, else the
        conversation's last one.
        """
        if not self.enabled:
            return Reading(question)
        previous = self._answers.get(replying_to) if replying_to is not None else None
        previous = previous or self._last.get(key)
        if previous is None:
            return Reading(question)
        rewritten = read_followup(previous.question, question)
        too_long = (
            rewritten is not None
            and self.max_question_chars is not None
            and len(rewritten) > self.max_question_chars
        )
        if rewritten is None or too_long:
            return Reading(question)
        return Reading(rewritten, rewritten)

    def remember(self, key: K, turn: Turn, *, message_id: int | None = None) -> None:
        """Make `turn` the conversation's last; `message_id` is the answer message, if any."""
        if not self.enabled:
            return
        self._last.put(key, turn)
        if message_id is not None:
            self._answers.put(message_id, turn)

    def __len__(self) -> int:
        return len(self._last)


def turn_of(answer: Answer) -> Turn | None:
    """What to remember of an answer: its question as read; None for a notice ("hi", an
    empty question), which leaves the conversation as it was."""
    if answer.notice:
        return None
    return Turn(answer.question)


def ask_in_conversation(
    memory: Conversations[K], key: K, ask: Callable[[str], Answer], question: str
) -> tuple[Answer, Reading]:
    """Read `question` in the conversation, ask it, remember it: for the REPL and the CLI."""
    reading = memory.read(key, question)
    answer = ask(reading.question)
    turn = turn_of(answer)
    if turn is not None:
        memory.remember(key, turn)
    return answer, reading
