"""The lexical channel: BM25 over typo-repaired, widened question terms, plus the signals
that say how well a fact accounts for the question's words (see `knowledge.retrieve`)."""

from __future__ import annotations

import itertools

import numpy as np
from rapidfuzz import fuzz

from knowledge.candidate import Scores
from knowledge.extract import extract_with_distance
from knowledge.index import FactIndex
from knowledge.query import UNTYPED, Query
from knowledge.retrieve import (
    MIN_PREDICATE_COVERAGE,
    MISSING_ENTITY_FACTOR,
    RANK_BM25,
    RANK_HEADLINE,
    RANK_LEADS,
    RANK_NEARNESS,
    RANK_SIMILARITY,
    TYPE_MISMATCH,
    WEAK_PREDICATE_FACTOR,
    _headline_match,
    _key_naming,
    _leads_with,
    _matched_stems,
    _names_field,
    _score,
)


class LexicalRetriever:
    channel = "lexical"

    def score(self, index: FactIndex, query: Query) -> Scores | None:
        if not query.terms or not index.facts:
            return None
        bm25, coverage, missing, predicate = _score(index, query)
        if query.articles:  # a question naming one article's title prefers that article
            named_ids = [index.article_ids[title] for title in query.articles]
            bm25 = bm25 * (1 + 0.2 * np.isin(index.article_of, named_ids).astype(np.float32))
        return Scores(
            self.channel,
            bm25,
            {"coverage": coverage, "missing": missing.astype(np.float32), "predicate": predicate},
        )


def lexical_features(index: FactIndex, query: Query, scores: Scores | None, i: int) -> dict:
    """What the question's words say about fact `i`: coverage, names, type, field naming."""
    fact = index.facts[i]
    if scores is None:
        return {"typed_found": 0.0, "typed_missing": 0.0}
    matched = _matched_stems(query)
    coverage = float(scores.extra["coverage"][i])
    missing = int(scores.extra["missing"][i])
    predicate = float(scores.extra["predicate"][i])
    entities = {t.word for t in query.terms} if all(t.entity for t in query.terms) else set()
    headline = _headline_match(fact, matched)
    named_key = _key_naming(fact, query.head) if query.head else 0.0
    typed = query.intent not in UNTYPED
    found = extract_with_distance(fact, query.intent, query.words, matched) if typed else None
    query_text = " ".join(t.word for t in query.terms)
    similarity = fuzz.token_set_ratio(query_text, index.own_terms[i]) / 100
    leads = _leads_with(fact, entities)
    nearness = 1 / (1 + found[1] / 3) if found else 0.0
    # the hand-set lexical rerank (knowledge.retrieve): one more signal for the ranker
    confidence = coverage * MISSING_ENTITY_FACTOR**missing
    if named_key:
        confidence = min(1.0, confidence + 0.1)
    if predicate < MIN_PREDICATE_COVERAGE and not (fact.kind == "item" and headline):
        confidence *= WEAK_PREDICATE_FACTOR
    if typed and found is None:
        confidence *= TYPE_MISMATCH[query.intent]
    best = float(scores.values.max()) or 1.0
    rerank = (
        confidence
        + RANK_BM25 * float(scores.values[i]) / best
        + RANK_SIMILARITY * similarity
        + RANK_HEADLINE * (headline + 2.0 * named_key)
        + RANK_LEADS * leads
        + RANK_NEARNESS * nearness
    )
    return {
        "rerank": rerank,
        "rerank_confidence": confidence,
        "coverage": coverage,
        "missing": float(missing),
        "confidence": coverage * MISSING_ENTITY_FACTOR**missing,
        "predicate": predicate,
        "headline": headline,
        "named_key": named_key,
        "names_field": float(_names_field(fact, query)),
        "leads": leads,
        "similarity": similarity,
        "bigrams": _bigram_overlap(query.words, index.own_terms[i], fact.text),
        "typed_found": float(typed and found is not None),
        "typed_missing": float(typed and found is None),
        "nearness": nearness,
    }


def _bigram_overlap(question_words: list[str], own_terms: str, text: str) -> float:
    """Share of the question's adjacent word pairs that the fact also has side by side:
    crowd-written questions often copy a phrase of the sentence they are about."""
    from knowledge.text import words as folded_words

    pairs = set(itertools.pairwise(question_words))
    if not pairs:
        return 0.0
    fact_words = folded_words(text)
    return len(pairs & set(itertools.pairwise(fact_words))) / len(pairs)
