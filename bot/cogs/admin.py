"""`/reload`: re-read the articles without a restart, for the bot's owner and server managers."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.replies import NO_MENTIONS
from bot.safety import escape_text, truncate

if TYPE_CHECKING:
    from bot.client import NorfolkBot

log = logging.getLogger("norfolk.admin")

CONTENT_LIMIT = 2000
REFUSAL = (
    "Sorry, only the bot's owner or members with the Manage Server (or Administrator) "
    "permission can reload the articles."
)


async def may_reload(bot: commands.Bot, interaction: discord.Interaction[Any]) -> bool:
    """The application owner anywhere; Administrator/Manage Guild in a guild that installed us.

    Guild permissions only count where the bot is installed to the guild: in a server that
    merely hosts a user-installed copy, that server's admins do not administer this bot.
    """
    try:
        if await bot.is_owner(interaction.user):
            return True
    except discord.HTTPException:
        log.warning("could not fetch the application owner; checking permissions only")
    if interaction.guild_id is None or not interaction.is_guild_integration():
        return False
    permissions = interaction.permissions
    return permissions.administrator or permissions.manage_guild


class AdminCog(commands.Cog):
    """Maintenance commands; every reply is ephemeral so a channel never sees admin chatter."""

    def __init__(self, bot: NorfolkBot) -> None:
        self.bot = bot

    @app_commands.command(name="reload", description="Re-read the articles (admins only)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.allowed_installs(guilds=True, users=False)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def reload(self, interaction: discord.Interaction) -> None:
        """Refuse politely unless allowed; else defer (parsing may be slow) and report."""
        if not await may_reload(self.bot, interaction):
            log.info("refused /reload from user %s", interaction.user.id)
            await interaction.response.send_message(
                REFUSAL, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        ok, message = await self.bot.reload_library()
        log.info("/reload by user %s: %s", interaction.user.id, "done" if ok else "refused")
        # Parse errors quote article lines: show them literally, never as markdown or pings.
        content = truncate(escape_text(message), CONTENT_LIMIT)
        await interaction.edit_original_response(content=content, allowed_mentions=NO_MENTIONS)
