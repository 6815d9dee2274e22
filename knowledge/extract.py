"""Short-answer extraction: pull a name, year or number out of the best fact.

Candidates are spans of the fact's text of the type the question wants, minus anything
the question already says; the one nearest the words the question matched wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.index import Fact
from knowledge.lexicon import Intent
from knowledge.text import NUMBER_WORDS, STOPWORDS, fold, stem, token_stems, words

NAME_WORD = r"(?:[A-Z][\w'’\-]*[a-z][\w'’\-]*|[A-Z]\.|O['’][A-Z]\w+)"
NAME_RE = re.compile(
    rf"{NAME_WORD}(?:\s+(?:(?:de|van|von|da|del|di|du|le|la|bin|al)\s+)?{NAME_WORD})*"
)
YEAR_RE = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
NUMBER_RE = re.compile(
    r"\b\d[\d,.]*(?:st|nd|rd|th)?\b|\b(?:" + "|".join(sorted(NUMBER_WORDS, key=len)[::-1]) + r")\b",
    re.IGNORECASE,
)
NOT_PERSON_TAIL = frozenset(
    """prize award awards medal times magazine post journal review theatre theater television
    tv system broadcasting school university college press books publishing agency company
    records studios network channel hall house street road kingdom states republic
    literature library museum festival club society council ministry department""".split()
)
"""Last words that make a capitalised span an institution or a work, not a person."""
NOT_NAMES = frozenset(
    """english british american japanese french german scottish irish welsh scots spanish
    italian russian chinese dutch swedish norwegian danish canadian australian indian
    january february march april may june
    july august september october november december monday tuesday wednesday thursday friday
    saturday sunday""".split()
)
"""Capitalised words that are never names of people or places on their own."""


LOCATIVE_RE = re.compile(
    r"\b(?:in|at|near|from|to|into|across|outside|around|throughout|between)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
"""What stands before a place name: "filmed in Norfolk", "born at Leith"."""
NEGATION_RE = re.compile(
    r"\b(?:not|never|none|neither|nor|no one|nobody|nothing|without|cannot)\b|n['’]t\b",
    re.IGNORECASE,
)
"""A sentence that denies something: its names may be what did *not* happen."""


def denies(text: str) -> bool:
    """Whether a sentence negates: "not", "none of…" — but not the "Never" of a title
    ("Never Let Me Go"), so a capitalised word counts only where the sentence starts."""
    return any(
        m.group(0).islower() or (m.start() == 0 and not TITLE_NEXT_RE.match(text, m.end()))
        for m in NEGATION_RE.finditer(text)
    )


TITLE_NEXT_RE = re.compile(r"\s+[A-Z]")

PERSONAL_RE = re.compile(r"(?:he|she|his|her)\b", re.IGNORECASE)
"""Sentence openings that refer to a person named in the sentence before."""


@dataclass(frozen=True)
class Span:
    """A candidate answer and where it stands in the fact's text."""

    text: str
    start: int
    end: int


def _question_stems(question_words: list[str]) -> set[str]:
    return {stem(w) for w in question_words} | set(question_words)


def _is_new(span: str, asked: set[str]) -> bool:
    """True when the span adds something the question did not already say."""
    span_words = [w for w in words(span) if w not in STOPWORDS]
    return bool(span_words) and any(w not in asked and stem(w) not in asked for w in span_words)


def _name_spans(text: str, asked: set[str], title: str, *, people: bool) -> list[Span]:
    spans: list[Span] = []
    title_folded = fold(title)
    for match in NAME_RE.finditer(text):
        value = match.group(0).strip(" -")
        parts = value.split()
        while parts and fold(parts[0]) in STOPWORDS | {"in", "the", "a"}:
            parts = parts[1:]  # sentence-initial "The", "In", ...
        if not parts:
            continue
        value = " ".join(parts)
        folded = fold(value)
        if folded in title_folded or all(fold(p) in NOT_NAMES for p in parts):
            continue
        following = words(text[match.end() : match.end() + 30])[:1]
        if people and (
            fold(parts[-1]) in NOT_PERSON_TAIL
            or len(parts) > 4
            or (following and following[0] in NOT_PERSON_TAIL)  # "Time magazine"
        ):
            continue
        if not _is_new(value, asked):
            continue
        start = match.start() + match.group(0).find(value)
        spans.append(Span(value, start, start + len(value)))
    return spans


def _pattern_spans(pattern: re.Pattern[str], text: str, asked: set[str]) -> list[Span]:
    return [
        Span(m.group(0), m.start(), m.end())
        for m in pattern.finditer(text)
        if fold(m.group(0)) not in asked and NUMBER_WORDS.get(fold(m.group(0))) not in asked
    ]


def _anchor_positions(text: str, matched: set[str]) -> list[int]:
    """Character offsets of the words the question matched in this text."""
    return [start for start, word, term in token_stems(text) if term in matched or word in matched]


def _word_distance(text: str, span: Span, anchors: list[int]) -> int:
    """Words between a span and the nearest matched question word."""
    if not anchors:
        return len(text.split())
    gaps = []
    for anchor in anchors:
        low, high = (span.end, anchor) if anchor >= span.end else (anchor, span.start)
        gaps.append(len(re.findall(r"\w+", text[low:high])) if low < high else 0)
    return min(gaps)


