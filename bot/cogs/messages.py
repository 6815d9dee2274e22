"""Questions by DM or @mention: the same answers as `/ask`, sent as a reply."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.chat import is_help_request
from bot.embeds import help_embed
from bot.replies import APOLOGY, BUSY, NO_MENTIONS, cooldown_text, too_long_text
from bot.safety import extract_question
from bot.service import Busy

if TYPE_CHECKING:
    from bot.client import NorfolkBot

log = logging.getLogger("norfolk.messages")

USER_MESSAGE_TYPES = (discord.MessageType.default, discord.MessageType.reply)
BARE_MENTION_HINT = (
    "Hi! Put your question after the mention, e.g. “@me who wrote the novel?”, "
    "or use `/ask`. `/help` shows everything I can do."
)


def addressed_to(message: discord.Message, me: discord.abc.Snowflake) -> bool:
    """A DM, or a guild message that mentions the bot or its managed role."""
    if message.guild is None:
        return True
    if any(user.id == me.id for user in message.mentions):
        return True
    role = message.guild.self_role
    return role is not None and role.id in message.raw_role_mentions


class MessagesCog(commands.Cog):
    """Answers DMs and mentions; ignores bots, itself and messages meant for others."""

    def __init__(self, bot: NorfolkBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return
        if message.type not in USER_MESSAGE_TYPES or not addressed_to(message, me):
            return
        try:
            await self._answer(message, me.id)
        except Exception:
            log.exception("answering message %s failed", message.id)
            await self._reply(message, content=APOLOGY)

    async def _answer(self, message: discord.Message, my_id: int) -> None:
        """Validate, rate-limit, look up and reply, like `/ask` but as a reply to the message."""
        guild = message.guild
        role = guild.self_role if guild is not None else None
        question = extract_question(message.content, my_id, [role.id] if role else [])
        if not question:
            await self._reply(message, content=BARE_MENTION_HINT)
            return
        limit = self.bot.config.max_question_chars
        if len(question) > limit:
            await self._reply(message, content=too_long_text(limit))
            return
        if is_help_request(question):
            await self._reply(message, embed=help_embed())
            return
        verdict = self.bot.cooldown.hit(message.author.id)
        if not verdict.allowed:
            if verdict.first_refusal:  # one notice per burst, not one per message
                await self._reply(message, content=cooldown_text(verdict))
            return
        # A follow-up ("and Tommy?") is read with this user's previous question in this DM,
        # channel or thread, or with the answer it replies to.
        conversation = message.channel.id
        replying_to = message.reference.message_id if message.reference is not None else None
        reading = self.bot.read_followup(
            message.author.id, conversation, question, replying_to=replying_to
        )
        try:
            answer, question_id = await self.bot.answer_question(
                reading.question,
                user_id=message.author.id,
                guild_id=guild.id if guild is not None else None,
                source="dm" if guild is None else "mention",
            )
        except Busy:  # the queue is full, or the question waited too long: say so, once
            await self._reply(message, content=BUSY)
            return
        spoil = self.bot.config.spoilers and guild is not None
        embeds, view = self.bot.render_answer(
            answer, question_id, spoil=spoil, reading=reading, asked=question
        )
        sent = await self._reply(message, embeds=embeds, view=view)
        self.bot.remember_turn(
            message.author.id, conversation, answer, message_id=sent.id if sent else None
        )

    async def _reply(self, message: discord.Message, **kwargs: object) -> discord.Message | None:
        """Reply without pinging anyone; a failed send is logged, never raised (None)."""
        try:
            return await message.reply(mention_author=False, allowed_mentions=NO_MENTIONS, **kwargs)  # type: ignore[arg-type]
        except discord.HTTPException:
            log.warning("could not reply to message %s", message.id, exc_info=True)
            return None
