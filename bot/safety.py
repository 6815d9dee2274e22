"""Text hygiene and rate limits: what keeps user and article text from pinging or spoiling."""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import discord

_LINE_START_MARKUP = re.compile(r"(?m)^(\s*)(-#|#|>)")
_RAW_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")
_PATH_SEPARATOR = re.compile(r"\s*[›>/]\s*")
_ZERO_WIDTH_SPACE = "\u200b"


def escape_text(text: str) -> str:
    """Markdown- and mention-safe text: article or user text renders literally, pings nobody."""
    text = discord.utils.escape_markdown(text)
    text = _LINE_START_MARKUP.sub(r"\1\\\2", text)  # headers, subtext and quotes
    return neutralise_mentions(text)


def neutralise_mentions(text: str) -> str:
    """Break @everyone/@here and `<@id>`-style mentions with a zero-width space (belt and braces
    on top of `AllowedMentions.none()`, and so embeds do not render someone's name)."""
    text = discord.utils.escape_mentions(text)
    return _RAW_MENTION.sub(lambda m: f"<{m[1]}{_ZERO_WIDTH_SPACE}{m[2]}>", text)


def spoiler(text: str) -> str:
    """Wrap already-escaped text in a Discord spoiler (empty text stays empty)."""
    return f"||{text}||" if text.strip() else text


def is_spoiler_section(section: str | Sequence[str], spoiler_sections: Iterable[str]) -> bool:
    """True when any heading in a section path ('Plot › Ending' or a tuple) is a spoiler name."""
    headings = _PATH_SEPARATOR.split(section) if isinstance(section, str) else section
    parts = [p.strip().casefold() for p in headings]
    names = {name.strip().casefold() for name in spoiler_sections if name.strip()}
    return any(part in names for part in parts)


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut text to `limit` characters at a word boundary, never leaving a dangling escape."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    space = cut.rfind(" ")
    if space > len(cut) * 0.6:
        cut = cut[:space]
    cut = _drop_dangling_escape(cut.rstrip())
    return (cut + ellipsis)[:limit]


def _drop_dangling_escape(text: str) -> str:
    """Remove a trailing odd backslash: half of an escape would swallow the ellipsis."""
    trailing = len(text) - len(text.rstrip("\\"))
    if trailing % 2:
        text = text[:-1]
    return text


def extract_question(content: str, bot_id: int | None, role_ids: Iterable[int] = ()) -> str:
    """The question inside a DM or mention: the bot's `<@id>`, `<@!id>` and `<@&role>` removed."""
    patterns = [rf"<@!?{int(bot_id)}>"] if bot_id is not None else []
    patterns += [rf"<@&{int(r)}>" for r in role_ids]
    if patterns:
        content = re.sub("|".join(patterns), " ", content)
    return " ".join(content.split())


@dataclass(frozen=True)
class CooldownResult:
    """Outcome of one attempt: `retry_after` 0 means go ahead; `first_refusal` = tell the user."""

    retry_after: float
    first_refusal: bool = False

    @property
    def allowed(self) -> bool:
        """True when the question may go ahead now."""
        return self.retry_after <= 0


PRUNE_AT = 1024
"""Tracked users before idle ones are forgotten. After a pass, the next one waits until the
window has passed or the table has doubled, so a burst from thousands of distinct users
costs O(1) a question (a pass per question made a 5,000-user burst quadratic)."""


class Cooldown:
    """Per-user sliding window (`rate` questions per `per` seconds) shared by every front door."""

    def __init__(
        self, rate: int, per: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = max(1, int(rate))
        self.per = float(per)
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}
        self._prune_at = PRUNE_AT
        self._next_prune = float("-inf")
        self.prunes = 0  # passes over the table (each costs one look at every user)

    def hit(self, user_id: int) -> CooldownResult:
        """Count one question for a user, or say how long to wait when over the limit."""
        now = self._clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] >= self.per:
            hits.popleft()
        if len(hits) < self.rate:
            hits.append(now)
            self._warned.pop(user_id, None)
            self._prune(now)
            return CooldownResult(0.0)
        retry = self.per - (now - hits[0])
        first = self._warned.get(user_id) != hits[0]
        self._warned[user_id] = hits[0]
        return CooldownResult(max(retry, 0.01), first)

    def _prune(self, now: float) -> None:
        """Forget idle users now and then, so memory stays bounded on a busy bot."""
        size = len(self._hits)
        if size < PRUNE_AT or (size < self._prune_at and now < self._next_prune):
            return
        self.prunes += 1
        for user_id in [u for u, h in self._hits.items() if not h or now - h[-1] >= self.per]:
            del self._hits[user_id]
            self._warned.pop(user_id, None)
        self._prune_at = max(PRUNE_AT, 2 * len(self._hits))
        self._next_prune = now + self.per
