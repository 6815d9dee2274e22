"""Messages that are about the bot rather than the article, recognised before retrieval.

"help" typed as a question must get the help text, not "the article doesn't say" and three
random sentences. Only whole messages that ask for help count: "who helped Tommy?" is a
question about the article.
"""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[^\w']+")
_POLITE = ("please", "pls", "norfolk", "bot", "hey", "hi", "hello", "ok", "so")

HELP_REQUESTS = frozenset(
    {
        "help",
        "help me",
        "h",
        "commands",
        "usage",
        "how to use",
        "how do i use this",
        "how do i use you",
        "how do i use it",
        "how does this work",
        "how do you work",
        "what can you do",
        "what can i ask",
        "what can i ask you",
        "what do you do",
        "what are your commands",
        "show help",
        "show me help",
        "i need help",
    }
)


def _normalise(text: str) -> str:
    words = _NOT_WORD.sub(" ", text.casefold()).split()
    while words and words[0] in _POLITE:  # "please help", "hey Norfolk, what can you do?"
        words.pop(0)
    while words and words[-1] in _POLITE:
        words.pop()
    return " ".join(words)


def is_help_request(text: str) -> bool:
    """True when the whole message asks how to use the bot ("help", "what can you do?")."""
    stripped = text.strip()
    if stripped in {"?", "/help", "!help"}:
        return True
    return _normalise(stripped) in HELP_REQUESTS
