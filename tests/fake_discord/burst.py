"""A burst of concurrent `/ask` interactions through the fake, counted reply by reply.

Shared by `tests/reliability/test_load.py` (asserts none lost or duplicated) and
`benchmarks/bench_load.py` (1,000 and 5,000, prints latency and overload figures), so both
count alike. Each question comes from a distinct user so the per-user cooldown does not
refuse it. The fake enforces Discord's 3-second acknowledgement window, so an accepted
callback is one that came in time; a late one is counted under its error code (10062).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.fake_discord.errors import UNKNOWN_INTERACTION
from tests.fake_discord.payloads import JSON, FakeUser
from tests.fake_discord.recording import Call
from tests.fake_discord.server import FakeDiscord

QUESTIONS = (
    "who directed the film?",
    "Who is the author of Never Let Me Go?",
    "How many pages does it have?",
    "who is Kathy?",
    "what is Hailsham?",
    "what is the airspeed velocity of an unladen swallow?",  # an abstention is a reply too
)


@dataclass
class BurstResult:
    """Per-interaction counts and latencies (seconds) of one burst."""

    n: int
    elapsed: float = 0.0
    dispatched: dict[str, float] = field(default_factory=dict)  # token -> dispatch time
    callbacks: Counter[str] = field(default_factory=Counter)  # token -> accepted callbacks
    messages: Counter[str] = field(default_factory=Counter)  # token -> messages shown (any)
    answers: Counter[str] = field(default_factory=Counter)  # token -> messages with an embed
    texts: dict[str, str] = field(default_factory=dict)  # token -> first text-only reply
    callback_latency: dict[str, float] = field(default_factory=dict)
    reply_latency: dict[str, float] = field(default_factory=dict)
    failed_calls: int = 0  # REST calls the fake answered with an error status
    rejected: Counter[int] = field(default_factory=Counter)  # Discord error code -> calls

    @property
    def answered(self) -> int:
        """Interactions whose user saw an answer embed (refusals and apologies are text only)."""
        return sum(1 for token in self.dispatched if self.answers[token] > 0)

    @property
    def acked(self) -> int:
        """Interactions whose callback Discord accepted: within the 3 seconds."""
        return sum(1 for token in self.dispatched if self.callbacks[token] > 0)

    @property
    def replied(self) -> int:
        """Interactions whose user saw at least one message (an answer or a text)."""
        return sum(1 for token in self.dispatched if self.messages[token] > 0)

    @property
    def single_replies(self) -> int:
        """Interactions whose user saw exactly one message."""
        return sum(1 for token in self.dispatched if self.messages[token] == 1)

    def texts_containing(self, marker: str) -> int:
        """Interactions answered with a text (no embed) containing `marker`, e.g. "busy"."""
        return sum(1 for text in self.texts.values() if marker.casefold() in text.casefold())

    @property
    def duplicates(self) -> int:
        """Callbacks or messages beyond one each, over all interactions (any second message,
        answer or not, is one the user should not have seen)."""
        extra_callbacks = sum(max(0, c - 1) for c in self.callbacks.values())
        return extra_callbacks + sum(max(0, m - 1) for m in self.messages.values())

    def percentile_ms(self, q: float, latencies: dict[str, float] | None = None) -> float:
        """The q-th percentile (nearest rank) of reply latency, in milliseconds."""
        values = sorted((self.reply_latency if latencies is None else latencies).values())
        if not values:
            return math.nan
        rank = max(1, math.ceil(q / 100 * len(values)))
        return values[rank - 1] * 1000

    def summary_line(self) -> str:
        """The line the benchmark ends with (and the test prints)."""
        return (
            f"answered {self.answered}/{self.n} duplicates {self.duplicates} "
            f"p50_ms {self.percentile_ms(50):.1f} p99_ms {self.percentile_ms(99):.1f}"
        )


def _token_of(call: Call, application_id: int) -> str | None:
    """The interaction token a callback or webhook call belongs to (None for other calls)."""
    parts = call.path.strip("/").split("/")
    if len(parts) == 4 and parts[0] == "interactions" and parts[3] == "callback":
        return parts[2]
    if len(parts) >= 3 and parts[0] == "webhooks" and parts[1] == str(application_id):
        return parts[2]
    return None


class _Observer:
    """Fake listener: counts each new interaction's callbacks and answer messages as they land.

    Calls are keyed by token as they arrive (a reply can land before `slash()` returns), and
    latencies are computed once every dispatch time is known.
    """

    def __init__(self, fake: FakeDiscord, result: BurstResult) -> None:
        self.fake = fake
        self.result = result
        self.ignore = set(fake.interactions)  # interactions from before the burst
        self.first_callback: dict[str, float] = {}
        self.first_delivery: dict[str, float] = {}
        self.settled: set[str] = set()  # replied to, or refused as too late (10062)
        self.done = asyncio.Event()  # every interaction is settled

    def __call__(self, call: Call) -> None:
        result = self.result
        token = _token_of(call, self.fake.application_id)
        if token is None or token in self.ignore or token not in self.fake.interactions:
            return
        if call.status >= 400:
            result.failed_calls += 1
            code = call.response.get("code") if isinstance(call.response, dict) else None
            if code:
                result.rejected[int(code)] += 1
            if code == UNKNOWN_INTERACTION:  # too late: no reply can follow
                self.settled.add(token)
                self._check_done()
            return
        now = time.perf_counter()
        if call.path.endswith("/callback"):
            result.callbacks[token] += 1
            self.first_callback.setdefault(token, now)
        message = call.message
        if message is None:
            return
        result.messages[token] += 1
        self.settled.add(token)
        if message.get("embeds"):
            result.answers[token] += 1
            self.first_delivery.setdefault(token, now)
        else:
            result.texts.setdefault(token, message.get("content") or "")
        self._check_done()

    def _check_done(self) -> None:
        if len(self.settled) >= self.result.n:
            self.done.set()

    def latencies(self) -> None:
        """Fill the result's latencies from the dispatch times."""
        for token, sent in self.result.dispatched.items():
            if token in self.first_callback:
                self.result.callback_latency[token] = self.first_callback[token] - sent
            if token in self.first_delivery:
                self.result.reply_latency[token] = self.first_delivery[token] - sent


