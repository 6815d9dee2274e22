"""The answering service: admission before acknowledgement, a bounded FIFO, turning away.

The workers here are a stub whose lookups wait for the test to let them finish, so every
state (busy workers, a full queue, a question that waited too long) is reached on purpose,
never by timing.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref
from typing import Any

import pytest

from bot.overload import OverloadLog
from bot.service import GC_THRESHOLDS, AnswerService, Busy, settle_heap
from knowledge import Answer


class GatedWorkers:
    """Workers whose lookups finish only when the test opens their question's gate."""

    kind = "stub"

    def __init__(self, size: int = 1) -> None:
        self.size = size
        self.started: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.prepared: list[Any] = []
        self.closed = False

    def gate(self, question: str) -> asyncio.Event:
        return self.gates.setdefault(question, asyncio.Event())

    async def ask(self, library: Any, question: str, max_citations: int | None) -> Answer:
        self.started.append(question)
        await self.gate(question).wait()
        if question == "fail":
            raise ValueError("the lookup broke")
        return Answer(question, f"{library}:{question}:{max_citations}")

    def prepare(self, library: Any) -> None:
        self.prepared.append(library)

    async def close(self) -> None:
        self.closed = True


async def until(check: Any, what: str) -> None:
    """Let the event loop run until `check()` holds (bounded, so a bug fails, not hangs)."""
    for _ in range(1000):
        if check():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"never happened: {what}")


def make_service(size: int = 1, queue_size: int = 2, **options: Any) -> AnswerService:
    return AnswerService(
        GatedWorkers(size), lambda: "lib", queue_size=queue_size, timeout=30, **options
    )


def workers_of(service: AnswerService) -> GatedWorkers:
    assert isinstance(service.workers, GatedWorkers)
    return service.workers


async def test_answers_in_the_order_asked_one_per_worker() -> None:
    service = make_service(size=1, queue_size=5)
    workers = workers_of(service)
    tasks = [asyncio.create_task(service.ask(q)) for q in ("a", "b", "c")]
    await until(lambda: workers.started == ["a"], "the first question starts")
    assert service.waiting == 2  # b and c wait their turn; one worker, one at a time
    for question in ("c", "b", "a"):  # letting c go first does not let it jump the queue
        workers.gate(question).set()
    answers = await asyncio.gather(*tasks)
    assert workers.started == ["a", "b", "c"]
    assert [a.text for a in answers] == ["lib:a:None", "lib:b:None", "lib:c:None"]
    assert service.waiting == 0 and service.answered == 3
    await service.close()


async def test_a_full_queue_turns_questions_away_at_once() -> None:
    service = make_service(size=1, queue_size=2)
    workers = workers_of(service)
    first = asyncio.create_task(service.ask("a"))
    await until(lambda: workers.started == ["a"], "a worker takes the first question")
    queued = [asyncio.create_task(service.ask(q)) for q in ("b", "c")]
    await until(lambda: service.waiting == 2, "two questions wait")
    with pytest.raises(Busy) as busy:
        service.reserve()  # checked before acknowledging: no place, no defer
    assert busy.value.reason == "full"
    with pytest.raises(Busy):
        await service.ask("d")
    assert service.overload.total_shed == 2
    for question in "abc":
        workers.gate(question).set()
    await asyncio.gather(first, *queued)
    assert "d" not in workers.started
    await service.close()


async def test_a_reserved_place_counts_and_is_given_back_if_unused() -> None:
    service = make_service(size=1, queue_size=1)
    with service.reserve():
        assert service.waiting == 1
        with pytest.raises(Busy):
            service.reserve()  # the place is held while the interaction is acknowledged
    assert service.waiting == 0  # the block ended without asking: the place is free again
    ticket = service.reserve()
    workers_of(service).gate("a").set()
    answer = await service.ask("a", ticket=ticket)
    assert answer.text == "lib:a:None" and service.waiting == 0
    with pytest.raises(RuntimeError):
        ticket.take()  # a ticket is good for one question
    await service.close()


async def test_a_wait_longer_than_the_interaction_lifetime_is_turned_away() -> None:
    service = make_service(size=2, queue_size=100, deadline=10.0)
    service.service_time = 4.0  # as observed: 4 s a question, 2 workers
    tickets = [service.reserve() for _ in range(4)]  # answered after 4, 4, 8, 8 s
    with pytest.raises(Busy) as busy:
        service.reserve()  # the fifth would be answered after 12 s: past the deadline
    assert busy.value.reason == "late"
    for ticket in tickets:
        ticket.release()
    await service.close()


async def test_a_question_that_waited_too_long_is_turned_away_when_its_turn_comes() -> None:
    service = make_service(size=1, queue_size=5)
    workers = workers_of(service)
    first = asyncio.create_task(service.ask("a"))
    await until(lambda: workers.started == ["a"], "a worker takes the first question")
    late = asyncio.create_task(service.ask("b"))
    await until(lambda: service.waiting == 1, "the second question waits")
    service.deadline = 0.0  # as if it had waited out the interaction's lifetime
    workers.gate("a").set()
    await first
    with pytest.raises(Busy) as busy:
        await late
    assert busy.value.reason == "late" and workers.started == ["a"]  # never looked up
    await service.close()


