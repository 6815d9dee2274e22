"""Every limit, depth and cutoff of answering, in one frozen object.

Front ends build one from their configuration (`NORFOLK_MAX_QUESTION_CHARS`, …) and hand
it to the `Library`, so a limit a user sets is the limit everywhere. The fitted weights
themselves live in `knowledge/weights.json` (see `knowledge.ranker`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    max_question_chars: int = 1000
    """Longer questions are refused politely (Discord's own option limit is 6,000)."""
    max_citations: int = 3
    """Citations under an answer; "more sources" asks for more."""
    candidate_depth: int = 30
    """How many of each channel's best facts the ranker considers."""
    abstain_below: float = 0.35
    """Abstain when the calibrated probability that the answer is right is below this.
    Chosen on the development sets (squad/ and the seed dev set), never on training data."""
    summary_confidence: float = 0.8
    """Confidence of "what is the book about?", answered by the article's opening."""
    encoder: str = "e5"
    """The semantic encoder (`knowledge.encoder.ENCODERS`), or "none" for lexical only."""
