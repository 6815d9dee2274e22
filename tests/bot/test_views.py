"""Button custom_ids round-trip, and the button callbacks answer and record."""

from __future__ import annotations

import re

import discord
import pytest

from bot.config import Config
from bot.service import AnswerService
from bot.views import (
    FEEDBACK_TEMPLATE,
    MORE_TEMPLATE,
    FeedbackButton,
    MoreSourcesButton,
    answer_view,
    feedback_custom_id,
    more_custom_id,
)
from bot.workers import ThreadWorkers
from knowledge import Answer, Citation
from tests.bot.fakes import FakeInteraction, FakeStore


async def rebuild(custom_id: str) -> tuple[str, int | None, str | None] | None:
    """What discord.py would rebuild from a clicked custom_id: (button, question id, vote)."""
    if match := re.fullmatch(FEEDBACK_TEMPLATE, custom_id):
        item = await FeedbackButton.from_custom_id(None, None, match)  # type: ignore[arg-type]
        return ("feedback", item.question_id, item.vote)
    if match := re.fullmatch(MORE_TEMPLATE, custom_id):
        more = await MoreSourcesButton.from_custom_id(None, None, match)  # type: ignore[arg-type]
        return ("more", more.question_id, None)
    return None


@pytest.mark.parametrize(
    ("custom_id", "expected"),
    [
        ("norfolk:fb:up:42", ("feedback", 42, "up")),
        ("norfolk:fb:down:7", ("feedback", 7, "down")),
        ("norfolk:fb:up:0", ("feedback", None, "up")),
        ("norfolk:more:99", ("more", 99, None)),
        ("norfolk:more:0", ("more", None, None)),
        ("norfolk:fb:sideways:1", None),
        ("norfolk:fb:up:", None),
        ("norfolk:more:12x", None),
        ("xnorfolk:more:1", None),
        ("norfolk:more:1:extra", None),
        ("something-else", None),
    ],
)
async def test_custom_ids_are_read_back(
    custom_id: str, expected: tuple[str, int | None, str | None] | None
) -> None:
    assert await rebuild(custom_id) == expected


async def test_custom_ids_round_trip_and_fit_discord() -> None:
    for qid in (None, 1, 2**63 - 1):
        for vote in ("up", "down"):
            cid = feedback_custom_id(vote, qid)
            assert len(cid) <= 100
            assert await rebuild(cid) == ("feedback", qid, vote)
        assert await rebuild(more_custom_id(qid)) == ("more", qid, None)
    with pytest.raises(ValueError):
        feedback_custom_id("maybe", 1)


def test_answer_view_has_three_dynamic_buttons() -> None:
    view = answer_view(5)
    assert view.timeout is None
    ids = [item.custom_id for item in view.children]
    assert ids == ["norfolk:more:5", "norfolk:fb:up:5", "norfolk:fb:down:5"]
    assert all(isinstance(item, discord.ui.DynamicItem) for item in view.children)
    assert view.is_persistent()
    disabled = answer_view(5, answered=False).children[0]
    assert disabled.item.disabled
    assert not answer_view(5).children[0].item.disabled


async def test_from_custom_id_rebuilds_buttons() -> None:
    match = re.fullmatch(FEEDBACK_TEMPLATE, "norfolk:fb:down:12")
    item = await FeedbackButton.from_custom_id(None, None, match)  # type: ignore[arg-type]
    assert (item.vote, item.question_id, item.custom_id) == ("down", 12, "norfolk:fb:down:12")
    match = re.fullmatch(MORE_TEMPLATE, "norfolk:more:3")
    more = await MoreSourcesButton.from_custom_id(None, None, match)  # type: ignore[arg-type]
    assert (more.question_id, more.custom_id) == (3, "norfolk:more:3")


class Library:
    """Stands in for `knowledge.Library`: as many citations as asked for, up to a stock."""

    def __init__(self, citations: int) -> None:
        self.citations = citations
        self.asked: list[str] = []

    def ask(self, question: str, *, max_citations: int = 3) -> Answer:
        self.asked.append(question)
        count = min(self.citations, max_citations)
        cites = tuple(Citation("Art", "Plot" if i == 4 else f"S{i}", f"t{i}") for i in range(count))
        return Answer(question, "yes", cites, 0.9)


class Bot:
    def __init__(self, citations: int = 5) -> None:
        self.config = Config(spoiler_sections=("Plot",))
        self.store = FakeStore()
        self.library = Library(citations)
        self.service = AnswerService(
            ThreadWorkers(1), lambda: self.library, queue_size=10, timeout=10
        )
        self.store.record_question(question="who?")

    async def question_text(self, question_id: int) -> str | None:
        return self.store.question_text(question_id)

    def interaction_shelf(self, interaction: object) -> Library:
        return self.library


async def test_feedback_callback_thanks_and_records() -> None:
    bot = Bot()
    interaction = FakeInteraction(bot, user_id=9)
    await FeedbackButton("down", 1).callback(interaction)  # type: ignore[arg-type]
    assert interaction.response.sent[0]["ephemeral"] is True
    assert bot.store.feedback == [{"question_id": 1, "user_id": 9, "helpful": False}]


async def test_more_sources_shows_next_citations_spoiled_in_guild() -> None:
    bot = Bot()
    interaction = FakeInteraction(bot, guild_id=10)
    await MoreSourcesButton(1).callback(interaction)  # type: ignore[arg-type]
    assert interaction.response.deferred == {"ephemeral": True, "thinking": True}
    embed = interaction.edits[0]["embed"]
    assert [f.name for f in embed.fields] == ["S3", "Plot"]
    assert embed.fields[1].value == "||t4||"
    assert bot.library.asked == ["who?"]
    assert bot.store.clicks[0]["action"] == "more_sources"


async def test_more_sources_in_dm_is_not_spoiled() -> None:
    bot = Bot()
    interaction = FakeInteraction(bot, guild_id=None)
    await MoreSourcesButton(1).callback(interaction)  # type: ignore[arg-type]
    assert interaction.edits[0]["embed"].fields[1].value == "t4"


async def test_more_sources_when_nothing_more_or_unknown() -> None:
    interaction = FakeInteraction(Bot(citations=2))
    await MoreSourcesButton(1).callback(interaction)  # type: ignore[arg-type]
    assert "every source" in interaction.edits[0]["content"]
    interaction = FakeInteraction(Bot())
    await MoreSourcesButton(None).callback(interaction)  # type: ignore[arg-type]
    assert "ask it again" in interaction.edits[0]["content"]


async def test_button_failure_apologises() -> None:
    bot = Bot()
    bot.library = None  # type: ignore[assignment]
    interaction = FakeInteraction(bot)
    await MoreSourcesButton(1).callback(interaction)  # type: ignore[arg-type]
    assert "Sorry" in interaction.edits[-1]["content"]