async def test_a_question_can_name_what_it_is_asked_of_read_when_its_turn_comes() -> None:
    service = make_service(size=1, queue_size=5)
    workers = workers_of(service)
    shelves = {"guild": "shelf-1"}
    first = asyncio.create_task(service.ask("a"))
    await until(lambda: workers.started == ["a"], "a worker takes the first question")
    second = asyncio.create_task(service.ask("b", library=lambda: shelves["guild"]))
    await until(lambda: service.waiting == 1, "the second question waits")
    shelves["guild"] = "shelf-2"  # swapped (a reload) while the question waited
    workers.gate("a").set()
    workers.gate("b").set()
    assert (await first).text == "lib:a:None"  # the service's own library by default
    assert (await second).text == "shelf-2:b:None"
    await service.close()


async def test_the_service_time_is_learnt_from_answers() -> None:
    service = make_service(size=1, queue_size=5)
    prior = service.service_time
    service._observe(1.0)
    assert prior < service.service_time < 1.0  # a moving average, not the last value


async def test_a_failed_or_slow_lookup_reaches_its_reader_and_the_worker_goes_on() -> None:
    service = make_service(size=1, queue_size=5)
    workers = workers_of(service)
    workers.gate("fail").set()
    with pytest.raises(ValueError, match="broke"):
        await service.ask("fail")
    service.timeout = 0.01
    with pytest.raises(TimeoutError):
        await service.ask("never")  # its gate stays shut
    service.timeout = 30
    workers.gate("fine").set()
    assert (await service.ask("fine", max_citations=8)).text == "lib:fine:8"
    await service.close()


async def test_a_reader_who_left_is_skipped() -> None:
    service = make_service(size=1, queue_size=5)
    workers = workers_of(service)
    first = asyncio.create_task(service.ask("a"))
    await until(lambda: workers.started == ["a"], "a worker takes the first question")
    gone = asyncio.create_task(service.ask("gone"))
    await until(lambda: service.waiting == 1, "the second question waits")
    gone.cancel()
    workers.gate("a").set()
    workers.gate("c").set()
    await first
    assert (await service.ask("c")).text == "lib:c:None"
    assert workers.started == ["a", "c"]
    await service.close()


async def test_close_stops_the_workers_and_cancels_waiting_questions() -> None:
    service = make_service(size=1, queue_size=5)
    workers = workers_of(service)
    first = asyncio.create_task(service.ask("a"))
    waiting = asyncio.create_task(service.ask("b"))
    await until(lambda: service.waiting == 1 and workers.started, "one runs, one waits")
    service.prepare("new library")
    await service.close()
    assert workers.closed and workers.prepared == ["new library"]
    for task in (first, waiting):
        with pytest.raises(asyncio.CancelledError):
            await task
    with pytest.raises(RuntimeError, match="closed"):
        await service.ask("a straggler")  # no new consumers (or worker pools) after close
    assert not service._consumers


# ----- the overload summary --------------------------------------------------------------------


def test_one_warning_line_summarises_an_interval(caplog: pytest.LogCaptureFixture) -> None:
    overload = OverloadLog(lambda: "queue 5/5")
    for _ in range(3000):
        overload.turned_away("full")
    overload.turned_away("late")
    overload.discord_refused(10062)
    with caplog.at_level(logging.WARNING, logger="norfolk"):
        overload.flush()
        overload.flush()  # nothing new: no second line
    (record,) = caplog.records
    text = record.getMessage()
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "turned 3001 question(s) away as busy" in text
    assert "3000 because the queue was full" in text
    assert "1 because they could not be answered within" in text
    assert "Discord refused 1 response(s) (1× 10062)" in text and text.endswith("queue 5/5")
    assert overload.total_shed == 3001 and overload.total_expired == 1


async def test_the_summary_is_logged_once_the_interval_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    overload = OverloadLog(lambda: "queue", interval=0.0)
    with caplog.at_level(logging.WARNING, logger="norfolk"):
        overload.turned_away("full")
        overload.turned_away("full")  # the same interval: still one line to come
        for _ in range(100):
            if caplog.records:
                break
            await asyncio.sleep(0.01)
    assert len(caplog.records) == 1 and "turned 2 question(s) away as busy" in caplog.text


@pytest.fixture
def gc_state():
    """Restore the collector as it was: settle_heap changes process-wide state."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector, not reference counting, frees it


def test_settle_heap_freezes_the_living_and_still_frees_what_a_reload_replaced(
    gc_state,
) -> None:
    old = _Node()
    gone = weakref.ref(old)
    settle_heap()  # a library starts serving: what is alive now is frozen
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == GC_THRESHOLDS
    del old  # a reload replaced it
    gc.collect()
    assert gone() is not None  # frozen: a collection does not even look at it
    settle_heap()  # the new library starts serving
    assert gone() is None
