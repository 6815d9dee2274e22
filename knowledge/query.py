"""Reading a question: intent, content words, and the index stems each may stand for.

Typos are repaired against the words the articles and the lexicon know (rapidfuzz),
words are widened to longer forms and lexicon synonyms, and words that only name the
article itself ("the book") or pick one article by its title are set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge.index import WORK_NOUN_WORDS, FactIndex
from knowledge.lexicon import (
    DATE_NOUNS,
    NAME_WORDS,
    NUMBER_NOUNS,
    SYNONYM_WEIGHT,
    Intent,
    detect_intent,
    lexicon_spellings,
    question_words_of,
    synonym_table,
)
from knowledge.text import STOPWORDS, fold, stem

REFERENT_WORDS = frozenset({"story", "work"})
"""Nouns that, in a question, always mean the article's own subject ("the story")."""
FUZZY_CUTOFF = 74
PREFIX_WEIGHT = 0.85
OOV_WEIGHT_FACTOR = 1.0  # an unknown word weighs as much as the rarest known one
UNTYPED = frozenset({Intent.OTHER, Intent.YES_NO, Intent.DESCRIBE})
"""Intents whose answer is a sentence rather than a name, date or number."""


@dataclass(frozen=True)
class QueryTerm:
    """One content word of the question and the index stems that may stand for it."""

    word: str
    weight: float
    expansions: tuple[tuple[str, float], ...]  # (index stem, similarity 0..1)
    entity: bool = False  # a name or number: the answering fact must mention it


@dataclass(frozen=True)
class Query:
    """A question read for retrieval."""

    text: str
    words: list[str]
    intent: Intent
    terms: tuple[QueryTerm, ...]
    articles: frozenset[str]  # titles the question names (empty: any)
    head: str | None = None  # "what language…": the noun naming what is asked for
    about_subject: bool = False  # "what is the book about?": only the article itself is named


def _expand(index: FactIndex, word: str) -> list[tuple[str, float]]:
    """Index stems that can stand for a question word, with a similarity each.

    The word itself (stemmed), longer forms of it, near spellings among the words the
    article and the lexicon know (typos), and the lexicon's synonyms of all of those.
    """
    term = stem(word)
    found: dict[str, float] = {}
    bases: dict[str, float] = {term: 1.0}

    def add(candidate: str, sim: float) -> None:
        if candidate in index.idf and sim > found.get(candidate, 0.0):
            found[candidate] = sim

    add(term, 1.0)
    if len(term) >= 4:
        for longer in index.words_with_prefix(term)[:20]:
            add(longer, PREFIX_WEIGHT)  # direct → director, care → carer
    if word not in index.word_stems and len(word) >= 4:
        for near, score in _near_spellings(index, word):
            near_stem = index.word_stems[near]
            bases[near_stem] = max(bases.get(near_stem, 0.0), 0.9 * score / 100)
            add(near_stem, 0.9 * score / 100)
    synonyms = synonym_table()
    for base, sim in [*bases.items(), *found.items()]:
        for synonym in synonyms.get(base, ()):
            add(synonym, SYNONYM_WEIGHT * sim)
    return sorted(found.items(), key=lambda kv: -kv[1])


def _near_spellings(index: FactIndex, word: str) -> list[tuple[str, float]]:
    """Known words a typo may stand for: the articles' own first, else the lexicon's.

    Only words with the same first letter are considered: typos rarely hit it, rhymes do.
    """
    for spellings in (index.spellings, lexicon_spellings()):
        found = process.extract(
            word,
            spellings.get(word[0], ()),
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_CUTOFF,
            limit=3,
        )
        if found:
            return [(near, score) for near, score, _ in found]
    return []


def _names_subject(word: str, subjects: frozenset[str]) -> bool:
    """Whether a word is a noun naming the article's own subject ('the book' of a novel).

    Only the noun itself counts: "filmed" is a question about filming, not about the film.
    """
    if word not in WORK_NOUN_WORDS:
        return False
    if word in REFERENT_WORDS:
        return bool(subjects)
    term = stem(word)
    return term in subjects or bool(synonym_table().get(term, frozenset()) & subjects)


def read_question(index: FactIndex, question: str) -> Query:
    """Turn a question into weighted, expanded terms and an intent."""
    q_words = question_words_of(question)
    intent = detect_intent(q_words)
    content = [w for w in q_words if w not in STOPWORDS]
    if intent in (Intent.NAME, Intent.PERSON):
        content = [w for w in content if w not in NAME_WORDS] or content
    head_noun = q_words[1] if len(q_words) > 1 and q_words[0] in {"what", "which"} else None
    if head_noun in DATE_NOUNS | NUMBER_NOUNS | {"name"}:
        content = [w for w in content if w != head_noun]  # the intent's own noun
    shared = index.titles_sharing(stem(w) for w in content)
    named = frozenset(
        title for title, hits in shared.items() if hits >= max(1, len(index.titles[title]) // 2)
    )
    named_stems = set().union(*(index.titles[t] for t in named)) if named else set()
    topical = [
        w
        for w in content
        if stem(w) not in named_stems and not _names_subject(w, index.all_subjects)
    ]
    about_subject = bool(content) and not topical and intent in UNTYPED
    if topical:
        content = topical  # "the book", "the novel": the article itself, not a topic in it
    content = list(dict.fromkeys(content))
    head = stem(head_noun) if head_noun and head_noun in content else None

    oov_weight = OOV_WEIGHT_FACTOR * index.max_idf
    terms: list[QueryTerm] = []
    for word in content:
        s = stem(word)
        if any(t.word == s for t in terms):
            continue
        expansions = _expand(index, word)
        if expansions:
            weight = max(index.idf[w] for w, _ in expansions if w in index.idf)
            if s in index.idf:
                weight = index.idf[s]
        else:
            weight = oov_weight
        entity = s in index.proper or s.isdigit()
        terms.append(QueryTerm(s, weight, tuple(expansions), entity))
    return Query(question, q_words, intent, tuple(terms), named, head, about_subject)


WORD_TOKEN_RE = re.compile(r"[^\W\d_][\w'’]*")


def repair_question(index: FactIndex, question: str) -> str:
    """The question with misspelt words replaced by the known word they most resemble,
    so the semantic encoder reads "who directd the flim" as "who directed the film"."""

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        folded = fold(token)
        if len(folded) < 4 or folded in STOPWORDS or folded in index.word_stems:
            return token
        near = _near_spellings(index, folded)
        return near[0][0] if near and near[0][1] < 100 else token

    return WORD_TOKEN_RE.sub(fix, question)
