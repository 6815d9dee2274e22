"""The lexical channel: BM25 over typo-repaired, widened question terms, and the signals
that say how well a fact accounts for the question's words.

1. The question is read (`knowledge.query`): intent, content words, and for each the
   index stems that may stand for it: exact stems, longer forms (director/directed),
   rapidfuzz near-spellings (flim → film) and lexicon synonyms.
2. `LexicalRetriever` scores every fact with BM25 over those expansions (numpy), with
   per fact how much of the question it covers, which names it lacks, and how much of
   what the question says about its names.
3. `LexicalFeatures` describes a candidate for the ranker: coverage, missing names, answer
   type, infobox-key naming, headline, similarity, and the hand-set rerank score that
   served before the ranker was fitted (one signal among the others now).
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import pairwise

import numpy as np
from rapidfuzz import fuzz

from knowledge.candidate import Scores
from knowledge.extract import extract_with_distance
from knowledge.index import Fact, FactIndex, FactKind
from knowledge.lexicon import QUESTION_WORDS, SYNONYM_WEIGHT, Intent, synonym_table
from knowledge.query import UNTYPED, Query, QueryTerm
from knowledge.text import content_terms, token_stems, words

TYPE_MISMATCH = defaultdict(
    lambda: 0.75, {Intent.PERSON: 0.5, Intent.DATE: 0.5, Intent.NUMBER: 0.5}
)
"""How much a fact without an answer of the wanted type (no name for "who") is trusted."""
# Reranking: confidence plus these shares of BM25 (relative to the best), rapidfuzz
# similarity, naming the fact's headline, opening with the asked name, and nearness of a
# typed answer to the question's words.
RANK_BM25 = 0.25
RANK_SIMILARITY = 0.05
RANK_HEADLINE = 0.15
RANK_LEADS = 0.1
RANK_NEARNESS = 0.1
MIN_PREDICATE_COVERAGE = 0.3  # of what the question says about its names, not the names
WEAK_PREDICATE_FACTOR = 0.5  # "when was X born?": X is there, being born is not
PARAGRAPH_PRESENCE = 0.3  # a name used elsewhere in the paragraph ("the tower", "he")
MISSING_ENTITY_FACTOR = 0.6  # a fact that lacks a name or number the question gives


def score_facts(
    index: FactIndex, query: Query
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per fact: BM25 score, coverage 0..1, names missing, coverage of the non-name words.

    The last tells "when was X born?" (X is there, being born is not) from a real answer.
    """
    n = len(index.facts)
    score = np.zeros(n, dtype=np.float32)
    coverage = np.zeros(n, dtype=np.float32)
    missing = np.zeros(n, dtype=np.int32)
    predicate = np.zeros(n, dtype=np.float32)
    predicate_total = sum(t.weight for t in query.terms if not t.entity)
    total = sum(t.weight for t in query.terms) or 1.0
    for term in query.terms:
        best_bm25 = np.zeros(n, dtype=np.float32)
        best_cover = np.zeros(n, dtype=np.float32)
        for word, sim in term.expansions:
            ids, bm25, presence = index.postings[word]
            np.maximum.at(best_bm25, ids, bm25 * sim)
            np.maximum.at(best_cover, ids, presence * sim)
        if term.entity:  # a name may also be in the paragraph, referred to as "he", "it"
            nearby = _in_paragraph(index, term)
            missing += (best_cover == 0) & ~nearby
            best_cover = np.maximum(best_cover, PARAGRAPH_PRESENCE * nearby)
        score += term.weight * best_bm25
        coverage += term.weight * best_cover
        if not term.entity:
            predicate += term.weight * best_cover
    if predicate_total:
        predicate /= predicate_total
    else:
        predicate[:] = 1.0
    return score, coverage / total, missing, predicate


def _in_paragraph(index: FactIndex, term: QueryTerm) -> np.ndarray:
    """Per fact: whether its paragraph uses the term (or a stem standing for it)."""
    paragraphs = [
        index.paragraph_postings[w] for w, _ in term.expansions if w in index.paragraph_postings
    ]
    if not paragraphs:
        return np.zeros(len(index.facts), dtype=bool)
    return np.isin(index.paragraph_of, np.concatenate(paragraphs))


def matched_stems(query: Query) -> set[str]:
    return {word for term in query.terms for word, _ in term.expansions} | {
        t.word for t in query.terms
    }


def headline_match(fact: Fact, matched: set[str]) -> float:
    """Share of a fact's headline (infobox key, list-item name) that the question names.

    "What is the ISBN?" wants the field called ISBN over "ISBN note"; "who is Tommy?" wants
    the list item about Tommy over every sentence that mentions him.
    """
    if fact.kind == FactKind.INFOBOX:
        head = fact.key or ""
    elif fact.kind == FactKind.ITEM:
        head = re.split(r"\s+[–—-]\s+", fact.text, maxsplit=1)[0]
    else:
        return 0.0
    stems = content_terms(head)
    return sum(s in matched for s in stems) / len(stems) if stems else 0.0


