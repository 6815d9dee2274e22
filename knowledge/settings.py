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
    abstain_below: float = 0.25
    """Abstain when the calibrated probability that the answer is right is below this.
    Chosen on the development sets (SQuAD's, in ../shared/eval/squad/, and the seed's dev
    set), never on training data: the value in steps of 0.05 that maximises 2 × answerable-right +
    unanswerable-abstained summed over both (`make bench-quality` prints the sweep)."""
    bare_keyword_factor: float = 0.4
    """A request resting on one word met only in passing ("tell me a joke": the article's
    students joke once) is not a question about that word: its confidence is scaled so."""
    other_article_margin: float = 1.5
    """With several articles, another article's best candidate ranked within this much of
    the answer's (in ranker score: e to this power is their odds ratio) is offered too."""
    span_min_probability: float = 0.5
    """The short answer names a span (a person, a date…) only when the reader's fitted span
    model gives it at least this probability of being the answer; otherwise the sentence
    itself is the answer, never a doubtful name. `make train` prints the precision and
    coverage of each cutoff on the training questions; the value is chosen there."""
    summary_confidence: float = 0.8
    """Confidence of "what is the book about?", answered by the article's opening."""
    encoder: str = "e5"
    """The semantic encoder (`knowledge.encoder.ENCODERS`), or "none" for lexical only."""