def burst_users(fake: FakeDiscord, n: int) -> list[FakeUser]:
    """`n` distinct guild members, so no one hits the per-user cooldown."""
    return [FakeUser(fake.ids.next(), f"user{i}") for i in range(n)]


async def run_burst(
    fake: FakeDiscord,
    n: int,
    *,
    questions: Sequence[str] = QUESTIONS,
    timeout: float = 60.0,
    quiet: float = 0.2,
) -> BurstResult:
    """Dispatch `n` `/ask` interactions at once; wait until each has a reply (an answer or a
    text such as "busy") or was refused as too late, then `quiet` seconds more so late
    duplicates are counted too. Never raises on a shortfall: the caller asserts."""
    result = BurstResult(n)
    observer = _Observer(fake, result)
    users = burst_users(fake, n)

    prepared = [
        fake.slash_payload("ask", {"question": questions[i % len(questions)]}, user=user)
        for i, user in enumerate(users)
    ]

    def sent(payload: JSON) -> None:
        result.dispatched[payload["token"]] = time.perf_counter()

    fake.listeners.append(observer)
    try:
        start = time.perf_counter()
        # Serialised first and written back to back: the flood reaches the bot at once and
        # the fake's own CPU goes to answering the bot's requests, as Discord's would.
        await fake.dispatch_interactions(prepared, sent)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(observer.done.wait(), timeout)
        result.elapsed = time.perf_counter() - start
        await asyncio.sleep(quiet)
    finally:
        fake.listeners.remove(observer)
    observer.latencies()
    return result
