"""Follow-up questions end to end through the local Discord fake: DMs, threads, replies to
an answer and `/ask` read "and Tommy?" with the same user's previous question there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fake_discord.recording import Call, message_text
from tests.fake_discord.server import FakeDiscord

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.store import Store

RUTH = "who played Ruth in the film?"
TOMMY = "who played Tommy in the film?"
READING_TOMMY = f"Reading this as: {TOMMY}"


async def ask_by_message(
    fake: FakeDiscord, content: str, *, dm: bool = False, thread: bool = False, **kwargs: object
) -> Call:
    """Send a message to the bot and return its reply (the POST that answers it)."""
    if dm:
        channel = fake.dm_channel_id(kwargs.get("author") or fake.alice)  # type: ignore[arg-type]
    elif thread:
        channel = fake.guild.thread_id
    else:
        channel = fake.guild.text_channel_id
    since = fake.mark()
    sent = await fake.say(content, dm=dm, thread=thread, **kwargs)  # type: ignore[arg-type]
    call = await fake.wait_for_call(
        lambda c: c.matches("POST", f"/channels/{channel}/messages"), since=since
    )
    assert str(call.json["message_reference"]["message_id"]) == sent["id"]
    return call


def title(call: Call) -> str:
    return call.json["embeds"][0]["title"]


async def test_followup_in_a_dm(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot, bot_store: Store
) -> None:
    first = await ask_by_message(fake_discord, RUTH, dm=True)
    assert "Reading this as" not in message_text(first.json)
    second = await ask_by_message(fake_discord, "and Tommy?", dm=True)
    text = message_text(second.json)
    assert title(second) == "and Tommy?"  # the question as the reader typed it
    assert READING_TOMMY in text and "Garfield" in text
    assert bot_store.question_text(2) == TOMMY  # stored as read: "More sources" re-asks it


async def test_a_new_topic_starts_fresh(fake_discord: FakeDiscord, norfolk_bot: NorfolkBot) -> None:
    await ask_by_message(fake_discord, RUTH, dm=True)
    fresh = await ask_by_message(fake_discord, "how many pages does the novel have?", dm=True)
    assert "Reading this as" not in message_text(fresh.json)
    hello = await ask_by_message(fake_discord, "thanks!", dm=True)  # not a question: no rewrite
    assert "Reading this as" not in message_text(hello.json)


async def test_followup_in_a_thread_is_kept_to_that_thread(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    mention = fake_discord.mention()
    await ask_by_message(fake_discord, f"{mention} {RUTH}", thread=True)
    in_thread = await ask_by_message(fake_discord, f"{mention} and Tommy?", thread=True)
    assert READING_TOMMY in message_text(in_thread.json)
    in_channel = await ask_by_message(fake_discord, f"{mention} and Tommy?")
    assert "Reading this as" not in message_text(in_channel.json)  # another conversation


async def test_followups_are_per_user(fake_discord: FakeDiscord, norfolk_bot: NorfolkBot) -> None:
    mention = fake_discord.mention()
    await ask_by_message(fake_discord, f"{mention} {RUTH}")
    bobs = await ask_by_message(fake_discord, f"{mention} and Tommy?", author=fake_discord.bob)
    assert "Reading this as" not in message_text(bobs.json)
    alices = await ask_by_message(fake_discord, f"{mention} and Tommy?")
    assert READING_TOMMY in message_text(alices.json)


async def test_a_reply_to_an_answer_is_read_with_that_answers_question(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    mention = fake_discord.mention()
    ruth = await ask_by_message(fake_discord, f"{mention} {RUTH}")
    await ask_by_message(fake_discord, f"{mention} when was the novel published?")
    answer = fake_discord.messages[int(ruth.response["id"])]  # the bot's answer about Ruth
    # Discord's reply button: no @mention typed, but the reply pings the bot, so the bot is
    # mentioned and receives the content without the message-content intent.
    reply = await ask_by_message(fake_discord, "and Tommy?", reply_to=answer)
    assert READING_TOMMY in message_text(reply.json)


async def test_followup_by_slash_ask_in_the_same_channel(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    await (await fake_discord.slash("ask", {"question": RUTH})).reply()
    reply = await (await fake_discord.slash("ask", {"question": "and Tommy?"})).reply()
    assert reply["embeds"][0]["title"] == "and Tommy?"
    assert READING_TOMMY in message_text(reply)


async def test_followups_can_be_turned_off(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    from bot.conversations import Conversations

    norfolk_bot.conversations = Conversations(ttl=0)  # NORFOLK_FOLLOWUP_SECONDS=0
    await ask_by_message(fake_discord, RUTH, dm=True)
    second = await ask_by_message(fake_discord, "and Tommy?", dm=True)
    assert "Reading this as" not in message_text(second.json)
