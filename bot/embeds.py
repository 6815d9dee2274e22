"""Turn answers, facts and sections into Discord embeds that always fit Discord's limits.

Discord rejects a whole message when one limit is exceeded, so every builder here sizes its
text up front and `clamp`/`pack` act as a final safety net.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import discord

from bot.safety import escape_text, is_spoiler_section, neutralise_mentions, spoiler, truncate
from knowledge import Answer, Citation

if TYPE_CHECKING:
    from knowledge.library import Articles as Library  # a library or one server's shelf

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
MAX_FIELDS = 25
TOTAL_LIMIT = 6000
MAX_EMBEDS = 10

ANSWER_CHARS = 2000
"""The answer text itself: a sentence or two, never a wall of text above its sources."""
ANSWER_CITATIONS = 3
"""Citations shown under an answer; "More sources" shows the rest."""
SNIPPET_CHARS = 400
"""A citation is a pointer to the text, not the text: keep each one readable at a glance."""
SUGGESTION_CHARS = 150
SECTION_CHUNK_CHARS = 2800
"""Two chunks plus titles and footers fit the 6,000-character budget of one message."""
MAX_SECTION_MESSAGES = 5
"""Beyond this a section is cut with a note rather than flooding the channel."""

ANSWER_COLOUR = discord.Colour.blurple()
ABSTAIN_COLOUR = discord.Colour.light_grey()
NOTICE_COLOUR = discord.Colour.orange()

ABSTAIN_TEXT = "The article doesn't say — I couldn't find an answer to that."
READING_AS = "Reading this as: "
READ_AS_CHARS = 300
"""A rewritten follow-up is two questions long at most; this keeps the note one line or two."""
SEPARATOR = " › "


# -- limits ----------------------------------------------------------------------------------


def fit(text: str, limit: int) -> str:
    """Truncate text to a limit, keeping a whole-text spoiler `||…||` closed."""
    if len(text) <= limit:
        return text
    if len(text) > 4 and text.startswith("||") and text.endswith("||"):
        return spoiler(truncate(text[2:-2], limit - 4))
    return truncate(text, limit)


def clamp(embed: discord.Embed) -> discord.Embed:
    """Enforce every per-embed limit in place (a safety net behind the sized builders)."""
    if embed.title:
        embed.title = fit(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = fit(embed.description, DESCRIPTION_LIMIT)
    fields = embed.fields[:MAX_FIELDS]
    embed.clear_fields()
    for field in fields:
        name = fit(field.name or "\u200b", FIELD_NAME_LIMIT)
        value = fit(field.value or "\u200b", FIELD_VALUE_LIMIT)
        embed.add_field(name=name, value=value, inline=bool(field.inline))
    if embed.footer.text:
        embed.set_footer(text=fit(embed.footer.text, FOOTER_LIMIT), icon_url=embed.footer.icon_url)
    if embed.author.name:
        embed.set_author(
            name=fit(embed.author.name, AUTHOR_LIMIT),
            url=embed.author.url,
            icon_url=embed.author.icon_url,
        )
    while len(embed) > TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    if len(embed) > TOTAL_LIMIT and embed.description:
        overflow = len(embed) - TOTAL_LIMIT
        embed.description = fit(embed.description, max(1, len(embed.description) - overflow))
    return embed


def pack(embeds: Iterable[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages of at most 10 embeds and 6,000 characters each."""
    messages: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    total = 0
    for embed in embeds:
        clamp(embed)
        size = len(embed)
        if current and (len(current) >= MAX_EMBEDS or total + size > TOTAL_LIMIT):
            messages.append(current)
            current, total = [], 0
        current.append(embed)
        total += size
    if current:
        messages.append(current)
    return messages


# -- splitting -------------------------------------------------------------------------------

_SPLITTERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n\s*\n"), "\n\n"),  # paragraphs
    (re.compile(r"\n"), "\n"),  # lines
    (re.compile(r"(?<=[.!?…])\s+"), " "),  # sentences
    (re.compile(r"\s+"), " "),  # words
)


