"""Overload, reported calmly: one WARNING line per interval instead of one per reader.

Under a flood, turning questions away ("busy, please ask again in a minute") and the odd
interaction that Discord expired before it could be acknowledged are expected events, not
bugs: `OverloadLog` counts them and summarises each interval in a single line, with no
traceback. `expected_discord_error` tells those Discord errors (10062, 40060) from real ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable

import discord

log = logging.getLogger("norfolk.overload")

UNKNOWN_INTERACTION = 10062
"""Discord forgot the interaction: it was not acknowledged within 3 seconds."""
ALREADY_ACKNOWLEDGED = 40060
"""A second acknowledgement of one interaction (e.g. after a retried request)."""
EXPECTED_CODES = frozenset({UNKNOWN_INTERACTION, ALREADY_ACKNOWLEDGED})

INTERVAL = 60.0
"""Seconds one summary line covers."""

REASONS = {
    "full": "the queue was full",
    "late": "they could not be answered within the interaction's 15 minutes",
}


def expected_discord_error(error: BaseException) -> int | None:
    """The Discord error code when `error` is one overload makes expected, else None."""
    if isinstance(error, discord.HTTPException) and error.code in EXPECTED_CODES:
        return error.code
    return None


class OverloadLog:
    """Counts shed questions and expired interactions; `flush` logs them as one line.

    The first event of a quiet period schedules a flush `interval` seconds later (on the
    running event loop), so a burst of any size yields one line per interval. `status`
    describes the queue at flush time ("queue 2000/2000, 2 process workers, ~25 ms each").
    """

    def __init__(self, status: Callable[[], str], interval: float = INTERVAL) -> None:
        self.status = status
        self.interval = interval
        self.shed: Counter[str] = Counter()
        self.expired: Counter[int] = Counter()
        self.total_shed = 0  # since start, for tests and benchmarks
        self.total_expired = 0
        self._flush: asyncio.TimerHandle | None = None
        self._since: float | None = None  # time.monotonic() of this interval's first event

    def turned_away(self, reason: str) -> None:
        """One question answered "busy" (`reason`: a key of `REASONS`)."""
        self.shed[reason] += 1
        self.total_shed += 1
        self._schedule()

    def discord_refused(self, code: int) -> None:
        """One interaction Discord refused with an expected code (10062, 40060)."""
        self.expired[code] += 1
        self.total_expired += 1
        self._schedule()

    def _schedule(self) -> None:
        if self._since is None:
            self._since = time.monotonic()
        if self._flush is not None:
            return
        with contextlib.suppress(RuntimeError):  # no running loop: flush() by hand
            self._flush = asyncio.get_running_loop().call_later(self.interval, self.flush)

    def summary(self) -> str | None:
        """The line `flush` would log now (None when nothing happened)."""
        if not self.shed and not self.expired:
            return None
        parts = []
        if self.shed:
            why = "; ".join(f"{n} because {REASONS.get(r, r)}" for r, n in self.shed.items())
            parts.append(f"turned {sum(self.shed.values())} question(s) away as busy ({why})")
        if self.expired:
            codes = ", ".join(f"{n}× {code}" for code, n in sorted(self.expired.items()))
            parts.append(f"Discord refused {sum(self.expired.values())} response(s) ({codes})")
        since = time.monotonic() - (self._since or time.monotonic())
        return f"overload over {since:.0f} s: {'; '.join(parts)}; {self.status()}"

    def flush(self) -> None:
        """Log the summary (if any) and start counting a new interval."""
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        line = self.summary()
        self.shed.clear()
        self.expired.clear()
        self._since = None
        if line:
            log.warning("%s", line)
