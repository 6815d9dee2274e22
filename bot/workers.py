"""Where questions are answered: a pool of workers sized to the machine, off the event loop.

Answering is CPU work (the e5 encoder in C, then ranking and reading in Python). Threads in
the bot's process would hold its GIL for the Python part, and the event loop that
acknowledges interactions would wait behind them; so by default each worker is a process
(`ProcessWorkers`) that builds the library once from a `Recipe` (the parsed articles and
settings: fact embeddings come from the on-disk cache the bot's own load just wrote), runs
the encoder single-threaded (one worker per core, not every worker on every core) and at a
lower CPU priority than the bot, so acknowledging always wins the CPU. A library swapped by
/reload gets a fresh pool; the old one finishes what it holds and exits.

A question may be asked of a *view* of a library instead of the library itself (an object
with `.library` and `.positions`, built as `type(view)(library, positions)`, such as one
server's shelf of it): the workers keep the one library and rebuild the view from its
positions, so views never start a pool of their own.

`ThreadWorkers` answers in threads of the bot's process: for `NORFOLK_WORKER_KIND=thread`,
and for libraries that cannot travel to another process (test stand-ins, subclasses).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import threading
from collections import OrderedDict
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from knowledge import Answer, Article, Library
from knowledge.encoder import ENCODERS
from knowledge.settings import Settings

log = logging.getLogger("norfolk.workers")

VIEWS_KEPT = 64
"""Views (e.g. servers' shelves) a worker keeps built, most recently used first."""

WORKER_NICENESS = 10
"""How much lower a worker process's CPU priority is than the bot's (POSIX `nice`)."""

SHUTDOWN_GRACE = 5.0
"""Seconds `close()` waits for worker processes to finish before terminating them."""


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def ask_library(library: Any, question: str, max_citations: int | None) -> Answer:
    """`library.ask`, passing `max_citations` only when one is asked for (stand-ins in tests
    accept just the question)."""
    if max_citations is None:
        return library.ask(question)
    return library.ask(question, max_citations=max_citations)


@dataclass(frozen=True)
class Recipe:
    """What a worker process needs to build the same library: picklable, unlike the encoder."""

    articles: tuple[Article, ...]
    settings: Settings
    cache_dir: Path | None
    semantic: bool

    def build(self) -> Library:
        """The library, with this process's own encoder (when the original had one)."""
        options: dict[str, Any] = {"settings": self.settings, "cache_dir": self.cache_dir}
        if not self.semantic:
            options["encoder"] = None
        return Library(self.articles, **options)


View = tuple[type, tuple[int, ...]]
"""How a worker rebuilds a view of its library: the view's class and positions."""


def split_view(target: object) -> tuple[object, View | None]:
    """(library, view) for a view of a `Library`; (target, None) for anything else."""
    library = getattr(target, "library", None)
    positions = getattr(target, "positions", None)
    if type(target) is Library or not isinstance(library, Library) or positions is None:
        return target, None
    return library, (type(target), tuple(positions))


def recipe_of(library: object) -> Recipe | None:
    """A recipe for a plain `Library` whose encoder is none or the one its settings name;
    None for anything a worker could not rebuild as it is (stand-ins, subclasses)."""
    if type(library) is not Library:
        return None
    encoder = library.encoder
    if encoder is not None and type(encoder) is not ENCODERS.get(library.settings.encoder):
        return None
    return Recipe(library.articles, library.settings, library.cache.folder, encoder is not None)


# ----- inside a worker process ---------------------------------------------------------------

_library: Library | None = None
_views: OrderedDict[View, Any] = OrderedDict()


def _start_worker(recipe: bytes, niceness: int) -> None:
    """Initializer of each worker process: one encoder thread, lower priority, the library.

    The recipe arrives pickled so that the thread count is set before anything loads the
    encoder. Ctrl-C and SIGHUP are the bot's to handle: a worker ignores them.
    """
    global _library
    os.environ["OMP_NUM_THREADS"] = "1"  # read when the encoder's OpenMP runtime loads
    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    if niceness and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(niceness)
    _library = pickle.loads(recipe).build()


def _ask_in_worker(question: str, max_citations: int | None, view: View | None) -> Answer:
    assert _library is not None, "worker started without a library"
    target: Any = _library
    if view is not None:
        target = _views.get(view)
        if target is None:
            cls, positions = view
            target = _views[view] = cls(_library, positions)
            while len(_views) > VIEWS_KEPT:
                _views.popitem(last=False)
        _views.move_to_end(view)
    return ask_library(target, question, max_citations)


def _pid() -> int:
    return os.getpid()


# ----- the pools -------------------------------------------------------------------------------


class Workers(Protocol):
    """A pool that answers questions off the event loop."""

    size: int
    kind: str

    async def ask(self, library: Any, question: str, max_citations: int | None) -> Answer: ...

    def prepare(self, library: Any) -> None: ...

    async def close(self) -> None: ...


class ThreadWorkers:
    """`size` threads in this process, answering with whatever library they are given."""

    kind = "thread"

    def __init__(self, size: int) -> None:
        self.size = size
        self._pool = ThreadPoolExecutor(size, thread_name_prefix="norfolk-answer")

    async def ask(self, library: Any, question: str, max_citations: int | None) -> Answer:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, partial(ask_library, library, question, max_citations)
        )

    def prepare(self, library: Any) -> None:
        """Nothing to load: threads share the bot's library."""

    async def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class ProcessWorkers:
    """`size` worker processes holding one library; rebuilt when the library changes."""

    kind = "process"

    def __init__(self, size: int, *, niceness: int = WORKER_NICENESS) -> None:
        self.size = size
        self.niceness = niceness
        self._pool: ProcessPoolExecutor | None = None
        self._library: object = None  # the library the pool was built for
        self._retired: list[ProcessPoolExecutor] = []
        self._threads: ThreadWorkers | None = None  # for libraries that cannot travel
        self._warned: set[int] = set()

    @property
    def pids(self) -> list[int]:
        """Process ids of the current pool's workers (for benchmarks and tests)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return list(processes)

    def _pool_for(self, library: object) -> Executor | None:
        """The pool holding `library`, started now if needed; None if it cannot travel."""
        if self._pool is not None and library is self._library:
            return self._pool
        recipe = recipe_of(library)
        if recipe is None:
            return None
        self._retire()
        self._pool = ProcessPoolExecutor(
            self.size,
            mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded process
            initializer=_start_worker,
            initargs=(pickle.dumps(recipe), self.niceness),
        )
        self._library = library
        log.info("starting %d answering worker process(es)", self.size)
        return self._pool

    def _retire(self) -> None:
        """Let the current pool finish the questions it holds, then exit; forget the pools
        retired before whose workers have all gone."""
        self._retired = [pool for pool in self._retired if _alive(pool)]
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._retired.append(self._pool)
            self._pool, self._library = None, None

    def prepare(self, library: object) -> None:
        """Start the workers for `library` now, so the first question does not wait for them."""
        pool = self._pool_for(library)
        if pool is not None:
            for _ in range(self.size):
                pool.submit(_pid)

    async def ask(self, target: Any, question: str, max_citations: int | None) -> Answer:
        """Ask `target` (a library, or a view of one) in a worker process."""
        loop = asyncio.get_running_loop()
        library, view = split_view(target)
        for attempt in (1, 2):
            pool = self._pool_for(library)
            if pool is None:
                return await self._in_threads(target, question, max_citations)
            try:
                return await loop.run_in_executor(
                    pool, _ask_in_worker, question, max_citations, view
                )
            except BrokenProcessPool:
                if self._pool is pool:  # not yet replaced by another question's retry
                    log.error("an answering worker process died; starting a new pool")
                    self._pool, self._library = None, None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _in_threads(self, library: Any, question: str, max_citations: int | None) -> Answer:
        if id(type(library)) not in self._warned:
            self._warned.add(id(type(library)))
            log.warning(
                "a %s cannot be sent to worker processes: answering in threads instead",
                type(library).__name__,
            )
        if self._threads is None:
            self._threads = ThreadWorkers(self.size)
        return await self._threads.ask(library, question, max_citations)

    async def close(self) -> None:
        """Stop every pool; workers still busy after `SHUTDOWN_GRACE` are terminated."""
        self._retire()
        pools, self._retired = self._retired, []
        if self._threads is not None:
            await self._threads.close()
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        done = threading.Event()

        def join() -> None:
            for pool in pools:
                pool.shutdown(wait=True)
            done.set()

        thread = threading.Thread(target=join, name="norfolk-workers-join", daemon=True)
        thread.start()
        await asyncio.to_thread(done.wait, SHUTDOWN_GRACE)
        if not done.is_set():
            log.warning("answering workers still busy after %.0f s: stopping them", SHUTDOWN_GRACE)
            for pool in pools:
                for process in (getattr(pool, "_processes", None) or {}).values():
                    process.terminate()


def _alive(pool: ProcessPoolExecutor) -> bool:
    processes = getattr(pool, "_processes", None) or {}
    return any(process.is_alive() for process in processes.values())


def make_workers(kind: str, size: int) -> Workers:
    """The pool a setting names: "process" (the default) or "thread"."""
    if kind == "thread":
        return ThreadWorkers(size)
    if kind == "process":
        return ProcessWorkers(size)
    raise ValueError(f"unknown worker kind {kind!r}")
