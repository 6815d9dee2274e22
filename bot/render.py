"""Render an `Answer` as plain text for the terminal, or as the CLI's JSON line."""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: `norfolk stats` shares `shorten` without loading retrieval
    from knowledge import Answer

WIDTH = 88
"""Wrap width when the output is not a terminal (a pipe, a file)."""
MIN_WIDTH = 20
SNIPPET_CHARS = 300
SUGGESTION_CHARS = 160
INDENT = " " * 6
NOT_IN_ARTICLE = "The article doesn't say."


def answer_json(answer: Answer) -> str:
    """One JSON object on one line (the `norfolk ask --json/--jsonl` contract)."""
    return json.dumps(answer.to_dict(), ensure_ascii=False)


def shorten(text: str, limit: int) -> str:
    """Text on one line and at most `limit` characters, for terminal listings."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fill(text: str, width: int, first: str = "", rest: str = "") -> str:
    """Wrap on spaces only: a word is never split (a longer one overflows instead)."""
    return textwrap.fill(
        text,
        max(MIN_WIDTH, width),
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def answer_text(answer: Answer, width: int = WIDTH) -> str:
    """A readable answer: the short answer, numbered sources with sections, confidence.

    Every line is wrapped to `width` columns (the REPL passes the terminal's width).
    """
    if answer.notice:
        return _fill(answer.notice, width)
    lines: list[str] = []
    if answer.text is None:
        lines.append(_fill(f"{NOT_IN_ARTICLE} (confidence {answer.confidence:.0%})", width))
        if answer.citations:
            lines.append("")
            lines.append("Did you mean:")
            for citation in answer.citations:
                suggestion = f"{citation.section}: {shorten(citation.text, SUGGESTION_CHARS)}"
                lines.append(_fill(suggestion, width, "  • ", "    "))
        return "\n".join(lines)

    lines.append(_fill(answer.text, width))
    lines.append("")
    lines.append("Sources:")
    for number, citation in enumerate(answer.citations, start=1):
        lines.append(
            _fill(f"[{number}] {citation.article} › {citation.section}", width, "  ", INDENT)
        )
        lines.append(_fill(shorten(citation.text, SNIPPET_CHARS), width, INDENT, INDENT))
    lines.append(f"(confidence {answer.confidence:.0%})")
    if answer.also is not None:
        other = f"Also in {answer.also.article}: {shorten(answer.also.text, SUGGESTION_CHARS)}"
        lines.append(_fill(other, width))
    return "\n".join(lines)


def terminal_width() -> int:
    """The terminal's width in columns ($COLUMNS, else the terminal, else 80)."""
    return max(MIN_WIDTH, shutil.get_terminal_size().columns)
