"""Plain-text and JSON rendering of answers."""

from __future__ import annotations

import json

from bot.render import answer_json, answer_text
from knowledge import Answer, Citation

CITE = Citation("Book", "Plot", "A sentence that cites.")


def test_answer_text_lists_numbered_sources() -> None:
    text = answer_text(Answer("q", "Yes", (CITE, CITE), 0.8))
    assert text.splitlines()[0] == "Yes"
    assert "[1] Book › Plot" in text and "[2] Book › Plot" in text and "80%" in text


def test_abstention_offers_suggestions_not_answers() -> None:
    text = answer_text(Answer("q", None, (CITE,), 0.2))
    assert text.startswith("The article doesn't say.")
    assert "Did you mean:" in text and "Sources" not in text


def test_notice_replaces_the_answer() -> None:
    assert answer_text(Answer("", None, (), 0.0, "Ask me something")) == "Ask me something"


def test_json_is_one_line_and_keeps_unicode() -> None:
    line = answer_json(Answer("wer?", "Sæther", (CITE,), 0.5))
    assert "\n" not in line and "Sæther" in line
    assert json.loads(line)["citations"] == [
        {"article": "Book", "section": "Plot", "text": "A sentence that cites."}
    ]


def test_json_tells_a_refusal_from_an_abstention() -> None:
    refused = json.loads(answer_json(Answer("", None, (), 0.0, "Ask me something")))
    abstained = json.loads(answer_json(Answer("who?", None, (CITE,), 0.1)))
    assert refused["answer"] is None and refused["notice"] == "Ask me something"
    assert abstained["answer"] is None and abstained["notice"] is None
    assert {"question", "answer", "citations", "confidence"} <= set(abstained)
