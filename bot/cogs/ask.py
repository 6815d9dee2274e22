"""`/ask` and the "Ask Norfolk" message menu, answered with a cited embed and feedback buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.chat import is_help_request
from bot.conversations import Reading
from bot.embeds import help_embed
from bot.replies import BUSY, NO_MENTIONS, cooldown_text, too_long_text
from bot.safety import extract_question
from bot.service import Busy
from bot.views import reserve_or_busy, spoils_interaction

if TYPE_CHECKING:
    from bot.client import NorfolkBot

EMPTY_HINT = "Ask me something about the article, e.g. `/ask question: Who wrote it?`"
MENU_NAME = "Ask Norfolk"
"""The message context menu (right-click a message → Apps → Ask Norfolk)."""
NO_TEXT_HINT = (
    "That message has no text for me to read as a question. "
    "Pick a message with a question in it, or use `/ask`."
)


class AskCog(commands.Cog):
    """Questions by slash command, and by picking a message that holds one."""

    def __init__(self, bot: NorfolkBot) -> None:
        self.bot = bot
        menu = app_commands.ContextMenu(
            name=MENU_NAME, callback=self.ask_message, type=discord.AppCommandType.message
        )
        menu = app_commands.allowed_installs(guilds=True, users=True)(menu)
        self.menu = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(
            menu
        )

    async def cog_load(self) -> None:
        """Context menus cannot live in a cog's class body: register it with the tree."""
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

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
        await self.answer(interaction, question, private=private, source="slash", followups=True)

    async def ask_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The picked message's text is the question (Discord sends the target message's
        content with the interaction, without the message-content intent)."""
        me = self.bot.user
        guild = interaction.guild
        role = guild.self_role if guild is not None else None
        question = extract_question(
            message.content, me.id if me else None, [role.id] if role else []
        )
        if not question:
            await interaction.response.send_message(
                NO_TEXT_HINT, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await self.answer(interaction, question, private=False, source="context_menu")

    async def answer(
        self,
        interaction: discord.Interaction,
        question: str,
        *,
        private: bool,
        source: str,
        followups: bool = False,
    ) -> None:
        """The pipeline both entry points share: help, refusals, then the cited answer.

        Acknowledge first: the cheap checks and the queue's admission decide the response,
        and the defer goes out before any lookup. A full queue is told "busy" at once and
        privately; a question turned away later (it could no longer be answered in time)
        gets "busy" in place of the answer. Either way, one reply.

        With `followups`, a question that leans on the user's previous one in this channel
        ("and Tommy?") is read with it; a picked message (the menu) is read as it stands.
        """
        if is_help_request(question):
            await interaction.response.send_message(
                embed=help_embed(), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        refusal = self._refusal(question, interaction.user.id)
        if refusal:
            await interaction.response.send_message(
                refusal, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        ticket = await reserve_or_busy(interaction)
        if ticket is None:
            return
        with ticket:
            await interaction.response.defer(ephemeral=private, thinking=True)
            user_id, conversation = interaction.user.id, interaction.channel_id
            reading = (
                self.bot.read_followup(user_id, conversation, question, replying_to=None)
                if followups
                else Reading(question)
            )
            try:
                answer, question_id = await self.bot.answer_question(
                    reading.question,
                    user_id=user_id,
                    guild_id=interaction.guild_id,
                    source=source,
                    ticket=ticket,
                    shelf=lambda: self.bot.interaction_shelf(interaction),
                )
            except Busy:
                await interaction.edit_original_response(
                    content=BUSY, embeds=[], view=None, allowed_mentions=NO_MENTIONS
                )
                return
        embeds, view = self.bot.render_answer(
            answer,
            question_id,
            spoil=spoils_interaction(interaction),
            reading=reading,
            asked=question,
        )
        sent = await interaction.edit_original_response(
            embeds=embeds, view=view, allowed_mentions=NO_MENTIONS
        )
        if followups:
            message_id = getattr(sent, "id", None)
            self.bot.remember_turn(user_id, conversation, answer, message_id=message_id)

    def _refusal(self, question: str, user_id: int) -> str | None:
        """Why this question is not looked up (empty, too long, too fast), or None to go ahead.

        Only a question that passes the other checks counts against the user's rate limit.
        """
        if not question:
            return EMPTY_HINT
        limit = self.bot.config.max_question_chars
        if len(question) > limit:
            return too_long_text(limit)
        verdict = self.bot.cooldown.hit(user_id)
        return None if verdict.allowed else cooldown_text(verdict)
