"""End to end through the real discord.py client: slash commands, messages, buttons, safety.

Every test runs the bot from `bot.client.create_bot` against the loopback fake in
`tests/fake_discord` (no internet): the fake dispatches gateway events as Discord would and
records every REST call the bot makes, which is what these tests assert on.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from tests.fake_discord.interactions import AUTOCOMPLETE_RESULT, EPHEMERAL
from tests.fake_discord.recording import Call, button_labels, message_text
from tests.fake_discord.server import FakeDiscord

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.config import Config
    from bot.store import Store
    from knowledge import Library

DIRECTOR_QUESTION = "who directed the film?"
PLOT_QUESTION = "how old is Kathy at the start of the novel?"
QUIET_PERIOD = 0.3
"""How long to watch for a reply that must not come (the bot answers in milliseconds)."""


def posted_to(channel_id: int) -> Callable[[Call], bool]:
    """Predicate: a `POST /channels/{id}/messages` call (a plain message or a reply)."""
    return lambda call: call.matches("POST", f"/channels/{channel_id}/messages")


async def reply_to_message(fake: FakeDiscord, channel_id: int, since: int) -> Call:
    """The bot's reply in a channel after `since`."""
    return await fake.wait_for_call(posted_to(channel_id), since=since)


def custom_id_of(message: dict, label: str) -> str:
    """The custom_id of the button whose label or emoji contains `label`."""
    for text, custom_id in button_labels(message):
        if label in text and custom_id:
            return custom_id
    raise AssertionError(f"no {label!r} button in {button_labels(message)}")


# ----- slash commands ---------------------------------------------------------------------


async def test_ask_in_guild_answers_with_cited_embed(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    handle = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
    reply = await handle.reply()
    text = message_text(reply)
    assert "Romanek" in text
    assert "Adaptations" in text
    assert reply.get("allowed_mentions", {}).get("parse") == []


async def test_ask_in_dm_answers_too(fake_discord: FakeDiscord, norfolk_bot: NorfolkBot) -> None:
    handle = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION}, dm=True)
    text = message_text(await handle.reply())
    assert "Romanek" in text
    assert "Adaptations" in text


async def test_fact_pages(fake_discord: FakeDiscord, norfolk_bot: NorfolkBot) -> None:
    handle = await fake_discord.slash("fact", {"field": "Pages"})
    assert "288" in message_text(await handle.reply())


