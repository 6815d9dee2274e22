"""Fuzzy retrieval: question → weighted, typo-tolerant terms → scored facts → `Answer`.

1. Read the question (`knowledge.query`): intent, content words, and for each the index
   stems that may stand for it: exact stems, longer forms (director/directed), rapidfuzz
   near-spellings (flim → film) and lexicon synonyms.
2. Score every fact with BM25 over the expansions (numpy), then rerank the best few by
   coverage (how much of the question they account for, rare words counting most),
   rapidfuzz similarity and whether they hold an answer of the wanted type.
3. Abstain when even the best fact leaves too much of the question unaccounted for.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import pairwise

import numpy as np
from rapidfuzz import fuzz

from knowledge.answer import Answer, Citation
from knowledge.article import LEAD
from knowledge.extract import extract_with_distance
from knowledge.index import Fact, FactIndex
from knowledge.lexicon import (
    QUESTION_WORDS,
    SYNONYM_WEIGHT,
    Intent,
    synonym_table,
)
from knowledge.query import UNTYPED, Query, QueryTerm, read_question
from knowledge.text import content_terms, token_stems

MAX_QUESTION_CHARS = 1000
RERANK_DEPTH = 30
MAX_CITATIONS = 3
ABSTAIN_BELOW = 0.5
YES_NO_ABSTAIN_BELOW = 0.4  # "did it win X?" may be answered by a sentence denying it
TYPE_MISMATCH = defaultdict(
    lambda: 0.75, {Intent.PERSON: 0.5, Intent.DATE: 0.5, Intent.NUMBER: 0.5}
)
"""How much a fact without an answer of the wanted type (no name for "who") is trusted."""
SUMMARY_CONFIDENCE = 0.8
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


def _score(index: FactIndex, query: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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


def _matched_stems(query: Query) -> set[str]:
    return {word for term in query.terms for word, _ in term.expansions} | {
        t.word for t in query.terms
    }


def _rerank(
    index: FactIndex,
    query: Query,
    top: list[int],
    matched: set[str],
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    keep: int,
) -> list[tuple[float, float, int]]:
    """Order candidates by (rank, confidence), best first; at least the best few exact.

    Answer extraction is the costly part, so candidates are first ordered by an upper
    bound that assumes it succeeds, and extraction runs only while it can still change
    the best `keep` (branch and bound).
    """
    score, coverage, missing, predicate = arrays
    max_score = float(max(score[i] for i in top)) or 1.0
    query_text = " ".join(t.word for t in query.terms)
    typed_intent = query.intent not in UNTYPED
    # "what is Hailsham?": when the question names only things, prefer facts about them
    entities = {t.word for t in query.terms} if all(t.entity for t in query.terms) else set()
    bounds: list[tuple[float, float, float, int]] = []
    for i in top:
        fact = index.facts[i]
        confidence = float(coverage[i]) * MISSING_ENTITY_FACTOR ** int(missing[i])
        headline = _headline_match(fact, matched)
        named_key = _key_naming(fact, query.head) if query.head else 0.0
        if named_key:
            headline += 2.0 * named_key  # "what language…" asks for the field called Language
            confidence = min(1.0, confidence + 0.1)
        if predicate[i] < MIN_PREDICATE_COVERAGE and not (fact.kind == "item" and headline):
            confidence *= WEAK_PREDICATE_FACTOR  # an item about the name answers anything
        similarity = fuzz.token_set_ratio(query_text, index.own_terms[i]) / 100
        base = (
            RANK_BM25 * float(score[i]) / max_score
            + RANK_SIMILARITY * similarity
            + RANK_HEADLINE * headline
            + RANK_LEADS * _leads_with(fact, entities)
        )
        bound = confidence + base + (RANK_NEARNESS if typed_intent else 0.0)
        bounds.append((bound, confidence, base, i))
    bounds.sort(reverse=True)

    ranked: list[tuple[float, float, int]] = []
    for bound, confidence, base, i in bounds:
        if len(ranked) >= keep and bound < ranked[keep - 1][0]:
            break
        nearness = 0.0
        if typed_intent:
            found = extract_with_distance(index.facts[i], query.intent, query.words, matched)
            if found is None:
                confidence *= TYPE_MISMATCH[query.intent]
            else:
                nearness = 1 / (1 + found[1] / 3)
        ranked.append((confidence + base + RANK_NEARNESS * nearness, confidence, i))
        ranked.sort(reverse=True)
    return ranked


def _headline_match(fact: Fact, matched: set[str]) -> float:
    """Share of a fact's headline (infobox key, list-item name) that the question names.

    "What is the ISBN?" wants the field called ISBN over "ISBN note"; "who is Tommy?" wants
    the list item about Tommy over every sentence that mentions him.
    """
    if fact.kind == "infobox":
        head = fact.key or ""
    elif fact.kind == "item":
        head = re.split(r"\s+[–—-]\s+", fact.text, maxsplit=1)[0]
    else:
        return 0.0
    stems = content_terms(head)
    return sum(s in matched for s in stems) / len(stems) if stems else 0.0


def _key_naming(fact: Fact, head: str) -> float:
    """How exactly an infobox key is the noun a question asks for: 'Isbn' 1, 'Isbn note' ½."""
    if fact.kind != "infobox":
        return 0.0
    key = content_terms(fact.key or "")
    if not key or not (head in key or synonym_table().get(head, frozenset()) & set(key)):
        return 0.0
    return 1 / len(key)


def _leads_with(fact: Fact, entities: set[str]) -> float:
    """1 when a name the question gives is what the fact is about: its opening words, or
    introduced by an apposition ("Hailsham, an elite boarding school")."""
    if not entities or fact.kind == "infobox":
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


def _names_field(fact: Fact, query: Query, *, exactly: bool = False) -> bool:
    """Whether the question names this infobox field's key: by its own word ("the Dewey
    number"), or also by a synonym ("who wrote it" for Author) unless `exactly`."""
    if fact.kind != "infobox":
        return False
    least = 1.0 if exactly else SYNONYM_WEIGHT
    named = {w for t in query.terms for w, sim in t.expansions if sim >= least}
    return bool(set(content_terms(fact.key or "")) & named)


