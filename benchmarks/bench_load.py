"""Load benchmark: bursts of concurrent `/ask` through a Discord fake in its own process.

Run `.venv/bin/python benchmarks/bench_load.py [-n 1000 5000]` (or `make bench-load`).
A script, not a test. For each burst size it starts the fake (tests/fake_discord) in a
separate process and the real bot in this one, configured as `norfolk run` would be
(settings from the environment, seed articles, semantic engine, worker processes), with a
throwaway database; then the fake dispatches n `/ask`s at once, from n distinct users,
with distinct questions (every public question text in tests/data, cycled), and counts
every reply. The fake refuses a callback more than 3 s after its dispatch (10062), as
Discord does, so "acked" means acknowledged in time.

Printed per burst: acked within 3 s, answered, busy, exactly one reply, duplicates, ack
and answer p50/p99, CPU seconds (bot process, its workers, the fake), peak open TCP
sockets of the bot process, and the bot's log lines at WARNING and above (with the
number of tracebacks). Exit status 1 when an interaction went unacknowledged, got no
reply or more than one, or a traceback was logged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `knowledge` and `tests` importable
    sys.path.insert(0, str(ROOT))

from bot.client import NorfolkBot, create_bot  # noqa: E402
from bot.config import load_config, merged_environment  # noqa: E402
from bot.replies import BUSY  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.workers import ProcessWorkers  # noqa: E402
from tests.fake_discord.fixtures import running  # noqa: E402
from tests.fake_discord.remote import BurstFigures, remote_fake  # noqa: E402

DATA = ROOT / "tests" / "data"
BUSY_MARKER = "busy"
assert BUSY_MARKER in BUSY
WARM_QUESTIONS = 20
"""Asked through the service before the burst, so every worker has loaded (not counted)."""


def distinct_questions() -> list[str]:
    """Every question text the repository holds (tests/data and training/), once each, in
    file order."""
    files = [DATA / "dev_qa.jsonl", *sorted((DATA / "heldout").glob("*.jsonl"))]
    files += sorted((ROOT / "training").rglob("*.jsonl"))
    texts = [json.loads(line)["question"] for f in files for line in f.open(encoding="utf-8")]
    return list(dict.fromkeys(t for t in texts if t.strip()))


class LogTally(logging.Handler):
    """Keeps the bot process's records at WARNING and above, and counts tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []
        self.tracebacks = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.tracebacks += 1
        self.lines.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def tcp_sockets() -> int:
    """TCP sockets this process holds open now (Linux: /proc)."""
    inodes = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    tcp = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as lines:
                next(lines)
                tcp.update(line.split()[9] for line in lines)
        except OSError:
            continue
    return len(inodes & tcp)


class SocketSampler(threading.Thread):
    """Samples `tcp_sockets()` every 100 ms (pooled connections outlive that) and keeps the peak."""

    def __init__(self) -> None:
        super().__init__(name="socket-sampler", daemon=True)
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.1):
            self.peak = max(self.peak, tcp_sockets())

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return self.peak


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One burst: the fake's figures and what the bot's process measured."""

    figures: BurstFigures
    bot_cpu: float = 0.0
    worker_cpu: float = 0.0
    workers: str = ""
    peak_sockets: int = 0
    connection_cap: int = 0
    queue_size: int = 0
    log: LogTally = field(default_factory=LogTally)


def worker_pids(workers: object) -> list[int]:
    """The worker processes' ids (none for thread workers)."""
    return workers.pids if isinstance(workers, ProcessWorkers) else []


def worker_cpu(bot: NorfolkBot) -> dict[int, float]:
    return {pid: process_cpu(pid) for pid in worker_pids(bot.service.workers)}


async def warm_up(bot: NorfolkBot, questions: list[str]) -> None:
    """Answer a few questions (not the burst's) so every worker has started and loaded."""
    await asyncio.gather(*(bot.service.ask(q) for q in questions))


