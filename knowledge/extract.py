"""Short-answer extraction: pull a name, year or number out of the best fact.

Candidates are spans of the fact's text of the type the question wants, minus anything
the question already says; the one nearest the words the question matched wins.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from knowledge.index import Fact, FactKind
from knowledge.lexicon import Intent
from knowledge.text import NUMBER_WORDS, STOPWORDS, fold, stem, token_stems, words

NAME_WORD = r"(?:[A-Z][\w'’\-]*[a-z][\w'’\-]*|[A-Z]\.|O['’][A-Z]\w+)"
NAME_RE = re.compile(
    rf"{NAME_WORD}(?:\s+(?:(?:de|van|von|da|del|di|du|le|la|bin|al)\s+)?{NAME_WORD})*"
)
YEAR_RE = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
_ONE_DATE = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH},?\s+{_YEAR}"
    rf"|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}"
    rf"|(?:early|mid|late)[\s-]+{_YEAR}s?"
    rf"|{MONTH}\s+{_YEAR}"
    rf"|{_YEAR}s?)"
)
DATE_RE = re.compile(rf"\b{_ONE_DATE}\b")
"""A date as the sentence gives it: "7 September 2013", "March 14, 2014", "June 1927",
or a year; the longest form wins, so "when…?" is answered as precisely as the text is."""
_DAY_MONTH = rf"\d{{1,2}}\s+{MONTH}|{MONTH}\s+\d{{1,2}}"
_AMOUNT = r"\d[\d,.]*"
RANGE_RE = re.compile(
    rf"\b(?:between\s+(?:{_ONE_DATE}|{_AMOUNT})\s+and\s+(?:{_ONE_DATE}|{_AMOUNT})"
    rf"|(?:from\s+)?(?:{_ONE_DATE}|{_DAY_MONTH}|{_AMOUNT})\s*(?:–|—|-|\bto\b|\buntil\b|\btill\b)"
    rf"\s*(?:{_ONE_DATE}|{_AMOUNT}))(?![\w–-])"
)
"""A span of time or an amount between two bounds: "from 1562 to 1598", "between 1621
and 1629", "(1568–1609)", "24 August – 3 October 1572", "75,000 to 100,000"."""
ORDINAL_RE = re.compile(
    r"\d+(?:st|nd|rd|th)$|(?:first|second|third|fourth|fifth|sixth|"
    r"seventh|eighth|ninth|tenth)$",
    re.IGNORECASE,
)
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
OPENERS = frozenset(
    """in the a an around although though despite following later since today however
    meanwhile thus hence unlike among amongst according within without upon towards toward
    beyond besides nevertheless eventually initially originally subsequently finally indeed
    instead whereas whilst while once soon shortly already still yet perhaps later earlier
    several many some most both each every another other such these those this that there
    here its their his her our during after before under over near like unlike including""".split()
)
"""Words that open a sentence with a capital letter but never begin a name."""


