"""The reader: the short answer a fact gives to a question (a name, a date, a value,
"Yes" or "No").

When the fact holds no span of the type asked for, or denies something ("none of the
sequels was directed by…") so that its names may be what did *not* happen, it gives no
short answer and the answer is the sentence itself: never a wrong name. "Yes" and "No"
are said only when the sentence states every word of the question (exactly, or in a
longer form of the same word) — "No" when it also negates — else the sentence speaks.

Which span of a sentence answers is chosen by a fitted logistic model over the spans'
features (`knowledge.extract.SPAN_FEATURES`: how near the question's words, bound to
the role asked for, introduced by "known as", after "by"…), fitted by `training/fit.py`
and kept in `knowledge/weights.json`. The best span is said only when the model gives it
at least `Settings.span_min_probability`; below that the sentence speaks instead.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from knowledge.candidate import Candidate
from knowledge.extract import SPAN_FEATURES, denies, extract_with_distance, sentence_spans
from knowledge.index import FactKind
from knowledge.lexical import matched_stems
from knowledge.lexicon import Intent
from knowledge.query import UNTYPED, Query
from knowledge.ranker import WEIGHTS_PATH, LinearModel
from knowledge.text import content_terms, words

log = logging.getLogger(__name__)

NAME_INTENTS = frozenset({Intent.PERSON, Intent.PLACE, Intent.NAME})
PREDICATE_WORDS = frozenset(
    """like liked likes good bad big small little huge great start started end ended last
    before after more most over under first ever""".split()
)
"""Words retrieval ignores that a yes/no question may hinge on: the sentence must say them."""
EXACT_FORM = 0.85  # a question word's own stem (1.0) or a longer form of it (0.85)


class ExtractiveReader:
    """Typed extraction from the fact's own text (`knowledge.extract`): among a sentence's
    spans of the asked type, the one `span_model` rates best (without a model, the one
    nearest the question's words)."""

    def __init__(self, span_model: LinearModel | None = None, min_probability: float = 0.5) -> None:
        self.span_model = span_model
        self.min_probability = min_probability

    def read(self, query: Query, candidate: Candidate) -> str | None:
        fact = candidate.fact
        if query.intent is Intent.YES_NO:
            return _yes_no(query, candidate)
        if query.intent in UNTYPED:
            return fact.value if fact.kind == FactKind.INFOBOX and fact.value else None
        if query.intent in NAME_INTENTS and fact.kind != FactKind.INFOBOX and denies(fact.text):
            return None
        matched = matched_stems(query)
        if self.span_model is not None:
            spans, x = sentence_spans(fact, query.intent, query.words, matched)
            if spans:
                p = span_probability(self.span_model, x)
                best = int(np.argmax(p))
                return spans[best].text if p[best] >= self.min_probability else None
        found = extract_with_distance(fact, query.intent, query.words, matched)
        return found[0] if found else None


@lru_cache(maxsize=2)
def load_span_model(path: Path = WEIGHTS_PATH) -> LinearModel | None:
    """The fitted span model, or None (nearest span wins) when it cannot be read."""
    try:
        data = json.loads(path.read_text("utf-8"))["reader"]
        return LinearModel.from_dict(data, SPAN_FEATURES)
    except (OSError, KeyError, ValueError) as exc:
        log.warning("reader weights unusable (%s): the nearest span answers", exc)
        return None


def span_probability(model: LinearModel, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(model(x), -30, 30)))


def _yes_no(query: Query, candidate: Candidate) -> str | None:
    fact = candidate.fact
    if fact.kind == FactKind.INFOBOX or not query.terms:
        return None
    tokens = content_terms(fact.snippet)
    said = set(words(fact.snippet))
    if any(w in PREDICATE_WORDS and w not in said for w in query.words):
        return None  # "did Variety like it?": the sentence must say "like" too
    places: list[list[int]] = []
    for term in query.terms:
        forms = {w for w, sim in term.expansions if sim >= EXACT_FORM} | {term.word}
        found = [i for i, t in enumerate(tokens) if t in forms]
        if not found:
            return None
        places.append(found)
    asked = content_terms(" ".join(query.words))
    for (a, b), (here, there) in zip(pairwise(query.terms), pairwise(places), strict=True):
        if _adjacent(asked, a.word, b.word) and not any(
            0 < j - i <= 2 for i in here for j in there
        ):
            return None  # "two funnels?" is not said by "a single funnel and two masts"
    return "No" if denies(fact.text) else "Yes"


def _adjacent(asked: list[str], first: str, second: str) -> bool:
    """Whether two question terms stand side by side in the question, as a phrase."""
    return any(x == first and y == second for x, y in pairwise(asked))