async def burst(n: int, questions: list[str], timeout: float) -> Run:
    """A fresh fake and bot, one burst of `n`."""
    tally = LogTally()
    root = logging.getLogger()
    root.addHandler(tally)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = merged_environment() | {
                "DISCORD_TOKEN": "bench-token",
                "NORFOLK_DB": str(Path(tmp) / "bench.db"),
            }
            config = load_config(env)
            store = Store(config.db_path, max_question_chars=config.max_question_chars)
            try:
                with remote_fake() as fake:
                    bot = create_bot(config, store=store, guild_ready_timeout=0.01)
                    async with running(bot):
                        await fake.wait_ready()
                        await warm_up(bot, questions[-WARM_QUESTIONS:])
                        sampler = SocketSampler()
                        sampler.start()
                        cpu, workers = time.process_time(), worker_cpu(bot)
                        figures = await fake.burst(
                            n, questions, busy_marker=BUSY_MARKER, timeout=timeout
                        )
                        after = worker_cpu(bot)
                        run = Run(
                            figures,
                            bot_cpu=time.process_time() - cpu,
                            worker_cpu=sum(after[p] - workers.get(p, 0.0) for p in after),
                            workers=bot.service.status(),
                            peak_sockets=sampler.stop(),
                            connection_cap=config.http_connections,
                            queue_size=config.queue_size,
                            log=tally,
                        )
            finally:
                store.close()
    finally:
        root.removeHandler(tally)
    return run  # the bot is closed: its overload summary is in the log now


def report(run: Run) -> str:
    """Human-readable figures for one burst."""
    f = run.figures
    lines = [
        f"burst of {f.n}: {f.n} concurrent /ask from {f.n} distinct users "
        f"(fake in its own process), all replies in {f.elapsed:.1f} s",
        f"  acked within 3 s: {f.acked}/{f.n} (late, refused with 10062: {f.late})",
        f"  answered: {f.answered}  busy: {f.busy}  exactly one reply: "
        f"{f.single_replies}/{f.n}  duplicates: {f.duplicates}  failed REST calls: "
        f"{f.failed_calls}",
        f"  ack latency ms: p50 {f.ack_p50:.0f}  p99 {f.ack_p99:.0f}  max {f.ack_max:.0f}",
        f"  answer latency ms: p50 {f.answer_p50:.0f}  p99 {f.answer_p99:.0f}  "
        f"max {f.answer_max:.0f}",
        f"  CPU seconds: bot process {run.bot_cpu:.1f}, workers {run.worker_cpu:.1f}, "
        f"fake {f.fake_cpu:.1f}",
        f"  peak open TCP sockets (bot process): {run.peak_sockets} "
        f"(cap {run.connection_cap}; the fake saw {f.peak_connections} at once)",
        f"  after the burst: {run.workers}",
        f"  log: {len(run.log.lines)} line(s) at WARNING or above, "
        f"{run.log.tracebacks} traceback(s)",
        *(f"    {line}" for line in run.log.lines[:10]),
    ]
    return "\n".join(lines)


def passed(run: Run) -> bool:
    f = run.figures
    return (
        f.acked == f.n
        and f.single_replies == f.n
        and f.duplicates == 0
        and run.log.tracebacks == 0
        and run.peak_sockets <= run.connection_cap
    )


def _not_about_voice(record: logging.LogRecord) -> bool:
    """Drop discord.py's "PyNaCl is not installed" notices: Norfolk has no voice."""
    return "voice will NOT" not in record.getMessage()


def main(argv: list[str] | None = None) -> int:
    """Entry point: one fresh fake and bot per burst size; print each report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, nargs="+", default=[1000, 5000], help="burst sizes")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for all")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord.client").addFilter(_not_about_voice)
    questions = distinct_questions()
    print(
        f"machine: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU(s), {platform.system()}; {len(questions)} distinct questions"
    )
    ok = True
    for n in args.n:
        run = asyncio.run(burst(n, questions, args.timeout))
        print(report(run), flush=True)
        ok = ok and passed(run)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
