"""Synthetic article corpora made from one seed article, for scaling benchmarks.

Copies of one article would let a retriever cheat (identical texts, identical scores), so
each variant gets its own title, names, years, numbers and infobox values, while the
structure and vocabulary stay realistic. Deterministic for a given `rng_seed`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

HEADING_RE = re.compile(r"^\s*=")
INFOBOX_RE = re.compile(r"^(?P<key>\s*[-*•]\s*[^:]{1,40}?\s*:\s*)(?P<value>.+)$")
TITLE_RE = re.compile(r"^\s*=\s*(?P<name>[^=(]+?)\s*(?P<kind>\([^)]*\))?\s*=\s*$")
CAPITALIZED_RE = re.compile(r"\b[A-Z][a-z]+\b")
NUMBER_RE = re.compile(r"\b\d+\b")
SENTENCE_START = '.!?;"“‘(-–—*•'
"""A capitalized word right after one of these may just start a sentence or an item."""

ONSETS = ("b", "br", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v")
VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou")
CODAS = ("", "", "n", "l", "r", "s", "th", "m", "ck", "nd")
TITLE_WORDS = (
    "Quiet", "Harbour", "Glass", "Winter", "Orchard", "Lantern", "Distant", "River", "Silent",
    "Garden", "Paper", "Northern", "Hollow", "Summer", "Letters", "Tide", "Borrowed", "Light",
)  # fmt: skip


def synthetic_articles(seed_text: str, n: int, rng_seed: int = 0) -> list[str]:
    """`n` distinct article texts in the seed's format, each a consistent variation of it."""
    names = name_tokens(seed_text)
    titles: set[str] = set()
    return [_variant(seed_text, names, random.Random(f"{rng_seed}:{i}"), titles) for i in range(n)]


def name_tokens(text: str) -> frozenset[str]:
    """Capitalized words that look like names: never written in lower case ("The" is out)
    and seen at least once mid-sentence ("However" only ever starts one)."""
    lower_words = set(re.findall(r"\b[a-z]+\b", text))
    names: set[str] = set()
    for line in text.splitlines():
        for match in CAPITALIZED_RE.finditer(line):
            before = line[: match.start()].rstrip()
            if before and before[-1] not in SENTENCE_START and match[0].lower() not in lower_words:
                names.add(match[0])
    return frozenset(names)


def _variant(seed: str, names: frozenset[str], rng: random.Random, titles: set[str]) -> str:
    rename = _consistent(lambda _: _made_up_name(rng))
    renumber = _consistent(lambda digits: _made_up_number(digits, rng))
    year_shift = rng.randint(-60, 15)

    def vary(text: str) -> str:
        text = CAPITALIZED_RE.sub(lambda m: rename(m[0]) if m[0] in names else m[0], text)
        return NUMBER_RE.sub(lambda m: _vary_number(m[0], year_shift, renumber), text)

    out: list[str] = []
    seen_title = seen_heading = False
    for line in seed.splitlines():
        title = None if seen_title else TITLE_RE.match(line)
        if title:
            seen_title = True
            out.append(f"= {_made_up_title(rng, titles)} {title['kind'] or ''}".rstrip() + " =")
        elif HEADING_RE.match(line):
            seen_heading = True
            out.append(line)  # headings stay: questions name sections ("in the plot…")
        elif not seen_heading and (field := INFOBOX_RE.match(line)):
            out.append(field["key"] + vary(field["value"]))  # keys stay, values vary
        else:
            out.append(vary(line))
    return "\n".join(out) + "\n"


def _consistent(make: Callable[[str], str]) -> Callable[[str], str]:
    """Memoise per article so "Kathy" becomes the same made-up name every time."""
    chosen: dict[str, str] = {}

    def pick(key: str) -> str:
        if key not in chosen:
            chosen[key] = make(key)
        return chosen[key]

    return pick


def _vary_number(digits: str, year_shift: int, renumber: Callable[[str], str]) -> str:
    value = int(digits)
    if len(digits) == 4 and 1500 <= value <= 2099:
        return str(value + year_shift)  # shift years together so the chronology holds
    return renumber(digits)


def _made_up_number(digits: str, rng: random.Random) -> str:
    if len(digits) == 1:
        return str(rng.randint(1, 9))
    return str(rng.randint(10 ** (len(digits) - 1), 10 ** len(digits) - 1))


def _made_up_name(rng: random.Random) -> str:
    syllables = rng.randint(2, 3)
    name = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))
    return (name + rng.choice(CODAS)).capitalize()


def _made_up_title(rng: random.Random, used: set[str]) -> str:
    """A new title, unique within the corpus so articles can be told apart."""
    while True:
        words = rng.sample(TITLE_WORDS, 2)
        title = f"The {words[0]} {words[1]} of {_made_up_name(rng)}"
        if title not in used:
            used.add(title)
            return title
