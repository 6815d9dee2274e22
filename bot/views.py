"""Buttons under answers that keep working after a restart (state lives in the custom_id).

"More sources" and 👍/👎 are `DynamicItem`s: the question's row id is encoded in the
`custom_id`, so any bot process that registered them (`bot.add_dynamic_items`) can handle a
click on a message sent long ago. Row id 0 stands for "not stored".
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord

from bot.embeds import ANSWER_CITATIONS, sources_embed
from bot.overload import expected_discord_error
from bot.replies import APOLOGY, BUSY, NO_MENTIONS
from bot.service import Busy, Ticket

log = logging.getLogger("norfolk.views")

MORE_SOURCES = 5
"""How many further citations "More sources" shows."""

FEEDBACK_TEMPLATE = r"norfolk:fb:(?P<vote>up|down):(?P<qid>\d{1,19})"
MORE_TEMPLATE = r"norfolk:more:(?P<qid>\d{1,19})"
THANKS = {"up": "Thanks! Glad it helped. 👍", "down": "Thanks for telling me — noted. 👎"}


def feedback_custom_id(vote: str, question_id: int | None) -> str:
    """The custom_id of a 👍 (`vote="up"`) or 👎 (`"down"`) button."""
    if vote not in ("up", "down"):
        raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
    return f"norfolk:fb:{vote}:{question_id or 0}"


def more_custom_id(question_id: int | None) -> str:
    """The custom_id of a "More sources" button."""
    return f"norfolk:more:{question_id or 0}"


def spoils_interaction(interaction: discord.Interaction[Any]) -> bool:
    """Spoiler-wrap in guild channels and group DMs when enabled, never in a DM with the bot."""
    config = getattr(interaction.client, "config", None)
    if config is None or not config.spoilers:
        return False
    return interaction.guild_id is not None or bool(interaction.context.private_channel)


async def send_apology(interaction: discord.Interaction[Any]) -> None:
    """Tell the user something failed, whatever state the interaction response is in."""
    if interaction.type is discord.InteractionType.autocomplete:
        return
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(
                APOLOGY, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        elif interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
            await interaction.edit_original_response(
                content=APOLOGY, embeds=[], view=None, allowed_mentions=NO_MENTIONS
            )
        else:
            await interaction.followup.send(APOLOGY, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as error:
        expected = expected_discord_error(error) is not None  # expired: no traceback
        log.warning(
            "could not send an apology for interaction %s: %s",
            interaction.id,
            error,
            exc_info=not expected,
        )


async def handle_failure(
    interaction: discord.Interaction[Any], error: BaseException, what: str
) -> None:
    """A component callback failed: apologise and log it, unless Discord merely refused a
    response to an expired or already acknowledged interaction (counted, not logged)."""
    code = expected_discord_error(error)
    if code is not None:
        service = getattr(interaction.client, "service", None)
        if service is not None:
            service.overload.discord_refused(code)
        return
    log.error("%s", what, exc_info=error)
    await send_apology(interaction)


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FEEDBACK_TEMPLATE):
    """👍/👎 under an answer: records whether it helped and thanks the user privately."""

    def __init__(self, vote: str, question_id: int | None) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=feedback_custom_id(vote, question_id),
            )
        )
        self.vote = vote
        self.question_id = question_id or None

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FeedbackButton:
        return cls(match["vote"], int(match["qid"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await interaction.response.send_message(
                THANKS[self.vote], ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            store = getattr(interaction.client, "store", None)
            if store is not None:
                await asyncio.to_thread(
                    store.record_feedback,
                    question_id=self.question_id,
                    user_id=interaction.user.id,
                    helpful=self.vote == "up",
                )
        except Exception as error:
            await handle_failure(interaction, error, "feedback button failed")


async def reserve_or_busy(interaction: discord.Interaction[Any]) -> Ticket | None:
    """A place in the answering queue, taken before acknowledging; None when there is none,
    after telling the reader at once (privately) that the bot is busy."""
    try:
        return interaction.client.service.reserve()
    except Busy:
        await interaction.response.send_message(BUSY, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return None


class MoreSourcesButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=MORE_TEMPLATE):
    """ "More sources": re-asks the stored question and shows the citations beyond the first 3."""

    def __init__(self, question_id: int | None, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="More sources",
                emoji="📚",
                style=discord.ButtonStyle.primary,
                custom_id=more_custom_id(question_id),
                disabled=disabled,
            )
        )
        self.question_id = question_id or None

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> MoreSourcesButton:
        return cls(int(match["qid"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Like `/ask`: a place in the queue first ("busy" at once if there is none), then
        the deferral, then the lookup."""
        try:
            ticket = await reserve_or_busy(interaction)
            if ticket is None:
                return
            with ticket:
                await interaction.response.defer(ephemeral=True, thinking=True)
                try:
                    reply = await self._reply(interaction, ticket)
                except Busy:
                    reply = {"content": BUSY}
                await interaction.edit_original_response(**reply, allowed_mentions=NO_MENTIONS)
        except Exception as error:
            await handle_failure(interaction, error, "more-sources button failed")

    async def _reply(self, interaction: discord.Interaction[Any], ticket: Ticket) -> dict[str, Any]:
        """The content or embed to show for this click (and record the click)."""
        bot = interaction.client
        store = getattr(bot, "store", None)
        if store is not None:
            await asyncio.to_thread(
                store.record_click,
                question_id=self.question_id,
                user_id=interaction.user.id,
                action="more_sources",
            )
        question = None
        if self.question_id is not None and hasattr(bot, "question_text"):
            question = await bot.question_text(self.question_id)
        if not question:
            return {"content": "I no longer have that question on file. Please ask it again."}
        answer = await bot.service.ask(
            question,
            max_citations=ANSWER_CITATIONS + MORE_SOURCES,
            ticket=ticket,
            library=lambda: bot.interaction_shelf(interaction),  # the answer's articles, as now
        )
        embed = sources_embed(
            answer,
            spoil=spoils_interaction(interaction),
            spoiler_sections=bot.config.spoiler_sections,
        )
        if embed is None:
            return {"content": "That's every source I have for this answer."}
        return {"embed": embed}


def answer_view(question_id: int | None, *, answered: bool = True) -> discord.ui.View:
    """The buttons under an answer; "More sources" is disabled when the bot abstained."""
    view = discord.ui.View(timeout=None)
    view.add_item(MoreSourcesButton(question_id, disabled=not answered))
    view.add_item(FeedbackButton("up", question_id))
    view.add_item(FeedbackButton("down", question_id))
    return view


DYNAMIC_ITEMS = (FeedbackButton, MoreSourcesButton)
"""Register with `bot.add_dynamic_items(*DYNAMIC_ITEMS)` so clicks survive restarts."""
