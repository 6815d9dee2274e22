"""Text normalisation shared by indexing and querying, so both sides agree on every term."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer

_STEMMERS = threading.local()  # PyStemmer objects are not thread-safe: one per thread

WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")
ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr prof vs etc eg ie no vol pp ed eds fig al co inc ltd gen col lt sgt "
    "rev hon mt ft approx dept est".split()
)
SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom whose why will with would you your yours yourself s t d ll m re ve o y isn
    aren wasn weren doesn didn don hasn haven hadn wouldn shouldn couldn can't it's that's
    what's who's whats whos wheres whens hows how also yes may might must shall us one's
    ever really actually got get gets getting lot lots let thing things stuff kind sort
    anyone someone somebody anybody please tell know think say said says like just rather quite
    much many often each other else anything something everything way ways part bit okay ok hey
    hi hello thanks thank start beginning end ends ended ending last usually typically generally
    nearly almost
    big small little huge great good bad happen happens happened supposed exactly basically
    whole main particular specific certain pretty drop share list explain describe
    find mean means thought believe believed feel felt near actual real going went reckon
    reckons suppose guess wonder eventually""".split()
)
"""Words that carry no content for matching: function words and question filler.

Question words are read separately as intent (see `knowledge.lexicon`)."""

NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "thousand": "1000",
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
    "eleventh": "11th", "twelfth": "12th",
}  # fmt: skip
"""Spelled-out numbers fold to digits so "sixteen" finds "16" and "fourth" finds "4th"."""


def fold(text: str) -> str:
    """Case-fold and strip accents and typographic quotes: 'Café’s' → "cafe's"."""
    if text.isascii():
        return text.replace("`", "'").casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("’", "'").replace("‘", "'").replace("`", "'").casefold()


def words(text: str) -> list[str]:
    """Folded word tokens; possessives drop their 's and number words become digits."""
    out: list[str] = []
    for token in WORD_RE.findall(fold(text)):
        if token.endswith("'s"):
            token = token[:-2]
        token = token.replace("'", "")
        if token:
            out.append(NUMBER_WORDS.get(token, token))
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem, so 'directed', 'directing' and 'directs' meet as 'direct'."""
    if word.isdigit() or len(word) <= 3:
        return word
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = Stemmer.Stemmer("english")  # Snowball English, in C
    return stemmer.stemWord(word)


@lru_cache(maxsize=8192)
def token_stems(text: str) -> tuple[tuple[int, str, str], ...]:
    """(offset, folded word, stem) for each word of a text; cached for re-read facts."""
    out = []
    for match in re.finditer(r"[\w'’]+", text):
        folded = words(match.group(0))
        if folded:
            out.append((match.start(), folded[0], stem(folded[0])))
    return tuple(out)


def content_terms(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order (duplicates kept)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


CAPITALISED_RE = re.compile(r"(?<![\w'’])[A-Z][\w'’]*")


def capitalised_words(sentence: str) -> list[str]:
    """Folded words written with a capital, except the sentence's first word."""
    first = re.search(r"\w", sentence)
    out: list[str] = []
    for match in CAPITALISED_RE.finditer(sentence):
        if first is not None and match.start() == first.start():
            continue  # every sentence starts with a capital: that says nothing
        token = fold(match.group(0)).replace("'s", "").replace("'", "")
        out.append(NUMBER_WORDS.get(token, token))
    return out


def split_sentences(paragraph: str) -> list[str]:
    """Split prose into sentences without breaking on initials ('Kathy H.') or 'Mr.'."""
    sentences: list[str] = []
    start = 0
    for match in SENTENCE_END_RE.finditer(paragraph):
        end = match.start() + 1
        before = paragraph[start:end].rstrip(".!?")
        last_word = before.split()[-1] if before.split() else ""
        bare = last_word.strip("\"'“‘([").lower()
        if paragraph[match.start()] == "." and (
            (len(bare) == 1 and bare.isalpha()) or bare in ABBREVIATIONS or "." in bare
        ):
            continue  # an initial or an abbreviation, not the end of a sentence
        piece = paragraph[start : match.end()].strip()
        if piece:
            sentences.append(piece)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