def _qualified(index: FactIndex, fact_id: int, query: Query) -> bool:
    """Whether the question adds something the article talks about but this fact doesn't:
    "how long is the TV drama" is not asking for the book's page count."""
    own = set(index.own_terms[fact_id].split())
    return any(t.expansions and not {w for w, _ in t.expansions} & own for t in query.terms)


def _is_bare_keyword(query: Query) -> bool:
    """A request rather than a question, resting on a single word ("tell me a joke")."""
    return len(query.terms) == 1 and (not query.words or query.words[0] not in QUESTION_WORDS)


def _names_topic(fact: Fact, matched: set[str]) -> bool:
    """Whether the fact is *about* a matched word: its headline or its section says so."""
    return _headline_match(fact, matched) > 0 or bool(set(content_terms(fact.section)) & matched)


def _summary(index: FactIndex, query: Query) -> Answer:
    """ "What is the book about?": the article's opening sentences, which summarise it."""
    wanted = query.articles or {index.facts[0].article}
    opening = [f for f in index.facts if f.article in wanted and f.kind != "infobox"]
    lead = [f for f in opening if f.section == LEAD] or opening
    if not lead:
        return Answer(query.text, None, (), 0.0)
    citations = tuple(_citation(f) for f in lead[:MAX_CITATIONS])
    return Answer(query.text, lead[0].text, citations, SUMMARY_CONFIDENCE)


def _citation(fact: Fact) -> Citation:
    return Citation(fact.article, fact.section, fact.snippet)


def _notice(question: str) -> str | None:
    """A friendly message for input that cannot be a question at all."""
    if not question.strip():
        return "Ask me something about the article, for example: who wrote it?"
    if len(question) > MAX_QUESTION_CHARS:
        return (
            f"That question is {len(question):,} characters long; "
            f"please keep it under {MAX_QUESTION_CHARS:,}."
        )
    if not any(ch.isalnum() for ch in question):
        return "I couldn't find any words in that question. Try asking in a sentence."
    return None


def answer_question(index: FactIndex, question: str, max_citations: int = MAX_CITATIONS) -> Answer:
    """Answer from the index, or abstain with near misses as suggestions.

    `max_citations` above the usual 3 serves "more sources" requests.
    """
    question = question if isinstance(question, str) else str(question)
    notice = _notice(question)
    if notice is not None or not index.facts:
        return Answer(question, None, (), 0.0, notice)

    query = read_question(index, question)
    if query.about_subject:
        return _summary(index, query)
    if not query.terms:
        return Answer(question, None, (), 0.0, "Which part of the article are you asking about?")
    score, coverage, missing, predicate = _score(index, query)
    if query.articles:
        named_ids = [index.article_ids[title] for title in query.articles]
        score *= 1 + 0.2 * np.isin(index.article_of, named_ids).astype(np.float32)
    depth = min(RERANK_DEPTH, len(score))
    top = np.argpartition(-score, depth - 1)[:depth]
    top = [int(i) for i in top if score[i] > 0]
    if not top:
        return Answer(question, None, (), 0.0)

    matched = _matched_stems(query)
    ranked = _rerank(
        index, query, top, matched, (score, coverage, missing, predicate), max_citations
    )

    _, confidence, best = ranked[0]
    top_fact = index.facts[best]
    if _names_field(top_fact, query, exactly=True) or (
        _names_field(top_fact, query) and not _qualified(index, best, query)
    ):
        # The question names the field ("the Dewey number", "who wrote it"): the rest of it
        # is hedging ("was it Penguin?", "fantasy or sci-fi?") more often than a topic.
        confidence = max(confidence, (1 + confidence) / 2)
    if _is_bare_keyword(query) and not _names_topic(index.facts[best], matched):
        confidence *= 0.4  # "tell me a joke": one word, in passing, is not a topic
    citations = tuple(_citation(index.facts[i]) for _, _, i in ranked[:max_citations])
    if confidence < (YES_NO_ABSTAIN_BELOW if query.intent is Intent.YES_NO else ABSTAIN_BELOW):
        return Answer(question, None, citations, round(confidence, 4))
    fact = index.facts[best]
    found = extract_with_distance(fact, query.intent, query.words, matched)
    short = found[0] if found else fact.text
    return Answer(question, short, citations, round(min(confidence, 1.0), 4))
