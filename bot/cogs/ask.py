"""`/ask`: the main slash command, answered with a cited embed and feedback buttons."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.safety import CooldownResult
from bot.views import spoils_interaction

if TYPE_CHECKING:
    from bot.client import NorfolkBot

log = logging.getLogger("norfolk.ask")

NONE = discord.AllowedMentions.none()
EMPTY_HINT = "Ask me something about the article, e.g. `/ask question: Who wrote it?`"


def too_long_text(limit: int) -> str:
    """The refusal for an over-long question (shared by /ask and messages)."""
    return f"That question is too long for me: please keep it under {limit:,} characters."


def cooldown_text(result: CooldownResult) -> str:
    """The friendly "slow down" message (shared by /ask and messages)."""
    seconds = max(1, round(result.retry_after))
    return f"You're asking faster than I can keep up: try again in {seconds} s."


class AskCog(commands.Cog):
    """Questions by slash command."""

    def __init__(self, bot: NorfolkBot) -> None:
        self.bot = bot

    @app_commands.command(name="ask", description="Ask a question about the article")
    @app_commands.describe(
        question="What do you want to know?", private="Show the answer only to you"
    )
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def ask(
        self, interaction: discord.Interaction, question: str, private: bool = False
    ) -> None:
        """Validate, rate-limit, then defer (the lookup may be slow) and edit in the answer."""
        question = " ".join(question.split())
        if not question:
            await interaction.response.send_message(
                EMPTY_HINT, ephemeral=True, allowed_mentions=NONE
            )
            return
        limit = self.bot.config.max_question_chars
        if len(question) > limit:
            await interaction.response.send_message(
                too_long_text(limit), ephemeral=True, allowed_mentions=NONE
            )
            return
        verdict = self.bot.cooldown.hit(interaction.user.id)
        if not verdict.allowed:
            await interaction.response.send_message(
                cooldown_text(verdict), ephemeral=True, allowed_mentions=NONE
            )
            return
        await interaction.response.defer(ephemeral=private, thinking=True)
        answer, question_id = await self.bot.answer_question(
            question,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            source="slash",
        )
        embeds, view = self.bot.render_answer(
            answer, question_id, spoil=spoils_interaction(interaction)
        )
        await interaction.edit_original_response(embeds=embeds, view=view, allowed_mentions=NONE)