ROLE_RE = re.compile(r"\s*(?:\(|,)?\s*as\s+(?:the\s+)?([A-Z][\w'’\-]*)")
"""'Andrew Garfield as Tommy': the name before "as" plays the role after it."""


def _role_binding(text: str, span: Span, asked: set[str]) -> int:
    """-1 when the span plays a role the question names ("X as Tommy" for "who played
    Tommy"), +1 when it plays some other role (then it answers for that one), else 0."""
    match = ROLE_RE.match(text, span.end)
    if match is None:
        return 0
    role = fold(match.group(1))
    return -1 if role in asked or stem(role) in asked else 1


def _nearest(
    spans: list[Span], anchors: list[int], text: str, unit: str | None, asked: set[str]
) -> tuple[Span, int]:
    def distance(span: Span) -> float:
        if unit:  # "how many years" prefers "11 years" over a bare "31"
            after = words(text[span.end : span.end + 20])[:2]
            if any(stem(w) == stem(unit) for w in after):
                return -1.0
        role = _role_binding(text, span, asked)
        if role < 0:
            return -1.0
        return _word_distance(text, span, anchors) + 3 * role

    best = min(spans, key=distance)
    return best, max(0, int(distance(best)))


MEASURE_UNITS = {
    "length": frozenset(
        "feet foot ft metres meters metre meter m miles mile km kilometres kilometers yards "
        "yard inches inch cm".split()
    ),
    "time": frozenset("minutes minute hours hour days day weeks week months years year".split()),
    "weight": frozenset("tons tonnes ton tonne kg kilograms pounds lb lbs".split()),
}
MEASURE_WORDS = {
    "tall": ("length",),
    "high": ("length",),
    "far": ("length",),
    "wide": ("length",),
    "deep": ("length",),
    "heavy": ("weight",),
    "old": ("time",),
}
"""'How tall…' is answered by a length, 'how old…' by years: the units that may follow."""


def _units_wanted(question_words: list[str]) -> frozenset[str]:
    """The units a 'how tall / far / heavy / old' question's number must carry."""
    if "how" not in question_words:
        return frozenset()
    position = question_words.index("how")
    measure = question_words[position + 1] if position + 1 < len(question_words) else ""
    kinds = MEASURE_WORDS.get(measure, ())
    return frozenset().union(*(MEASURE_UNITS[k] for k in kinds)) if kinds else frozenset()


def _value_fits(value: str, intent: Intent) -> bool:
    """Whether an infobox value is of the type the question asks for."""
    if intent is Intent.DATE:
        return bool(YEAR_RE.search(value))
    if intent is Intent.NUMBER:
        return bool(NUMBER_RE.search(value))
    if intent in (Intent.PERSON, Intent.PLACE, Intent.NAME):
        return bool(re.search(r"[^\W\d_]", value))  # a name, not a bare number
    return True


def _item_parts(text: str) -> tuple[str, str] | None:
    parts = re.split(r"\s+[–—-]\s+", text, maxsplit=1)
    return (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else None


def extract_with_distance(
    fact: Fact, intent: Intent, question_words: list[str], matched: set[str]
) -> tuple[str, int] | None:
    """The short answer and how many words from the question's own words it stands."""
    asked = _question_stems(question_words)
    if fact.kind == "infobox":
        return (fact.value, 0) if fact.value and _value_fits(fact.value, intent) else None
    text = fact.text
    if fact.kind == "item" and (parts := _item_parts(text)):
        head, description = parts
        if intent in (Intent.PERSON, Intent.PLACE, Intent.NAME) and _is_new(head, asked):
            return head, 0
        if intent in (Intent.DESCRIBE, Intent.OTHER, Intent.PERSON):
            return description, 0
    anchors = _anchor_positions(text, matched)
    unit = None
    if intent is Intent.NUMBER and "many" in question_words:
        index = question_words.index("many")
        unit = question_words[index + 1] if index + 1 < len(question_words) else None
    if intent is Intent.PERSON:
        spans = _name_spans(text, asked, fact.article, people=True)
    elif intent is Intent.PLACE:  # "in Norfolk", "at the Rose Theatre": a place follows
        spans = [
            s
            for s in _name_spans(text, asked, fact.article, people=False)
            if LOCATIVE_RE.search(text[max(0, s.start - 12) : s.start])
        ]
    elif intent is Intent.NAME:
        spans = _name_spans(text, asked, fact.article, people=False)
    elif intent is Intent.DATE:
        spans = _pattern_spans(YEAR_RE, text, asked)
    elif intent is Intent.NUMBER:
        spans = [s for s in _pattern_spans(NUMBER_RE, text, asked) if not YEAR_RE.fullmatch(s.text)]
        units = _units_wanted(question_words)
        if units:  # "how tall" wants "138 feet", not "forty vessels"
            spans = [s for s in spans if set(words(text[s.end : s.end + 24])[:2]) & units]
    else:
        return None
    if not spans:
        if intent is Intent.PERSON and fact.lead_in and PERSONAL_RE.match(text):
            # "She wrote…": who "she" is, from the sentence before
            people = _name_spans(fact.lead_in, asked, fact.article, people=True)
            if people:
                return people[0].text, len(fact.lead_in.split())
        return None
    span, distance = _nearest(spans, anchors, text, unit, asked)
    return span.text, distance
