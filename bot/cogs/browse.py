"""`/fact`, `/section`, `/about` and `/help`: browsing what the article says, no question needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.embeds import SEPARATOR, about_embeds, fact_embed, help_embed, pack, section_messages
from bot.replies import NO_MENTIONS
from bot.safety import is_spoiler_section
from bot.views import spoils_interaction
from knowledge.links import section_url

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from knowledge.library import Articles as Library  # a library or one server's shelf

MAX_CHOICES = 25
"""Discord shows at most 25 autocomplete choices."""
CHOICE_CHARS = 100
"""Discord's limit on a choice's name and value."""
SUGGESTIONS = 5
"""Field names offered when /fact finds no match."""
TYPING_CUTOFF = 45
"""Lenient: a half-typed word in an autocomplete box should already find its key."""
PICK_CUTOFF = 75
"""Strict: a typed section name is only resolved to a section it clearly means."""


def _clip(text: str, limit: int = CHOICE_CHARS) -> str:
    """Cut text to `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fuzzy_indices(query: str, labels: list[str], limit: int, cutoff: float) -> list[int]:
    """Positions of the labels that best match what the user typed, best first."""
    found = process.extract(
        query,
        labels,
        scorer=fuzz.WRatio,
        processor=default_process,
        limit=limit,
        score_cutoff=cutoff,
    )
    return [index for _, _, index in found]


def fact_keys(library: Library) -> list[str]:
    """Distinct infobox keys in article order."""
    return list(dict.fromkeys(key for _, key, _ in library.infobox_fields()))


def match_keys(keys: list[str], current: str, limit: int = MAX_CHOICES) -> list[str]:
    """Keys for an autocomplete box: all (in order) when empty, else the best fuzzy matches."""
    current = current.strip()
    if not current:
        return keys[:limit]
    return [keys[index] for index in _fuzzy_indices(current, keys, limit, cutoff=TYPING_CUTOFF)]


@dataclass(frozen=True)
class SectionRef:
    """One section the user can pick: how it is labelled and where it lives."""

    label: str
    article: str
    path: tuple[str, ...]


def section_refs(library: Library) -> list[SectionRef]:
    """Every section, labelled by heading path (prefixed by the article when several)."""
    names = library.section_names()
    several = len({title for title, _ in names}) > 1
    refs = []
    for title, path in names:
        heading = SEPARATOR.join(path)
        refs.append(SectionRef(f"{title}{SEPARATOR}{heading}" if several else heading, title, path))
    return refs


def resolve_section(library: Library, name: str) -> SectionRef | None:
    """The section a user picked or typed: exact label, `#index`, else a close fuzzy match."""
    refs = section_refs(library)
    name = " ".join(name.split())
    if not refs or not name:
        return None
    if name.startswith("#") and name[1:].isdigit() and int(name[1:]) < len(refs):
        return refs[int(name[1:])]
    folded = name.casefold()
    for ref in refs:
        short = SEPARATOR.join(ref.path)
        full = f"{ref.article}{SEPARATOR}{short}"
        if folded in (ref.label.casefold(), short.casefold(), full.casefold()):
            return ref
    labels = [ref.label for ref in refs]
    match = process.extractOne(
        name, labels, scorer=fuzz.WRatio, processor=default_process, score_cutoff=PICK_CUTOFF
    )
    return refs[match[2]] if match else None


def section_choices(library: Library, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for /section (value = label, or `#index` when it is too long)."""
    refs = section_refs(library)
    labels = [ref.label for ref in refs]
    if current.strip():
        indices = _fuzzy_indices(current.strip(), labels, MAX_CHOICES, cutoff=TYPING_CUTOFF)
    else:
        indices = list(range(min(len(refs), MAX_CHOICES)))
    choices = []
    for index in indices:
        label = labels[index]
        value = label if len(label) <= CHOICE_CHARS else f"#{index}"
        choices.append(app_commands.Choice(name=_clip(label), value=value))
    return choices


class BrowseCog(commands.Cog):
    """Browsing commands: facts, sections, what is loaded, how to use the bot."""

    def __init__(self, bot: NorfolkBot) -> None:
        self.bot = bot

    @app_commands.command(name="fact", description="Look up one infobox fact")
    @app_commands.describe(
        field="Which fact, e.g. Author or Release Date", private="Only you see it"
    )
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def fact(
        self, interaction: discord.Interaction, field: str, private: bool = False
    ) -> None:
        """One infobox value, or suggestions when no field matches."""
        library = self.bot.interaction_shelf(interaction)
        answer = library.fact(field)
        suggestions: list[str] = []
        if not answer.answered:
            keys = fact_keys(library)
            suggestions = match_keys(keys, field, SUGGESTIONS) or keys[:SUGGESTIONS]
        await interaction.response.send_message(
            embed=fact_embed(answer, field, suggestions),
            ephemeral=private,
            allowed_mentions=NO_MENTIONS,
        )

    @fact.autocomplete("field")
    async def fact_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Infobox keys matching what the user has typed so far."""
        keys = match_keys(fact_keys(self.bot.interaction_shelf(interaction)), current)
        return [app_commands.Choice(name=_clip(key), value=_clip(key)) for key in keys]

    @app_commands.command(name="section", description="Read one section of the article")
    @app_commands.describe(name="Which section", private="Only you see it")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def section(
        self, interaction: discord.Interaction, name: str, private: bool = False
    ) -> None:
        """The section's text, split over as many embeds and messages as it needs."""
        library = self.bot.interaction_shelf(interaction)
        ref = resolve_section(library, name)
        if ref is None:
            hint = ", ".join(r.label for r in section_refs(library)[:10]) or "none are loaded"
            await interaction.response.send_message(
                f"I can't find that section. Try one of: {_clip(hint, 1500)}",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        config = self.bot.config
        spoil = spoils_interaction(interaction) and is_spoiler_section(
            ref.path, config.spoiler_sections
        )
        messages = section_messages(
            ref.article,
            ref.path,
            library.section_text(ref.article, ref.path),
            spoil=spoil,
            url=section_url(library.article(ref.article), SEPARATOR.join(ref.path)),
        )
        first, *rest = messages
        await interaction.response.send_message(
            embeds=first, ephemeral=private, allowed_mentions=NO_MENTIONS
        )
        for embeds in rest:
            await interaction.followup.send(
                embeds=embeds, ephemeral=private, allowed_mentions=NO_MENTIONS
            )

    @section.autocomplete("name")
    async def section_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Sections matching what the user has typed so far."""
        return section_choices(self.bot.interaction_shelf(interaction), current)

    @app_commands.command(name="about", description="What articles I know about")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def about(self, interaction: discord.Interaction) -> None:
        """Loaded articles, their sections and fact counts."""
        embeds = pack(about_embeds(self.bot.interaction_shelf(interaction)))[0]
        await interaction.response.send_message(
            embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="help", description="How to use Norfolk")
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    async def help(self, interaction: discord.Interaction) -> None:
        """Slash commands, DMs, mentions and buttons, explained."""
        await interaction.response.send_message(
            embed=help_embed(), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
