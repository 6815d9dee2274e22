"""The one service every front door asks through: a bounded queue, in order, before the workers.

`/ask`, the message menu, DMs, mentions and "More sources" all call `AnswerService.ask`.
Admission is decided first and cheaply, so the reader hears at once: `reserve()` hands out
a `Ticket` (a place in the queue, taken before the interaction is acknowledged) or raises
`Busy` when the queue is full, or when the estimated wait (the questions ahead of this one
× the observed service time ÷ the workers) would not leave the answer inside the
interaction's 15-minute lifetime. A question that waited so long that its answer could no
longer arrive in time is turned away when its turn comes, rather than answered too late.
Each worker takes the oldest waiting question; `timeout` bounds one question's lookup.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.overload import OverloadLog
from bot.workers import Workers
from knowledge import Answer

INTERACTION_LIFETIME = 15 * 60.0
"""Seconds Discord lets a bot edit or follow up an interaction's response."""
DEADLINE_MARGIN = 60.0
"""Kept free at the end of that lifetime for rendering, sending and a wrong estimate."""
PRIOR_SERVICE_TIME = 0.05
"""Seconds a question is assumed to take before any has been answered."""
SMOOTHING = 0.1
"""Weight of each new observation in the moving average of the service time."""


class Busy(Exception):
    """The question is turned away; the reader is told to ask again in a minute."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "full" or "late" (see bot.overload.REASONS)


class Ticket:
    """A reserved place in the queue: used by `ask`, or given back when the block ends."""

    def __init__(self, service: AnswerService) -> None:
        self._service: AnswerService | None = service

    def take(self) -> None:
        """Turn the reservation into a queued question (once)."""
        if self._service is None:
            raise RuntimeError("this ticket was already used or given back")
        self.release()

    def release(self) -> None:
        """Give the place back (the interaction failed before its question was queued)."""
        if self._service is not None:
            self._service._reserved -= 1
            self._service = None

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass
class _Job:
    question: str
    max_citations: int | None
    library: Callable[[], Any]
    future: asyncio.Future[Answer]
    queued_at: float = field(default_factory=time.monotonic)


class AnswerService:
    """Questions in, answers out: a FIFO bounded by `queue_size` in front of `workers`.

    `library` (or the one a question names) is read when a worker takes a question, so a
    /reload applies to every question that has not started yet. `deadline` is how long
    after it was queued an answer is still worth sending.
    """

    def __init__(
        self,
        workers: Workers,
        library: Callable[[], Any],
        *,
        queue_size: int,
        timeout: float,
        deadline: float = INTERACTION_LIFETIME - DEADLINE_MARGIN,
    ) -> None:
        self.workers = workers
        self.library = library
        self.queue_size = queue_size
        self.timeout = timeout
        self.deadline = deadline
        self.service_time = PRIOR_SERVICE_TIME
        self.overload = OverloadLog(self.status)
        self.answered = 0
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()  # bounded by `reserve`
        self._reserved = 0
        self._in_flight = 0
        self._consumers: list[asyncio.Task[None]] = []
        self._closed = False

    # -- admission --------------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        """Questions admitted but not yet taken by a worker (reserved places included)."""
        return self._reserved + self._queue.qsize()

    def estimated_wait(self, position: int) -> float:
        """Seconds until the question at `position` (1 = next) would be answered."""
        rounds = -(-position // self.workers.size)  # each round answers one per worker
        return rounds * self.service_time

    def reserve(self) -> Ticket:
        """A place in the queue, or `Busy` (counted for the overload summary)."""
        if self.waiting >= self.queue_size:
            self._turn_away("full")
        if self.estimated_wait(self.waiting + self._in_flight + 1) > self.deadline:
            self._turn_away("late")
        self._reserved += 1
        return Ticket(self)

    def _turn_away(self, reason: str) -> None:
        self.overload.turned_away(reason)
        raise Busy(reason)

    # -- asking ---------------------------------------------------------------------------

    async def ask(
        self,
        question: str,
        *,
        max_citations: int | None = None,
        ticket: Ticket | None = None,
        library: Callable[[], Any] | None = None,
    ) -> Answer:
        """The answer, once a worker has looked it up; raises `Busy` (no room, or too late),
        `TimeoutError` (the lookup took over `timeout`) or whatever the lookup raised.

        `library` says what this question is asked of (e.g. a server's shelf), read when a
        worker takes it; by default the service's own `library`."""
        if self._closed:  # shutting down: no new workers for a straggler
            if ticket is not None:
                ticket.release()
            raise RuntimeError("the answering service is closed")
        (ticket or self.reserve()).take()
        self._start()
        future = asyncio.get_running_loop().create_future()
        job = _Job(question, max_citations, library or self.library, future)
        self._queue.put_nowait(job)
        try:
            return await job.future
        finally:
            job.future.cancel()  # a reader gone (task cancelled): the worker skips it

    def _start(self) -> None:
        """Start one consumer task per worker (on first use, inside the running loop)."""
        while len(self._consumers) < self.workers.size:
            task = asyncio.get_running_loop().create_task(
                self._consume(), name=f"norfolk-answer-{len(self._consumers)}"
            )
            self._consumers.append(task)

    async def _consume(self) -> None:
        while True:
            job = await self._queue.get()
            if job.future.done():
                continue  # its reader went away
            if time.monotonic() - job.queued_at + self.service_time > self.deadline:
                self.overload.turned_away("late")
                job.future.set_exception(Busy("late"))
                continue
            self._in_flight += 1
            started = time.monotonic()
            try:
                answer = await asyncio.wait_for(
                    self.workers.ask(job.library(), job.question, job.max_citations),
                    self.timeout,
                )
            except asyncio.CancelledError:
                job.future.cancel()
                raise
            except BaseException as error:  # handed to the reader, who apologises
                if not job.future.done():
                    job.future.set_exception(error)
            else:
                self._observe(time.monotonic() - started)
                if not job.future.done():
                    job.future.set_result(answer)
            finally:
                self._in_flight -= 1

    def _observe(self, seconds: float) -> None:
        self.answered += 1
        self.service_time += SMOOTHING * (seconds - self.service_time)

    # -- state and lifecycle ----------------------------------------------------------------

    def status(self) -> str:
        """One phrase for logs: the queue, the workers and the time a question takes."""
        return (
            f"queue {self.waiting}/{self.queue_size}, {self._in_flight} being answered by "
            f"{self.workers.size} {self.workers.kind} worker(s), "
            f"~{self.service_time * 1000:.0f} ms a question"
        )

    def prepare(self, library: Any) -> None:
        """Start the workers for `library` ahead of its first question, and set the
        long-lived heap aside from the garbage collector (`settle_heap`)."""
        self.workers.prepare(library)
        settle_heap()

    async def close(self) -> None:
        """Stop taking questions, fail the waiting ones, stop the workers, log the summary."""
        self._closed = True
        for task in self._consumers:
            task.cancel()
        for task in self._consumers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._consumers.clear()
        while not self._queue.empty():
            self._queue.get_nowait().future.cancel()
        self.overload.flush()
        await self.workers.close()


GC_THRESHOLDS = (50_000, 20, 100)
"""Python's default (700, 10, 10) runs a full collection every few thousand objects that
survive: in a burst of interactions each one walks every object alive, thousands of
interactions in flight included. With these, a 5,000-`/ask` burst costs the event loop
~0.25 s of collection instead of ~0.85 s (`make bench-load`); memory is unchanged, as
almost everything is freed by reference counting anyway."""


def settle_heap() -> None:
    """Collect once, then freeze what is alive (the library, discord.py's caches) into the
    collector's permanent generation so later collections skip it; called whenever a new
    library starts serving. What the previous freeze kept is unfrozen first, so an old
    library replaced by a reload is still collected."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
