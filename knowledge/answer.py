"""The `Answer` every front end renders, and its JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    """A snippet that supports (or, when abstaining, nearly matches) an answer."""

    article: str
    section: str
    text: str
    url: str | None = None
    """Where to read it at the source: the article's `Source:` page, at this section."""

    def to_dict(self) -> dict[str, str]:
        data = {"article": self.article, "section": self.section, "text": self.text}
        if self.url:  # only articles with a Source: line have one
            data["url"] = self.url
        return data


@dataclass(frozen=True)
class Answer:
    """What the bot says: `text is None` means the article does not answer (abstain).

    When abstaining, `citations` holds near misses for "did you mean…" suggestions;
    `notice` carries a friendly message for input that could not be a question at all.
    """

    question: str
    text: str | None
    citations: tuple[Citation, ...] = ()
    confidence: float = 0.0
    notice: str | None = field(default=None, compare=False)
    also: Citation | None = field(default=None, compare=False)
    """With several articles loaded: another article's best snippet, when it ranked nearly
    as high as the answer's ("who directed the film?" with two films on the shelf)."""

    @property
    def answered(self) -> bool:
        return self.text is not None

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON contract: question, answer (null = abstain), citations, confidence,
        notice: null for an answer or an abstention, else why the input was refused
        (empty, too long, no words) — so a script can tell a refusal from "doesn't say" —
        and also: null, or another article's close runner-up (article, section, text)."""
        return {
            "question": self.question,
            "answer": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "confidence": round(float(self.confidence), 4),
            "notice": self.notice,
            "also": self.also.to_dict() if self.also else None,
        }
