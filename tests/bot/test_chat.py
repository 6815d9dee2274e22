"""Recognising "help" typed as a question, without swallowing article questions."""

from __future__ import annotations

import pytest

from bot.chat import is_help_request


@pytest.mark.parametrize(
    "text",
    [
        "help",
        "Help!",
        "  HELP?  ",
        "help me",
        "please help",
        "help please",
        "/help",
        "?",
        "what can you do?",
        "Hey Norfolk, what can you do?",
        "how do I use this?",
        "commands",
    ],
)
def test_help_requests_are_recognised(text: str) -> None:
    assert is_help_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "who helped Tommy?",
        "what help does Kathy get?",
        "help Ruth",
        "what can Kathy do?",
        "hi",
        "thanks",
        "who directed the film?",
        "",
    ],
)
def test_article_questions_and_greetings_are_not_help(text: str) -> None:
    assert not is_help_request(text)
