"""The reader: the short answer a fact gives to a question (a name, a date, a value,
"Yes" or "No").

When the fact holds no span of the type asked for, or denies something ("none of the
sequels was directed by…") so that its names may be what did *not* happen, it gives no
short answer and the answer is the sentence itself: never a wrong name. "Yes" and "No"
are said only when the sentence states every word of the question (exactly, or in a
longer form of the same word) — "No" when it also negates — else the sentence speaks.
"""

from __future__ import annotations

from knowledge.candidate import Candidate
from knowledge.extract import denies, extract_with_distance
from knowledge.lexical import matched_stems
from knowledge.lexicon import Intent
from knowledge.query import UNTYPED, Query
from knowledge.text import content_terms

NAME_INTENTS = frozenset({Intent.PERSON, Intent.PLACE, Intent.NAME})
EXACT_FORM = 0.85  # a question word's own stem (1.0) or a longer form of it (0.85)


class ExtractiveReader:
    """Typed extraction from the fact's own text (`knowledge.extract`)."""

    def read(self, query: Query, candidate: Candidate) -> str | None:
        fact = candidate.fact
        if query.intent is Intent.YES_NO:
            return _yes_no(query, candidate)
        if query.intent in UNTYPED:
            return fact.value if fact.kind == "infobox" and fact.value else None
        if query.intent in NAME_INTENTS and fact.kind != "infobox" and denies(fact.text):
            return None
        found = extract_with_distance(fact, query.intent, query.words, matched_stems(query))
        return found[0] if found else None


def _yes_no(query: Query, candidate: Candidate) -> str | None:
    fact = candidate.fact
    if fact.kind == "infobox" or not query.terms:
        return None
    own = set(content_terms(fact.snippet))
    for term in query.terms:
        forms = {w for w, sim in term.expansions if sim >= EXACT_FORM} | {term.word}
        if not forms & own:
            return None
    return "No" if denies(fact.text) else "Yes"
