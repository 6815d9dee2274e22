"""Load benchmark: 1,000 concurrent `/ask` interactions through the local Discord fake.

Run `.venv/bin/python benchmarks/bench_load.py [-n 1000]` (or `-m benchmarks.bench_load`).
A script, not a test: the real bot (`create_bot`, seed articles, a throwaway SQLite store)
connects to the loopback fake, every question comes from a distinct user, and each reply is
counted. It prints throughput and latency from dispatch to the deferral callback and to the
answer; the LAST line is `answered A/N duplicates D p50_ms X p99_ms Y` (latency to answer).
Exit status 1 when an answer is lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bot`, `knowledge` and `tests` importable
    sys.path.insert(0, str(ROOT))

from bot.client import create_bot  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.store import Store  # noqa: E402
from knowledge import Library  # noqa: E402
from tests.fake_discord.burst import BurstResult, run_burst, serving_fake  # noqa: E402
from tests.fake_discord.fixtures import running  # noqa: E402

SEEDS = ROOT / "seeds"


async def bench(n: int, timeout: float) -> BurstResult:
    """Start the fake and the bot, fire the burst, and return its counts."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(
            {"DISCORD_TOKEN": "bench-token", "NORFOLK_DB": str(Path(tmp) / "bench.db")}
        )
        store = Store(config.db_path)
        try:
            async with serving_fake() as fake:
                library = Library.from_dir(SEEDS)
                bot = create_bot(config, library=library, store=store, guild_ready_timeout=0.01)
                async with running(bot):
                    return await run_burst(fake, n, timeout=timeout)
        finally:
            store.close()


def report(result: BurstResult) -> str:
    """Human-readable figures, ending with the one-line summary."""
    throughput = result.answered / result.elapsed if result.elapsed else float("nan")
    cb = result.callback_latency
    return "\n".join(
        [
            f"machine: {platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} CPU(s), {platform.system()}",
            f"interactions: {result.n} concurrent /ask from {result.n} distinct users "
            "(the fake and the bot share this process's event loop)",
            f"elapsed: {result.elapsed:.2f} s  throughput: {throughput:.0f} answers/s",
            f"defer callback latency: p50 {result.percentile_ms(50, cb):.1f} ms  "
            f"p99 {result.percentile_ms(99, cb):.1f} ms  "
            f"max {result.percentile_ms(100, cb):.1f} ms",
            f"answer latency: p50 {result.percentile_ms(50):.1f} ms  "
            f"p99 {result.percentile_ms(99):.1f} ms  max {result.percentile_ms(100):.1f} ms",
            f"failed REST calls: {result.failed_calls}",
            result.summary_line(),
        ]
    )


def _not_about_voice(record: logging.LogRecord) -> bool:
    """Drop discord.py's "PyNaCl is not installed" notices: Norfolk has no voice."""
    return "voice will NOT" not in record.getMessage()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the burst once and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of concurrent questions")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for all")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord.client").addFilter(_not_about_voice)
    result = asyncio.run(bench(args.n, args.timeout))
    print(report(result))
    return 0 if result.answered == result.n and result.duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
