"""Answering workers: processes that each build the library once, or threads.

These start real worker processes (about a second each pool on this machine).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.workers import (
    ProcessWorkers,
    ThreadWorkers,
    make_workers,
    recipe_of,
    split_view,
    usable_cpus,
)
from knowledge import Answer, Library, load_article
from tests.conftest import CACHE, DATA

QUESTIONS = ("who directed the film?", "who is Kathy?", "what is Hailsham?", "how tall is it?")


@pytest.fixture
async def processes() -> AsyncIterator[ProcessWorkers]:
    workers = ProcessWorkers(2)
    yield workers
    await workers.close()


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


async def test_worker_processes_answer_as_the_library_does(
    processes: ProcessWorkers, seed_library: Library
) -> None:
    for question in QUESTIONS:
        assert await processes.ask(seed_library, question, None) == seed_library.ask(question)
    more = await processes.ask(seed_library, QUESTIONS[0], 6)
    assert more == seed_library.ask(QUESTIONS[0], max_citations=6)
    assert processes.pids and os.getpid() not in processes.pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_worker_processes_yield_the_cpu_to_the_bot(
    processes: ProcessWorkers, seed_library: Library
) -> None:
    processes.prepare(seed_library)
    for _ in range(20):  # enough questions for both workers to have started
        await processes.ask(seed_library, QUESTIONS[1], None)
    for pid in processes.pids:
        assert niceness(pid) > niceness(os.getpid())  # acknowledging wins the CPU


async def test_a_swapped_library_is_answered_by_a_fresh_pool(
    processes: ProcessWorkers, seed_library: Library
) -> None:
    frogs = "where do glass frogs live?"
    assert not (await processes.ask(seed_library, frogs, None)).answered
    old_pids = processes.pids
    articles = (*seed_library.articles, load_article(DATA / "articles" / "plain.txt"))
    bigger = Library(articles, cache_dir=CACHE)
    answer = await processes.ask(bigger, frogs, None)
    assert answer.answered and "South America" in (answer.text or "") + str(answer.citations)
    assert not set(old_pids) & set(processes.pids)  # the old workers were retired
    for _ in range(3):  # reload after reload: retired pools are not kept once they exit
        bigger = Library(articles, cache_dir=CACHE)
        assert (await processes.ask(bigger, frogs, None)).answered
    assert len(processes._retired) <= 3


async def test_a_dead_worker_is_replaced(processes: ProcessWorkers, seed_library: Library) -> None:
    assert (await processes.ask(seed_library, QUESTIONS[0], None)).answered
    for pid in processes.pids:
        os.kill(pid, signal.SIGKILL)
    assert (await processes.ask(seed_library, QUESTIONS[0], None)).answered  # a new pool


async def test_a_lexical_only_library_stays_lexical(
    processes: ProcessWorkers, seed_library: Library
) -> None:
    lexical = Library(seed_library.articles, encoder=None)
    recipe = recipe_of(lexical)
    assert recipe is not None and not recipe.semantic
    assert await processes.ask(lexical, QUESTIONS[0], None) == lexical.ask(QUESTIONS[0])


class StandIn:
    def ask(self, question: str) -> object:
        return f"stand-in: {question}"


class Sub(Library):
    pass


async def test_a_library_that_cannot_travel_is_answered_in_threads(
    processes: ProcessWorkers, seed_library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    assert recipe_of(StandIn()) is None
    assert recipe_of(Sub(seed_library.articles, encoder=None)) is None
    with caplog.at_level(logging.WARNING, logger="norfolk"):
        assert await processes.ask(StandIn(), "hi", None) == "stand-in: hi"
        assert await processes.ask(StandIn(), "again", None) == "stand-in: again"
    assert processes.pids == []  # no process was started for it
    assert len([r for r in caplog.records if "answering in threads" in r.getMessage()]) == 1


async def test_thread_workers_use_the_library_they_are_given(seed_library: Library) -> None:
    workers = make_workers("thread", 2)
    assert isinstance(workers, ThreadWorkers) and workers.size == 2
    assert await workers.ask(StandIn(), "x", None) == "stand-in: x"
    assert await workers.ask(seed_library, QUESTIONS[0], None) == seed_library.ask(QUESTIONS[0])
    await workers.close()


def test_pool_kinds_and_sizes() -> None:
    assert isinstance(make_workers("process", 3), ProcessWorkers)
    with pytest.raises(ValueError, match="unknown worker kind"):
        make_workers("fibre", 1)
    assert 1 <= usable_cpus() <= (os.cpu_count() or 1)


class Part:
    """A view of a library (as a server's shelf is): rebuilt in the worker from positions."""

    def __init__(self, library: Library, positions: tuple[int, ...]) -> None:
        self.library = library
        self.positions = tuple(positions)

    def ask(self, question: str) -> Answer:
        return Answer(question, f"view {self.positions} of {len(self.library.articles)}")


async def test_a_view_of_the_library_is_rebuilt_in_the_worker_not_given_a_pool(
    processes: ProcessWorkers, seed_library: Library
) -> None:
    assert split_view(seed_library) == (seed_library, None)
    assert split_view(Part(seed_library, (0,))) == (seed_library, (Part, (0,)))
    assert (await processes.ask(seed_library, QUESTIONS[0], None)).answered
    pool = processes._pool
    for positions in ((0,), (), (0,)):
        answer = await processes.ask(Part(seed_library, positions), "x", None)
        assert answer.text == f"view {positions} of 1"  # built in the worker, from its library
    assert processes._pool is pool  # the same pool: a view is not a new library
