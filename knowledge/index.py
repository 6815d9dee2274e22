"""The fact index: one fact per infobox field and per sentence, with weighted terms.

Each fact carries its article, section path and position. Terms come from the fact's
own words (full weight), its section headings and the sentence before it (partial
weight: they say what a terse or pronoun-led sentence is about). Postings are numpy
arrays, so scoring thousands of articles stays a handful of vectorised operations.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from knowledge.article import Article
from knowledge.lexicon import lexicon_words, synonym_table
from knowledge.text import (
    STOPWORDS,
    capitalised_words,
    content_terms,
    split_sentences,
    stem,
    words,
)

SECTION_SEPARATOR = " › "
INFOBOX_SECTION = "Infobox"
HEADING_WEIGHT = 0.4
CONTEXT_WEIGHT = 0.5  # the sentence before: whom a pronoun-led sentence is about
NEXT_CONTEXT_WEIGHT = 0.25  # the sentence after: what a sentence leads into
ANAPHOR_RE = re.compile(
    r"(?:he|she|it|they|this|these|those|his|her|its|their|there|such)\b", re.IGNORECASE
)
"""Sentence openings that lean on the sentence before for their meaning."""
BM25_K1 = 1.2
BM25_B = 0.5


class FactKind(StrEnum):
    """What a fact is; equal to its name as a string ("infobox"), so it renders as one."""

    INFOBOX = "infobox"  # a `- Key: Value` line
    ITEM = "item"  # a list item in a section
    SENTENCE = "sentence"  # a sentence of a paragraph


@dataclass(frozen=True)
class Fact:
    """One retrievable statement: an infobox field, a list item or a sentence."""

    id: int
    article: str
    section: str
    text: str
    kind: FactKind
    key: str | None = None
    value: str | None = None
    position: int = 0
    paragraph: int = -1  # which paragraph of its article it comes from (-1: the infobox)
    lead_in: str | None = None  # the sentence before, when this one opens with "He", "They"…

    @property
    def snippet(self) -> str:
        """The text to cite: with its lead-in, so "She explains…" says who she is."""
        return f"{self.lead_in} {self.text}" if self.lead_in else self.text


@dataclass
class FactIndex:
    """Facts plus the term statistics retrieval needs; built once, then read-only."""

    facts: list[Fact]
    titles: dict[str, frozenset[str]]  # article title → its content stems
    idf: dict[str, float]
    postings: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    """stem → (fact ids, BM25 weights, presence 0..1: own text 1, heading or context less)"""
    own_terms: list[str]  # per fact, its own text's stems sorted and space-joined (compact)
    vocabulary: list[str] = field(default_factory=list)  # sorted stems, for prefix lookups
    proper: frozenset[str] = frozenset()  # stems mostly written capitalised: names
    spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """First letter → the articles' words, for fuzzy repair of typos."""
    word_stems: dict[str, str] = field(default_factory=dict)  # article or lexicon word → stem
    subjects: dict[str, frozenset[str]] = field(default_factory=dict)  # title → "novel", …
    all_subjects: frozenset[str] = frozenset()  # every article's subject nouns together
    title_words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # stem → titles
    article_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    """Per fact, the position of its article in `article_ids` (vectorised article boosts)."""
    article_ids: dict[str, int] = field(default_factory=dict)
    paragraph_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    """Per fact, a number for its paragraph (-1: infobox), so names can be found nearby."""
    paragraph_postings: dict[str, np.ndarray] = field(default_factory=dict)
    """Stem → the paragraphs whose sentences use it ("the school" stands for "Hailsham")."""
    max_idf: float = 1.0
    doc_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    """Per fact, the position of its article in the sequence the index was built from (a
    shelf picks articles by position: two servers' articles may share a title)."""

    def words_with_prefix(self, prefix: str) -> list[str]:
        """Vocabulary stems starting with `prefix` (sorted-list range scan)."""
        start = bisect.bisect_left(self.vocabulary, prefix)
        end = bisect.bisect_left(self.vocabulary, prefix + "\U0010ffff", lo=start)
        return self.vocabulary[start:end]

    def titles_sharing(self, terms: Iterable[str]) -> dict[str, int]:
        """Article titles that contain any of `terms`, with how many of them each contains."""
        hits: Counter[str] = Counter()
        for term in set(terms):
            hits.update(self.title_words.get(term, ()))
        return dict(hits)


