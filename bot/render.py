"""Render an `Answer` as plain text for the terminal, or as the CLI's JSON line."""

from __future__ import annotations

import json
import textwrap

from knowledge import Answer

WIDTH = 88
NOT_IN_ARTICLE = "The article doesn't say."


def answer_json(answer: Answer) -> str:
    """One JSON object on one line (the `norfolk ask --json/--jsonl` contract)."""
    return json.dumps(answer.to_dict(), ensure_ascii=False)


def _snippet(text: str, limit: int = 300) -> str:
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
                lines.append(f"  • {citation.section}: {_snippet(citation.text, 160)}")
        return "\n".join(lines)

    lines.append(textwrap.fill(answer.text, WIDTH))
    lines.append("")
    lines.append("Sources:")
    for number, citation in enumerate(answer.citations, start=1):
        lines.append(f"  [{number}] {citation.article} › {citation.section}")
        lines.append(
            textwrap.fill(
                _snippet(citation.text), WIDTH, initial_indent="      ", subsequent_indent="      "
            )
        )
    lines.append(f"(confidence {answer.confidence:.0%})")
    return "\n".join(lines)
