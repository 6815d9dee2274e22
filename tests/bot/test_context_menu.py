"""Right-click a message → Apps → "Ask Norfolk": the message's text is the question.

Driven end to end through the local Discord fake: the command is synced as a message
context menu, the fake sends the interaction with the target message resolved (as Discord
does, content included without the message-content intent), and the tests read what the
bot sent back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cogs.ask import MENU_NAME, NO_TEXT_HINT
from tests.fake_discord.interactions import EPHEMERAL, MESSAGE, MESSAGE_COMMAND
from tests.fake_discord.recording import message_text
from tests.fake_discord.server import FakeDiscord

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.store import Store

DIRECTOR_QUESTION = "who directed the film?"
PLOT_QUESTION = "how old is Kathy at the start of the novel?"


def _flags(body: dict) -> int:
    return int((body.get("data") or {}).get("flags") or 0)


async def test_the_menu_is_synced_as_a_message_command(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    synced = {c["name"]: c for c in fake_discord.commands["global"]}
    menu = synced[MENU_NAME]
    assert menu["type"] == MESSAGE_COMMAND and not menu.get("options")
    assert sorted(menu["contexts"]) == [0, 1, 2] and sorted(menu["integration_types"]) == [0, 1]


async def test_someone_elses_message_is_answered_with_the_cited_embed(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot, bot_store: Store
) -> None:
    target = fake_discord.user_message(DIRECTOR_QUESTION, author=fake_discord.bob)
    handle = await fake_discord.message_command(MENU_NAME, target, user=fake_discord.alice)
    callback = (await handle.callback()).json
    assert not _flags(callback) & EPHEMERAL  # an answer everyone in the channel can read
    reply = await handle.reply()
    text = message_text(reply)
    assert "Romanek" in text and "Adaptations" in text
    assert reply["embeds"][0]["title"] == DIRECTOR_QUESTION
    assert reply.get("allowed_mentions", {}).get("parse") == []
    message = handle.original_message()
    assert message is not None and any("👍" in str(row) for row in message["components"])
    recorded = bot_store.top_unanswered()  # answered: nothing unanswered...
    assert recorded == []
    assert bot_store.question_text(1) == DIRECTOR_QUESTION  # ...but recorded for the buttons


async def test_menu_in_a_dm_answers_without_spoilers_and_in_a_guild_with(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    in_dm = fake_discord.user_message(PLOT_QUESTION, dm=True)
    dm_text = message_text(await (await fake_discord.message_command(MENU_NAME, in_dm)).reply())
    in_guild = fake_discord.user_message(PLOT_QUESTION)
    guild_text = message_text(
        await (await fake_discord.message_command(MENU_NAME, in_guild)).reply()
    )
    assert "||" in guild_text and "||" not in dm_text


async def test_the_bots_mention_is_not_part_of_the_question(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    for kind in ("user", "role"):
        target = fake_discord.user_message(f"{fake_discord.mention(kind)} {DIRECTOR_QUESTION}")
        reply = await (await fake_discord.message_command(MENU_NAME, target)).reply()
        assert reply["embeds"][0]["title"] == DIRECTOR_QUESTION, kind


async def test_same_refusals_as_ask(fake_discord: FakeDiscord, norfolk_bot: NorfolkBot) -> None:
    limit = norfolk_bot.config.max_question_chars
    cases = [
        ("who " + "x" * limit, f"under {limit:,} characters"),
        ("", NO_TEXT_HINT),  # an image or embed with no text
        (f"{fake_discord.mention()}", NO_TEXT_HINT),
    ]
    for content, expected in cases:
        target = fake_discord.user_message(content, author=fake_discord.bob)
        callback = (await (await fake_discord.message_command(MENU_NAME, target)).callback()).json
        assert callback["type"] == MESSAGE and _flags(callback) & EPHEMERAL, content[:20]
        assert expected in message_text(callback["data"]), content[:20]


async def test_help_message_gets_the_help_text(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    target = fake_discord.user_message("help?", author=fake_discord.bob)
    callback = (await (await fake_discord.message_command(MENU_NAME, target)).callback()).json
    text = message_text(callback["data"])
    assert _flags(callback) & EPHEMERAL and "How to use Norfolk" in text
    assert f"Apps → {MENU_NAME}" in text  # the help explains the menu itself


async def test_the_menu_shares_the_per_user_cooldown_with_ask(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    for _ in range(3):
        await (await fake_discord.slash("ask", {"question": DIRECTOR_QUESTION})).reply()
    target = fake_discord.user_message(DIRECTOR_QUESTION, author=fake_discord.bob)
    for _ in range(2):
        reply = await (await fake_discord.message_command(MENU_NAME, target)).reply()
        assert "Romanek" in message_text(reply)
    sixth = (await (await fake_discord.message_command(MENU_NAME, target)).callback()).json
    assert _flags(sixth) & EPHEMERAL and "try again" in message_text(sixth["data"]).lower()


async def test_everyone_in_the_picked_message_never_pings(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    content = f"@everyone {DIRECTOR_QUESTION} <@{fake_discord.bob.id}>"
    target = fake_discord.user_message(content, author=fake_discord.bob)
    reply = await (await fake_discord.message_command(MENU_NAME, target)).reply()
    assert reply["allowed_mentions"]["parse"] == []
    assert "@everyone" not in message_text(reply)


async def test_a_failing_lookup_is_apologised_for(
    fake_discord: FakeDiscord, norfolk_bot: NorfolkBot
) -> None:
    import time

    from knowledge import Library

    class Stuck(Library):
        def ask(self, question: str, *, max_citations: int = 3):  # type: ignore[no-untyped-def]
            time.sleep(0.3)
            return super().ask(question, max_citations=max_citations)

    norfolk_bot.library = Stuck(norfolk_bot.library.articles)
    norfolk_bot.lookup_timeout = 0.05
    target = fake_discord.user_message(DIRECTOR_QUESTION, author=fake_discord.bob)
    reply = await (await fake_discord.message_command(MENU_NAME, target)).reply()
    assert "Sorry, something went wrong" in message_text(reply)