def split_text(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most `limit` chars, on paragraph, then sentence, then word
    boundaries; only a single word longer than `limit` is cut mid-word."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if not text:
        return []
    return [chunk for chunk in _split(text, limit, 0) if chunk.strip()]


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level >= len(_SPLITTERS):
        return _hard_cut(text, limit)
    pattern, joiner = _SPLITTERS[level]
    chunks: list[str] = []
    current = ""
    for piece in (p.strip() for p in pattern.split(text)):
        if not piece:
            continue
        if len(piece) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.extend(_split(piece, limit, level + 1))
            continue
        candidate = f"{current}{joiner}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut an unbreakable run, never separating a backslash from the character it escapes."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = limit
        trailing = len(text[:cut]) - len(text[:cut].rstrip("\\"))
        if trailing % 2 and cut > 1:
            cut -= 1
        chunks.append(text[:cut])
        text = text[cut:]
    if text:
        chunks.append(text)
    return chunks


# -- answers ---------------------------------------------------------------------------------


def _snippet(
    citation: Citation, limit: int, *, spoil: bool, spoiler_sections: Sequence[str]
) -> str:
    """A citation's text, escaped, shortened and (in guilds) hidden when it is a spoiler."""
    text = " ".join(citation.text.split())
    if spoil and is_spoiler_section(citation.section, spoiler_sections):
        return spoiler(truncate(escape_text(text), limit - 4))
    return truncate(escape_text(text), limit)


def _articles(citations: Sequence[Citation]) -> str:
    """Distinct article titles, in citation order, for a footer (plain text: no markdown
    renders there, but a title like "@everyone" must not look like a mention)."""
    return neutralise_mentions(", ".join(dict.fromkeys(c.article for c in citations if c.article)))


ALSO_CHARS = 300
"""The other article's snippet under an answer, when two articles answer closely."""


def _confidence(answer: Answer) -> str:
    """The footer's confidence figure; a malformed value must not break the whole answer."""
    try:
        return f"confidence {round(float(answer.confidence) * 100)}%"
    except (TypeError, ValueError, OverflowError):
        return "confidence unknown"


def _question_title(question: str) -> str:
    """The user's question, echoed safely (no markdown, no mentions) as an embed title."""
    text = " ".join(question.split())
    return truncate(escape_text(text), TITLE_LIMIT) if text else "Your question"


def _field_name(citation: Citation, primary_article: str) -> str:
    """The section a citation comes from, prefixed by its article when that is not the main one."""
    name = citation.section or "Source"
    if citation.article and citation.article != primary_article:
        name = f"{citation.article}{SEPARATOR}{name}"
    return truncate(escape_text(name), FIELD_NAME_LIMIT)


LINK_URL_CHARS = 500
"""A source address longer than this is left out rather than crowding the snippet."""
_MARKDOWN_UNSAFE = {"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E", "\\": "%5C"}


def markdown_url(url: str) -> str | None:
    """A web address safe inside a markdown link `[label](…)` (parentheses encoded, as
    Discord would end the link at the first `)`), or None when it is not http(s)."""
    if not url.lower().startswith(("https://", "http://")) or len(url) > LINK_URL_CHARS:
        return None
    return "".join(_MARKDOWN_UNSAFE.get(ch, ch) for ch in url if ch not in "\r\n\t")


def source_link(citation: Citation) -> str:
    """ "[↗ Read this section on en.wikipedia.org](…#Plot)" for a citation of an article
    with a `Source:` line; "" otherwise."""
    url = markdown_url(citation.url) if citation.url else None
    if url is None:
        return ""
    host = escape_text(urlsplit(citation.url or "").hostname or "the source")
    what = "this section" if "#" in url else "it"
    return f"[↗ Read {what} on {host}]({url})"


def _add_citation_fields(
    embed: discord.Embed,
    answer: Answer,
    citations: Sequence[Citation],
    *,
    spoil: bool,
    spoiler_sections: Sequence[str],
) -> None:
    """One field per citation: its section as the name, its (maybe spoilered) snippet below."""
    primary = answer.citations[0].article if answer.citations else ""
    for citation in citations:
        value = _snippet(citation, SNIPPET_CHARS, spoil=spoil, spoiler_sections=spoiler_sections)
        link = source_link(citation)
        embed.add_field(
            name=_field_name(citation, primary),
            value=f"{value}\n{link}" if link else value,
            inline=False,
        )


def _abstain_text(answer: Answer, *, spoil: bool, spoiler_sections: Sequence[str]) -> str:
    """Why there is no answer, the near misses as "Did you mean" hints, and what to try next."""
    lines = [escape_text(answer.notice) if answer.notice else ABSTAIN_TEXT]
    suggestions = answer.citations[:ANSWER_CITATIONS]
    if suggestions:
        lines += ["", "**Did you mean:**"]
        for citation in suggestions:
            section = escape_text(citation.section or "Source")
            text = _snippet(
                citation, SUGGESTION_CHARS, spoil=spoil, spoiler_sections=spoiler_sections
            )
            lines.append(f"• *{section}*: {text}")
    lines += ["", "Try rephrasing, or browse with `/section` and `/fact`."]
    return "\n".join(lines)


def answer_embed(
    answer: Answer,
    *,
    spoil: bool = False,
    spoiler_sections: Sequence[str] = (),
    max_citations: int = ANSWER_CITATIONS,
    read_as: str | None = None,
) -> discord.Embed:
    """The embed for one answer: answer first, up to 3 cited sections, article and confidence.

    `spoil` is True in guild channels when spoilers are on; then the answer and snippets drawn
    from spoiler sections are hidden behind `||…||`. When abstaining, the near misses become
    "Did you mean" hints instead of being presented as an answer. `read_as` is the question
    a follow-up was read as; it is shown above the answer ("Reading this as: …").
    """
    citations = answer.citations
    articles = _articles(citations)
    embed = discord.Embed(title=_question_title(answer.question))
    if answer.answered:
        text = escape_text(answer.text or "")
        hidden = (
            spoil and bool(citations) and is_spoiler_section(citations[0].section, spoiler_sections)
        )
        embed.description = (
            spoiler(truncate(text, ANSWER_CHARS - 4)) if hidden else truncate(text, ANSWER_CHARS)
        )
        embed.colour = ANSWER_COLOUR
        _add_citation_fields(
            embed,
            answer,
            citations[: max(0, max_citations)],
            spoil=spoil,
            spoiler_sections=spoiler_sections,
        )
        footer = f"{articles} · {_confidence(answer)}" if articles else _confidence(answer)
        if answer.also is not None:
            other = _snippet(
                answer.also, ALSO_CHARS, spoil=spoil, spoiler_sections=spoiler_sections
            )
            embed.description += f"\n\n*Also in {escape_text(answer.also.article)}:* {other}"
    else:
        embed.colour = ABSTAIN_COLOUR
        embed.description = _abstain_text(answer, spoil=spoil, spoiler_sections=spoiler_sections)
        footer = f"{articles} · {_confidence(answer)}" if articles else "No answer found"
    if read_as:
        note = f"*{READING_AS}{truncate(escape_text(' '.join(read_as.split())), READ_AS_CHARS)}*"
        embed.description = f"{note}\n\n{embed.description}"
    embed.set_footer(text=truncate(footer, FOOTER_LIMIT))
    return clamp(embed)


def sources_embed(
    answer: Answer,
    *,
    start: int = ANSWER_CITATIONS,
    spoil: bool = False,
    spoiler_sections: Sequence[str] = (),
    limit: int = 10,
) -> discord.Embed | None:
    """The citations after the first `start` ones ("More sources"), or None if there are none."""
    if not answer.answered:
        return None
    rest = answer.citations[start : start + limit]
    if not rest:
        return None
    embed = discord.Embed(title="More sources", colour=ANSWER_COLOUR)
    embed.description = _question_title(answer.question)
    _add_citation_fields(embed, answer, rest, spoil=spoil, spoiler_sections=spoiler_sections)
    embed.set_footer(text=truncate(_articles(rest), FOOTER_LIMIT) or "Sources")
    return clamp(embed)


def notice_embed(text: str, *, title: str | None = None) -> discord.Embed:
    """A short notice (hint, refusal, apology); `text` must already be safe to render."""
    embed = discord.Embed(title=title, description=text, colour=NOTICE_COLOUR)
    return clamp(embed)


# -- facts and sections -------------------------------------------------------------------


def fact_embed(answer: Answer, asked: str, suggestions: Sequence[str] = ()) -> discord.Embed:
    """One infobox value, or a "no such field" note with a few field names to try."""
    if answer.answered and answer.citations:
        citation = answer.citations[0]
        key = citation.text.split(":", 1)[0].strip() if ":" in citation.text else asked
        embed = discord.Embed(
            title=truncate(escape_text(key), TITLE_LIMIT),
            description=truncate(escape_text(answer.text or ""), DESCRIPTION_LIMIT),
            colour=ANSWER_COLOUR,
        )
        footer = neutralise_mentions(f"{citation.article} · Infobox")
        embed.set_footer(text=truncate(footer, FOOTER_LIMIT))
        embed.url = markdown_url(citation.url) if citation.url else None
        return clamp(embed)
    lines = [f"No infobox field matches “{truncate(escape_text(asked.strip()), 100)}”."]
    if suggestions:
        lines.append("Try: " + ", ".join(escape_text(s) for s in suggestions[:10]))
    return clamp(discord.Embed(description="\n".join(lines), colour=ABSTAIN_COLOUR))


_ESCAPED_BOLD_LINE = re.compile(r"(?m)^\\\*\\\*(.+)\\\*\\\*$")


def section_messages(
    article: str,
    path: Sequence[str],
    text: str,
    *,
    spoil: bool = False,
    chunk_chars: int = SECTION_CHUNK_CHARS,
    max_messages: int = MAX_SECTION_MESSAGES,
    url: str | None = None,
) -> list[list[discord.Embed]]:
    """A section's text as messages of embeds, split on paragraph/sentence boundaries.

    `spoil` hides every chunk behind `||…||` (a spoiler section shown in a guild); `url`,
    the section on the article's source page, links the first embed's title.
    """
    heading = SEPARATOR.join(path) or "Section"
    title = truncate(
        escape_text(f"{article}{SEPARATOR}{heading}" if article else heading), TITLE_LIMIT
    )
    safe = _ESCAPED_BOLD_LINE.sub(r"**\1**", escape_text(text))  # keep sub-heading bold
    chunks = split_text(safe, chunk_chars - (4 if spoil else 0))
    if not chunks:
        return [[notice_embed("This section is empty.", title=title)]]
    budget = max(1, max_messages) * 2
    cut_chars = sum(len(c) for c in chunks[budget:])
    chunks = chunks[:budget]
    embeds: list[discord.Embed] = []
    for number, chunk in enumerate(chunks, start=1):
        embed = discord.Embed(
            title=title if number == 1 else None,
            url=markdown_url(url) if url and number == 1 else None,
            description=spoiler(chunk) if spoil else chunk,
            colour=ANSWER_COLOUR,
        )
        footer = f"Part {number}/{len(chunks)}" if len(chunks) > 1 else neutralise_mentions(heading)
        if number == len(chunks) and cut_chars:
            footer += f" · {cut_chars:,} more characters not shown"
        embed.set_footer(text=truncate(footer, FOOTER_LIMIT))
        embeds.append(embed)
    return pack(embeds)


# -- about and help -------------------------------------------------------------------------


def about_embeds(library: Library) -> list[discord.Embed]:
    """What is loaded: each article with its sections and number of infobox facts."""
    articles = library.articles
    if not articles:
        return [
            notice_embed(
                "No articles are loaded, so I can't answer anything yet. "
                "Ask the bot's admin to check the seeds folder, or a server admin to add "
                "one with `/library add`.",
                title="About Norfolk",
            )
        ]
    total_sections = sum(len(a.sections) for a in articles)
    total_facts = sum(len(a.infobox) for a in articles)
    head = discord.Embed(
        title="About Norfolk",
        description=(
            f"I answer questions from {len(articles)} article(s): {total_sections} sections "
            f"and {total_facts} infobox facts. Every answer cites the section it came from."
        ),
        colour=ANSWER_COLOUR,
    )
    embeds = [head]
    current = head
    budget = TOTAL_LIMIT - len(head) - 200
    for article in articles:
        sections = ", ".join(SEPARATOR.join(p) for p in article.sections) or "(no sections)"
        name = truncate(escape_text(article.title), FIELD_NAME_LIMIT)
        value = truncate(
            f"{len(article.sections)} sections · {len(article.infobox)} facts\n"
            + escape_text(sections),
            FIELD_VALUE_LIMIT,
        )
        if len(name) + len(value) > budget:
            remaining = len(articles) - sum(len(e.fields) for e in embeds)
            current.add_field(name="…", value=f"and {remaining} more article(s)", inline=False)
            break
        if len(current.fields) >= MAX_FIELDS:
            if len(embeds) >= MAX_EMBEDS:
                break
            current = discord.Embed(colour=ANSWER_COLOUR)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
        budget -= len(name) + len(value)
    return [clamp(e) for e in embeds]


def help_embed() -> discord.Embed:
    """How to use the bot, in one embed."""
    embed = discord.Embed(
        title="How to use Norfolk",
        description=(
            "I answer questions about the loaded article(s) and show where each answer comes "
            "from. If the article doesn't say, I tell you so instead of guessing."
        ),
        colour=ANSWER_COLOUR,
    )
    embed.add_field(
        name="Slash commands",
        value=(
            "`/ask question:` ask anything (`private: True` shows the answer only to you)\n"
            "`/fact field:` one infobox value, e.g. author or release date\n"
            "`/section name:` read a whole section\n"
            "`/about` what is loaded · `/help` this message"
        ),
        inline=False,
    )
    embed.add_field(
        name="Messages",
        value=(
            "Send me a DM with your question, or mention me in a channel: "
            "`@Norfolk who wrote the novel?`\n"
            "Or right-click any message (long-press on mobile) → **Apps → Ask Norfolk** "
            "to ask the question it holds."
        ),
        inline=False,
    )
    embed.add_field(
        name="Follow-ups",
        value=(
            "After “who played Ruth?”, just ask “and Tommy?” or “how old was she?”: "
            "I read it with your previous question and say how I read it."
        ),
        inline=False,
    )
    embed.add_field(
        name="Your server's articles",
        value=(
            "Server admins choose what I answer from here: `/library add` an article (a `.txt` "
            "file, or a Wikipedia title when the host allows it), `/library list`, "
            "`/library remove`, `/library use`."
        ),
        inline=False,
    )
    embed.add_field(
        name="Buttons",
        value="**More sources** shows further citations; 👍 / 👎 tell us if the answer helped.",
        inline=False,
    )
    embed.set_footer(text="Plot details are hidden behind spoiler tags in servers.")
    return clamp(embed)
