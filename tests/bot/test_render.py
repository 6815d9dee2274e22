"""Plain-text and JSON rendering of answers."""

from __future__ import annotations

import json

import pytest

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


LONG = Citation(
    "A Rather Long Article Title",
    "Reception › Critical reception",
    "Ishiguro's novel was shortlisted for the Booker Prize and widely praised by critics, "
    "who admired its restraint, its unreliable narrator and the slow revelation of what "
    "Hailsham's students are for, a revelation the book never announces.",
)


@pytest.mark.parametrize("width", [40, 60, 80])
def test_every_line_fits_the_width_answered_or_not(width: int) -> None:
    for answer in (
        Answer("q", "The Booker Prize shortlist, 2005 " * 3, (LONG, LONG), 0.9),
        Answer("q", None, (LONG, LONG, LONG), 0.2),  # "did you mean" lines too
        Answer("q", None, (), 0.0, "A friendly notice that is long enough to need wrapping " * 2),
    ):
        lines = answer_text(answer, width=width).splitlines()
        assert all(len(line) <= width for line in lines), [li for li in lines if len(li) > width]


def test_wide_terminals_get_wide_lines_and_words_are_not_split() -> None:
    text = answer_text(Answer("q", "Yes", (LONG,), 0.9), width=200)
    assert any(len(line) > 88 for line in text.splitlines())
    narrow = answer_text(Answer("q", None, (LONG,), 0.2), width=40)
    words = set(" ".join(LONG.text.split()).split())
    lines = narrow.splitlines()
    for line in lines[lines.index("Did you mean:") + 1 :]:  # the suggestion's lines
        for word in line.replace("•", " ").split():
            whole = word in words or word.rstrip(":") in LONG.section
            assert whole or word.endswith("…"), word  # only the shortened end is cut


def test_text_and_embed_show_the_other_article() -> None:
    from bot.embeds import answer_embed

    other = Citation("Glass River (film)", "Lead", "Glass River is a film by Tomas Byrne.")
    answer = Answer("who directed the film?", "Ana Ruiz", (CITE,), 0.6, also=other)
    assert "Also in Glass River (film): Glass River is a film by Tomas Byrne." in answer_text(
        answer
    )
    embed = answer_embed(answer)
    assert "Also in Glass River (film)" in (embed.description or "")
    assert json.loads(answer_json(answer))["also"]["text"] == other.text
