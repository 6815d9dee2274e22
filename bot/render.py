"""Render an `Answer` as plain text for the terminal, or as the CLI's JSON line."""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: `norfolk stats` shares `shorten` without loading retrieval
    from knowledge import Answer

WIDTH = 88
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


def answer_text(answer: Answer) -> str:
    """A readable answer: the short answer, numbered sources with sections, confidence."""
    if answer.notice:
        return answer.notice
    lines: list[str] = []
    if answer.text is None:
        lines.append(f"{NOT_IN_ARTICLE} (confidence {answer.confidence:.0%})")
        if answer.citations:
            lines.append("")
            lines.append("Did you mean:")
            for citation in answer.citations:
                lines.append(f"  • {citation.section}: {shorten(citation.text, SUGGESTION_CHARS)}")
        return "\n".join(lines)

    lines.append(textwrap.fill(answer.text, WIDTH))
    lines.append("")
    lines.append("Sources:")
    for number, citation in enumerate(answer.citations, start=1):
        lines.append(f"  [{number}] {citation.article} › {citation.section}")
        lines.append(
            textwrap.fill(
                shorten(citation.text, SNIPPET_CHARS),
                WIDTH,
                initial_indent=INDENT,
                subsequent_indent=INDENT,
            )
        )
    lines.append(f"(confidence {answer.confidence:.0%})")
    return "\n".join(lines)
