"""Faults through the local Discord fake, with the real discord.py client and the real bot.

Gateway faults (close, TCP drop, op 7, op 9) must end in a working session that answers the
next `/ask`; REST errors (429 with Retry-After, 500) must be retried so the user gets the
reply exactly once; a slow lookup must still be acknowledged within Discord's 3 s window.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pytest

from tests.fake_discord.gateway import FakeGateway
from tests.fake_discord.interactions import DEFERRED_MESSAGE
from tests.fake_discord.recording import Call, message_text
from tests.fake_discord.server import FakeDiscord
from tests.reliability.helpers import (
    DIRECTOR,
    DIRECTOR_QUESTION,
    QUIET_PERIOD,
    SlowLibrary,
    answers_for,
    callbacks_for,
    succeeded,
    wait_answer,
)

if TYPE_CHECKING:
    from bot.client import NorfolkBot

INTERACTION_WINDOW = 3.0
"""Discord shows "The application did not respond" when no callback arrives within 3 s."""


async def _close(gw: FakeGateway) -> None:
    await gw.close(code=4000)


async def _drop(gw: FakeGateway) -> None:
    gw.drop()


async def _resumable_invalid_session(gw: FakeGateway) -> None:
    await gw.send_invalid_session(resumable=True)


async def _fresh_invalid_session(gw: FakeGateway) -> None:
    await gw.send_invalid_session(resumable=False)


FAULTS: dict[str, tuple[Callable[[FakeGateway], Awaitable[None]], str]] = {
    # name: (how to break the session, which counter proves the client came back)
    "close-4000": (_close, "resumed"),
    "tcp-drop": (_drop, "resumed"),
    "op7-reconnect": (FakeGateway.send_reconnect, "resumed"),
    "op9-resumable": (_resumable_invalid_session, "resumed"),
    "op9-not-resumable": (_fresh_invalid_session, "identified"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_gateway_fault_then_ask_is_answered(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot, no_identify_wait: None, fault: str
) -> None:
    gateway = fake_discord.gateway
    ready, resumed = gateway.ready_count, gateway.resumed_count
    inject, proof = FAULTS[fault]
    await inject(gateway)
    if proof == "resumed":
        await gateway.wait_until(lambda: gateway.resumed_count == resumed + 1)
        assert gateway.ready_count == ready  # same session: nothing re-identified
    else:
        await gateway.wait_until(lambda: gateway.ready_count == ready + 1)
        await gateway.wait_until(lambda: norfolk_bot.get_guild(fake_discord.guild.id) is not None)
    handle = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
    answer = await wait_answer(fake_discord, handle)
    assert DIRECTOR in message_text(answer.message)
    assert not norfolk_bot.is_closed()


async def test_question_sent_while_disconnected_is_answered_after_resume(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    gateway = fake_discord.gateway
    await gateway.close(code=4000)
    handle = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})  # buffered
    answer = await wait_answer(fake_discord, handle)
    assert DIRECTOR in message_text(answer.message)
    assert gateway.resumed_count == 1


# ----- REST errors ---------------------------------------------------------------------------


def _callback(call: Call) -> bool:
    return call.path.endswith("/callback")


def _answer_edit(call: Call) -> bool:
    return call.method == "PATCH" and call.path.endswith("/messages/@original")


@pytest.mark.parametrize(
    ("target", "status", "global_limit"),
    [
        (_callback, 429, False),  # the deferral itself is rate limited
        (_answer_edit, 429, False),  # the answer edit is rate limited
        (_answer_edit, 429, True),  # …by a global limit
        (_answer_edit, 500, False),  # Discord has a hiccup (discord.py waits 1 s, retries)
    ],
    ids=["callback-429", "edit-429", "edit-429-global", "edit-500"],
)
async def test_rest_error_then_reply_delivered_exactly_once(
    fake_discord: FakeDiscord,
    norfolk_bot: NorfolkBot,
    target: Callable[[Call], bool],
    status: int,
    global_limit: bool,
) -> None:
    body = None
    if global_limit:
        body = {"retry_after": 0.05, "global": True, "message": "You are being rate limited."}
    failure = fake_discord.fail_next(target, status=status, body=body)
    handle = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
    answer = await wait_answer(fake_discord, handle)
    assert DIRECTOR in message_text(answer.message)
    await asyncio.sleep(QUIET_PERIOD)
    assert len(failure.hits) == 1 and failure.hits[0].status == status
    assert len(callbacks_for(handle)) == 1
    assert len(answers_for(handle)) == 1, fake_discord.recorder.summary(handle.calls())


async def test_rate_limited_message_reply_is_sent_once(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    dm = fake_discord.dm_channel_id(fake_discord.alice)
    path = f"/channels/{dm}/messages"

    def reply(call: Call) -> bool:
        return call.method == "POST" and call.path == path

    failure = fake_discord.fail_next(reply, status=429, times=2)
    since = fake_discord.mark()
    await fake_discord.say(DIRECTOR_QUESTION, dm=True)
    sent = await fake_discord.wait_for_call(lambda c: reply(c) and succeeded(c), since=since)
    assert DIRECTOR in message_text(sent.json)
    await asyncio.sleep(QUIET_PERIOD)
    assert len(failure.hits) == 2
    assert len(fake_discord.recorder.find(lambda c: reply(c) and succeeded(c), since=since)) == 1


# ----- slow knowledge lookups ----------------------------------------------------------------


async def test_slow_lookup_is_deferred_in_time_then_followed_up(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    slow = SlowLibrary(norfolk_bot.library, delay=1.0)  # the callback must not wait for it
    norfolk_bot.library = slow  # type: ignore[assignment]
    started = time.monotonic()
    handle = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
    callback = await handle.callback(timeout=INTERACTION_WINDOW)
    acknowledged = time.monotonic() - started
    assert acknowledged < INTERACTION_WINDOW, "Discord would say the application did not respond"
    assert callback.json["type"] == DEFERRED_MESSAGE  # "Norfolk is thinking…"
    assert slow.calls <= 1 and slow.finished == 0  # deferred before the lookup ended, not after
    assert answers_for(handle) == []
    answer = await wait_answer(fake_discord, handle, timeout=slow.delay + 3)
    answered = time.monotonic() - started
    assert answered >= slow.delay  # the answer really waited for the slow lookup
    assert slow.calls == slow.finished == 1  # looked up once, not retried
    assert DIRECTOR in message_text(answer.message)
    assert answer.path.endswith("/messages/@original")  # the deferred response, edited
    assert len(callbacks_for(handle)) == 1 and slow.calls == 1
