"""Threads or processes for answering? Throughput, and how late the event loop runs.

Run `.venv/bin/python benchmarks/bench_workers.py [-n 300]`. A script, not a test. The
same distinct questions (public question texts from tests/data) are answered through
`AnswerService` by each kind of pool, sized to the machine, while the event loop does what
acknowledging a flood of interactions costs it: slices of pure-Python work (parsing and
building JSON, ~0.5 ms each), yielding between them. Prints, per pool: answers/s and CPU
seconds per answer with the loop idle; then, with the loop busy, answers/s, how much of
its idle work the loop still got done, and how long a slice waited to start (p99/max).
`serial` is one thread, for reference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `knowledge` and `tests` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_load import (  # noqa: E402
    distinct_questions,
    process_cpu,
    worker_pids,
)
from bot.service import AnswerService  # noqa: E402
from bot.workers import ProcessWorkers, ThreadWorkers, Workers, usable_cpus  # noqa: E402
from knowledge import Library  # noqa: E402

CACHE = ROOT / ".cache"
PAYLOAD = {
    "id": "1",
    "token": "x" * 60,
    "member": {"user": {"id": "2", "username": "reader"}, "roles": [], "permissions": "0"},
    "data": {"name": "ask", "options": [{"name": "question", "value": "who wrote it?"}]},
}


def ack_slice() -> None:
    """About what the loop spends on acknowledging one interaction: JSON in and out."""
    for _ in range(40):
        json.loads(json.dumps(PAYLOAD))


async def slices_per_second(stop: asyncio.Event, late: list[float]) -> float:
    """Run `ack_slice` back to back on the loop, yielding between slices, until `stop`."""
    count, started = 0, time.perf_counter()
    while not stop.is_set():
        asked = time.perf_counter()
        await asyncio.sleep(0)
        late.append((time.perf_counter() - asked) * 1000)
        ack_slice()
        count += 1
    return count / (time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] if ordered else math.nan


def cpu_seconds(workers: Workers) -> float:
    """CPU seconds so far of this process and of the pool's worker processes."""
    return time.process_time() + sum(process_cpu(pid) for pid in worker_pids(workers))


async def idle_rate() -> float:
    """Slices per second on this loop with nothing else running."""
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(1.0, stop.set)
    return await slices_per_second(stop, [])


async def answer_all(service: AnswerService, questions: list[str]) -> float:
    """Seconds to answer every question through the service."""
    started = time.perf_counter()
    await asyncio.gather(*(service.ask(q) for q in questions))
    return time.perf_counter() - started


async def run(make: Callable[[], Workers], questions: list[str], idle: float) -> str:
    """Two rounds on fresh pools and libraries (fresh query caches): the loop idle, then
    the loop busy with acknowledging work."""
    results = []
    for busy in (False, True):
        workers = make()
        library = Library.from_dir(ROOT / "seeds", cache_dir=CACHE)
        service = AnswerService(
            workers, lambda library=library: library, queue_size=len(questions), timeout=60
        )
        await asyncio.gather(*(service.ask(q) for q in ["warm up"] * workers.size * 2))
        late: list[float] = []
        stop = asyncio.Event()
        loop_work = asyncio.create_task(slices_per_second(stop, late)) if busy else None
        cpu = cpu_seconds(workers)
        elapsed = await answer_all(service, questions)
        spent = cpu_seconds(workers) - cpu
        stop.set()
        rate = await loop_work if loop_work is not None else 0.0
        await service.close()
        results.append((workers, elapsed, spent, rate, late))
    (workers, elapsed, spent, _, _), (_, busy_elapsed, _, rate, late) = results
    n = len(questions)
    return (
        f"{workers.size} {workers.kind}(s): {n / elapsed:5.1f} answers/s, "
        f"{spent / n * 1000:4.1f} ms CPU each | loop busy: {n / busy_elapsed:5.1f} answers/s, "
        f"the loop did {rate / idle:4.0%} of its idle work, a slice waited p99 "
        f"{percentile(late, 99):4.1f} ms, max {max(late):5.1f} ms"
    )


async def main_async(n: int) -> None:
    questions = distinct_questions()[:n]
    size = usable_cpus()
    pools: list[tuple[str, Callable[[], Workers]]] = [
        ("serial", lambda: ThreadWorkers(1)),
        ("threads", lambda: ThreadWorkers(size)),
        ("processes", lambda: ProcessWorkers(size)),
    ]
    idle = await idle_rate()
    print(f"the loop alone: {idle:.0f} slices/s")
    for name, make in pools:
        print(f"{name:>9}: {await run(make, questions, idle)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="distinct questions per pool")
    args = parser.parse_args(argv)
    print(
        f"machine: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}; {args.n} questions"
    )
    asyncio.run(main_async(args.n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