LOCATIVE_RE = re.compile(
    r"\b(?:in|at|on|near|from|to|into|across|outside|around|throughout|between)\s+(?:the\s+)?$",
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
        while parts and fold(parts[0]) in STOPWORDS | OPENERS:
            parts = parts[1:]  # sentence-initial "The", "In", "Around", ...
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
        if people and (
            PLACE_BEFORE_RE.search(text[max(0, start - 12) : start])  # "in Dublin"
            or value.endswith(("'s", "’s"))  # "the Line's architect": whose, not who
        ):
            continue
        spans.append(Span(value, start, start + len(value)))
    return spans


PLACE_BEFORE_RE = re.compile(
    r"\b(?:in|at|near|into|across|outside|throughout)\s+(?:the\s+)?$", re.IGNORECASE
)
"""What stands before a place, never before the person a "who" question wants."""


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


QUOTED_RE = re.compile(r"[\"“]([^\"”]{2,60})[\"”]")
CALLED_RE = re.compile(
    r"\b(?:known as|called|named|dubbed|nicknamed|titled|entitled)\s+(?:the\s+)?[\"“]?$",
    re.IGNORECASE,
)
"""What introduces a name: "known as the Wars of Religion", "the 'Hugues hypothesis'"."""
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
        if role < 0 or CALLED_RE.search(text[max(0, span.start - 24) : span.start]):
            return -1.0  # "X as Tommy" for "who played Tommy"; "known as X" for "called"
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
    if intent in (Intent.PERSON, Intent.PLACE, Intent.NAME):  # a name, not a number or date
        return bool(re.search(r"[^\W\d_]", DATE_RE.sub("", value)))
    return True


def _item_parts(text: str) -> tuple[str, str] | None:
    parts = re.split(r"\s+[–—-]\s+", text, maxsplit=1)
    return (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else None


def extract_with_distance(
    fact: Fact, intent: Intent, question_words: list[str], matched: set[str]
) -> tuple[str, int] | None:
    """The short answer and how many words from the question's own words it stands."""
    asked = _question_stems(question_words)
    if fact.kind == FactKind.INFOBOX:
        return (fact.value, 0) if fact.value and _value_fits(fact.value, intent) else None
    text = fact.text
    if fact.kind == FactKind.ITEM and (parts := _item_parts(text)):
        head, description = parts
        if intent in (Intent.PERSON, Intent.PLACE, Intent.NAME) and _is_new(head, asked):
            return head, 0
        if intent in (Intent.DESCRIBE, Intent.OTHER, Intent.PERSON):
            return description, 0
    anchors = _anchor_positions(text, matched)
    unit = _unit_asked(intent, question_words)
    spans = typed_spans(text, intent, question_words, asked, fact.article)
    if spans is None:
        return None
    if not spans:
        if intent is Intent.PERSON and fact.lead_in and PERSONAL_RE.match(text):
            # "She wrote…": who "she" is, from the sentence before
            people = _name_spans(fact.lead_in, asked, fact.article, people=True)
            if people:
                return people[0].text, len(fact.lead_in.split())
        return None
    span, distance = _nearest(spans, anchors, text, unit, asked)
    if intent is Intent.NUMBER:
        span = _with_unit(text, span)
    return span.text, distance


def _unit_asked(intent: Intent, question_words: list[str]) -> str | None:
    """The noun a "how many" question counts: "how many years" → "years"."""
    if intent is Intent.NUMBER and "many" in question_words:
        index = question_words.index("many")
        return question_words[index + 1] if index + 1 < len(question_words) else None
    return None


def typed_spans(
    text: str, intent: Intent, question_words: list[str], asked: set[str], title: str
) -> list[Span] | None:
    """The spans of a sentence that are of the type the question asks for (None: the
    question asks for no type a span could have)."""
    if intent is Intent.PERSON:
        spans = _name_spans(text, asked, title, people=True)
    elif intent is Intent.PLACE:  # "in Norfolk", "at the Rose Theatre": a place follows
        spans = [
            s
            for s in _name_spans(text, asked, title, people=False)
            if LOCATIVE_RE.search(text[max(0, s.start - 12) : s.start])
        ]
    elif intent is Intent.NAME:  # "what was it called?": a name, or what is quoted as one
        spans = _name_spans(text, asked, title, people=False) + [
            Span(m.group(1), m.start(1), m.end(1))
            for m in QUOTED_RE.finditer(text)
            if _is_new(m.group(1), asked)
        ]
    elif intent is Intent.DATE:  # "what year…?" wants the year; "when…?" the whole date
        spans = _pattern_spans(YEAR_RE if "year" in question_words else DATE_RE, text, asked)
        spans = _ranges(text, spans, dates=True)
    elif intent is Intent.NUMBER:
        spans = [s for s in _pattern_spans(NUMBER_RE, text, asked) if not YEAR_RE.fullmatch(s.text)]
        if {"many", "much"} & set(question_words):  # a count is not "the 11th awards"
            spans = [s for s in spans if not ORDINAL_RE.fullmatch(s.text)]
        spans = _ranges(text, _joined(text, spans), dates=False)
        units = _units_wanted(question_words)
        if units:  # "how tall" wants "138 feet", not "forty vessels"
            spans = [s for s in spans if set(words(text[s.end : s.end + 24])[:2]) & units]
    else:
        return None
    return spans


def _ranges(text: str, spans: list[Span], *, dates: bool) -> list[Span]:
    """Spans inside a range ("from 1562 to 1598") give way to the whole range."""
    ranges = []
    for m in RANGE_RE.finditer(text):
        bounds = re.findall(r"\d[\d,.]*", m.group(0))
        if dates != bool(YEAR_RE.search(m.group(0))) or len(bounds) < 2:
            continue  # a date range for "when", an amount range for "how many"
        if any(s.start >= m.start() and s.end <= m.end() for s in spans):
            ranges.append(Span(m.group(0), m.start(), m.end()))
    inside = [s for s in spans if not any(r.start <= s.start and s.end <= r.end for r in ranges)]
    return ranges + inside


def _joined(text: str, spans: list[Span]) -> list[Span]:
    """Number words side by side are one number: "Four thousand", "two hundred"."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if out and re.fullmatch(r"[\s-]*(?:and\s+)?", text[out[-1].end : span.start]):
            out[-1] = Span(text[out[-1].start : span.end], out[-1].start, span.end)
        else:
            out.append(span)
    return out


UNIT_WORDS = frozenset().union(*MEASURE_UNITS.values()) | frozenset(
    "million billion thousand hundred percent per cent % knots mph".split()
)
CURRENCY = "$£€¥"


QUALIFIER_RE = re.compile(
    r"\b(?:more|fewer|less)\s+than\s+$|\b(?:at\s+least|at\s+most|up\s+to|over|under|about|"
    r"around|approximately|roughly|nearly|almost|some)\s+$",
    re.IGNORECASE,
)
"""Words before a number that say how exact it is: "more than 40" is not "40"."""


def _with_unit(text: str, span: Span) -> Span:
    """ "104 minutes", "$3.2 million", "more than 40": the number with what it counts in
    and how exact the sentence says it is."""
    start, end = span.start, span.end
    if start > 0 and text[start - 1] in CURRENCY:
        start -= 1
    if qualifier := QUALIFIER_RE.search(text[max(0, start - 24) : start]):
        start -= len(qualifier.group(0))
    for _ in range(2):  # "3.2 million", "40 per cent"
        match = re.match(r"\s*(%|[A-Za-z]+)", text[end:])
        if not match or match.group(1).lower() not in UNIT_WORDS:
            break
        end += match.end()
    return Span(text[start:end], start, end)


SPAN_FEATURES = (
    "log_distance",
    "after_anchor",
    "anchors_after",
    "window_before",
    "window_after",
    "role_asked",
    "role_other",
    "introduced",
    "by_before",
    "locative_before",
    "comma_before",
    "comma_after",
    "in_parens",
    "sentence_start",
    "log_words",
    "quoted",
    "unit_match",
    "full_date",
    "is_range",
    "first_span",
    "last_span",
    "log_spans",
    "person",
    "place",
    "name",
    "date",
    "number",
)
"""What describes one candidate span of a sentence (`span_features`); the reader's fitted
model weighs them (`training/fit.py`)."""

BY_RE = re.compile(r"\bby\s+(?:the\s+)?$", re.IGNORECASE)


def sentence_spans(
    fact: Fact, intent: Intent, question_words: list[str], matched: set[str]
) -> tuple[list[Span], np.ndarray]:
    """A sentence's spans of the asked type and their features (rows of `SPAN_FEATURES`);
    empty for infobox fields, list items and untyped questions, which need no choosing."""
    empty = np.zeros((0, len(SPAN_FEATURES)))
    if fact.kind == FactKind.INFOBOX or (fact.kind == FactKind.ITEM and _item_parts(fact.text)):
        return [], empty
    asked = _question_stems(question_words)
    text = fact.text
    spans = typed_spans(text, intent, question_words, asked, fact.article)
    if not spans:
        return [], empty
    if intent is Intent.NUMBER:
        spans = [_with_unit(text, s) for s in spans]
    spans = sorted(spans, key=lambda s: s.start)
    anchors = _anchor_positions(text, matched)
    unit = _unit_asked(intent, question_words)
    rows = []
    for position, span in enumerate(spans):
        before = text[max(0, span.start - 24) : span.start]
        after = text[span.end : span.end + 24]
        role = _role_binding(text, span, asked)
        nearest = min(anchors, key=lambda a: abs(a - span.start)) if anchors else None
        counted = words(after)[:2]
        near_before = {stem(w) for w in words(text[: span.start])[-4:]} & matched
        near_after = {stem(w) for w in words(text[span.end :])[:4]} & matched
        values = {
            "log_distance": math.log1p(_word_distance(text, span, anchors)),
            "after_anchor": float(nearest is not None and nearest < span.start),
            "anchors_after": (sum(a > span.start for a in anchors) / len(anchors))
            if anchors
            else 0.0,
            "window_before": float(min(len(near_before), 3)),
            "window_after": float(min(len(near_after), 3)),
            "role_asked": float(role < 0),
            "role_other": float(role > 0),
            "introduced": float(bool(CALLED_RE.search(before))),
            "by_before": float(bool(BY_RE.search(before))),
            "locative_before": float(bool(LOCATIVE_RE.search(before[-12:]))),
            "comma_before": float(before.rstrip().endswith(",")),
            "comma_after": float(after.lstrip().startswith(",")),
            "in_parens": float(before.rstrip().endswith("(")),
            "sentence_start": float(not re.search(r"\w", text[: span.start])),
            "log_words": math.log1p(len(span.text.split())),
            "quoted": float(before.endswith(('"', "“"))),
            "unit_match": float(bool(unit) and any(stem(w) == stem(unit) for w in counted)),
            "full_date": float(intent is Intent.DATE and bool(re.search(MONTH, span.text))),
            "is_range": float(bool(RANGE_RE.fullmatch(span.text))),
            "first_span": float(position == 0),
            "last_span": float(position == len(spans) - 1),
            "log_spans": math.log(len(spans)),
            "person": float(intent is Intent.PERSON),
            "place": float(intent is Intent.PLACE),
            "name": float(intent is Intent.NAME),
            "date": float(intent is Intent.DATE),
            "number": float(intent is Intent.NUMBER),
        }
        rows.append([values[name] for name in SPAN_FEATURES])
    return spans, np.array(rows, dtype=np.float64)