@dataclass
class _Vocabulary:
    """What indexing learns about words in passing: spellings, and which are names."""

    known: set[str] = field(default_factory=set)
    capitalised: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)

    def read(self, text: str, *, prose: bool) -> list[str]:
        """Record a text's words; returns its content stems (see `content_terms`)."""
        folded = words(text)
        self.known.update(folded)
        terms = [stem(w) for w in folded if w not in STOPWORDS]
        if prose:  # infobox values are Title Case by convention, so they don't count
            self.seen.update(terms)
            self.capitalised.update(stem(w) for w in capitalised_words(text) if w not in STOPWORDS)
        return terms

    def names(self) -> frozenset[str]:
        """Stems written capitalised at least twice as often as not: names of things."""
        return frozenset(
            t for t, upper in self.capitalised.items() if upper >= 2 * (self.seen[t] - upper)
        )


def _article_facts(
    article: Article, first_id: int, vocabulary: _Vocabulary
) -> Iterable[tuple[Fact, Counter[str]]]:
    """Yield each fact of one article with its weighted term counts."""
    position = 0
    synonyms = synonym_table()
    notes = _field_notes(article)
    for info in article.infobox:
        if info.key.casefold() in notes.values():
            continue  # "Isbn Note" is folded into the "Isbn" fact it annotates
        note = notes.get(info.key.casefold())
        note_value = next((f.value for f in article.infobox if f.key.casefold() == note), None)
        terms: Counter[str] = Counter()
        for term in content_terms(info.key):
            terms[term] += 1.0
            for synonym in synonyms.get(term, ()):  # "wrote" asks for the Author field
                terms[synonym] = max(terms[synonym], 1.0)
        for term in vocabulary.read(f"{info.value} {note_value or ''}", prose=False):
            terms[term] += 1.0
        text = f"{info.key}: {info.value}" + (f" {note_value}" if note_value else "")
        fact = Fact(first_id + position, article.title, INFOBOX_SECTION, text, FactKind.INFOBOX)
        yield replace(fact, key=info.key, value=info.value, position=position), terms
        position += 1
    for paragraph, block in enumerate(article.blocks):
        section = SECTION_SEPARATOR.join(block.path)
        heading_terms = content_terms(" ".join(block.path))
        sentences = [block.text] if block.is_item else split_sentences(block.text)
        own_terms = [vocabulary.read(sentence, prose=True) for sentence in sentences]
        for number, sentence in enumerate(sentences):
            terms = Counter()
            for term in own_terms[number]:
                terms[term] += 1.0
            for term in heading_terms:
                terms[term] = max(terms[term], HEADING_WEIGHT)
            for neighbour, weight in (
                (own_terms[number - 1] if number else [], CONTEXT_WEIGHT),
                (own_terms[number + 1] if number + 1 < len(sentences) else [], NEXT_CONTEXT_WEIGHT),
            ):
                for term in neighbour:
                    terms[term] = max(terms[term], weight)
            kind = FactKind.ITEM if block.is_item else FactKind.SENTENCE
            fact = Fact(first_id + position, article.title, section, sentence, kind)
            lead_in = sentences[number - 1] if number and ANAPHOR_RE.match(sentence) else None
            yield replace(fact, position=position, paragraph=paragraph, lead_in=lead_in), terms
            position += 1


def _field_notes(article: Article) -> dict[str, str]:
    """Infobox keys that have a '<Key> Note(s)' field annotating them: key → note key."""
    keys = {f.key.casefold() for f in article.infobox}
    notes = {}
    for key in keys:
        for suffix in (" note", " notes"):
            if key.endswith(suffix) and key.removesuffix(suffix) in keys:
                notes[key.removesuffix(suffix)] = key
    return notes


