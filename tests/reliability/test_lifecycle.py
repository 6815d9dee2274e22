"""`run_discord` end to end, as `norfolk run` runs it: answer, reload on SIGHUP, stop cleanly.

The fake runs in a background thread (`threaded.py`); the bot owns the main thread and its
signal handlers; a driver thread asks questions and sends the signals.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.client import run_discord
from bot.config import Config
from tests.conftest import DATA, SEEDS
from tests.reliability.helpers import DIRECTOR, DIRECTOR_QUESTION
from tests.reliability.threaded import (
    Driver,
    ask,
    capture_bots,
    fake_in_thread,
    signal_if_handled,
    wait_for,
)

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals only")

FROG_QUESTION = "where do glass frogs live?"


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_discord_answers_reloads_on_sighup_and_stops_cleanly(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    no_internet: None,
    stop_signal: int,
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    db_path = tmp_path / "norfolk.db"
    config = Config(token="lifecycle-token", seeds=seeds, db_path=db_path)
    bots = capture_bots(monkeypatch)
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = [signal.getsignal(sig) for sig in handled]
    with fake_in_thread(monkeypatch) as threaded:
        gateway = threaded.fake.gateway

        def scenario() -> None:
            threaded.run(gateway.wait_until(lambda: gateway.ready_count == 1, timeout=10), 15)
            assert DIRECTOR in ask(threaded, DIRECTOR_QUESTION)
            shutil.copy(DATA / "articles" / "plain.txt", seeds / "plain.txt")
            os.kill(os.getpid(), signal.SIGHUP)
            wait_for(lambda: len(bots[0].library.articles) == 2)
            assert "Central and South America" in ask(threaded, FROG_QUESTION)

        driver = Driver(scenario, signal_if_handled(stop_signal))
        driver.start()
        code = run_discord(config)
        driver.check()
        assert threaded.call(lambda: all(c.closed for c in gateway.connections))
    assert code == 0
    defaults = (signal.SIG_DFL, signal.default_int_handler)  # what asyncio restores
    for sig, was in zip(handled, before, strict=True):  # the bot's handlers are gone
        assert signal.getsignal(sig) in (was, *defaults), sig
    (bot,) = bots
    assert bot.is_closed() and bot.store is not None and not bot.store.available  # closed
    wal = db_path.with_name(db_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed into the main file
    with closing(sqlite3.connect(db_path)) as db:
        asked = [row[0] for row in db.execute("SELECT question FROM questions ORDER BY id")]
    assert asked == [DIRECTOR_QUESTION, FROG_QUESTION]


def test_sighup_with_a_bad_article_keeps_serving(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    no_internet: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    config = Config(token="lifecycle-token", seeds=seeds, db_path=tmp_path / "n.db")
    bots = capture_bots(monkeypatch)
    caplog.set_level("INFO", logger="norfolk")
    with fake_in_thread(monkeypatch) as threaded:
        gateway = threaded.fake.gateway

        def scenario() -> None:
            threaded.run(gateway.wait_until(lambda: gateway.ready_count == 1, timeout=10), 15)
            old = bots[0].library
            (seeds / "broken.txt").write_text("no title line here\n", encoding="utf-8")
            os.kill(os.getpid(), signal.SIGHUP)
            wait_for(lambda: any("reload refused" in r.getMessage() for r in caplog.records))
            assert bots[0].library is old
            assert DIRECTOR in ask(threaded, DIRECTOR_QUESTION)

        driver = Driver(scenario, signal_if_handled(signal.SIGTERM))
        driver.start()
        code = run_discord(config)
        driver.check()
    assert code == 0
    refused = [r.getMessage() for r in caplog.records if "reload refused" in r.getMessage()]
    assert len(refused) == 1 and f"{seeds / 'broken.txt'}:1: expected the title line" in refused[0]
