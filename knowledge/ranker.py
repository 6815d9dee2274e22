"""The ranker: a fitted linear function over candidate features, and a fitted calibrator
that turns the best candidate's standing into the probability that the answer is right.

Both are logistic models whose weights are fitted by `training/fit.py` on the training
questions (never on the sets they are reported on) and committed in
`knowledge/weights.json`: one model per set of available channels, so a machine without
the semantic encoder uses weights fitted without it.

* rank score(c) = w · standardise(x(c)), trained listwise (softmax over a question's
  candidates) so that the right fact comes first;
* confidence = σ(v · standardise(q)), where q describes the best candidate (its score,
  its margin over the runner-up, its coverage, missing names, answer type…), trained on
  "was the best candidate right?" with unanswerable questions counting as wrong.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from knowledge.candidate import Candidate
from knowledge.lexical import is_bare_keyword, matched_stems, names_topic
from knowledge.lexicon import Intent
from knowledge.query import UNTYPED, Query

log = logging.getLogger(__name__)

WEIGHTS_PATH = Path(__file__).with_name("weights.json")

CANDIDATE_FEATURES = (
    "lexical_z",
    "lexical_rr",
    "lexical_near",
    "semantic_raw",
    "semantic_z",
    "semantic_gap",
    "semantic_rr",
    "semantic_near",
    "bigrams",
    "rerank",
    "rerank_confidence",
    "rerank_rr",
    "coverage",
    "missing",
    "confidence",
    "predicate",
    "headline",
    "named_key",
    "names_field",
    "leads",
    "similarity",
    "typed_found",
    "typed_missing",
    "nearness",
    "is_infobox",
    "is_item",
)
QUESTION_FEATURES = (
    "top_score",
    "margin",
    "top_coverage",
    "top_missing",
    "top_predicate",
    "top_confidence",
    "top_rerank_confidence",
    "top_rerank_rr",
    "top_typed_missing",
    "top_names_field",
    "top_semantic_raw",
    "top_semantic_gap2",
    "top_lexical_z",
    "bare_keyword",
    "structured",
    "unknown_terms",
    "top_bigrams",
    "intent_typed",
    "intent_yes_no",
    "n_terms",
)


def candidate_vector(c: Candidate) -> np.ndarray:
    f = c.features
    return np.array([f.get(name, 0.0) for name in CANDIDATE_FEATURES], dtype=np.float64)


def question_vector(query: Query, ranked: list[Candidate]) -> np.ndarray:
    """What the best candidate and the runner-up say about the whole answer."""
    top = ranked[0]
    second = ranked[1].score if len(ranked) > 1 else top.score - 5.0
    sem = sorted((c.features.get("semantic_raw", 0.0) for c in ranked), reverse=True)
    f = top.features
    values = {
        "top_score": top.score,
        "margin": top.score - second,
        "top_coverage": f.get("coverage", 0.0),
        "top_missing": f.get("missing", 0.0),
        "top_predicate": f.get("predicate", 0.0),
        "top_confidence": f.get("confidence", 0.0),
        "top_rerank_confidence": f.get("rerank_confidence", 0.0),
        "top_rerank_rr": f.get("rerank_rr", 0.0),
        "top_typed_missing": f.get("typed_missing", 0.0),
        "top_names_field": f.get("names_field", 0.0),
        "top_semantic_raw": f.get("semantic_raw", 0.0),
        "top_semantic_gap2": (sem[0] - sem[1]) if len(sem) > 1 else 0.0,
        "top_lexical_z": f.get("lexical_z", 0.0),
        "bare_keyword": float(
            is_bare_keyword(query) and not names_topic(top.fact, matched_stems(query))
        ),  # "tell me a joke": one word, met in passing, is not a topic
        "structured": f.get("structured", 0.0),
        "unknown_terms": sum(t.weight for t in query.terms if not t.expansions)
        / (sum(t.weight for t in query.terms) or 1.0),  # words the articles never use
        "top_bigrams": f.get("bigrams", 0.0),
        "intent_typed": float(query.intent not in UNTYPED),
        "intent_yes_no": float(query.intent is Intent.YES_NO),
        "n_terms": math.log1p(len(query.terms)),
    }
    return np.array([values[name] for name in QUESTION_FEATURES], dtype=np.float64)


@dataclass(frozen=True)
class LinearModel:
    """w · (x - mean) / scale + bias, over named features."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def to_dict(self) -> dict:
        return {
            "names": list(self.names),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "weights": [round(float(v), 6) for v in self.weights],
            "bias": round(float(self.bias), 6),
        }

    @classmethod
    def from_dict(cls, data: dict, expected: tuple[str, ...]) -> LinearModel:
        if tuple(data["names"]) != expected:
            raise ValueError("weights were fitted for other features: run `make train`")
        return cls(
            tuple(data["names"]),
            np.array(data["mean"], dtype=np.float64),
            np.array(data["scale"], dtype=np.float64),
            np.array(data["weights"], dtype=np.float64),
            float(data["bias"]),
        )


class LinearRanker:
    """Ranks candidates and calibrates confidence with fitted linear models."""

    def __init__(self, rank_model: LinearModel, confidence_model: LinearModel) -> None:
        self.rank_model = rank_model
        self.confidence_model = confidence_model

    def rank(self, query: Query, candidates: list[Candidate]) -> list[Candidate]:
        if not candidates:
            return []
        scores = self.rank_model(np.stack([candidate_vector(c) for c in candidates]))
        for c, s in zip(candidates, scores, strict=True):
            c.score = float(s)
        return sorted(candidates, key=lambda c: -c.score)

    def confidence(self, query: Query, ranked: list[Candidate]) -> float:
        if not ranked:
            return 0.0
        logit = float(self.confidence_model(question_vector(query, ranked)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def channels_key(channels: tuple[str, ...]) -> str:
    return "+".join(sorted(channels))


def prior_ranker() -> LinearRanker:
    """Unfitted weights (equal z-score fusion, confidence from coverage): what serves
    until `make train` has written the weights, or when they cannot be read."""

    def model(names: tuple[str, ...], weights: dict[str, float], bias: float) -> LinearModel:
        w = np.array([weights.get(n, 0.0) for n in names], dtype=np.float64)
        return LinearModel(names, np.zeros(len(names)), np.ones(len(names)), w, bias)

    return LinearRanker(
        model(CANDIDATE_FEATURES, {"lexical_z": 1.0, "semantic_z": 1.0, "confidence": 2.0}, 0.0),
        model(QUESTION_FEATURES, {"top_confidence": 6.0}, -3.0),
    )


@lru_cache(maxsize=4)
def load_ranker(channels: tuple[str, ...], path: Path = WEIGHTS_PATH) -> LinearRanker:
    """The ranker fitted for exactly these channels (e.g. ("lexical", "semantic"))."""
    try:
        data = json.loads(path.read_text("utf-8"))["models"][channels_key(channels)]
        return LinearRanker(
            LinearModel.from_dict(data["rank"], CANDIDATE_FEATURES),
            LinearModel.from_dict(data["confidence"], QUESTION_FEATURES),
        )
    except (OSError, KeyError, ValueError) as exc:
        log.warning("ranker weights unusable (%s): using unfitted prior weights", exc)
        return prior_ranker()