def build_index(articles: Sequence[Article]) -> FactIndex:
    """Build the fact index for any number of articles."""
    facts: list[Fact] = []
    term_counts: list[Counter[str]] = []
    own_terms: list[str] = []
    vocabulary = _Vocabulary()
    docs: list[int] = []
    for number, article in enumerate(articles):
        for fact, terms in _article_facts(article, len(facts), vocabulary):
            docs.append(number)
            facts.append(fact)
            term_counts.append(terms)
            own_terms.append(" ".join(sorted(t for t, w in terms.items() if w >= 1.0)))

    paragraph_ids: dict[tuple[str, int], int] = {}
    paragraph_of = np.full(len(facts), -1, dtype=np.int32)
    in_paragraphs: dict[str, set[int]] = defaultdict(set)
    for fact, terms in zip(facts, own_terms, strict=True):
        if fact.paragraph >= 0:
            key = (fact.article, fact.paragraph)
            number = paragraph_ids.setdefault(key, len(paragraph_ids))
            paragraph_of[fact.id] = number
            for term in terms.split():
                in_paragraphs[term].add(number)

    n = len(facts)
    df: Counter[str] = Counter()
    for terms in term_counts:
        df.update(terms.keys())
    idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
    lengths = np.array([sum(t.values()) for t in term_counts] or [0.0], dtype=np.float32)
    avg_len = float(lengths.mean()) or 1.0

    ids: dict[str, list[int]] = defaultdict(list)
    weights: dict[str, list[float]] = defaultdict(list)
    presence: dict[str, list[float]] = defaultdict(list)
    for fact_id, terms in enumerate(term_counts):
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[fact_id] / avg_len)
        for term, tf in terms.items():
            ids[term].append(fact_id)
            weights[term].append(tf * (BM25_K1 + 1) / (tf + norm))
            presence[term].append(min(tf, 1.0))
    postings = {
        t: (
            np.array(ids[t], dtype=np.int32),
            np.array(weights[t], dtype=np.float32),
            np.array(presence[t], dtype=np.float32),
        )
        for t in ids
    }
    titles = {a.title: frozenset(content_terms(a.title)) for a in articles}
    subjects = {a.title: _subject_terms(a) for a in articles}
    known = vocabulary.known
    title_words: dict[str, list[str]] = defaultdict(list)
    for title, stems in titles.items():
        for term in stems:
            title_words[term].append(title)
    article_ids = {title: number for number, title in enumerate(titles)}
    buckets: dict[str, list[str]] = defaultdict(list)
    for word in sorted(known):
        buckets[word[0]].append(word)
    return FactIndex(
        facts=facts,
        titles=titles,
        idf=idf,
        postings=postings,
        own_terms=own_terms,
        vocabulary=sorted(idf),
        max_idf=max(idf.values(), default=1.0),
        proper=vocabulary.names(),
        subjects=subjects,
        all_subjects=frozenset().union(*subjects.values()),
        title_words={term: tuple(ts) for term, ts in title_words.items()},
        article_of=np.array([article_ids[f.article] for f in facts], dtype=np.int32),
        article_ids=article_ids,
        paragraph_of=paragraph_of,
        paragraph_postings={
            t: np.array(sorted(ps), dtype=np.int32) for t, ps in in_paragraphs.items()
        },
        spellings={letter: tuple(ws) for letter, ws in buckets.items()},
        word_stems={w: stem(w) for w in known | lexicon_words()},
        doc_of=np.array(docs, dtype=np.int32),
    )


WORK_NOUN_WORDS = frozenset(
    "book books novel novella film movie album song single series show game play poem story "
    "article company city country band opera painting".split()
)
WORK_NOUNS = frozenset(stem(w) for w in WORK_NOUN_WORDS)
"""What an article can be about; "the book" in a question names the article itself."""


def _subject_terms(article: Article) -> frozenset[str]:
    """Work nouns the title or the first sentence uses for the article's own subject."""
    first = split_sentences(article.blocks[0].text)[:1] if article.blocks else []
    stems = set(content_terms(article.title)) | set(content_terms(" ".join(first)))
    return frozenset(stems & WORK_NOUNS)
