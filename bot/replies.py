"""Texts and the mention policy shared by every front door, so each is defined once."""

from __future__ import annotations

import discord

from bot.safety import CooldownResult

NO_MENTIONS = discord.AllowedMentions.none()
"""Nothing the bot sends may ping anyone, whatever the text contains."""

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."

BUSY = "I'm busy answering a lot of questions right now: please ask again in a minute."
"""What a reader hears when the question queue is full (see `bot.service`)."""


def too_long_text(limit: int) -> str:
    """The refusal for an over-long question."""
    return f"That question is too long for me: please keep it under {limit:,} characters."


def cooldown_text(result: CooldownResult) -> str:
    """The friendly "slow down" message."""
    seconds = max(1, round(result.retry_after))
    return f"You're asking faster than I can keep up: try again in {seconds} s."