def key_naming(fact: Fact, head: str) -> float:
    """How exactly an infobox key is the noun a question asks for: 'Isbn' 1, 'Isbn note' ½."""
    if fact.kind != FactKind.INFOBOX:
        return 0.0
    key = content_terms(fact.key or "")
    if not key or not (head in key or synonym_table().get(head, frozenset()) & set(key)):
        return 0.0
    return 1 / len(key)


def leads_with(fact: Fact, entities: set[str]) -> float:
    """1 when a name the question gives is what the fact is about: its opening words, or
    introduced by an apposition ("Hailsham, an elite boarding school")."""
    if not entities or fact.kind == FactKind.INFOBOX:
        return 0.0
    tokens = token_stems(fact.text)
    if any(term in entities for _, _, term in tokens[:3]):
        return 1.0
    for (start, _, term), (_, following, _) in pairwise(tokens):
        if term in entities and following in {"a", "an", "the"}:
            between = fact.text[start : fact.text.find(following, start)]
            if "," in between:
                return 1.0
    return 0.0


def names_field(fact: Fact, query: Query) -> bool:
    """Whether the question names this infobox field's key, by its own word ("the Dewey
    number") or by a synonym ("who wrote it" for Author)."""
    if fact.kind != FactKind.INFOBOX:
        return False
    named = {w for t in query.terms for w, sim in t.expansions if sim >= SYNONYM_WEIGHT}
    return bool(set(content_terms(fact.key or "")) & named)


def is_bare_keyword(query: Query) -> bool:
    """A request rather than a question, resting on a single word ("tell me a joke")."""
    return len(query.terms) == 1 and (not query.words or query.words[0] not in QUESTION_WORDS)


def names_topic(fact: Fact, matched: set[str]) -> bool:
    """Whether the fact is *about* a matched word: its headline or its section says so."""
    return headline_match(fact, matched) > 0 or bool(set(content_terms(fact.section)) & matched)


class LexicalRetriever:
    channel = "lexical"

    def score(self, index: FactIndex, query: Query) -> Scores | None:
        if not query.terms or not index.facts:
            return None
        bm25, coverage, missing, predicate = score_facts(index, query)
        if query.articles:  # a question naming one article's title prefers that article
            named_ids = [index.article_ids[title] for title in query.articles]
            bm25 = bm25 * (1 + 0.2 * np.isin(index.article_of, named_ids).astype(np.float32))
        return Scores(
            self.channel,
            bm25,
            {"coverage": coverage, "missing": missing.astype(np.float32), "predicate": predicate},
        )


class LexicalFeatures:
    """What the question's words say about each candidate; what depends on the question
    alone is worked out once, then `of(i)` describes fact `i`."""

    def __init__(self, index: FactIndex, query: Query, scores: Scores | None) -> None:
        self.index = index
        self.query = query
        self.scores = scores
        self.matched = matched_stems(query)
        self.typed = query.intent not in UNTYPED
        self.entities = (
            {t.word for t in query.terms} if all(t.entity for t in query.terms) else set()
        )
        self.query_text = " ".join(t.word for t in query.terms)
        self.pairs = set(pairwise(query.words))
        self.best = (float(scores.values.max()) or 1.0) if scores is not None else 1.0

    def of(self, i: int) -> dict[str, float]:
        scores, query = self.scores, self.query
        if scores is None:
            return {"typed_found": 0.0, "typed_missing": 0.0}
        fact = self.index.facts[i]
        coverage = float(scores.extra["coverage"][i])
        missing = int(scores.extra["missing"][i])
        predicate = float(scores.extra["predicate"][i])
        headline = headline_match(fact, self.matched)
        named_key = key_naming(fact, query.head) if query.head else 0.0
        found = (
            extract_with_distance(fact, query.intent, query.words, self.matched)
            if self.typed
            else None
        )
        similarity = fuzz.token_set_ratio(self.query_text, self.index.own_terms[i]) / 100
        leads = leads_with(fact, self.entities)
        nearness = 1 / (1 + found[1] / 3) if found else 0.0
        plain = coverage * MISSING_ENTITY_FACTOR**missing
        confidence = plain  # the hand-set rerank's confidence, with its factors
        if named_key:
            confidence = min(1.0, confidence + 0.1)
        if predicate < MIN_PREDICATE_COVERAGE and not (fact.kind == FactKind.ITEM and headline):
            confidence *= WEAK_PREDICATE_FACTOR
        if self.typed and found is None:
            confidence *= TYPE_MISMATCH[query.intent]
        rerank = (
            confidence
            + RANK_BM25 * float(scores.values[i]) / self.best
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
            "confidence": plain,
            "predicate": predicate,
            "headline": headline,
            "named_key": named_key,
            "names_field": float(names_field(fact, query)),
            "leads": leads,
            "similarity": similarity,
            "bigrams": self._bigrams(fact.text),
            "typed_found": float(self.typed and found is not None),
            "typed_missing": float(self.typed and found is None),
            "nearness": nearness,
        }

    def _bigrams(self, text: str) -> float:
        """Share of the question's adjacent word pairs the fact also has side by side:
        crowd-written questions often copy a phrase of the sentence they are about."""
        if not self.pairs:
            return 0.0
        return len(self.pairs & set(pairwise(words(text)))) / len(self.pairs)