async def test_fact_autocomplete_offers_matching_fields(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    handle = await fake_discord.autocomplete("fact", {"field": "pag"}, focused="field")
    body = (await handle.callback()).json
    assert body["type"] == AUTOCOMPLETE_RESULT
    choices = body["data"]["choices"]
    assert choices and choices[0]["value"] == "Pages"
    assert all(len(c["name"]) <= 100 for c in choices)


# ----- messages ---------------------------------------------------------------------------


async def test_dm_question_gets_a_reply(fake_discord: FakeDiscord, norfolk_bot: NorfolkBot) -> None:
    since = fake_discord.mark()
    await fake_discord.say(DIRECTOR_QUESTION, dm=True)
    call = await reply_to_message(
        fake_discord, fake_discord.dm_channel_id(fake_discord.alice), since
    )
    assert "Romanek" in message_text(call.json)


async def test_guild_mention_gets_a_reply(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    channel = fake_discord.guild.text_channel_id
    for kind in ("role", "user"):  # the @Bot picker often inserts the managed role
        since = fake_discord.mark()
        sent = await fake_discord.say(f"{fake_discord.mention(kind)} {DIRECTOR_QUESTION}")
        call = await reply_to_message(fake_discord, channel, since)
        assert "Romanek" in message_text(call.json), kind
        assert str(call.json["message_reference"]["message_id"]) == sent["id"]


async def test_messages_from_other_bots_are_ignored(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    since = fake_discord.mark()
    bot_user = fake_discord.other_bot
    await fake_discord.say(f"{fake_discord.mention()} {DIRECTOR_QUESTION}", author=bot_user)
    await fake_discord.say(DIRECTOR_QUESTION, dm=True, author=bot_user)
    await asyncio.sleep(QUIET_PERIOD)
    assert fake_discord.recorder.messages(since=since) == []


async def test_guild_message_without_mention_is_ignored(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    since = fake_discord.mark()
    await fake_discord.say(DIRECTOR_QUESTION)
    await asyncio.sleep(QUIET_PERIOD)
    assert fake_discord.recorder.messages(since=since) == []


# ----- safety -----------------------------------------------------------------------------


async def test_everyone_in_a_question_never_pings(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    question = f"@everyone {DIRECTOR_QUESTION} <@{fake_discord.bob.id}>"
    since = fake_discord.mark()
    await fake_discord.say(f"{fake_discord.mention()} {question}")
    await fake_discord.say(question, dm=True)
    handle = await fake_discord.slash("ask", {"question": question})
    await handle.reply()
    channels = (fake_discord.guild.text_channel_id, fake_discord.dm_channel_id(fake_discord.alice))
    for channel in channels:
        await reply_to_message(fake_discord, channel, since)
    sent = fake_discord.recorder.messages(since=since)
    assert len(sent) >= 3
    for call, message in sent:
        mentions = message.get("allowed_mentions")
        assert mentions is not None and mentions.get("parse") == [], (call.path, mentions)
        assert not mentions.get("users") and not mentions.get("roles"), (call.path, mentions)
        assert "@everyone" not in message_text(message), call.path  # neutralised as well


async def test_plot_answers_are_spoilered_in_guilds_not_dms(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot, seed_library: Library
) -> None:
    answer = seed_library.ask(PLOT_QUESTION)
    assert any(c.section == "Plot" for c in answer.citations), "precondition: a Plot answer"
    in_guild = message_text(
        await (await fake_discord.slash("ask", {"question": PLOT_QUESTION})).reply()
    )
    in_dm = message_text(
        await (await fake_discord.slash("ask", {"question": PLOT_QUESTION}, dm=True)).reply()
    )
    assert "||" in in_guild
    assert "||" not in in_dm
    since = fake_discord.mark()
    await fake_discord.say(f"{fake_discord.mention()} {PLOT_QUESTION}")
    call = await reply_to_message(fake_discord, fake_discord.guild.text_channel_id, since)
    assert "||" in message_text(call.json)


async def test_cooldown_refuses_the_sixth_question(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    for _ in range(5):
        reply = await (await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})).reply()
        assert "Romanek" in message_text(reply)
    sixth = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
    callback = (await sixth.callback()).json
    assert callback["type"] == 4
    assert int(callback["data"].get("flags") or 0) & EPHEMERAL
    assert "Romanek" not in message_text(callback["data"])
    assert "try again" in message_text(callback["data"]).lower()
    other = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION}, user=fake_discord.bob)
    assert "Romanek" in message_text(await other.reply())  # the limit is per user


# ----- buttons ----------------------------------------------------------------------------


async def test_buttons_are_stored_and_show_in_stats(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot, bot_store: Store, bot_config: Config
) -> None:
    from bot.stats import format_stats

    handle = await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})
    reply = await handle.reply()
    message = handle.original_message()
    assert message is not None and button_labels(message) == button_labels(reply)

    more = await fake_discord.click(message, custom_id_of(message, "More sources"))
    more_reply = await more.reply()
    more_text = message_text(more_reply)
    assert "More sources" in more_text and "every source" not in more_text
    thumbs = await fake_discord.click(message, custom_id_of(message, "👍"))
    thanks = (await thumbs.callback()).json
    assert thanks["type"] == 4 and int(thanks["data"]["flags"]) & EPHEMERAL

    async def tallied() -> None:
        while (await asyncio.to_thread(bot_store.feedback_tally))["up"] != 1:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(tallied(), timeout=3)
    assert bot_store.feedback_tally() == {"up": 1, "down": 0}
    with contextlib.closing(sqlite3.connect(bot_config.db_path)) as db:
        clicks = db.execute("SELECT action, user_id FROM clicks").fetchall()
    assert clicks == [("more_sources", fake_discord.alice.id)]
    assert "👍 1" in format_stats(bot_store)


async def test_unanswerable_question_shows_in_stats(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot, bot_store: Store
) -> None:
    from bot.stats import format_stats

    question = "what is the airspeed velocity of an unladen swallow?"
    await (await fake_discord.slash("ask", {"question": question})).reply()
    assert question in format_stats(bot_store)


# ----- "help" typed as a question -----------------------------------------------------------


async def test_help_by_dm_or_mention_gets_the_help_text(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot, bot_store: Store
) -> None:
    dm = fake_discord.dm_channel_id(fake_discord.alice)
    channel = fake_discord.guild.text_channel_id
    for content, where in (("help", dm), (f"{fake_discord.mention()} help!", channel)):
        since = fake_discord.mark()
        await fake_discord.say(content, dm=where == dm)
        text = message_text((await reply_to_message(fake_discord, where, since)).json)
        assert "How to use Norfolk" in text and "/ask" in text, content
        assert "find an answer" not in text and "Did you mean" not in text, content
    assert bot_store.top_unanswered() == []  # asking for help is not an unanswered question


async def test_help_by_slash_ask_gets_the_help_text_privately(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    handle = await fake_discord.slash("ask", {"question": "help"})
    callback = (await handle.callback()).json
    assert callback["type"] == 4 and int(callback["data"].get("flags") or 0) & EPHEMERAL
    assert "How to use Norfolk" in message_text(callback["data"])


async def test_greeting_by_dm_still_gets_a_friendly_line(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    since = fake_discord.mark()
    await fake_discord.say("hi", dm=True)
    call = await reply_to_message(
        fake_discord, fake_discord.dm_channel_id(fake_discord.alice), since
    )
    text = message_text(call.json)
    assert "Which part of the article" in text and "How to use Norfolk" not in text
