"""The bot token never leaks: not in logs (DEBUG, discord and norfolk), stderr, error
messages or anything sent to Discord — checked while the real `run_discord` goes through
rate limits, a failing command, a gateway reconnect and a DM, and when the token is rejected.
"""

from __future__ import annotations

import json
import logging
import signal
from pathlib import Path

import pytest

from bot.client import TOKEN_REJECTED, run_discord
from bot.config import Config
from tests.conftest import SEEDS
from tests.fake_discord.gateway import IDENTIFY, RESUME
from tests.fake_discord.recording import Call
from tests.reliability.helpers import DIRECTOR, DIRECTOR_QUESTION
from tests.reliability.threaded import (
    Driver,
    ThreadedFake,
    ask,
    capture_bots,
    fake_in_thread,
    signal_if_handled,
)

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals only")

SECRET_PART = "n0rf0lk-s3cret-DO-NOT-LEAK-7f3a9c"
TOKEN = f"MTIzNDU2Nzg5MDEyMzQ1Njc4.GxYzAb.{SECRET_PART}"
"""Shaped like a real bot token; the last part is the secret HMAC, searched for on its own."""


def leaks(text: str) -> bool:
    """True when the token, or its secret part, appears in `text`."""
    return TOKEN in text or SECRET_PART in text


def assert_no_leak_in_logs(caplog: pytest.LogCaptureFixture, captured: str) -> None:
    """Neither rendered log text (tracebacks included), record arguments, nor the terminal."""
    records = caplog.records
    assert records, "nothing was logged: the check would prove nothing"
    assert not leaks(caplog.text)
    for record in records:
        assert not leaks(record.getMessage()), record.name
        assert not leaks(repr(record.args)), record.name
    assert not leaks(captured)


def assert_no_leak_sent(calls: list[Call]) -> None:
    """No REST body the bot sent (nor anything the fake echoed back) carries the token."""
    assert calls
    for call in calls:
        for part in (call.path, json.dumps(call.query), json.dumps(call.json, default=str)):
            assert not leaks(part), call.path


@pytest.fixture
def config(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Config:
    """The secret token at DEBUG, the most talkative logging an operator could enable."""
    caplog.set_level(logging.DEBUG, logger="discord")
    caplog.set_level(logging.DEBUG, logger="norfolk")
    return Config(token=TOKEN, seeds=SEEDS, db_path=tmp_path / "n.db", log_level="DEBUG")


def test_token_never_appears_in_logs_replies_or_errors(
    monkeypatch: pytest.MonkeyPatch,
    config: Config,
    no_internet: None,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    capture_bots(monkeypatch)
    with fake_in_thread(monkeypatch) as threaded:
        fake = threaded.fake
        gateway = fake.gateway

        def answer_edit(call: Call) -> bool:
            return call.method == "PATCH" and call.path.endswith("/messages/@original")

        def scenario() -> None:
            threaded.run(gateway.wait_until(lambda: gateway.ready_count == 1, timeout=10), 15)
            assert DIRECTOR in ask(threaded, DIRECTOR_QUESTION)
            threaded.call(lambda: fake.fail_next(answer_edit, status=429))  # rate limited
            assert DIRECTOR in ask(threaded, DIRECTOR_QUESTION)
            threaded.call(lambda: fake.fail_next(answer_edit, status=403))  # command fails
            assert "Sorry, something went wrong" in ask(threaded, DIRECTOR_QUESTION)
            threaded.run(gateway.close(code=4000))  # reconnect: RESUME carries the token
            threaded.run(gateway.wait_until(lambda: gateway.resumed_count == 1, timeout=10), 15)
            assert _dm_reply(threaded)

        driver = Driver(scenario, signal_if_handled(signal.SIGTERM))
        driver.start()
        code = run_discord(config)
        driver.check()
        calls = threaded.call(lambda: list(fake.calls))
        frames = threaded.call(lambda: list(fake.recorder.gateway))
        tokens_seen = threaded.call(lambda: set(fake.tokens_seen))
    assert code == 0
    # The token did go where it must (proof the checks below are not vacuous)…
    assert tokens_seen == {TOKEN}
    assert [f["d"]["token"] for f in frames if f.get("op") in (IDENTIFY, RESUME)] == [TOKEN] * 2
    assert any(call.status == 403 for call in calls)
    assert any(r.levelno >= logging.ERROR and r.exc_info for r in caplog.records)
    # …and nowhere else.
    out, err = capfd.readouterr()
    assert_no_leak_in_logs(caplog, out + err)
    assert_no_leak_sent(calls)


def _dm_reply(threaded: ThreadedFake) -> bool:
    """A DM question gets an answer (messages, not interactions, also run through the log)."""
    fake = threaded.fake
    channel = threaded.call(lambda: fake.dm_channel_id(fake.alice))
    since = threaded.call(fake.mark)
    threaded.run(fake.say(DIRECTOR_QUESTION, dm=True))
    reply = threaded.run(
        fake.wait_for_call(
            lambda c: c.matches("POST", f"/channels/{channel}/messages"), since=since
        )
    )
    return DIRECTOR in json.dumps(reply.json)


def test_rejected_token_exits_2_with_one_line_that_hides_it(
    monkeypatch: pytest.MonkeyPatch,
    config: Config,
    no_internet: None,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    with fake_in_thread(monkeypatch) as threaded:
        fake = threaded.fake
        threaded.call(lambda: fake.fail_next(lambda c: c.path == "/users/@me", status=401))
        code = run_discord(config)
        tokens_seen = threaded.call(lambda: set(fake.tokens_seen))
        calls = threaded.call(lambda: list(fake.calls))
    assert code == 2
    assert tokens_seen == {TOKEN}  # the fake really was asked with the token, and said 401
    out, err = capfd.readouterr()
    messages = [line for line in err.splitlines() if "DISCORD_TOKEN" in line]
    assert messages == [TOKEN_REJECTED]  # one line, saying what to do
    assert_no_leak_in_logs(caplog, out + err)
    assert_no_leak_sent(calls)
