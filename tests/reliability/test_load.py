"""A burst of 100 concurrent `/ask` interactions: every one answered, none answered twice.

No timing assertions (the machine decides those); `benchmarks/bench_load.py` runs the same
burst logic at 1,000 and prints throughput and latency.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import TYPE_CHECKING

from tests.fake_discord.burst import run_burst
from tests.fake_discord.server import FakeDiscord

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.config import Config

BURST = 100


async def test_burst_of_asks_none_lost_none_duplicated(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot, bot_config: Config
) -> None:
    result = await run_burst(fake_discord, BURST, timeout=30)
    print(result.summary_line())
    assert len(result.dispatched) == BURST
    assert result.answered == BURST, result.summary_line()
    assert result.duplicates == 0, result.summary_line()
    assert result.failed_calls == 0
    assert sum(result.callbacks.values()) == BURST  # one deferral each, no refusals
    with contextlib.closing(sqlite3.connect(bot_config.db_path)) as db:
        (stored,) = db.execute("SELECT COUNT(*) FROM questions WHERE source = 'slash'").fetchone()
    assert stored == BURST  # every question recorded once, answered or not
