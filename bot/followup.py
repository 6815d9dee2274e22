"""Follow-up questions: "and Tommy?" after "who played Ruth?" is read as "who played Tommy?".

One pure function, `read_followup(previous, question)`, decides whether a
question can stand alone and, when it cannot, rewrites it with the previous question of the
same conversation. It knows nothing about Discord, storage or retrieval: the front ends
keep the memory (`bot/conversations.py`) and show the rewrite ("Reading this as: …").

Two kinds of follow-up are recognised, conservatively (a question that might stand alone
is left alone, since a wrong rewrite is worse than none):

* **ellipsis** — "and Tommy?", "what about the director?", "how about the film?", "Ruth
  too?", or a bare fragment with no question word ("the film?"): the fragment takes the
  place of the previous question's subject (a name, else a "the …" phrase, else "it");
* **pronouns**, in short questions — "how old was she?", "what happened to him?" (the
  name in the previous question) and "when was that?" (the previous question, in
  brackets).
"""

from __future__ import annotations

import re

WH_WORDS = frozenset({"who", "whom", "whose", "what", "which", "when", "where", "why", "how"})
QUESTION_STARTERS = WH_WORDS | frozenset(  # as readers type them: contractions and typos
    {"whats", "whos", "whens", "wheres", "hows", "whys", "wat", "wats", "wot", "wen", "wher"}
    | {"wich", "whic", "hw", "y", "tell", "name", "list", "give", "show", "explain"}
)
AUX_WORDS = frozenset(
    {"is", "was", "are", "were", "do", "does", "did", "can", "could", "has", "have", "had"}
    | {"will", "would", "should", "may", "might", "shall", "am", "be"}
)
ELLIPSIS_PREFIXES = (
    ("and", "what", "about"),
    ("and", "how", "about"),
    ("what", "about"),
    ("how", "about"),
    ("what", "of"),
    ("and", "also"),
    ("and",),
    ("also",),
    ("or",),
)
ELLIPSIS_SUFFIXES = (("as", "well"), ("too",), ("also",))
SOCIAL_WORDS = frozenset(
    {"thanks", "thank", "you", "thx", "ty", "ok", "okay", "cool", "great", "nice", "good"}
    | {"hi", "hello", "hey", "bye", "yes", "no", "yeah", "nope", "sure", "lol", "wow", "help"}
    | {"please", "cheers", "right", "oh", "ah", "hmm", "interesting", "really", "so", "me"}
    | {"haha", "hahaha", "lmao", "everyone", "all", "guys", "folks"}
)
ROLE_NOUNS = frozenset(
    {"director", "author", "writer", "screenwriter", "producer", "composer", "narrator"}
    | {"publisher", "editor", "illustrator", "actor", "actress", "star", "protagonist"}
    | {"creator", "designer", "translator", "cinematographer", "founder", "owner"}
)
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
OBJECT_PRONOUNS = frozenset({"it", "them", "this", "that"})
PERSON_PRONOUNS = {
    "he": "subject",
    "she": "subject",
    "they": "subject",
    "him": "object",
    "them": "object",
    "his": "possessive",
    "their": "possessive",
    "her": "object-or-possessive",
}
DEMONSTRATIVE_FOLLOWERS = frozenset(
    {"happen", "happened", "happens", "come", "came", "take", "took", "mean", "means"}
    | {"start", "started", "end", "ended", "get", "got", "go", "went"}
)
BOUNDARY_WORDS = frozenset(  # words that end a noun phrase
    {"in", "of", "on", "at", "by", "for", "with", "from", "to", "about", "and", "or", "as"}
    | AUX_WORDS
)
MAX_FRAGMENT_WORDS = 6
"""After "and …"/"what about …", a fragment longer than this is a new topic."""
MAX_BARE_FRAGMENT_WORDS = 3
"""A fragment with no "and"/"what about" ("Tommy?", "the film?") is at most this long."""
MAX_PRONOUN_QUESTION_WORDS = 6
"""Longer questions with "he"/"she" name their own referent ("what does tommy do when his
temper…") or mean the article's subject; only short ones ("how old was she?") lean back."""

_WORD = re.compile(r"[\w'’.-]+")
_TRAILING = re.compile(r"[\s?!.…]+$")


def _words(text: str) -> list[str]:
    return [w.strip(".") or w for w in _WORD.findall(text)]


def _folded(words: list[str]) -> list[str]:
    """Casefolded words, "what's" → "what", so contractions count as their question word."""
    folded = [w.casefold().replace("’", "'") for w in words]
    return [w[:-2] if w.endswith("'s") and w[:-2] in WH_WORDS else w for w in folded]


def _bare(text: str) -> str:
    """The question without its trailing punctuation and extra spaces."""
    return " ".join(_TRAILING.sub("", text).split())


def _is_name(word: str) -> bool:
    return word[:1].isupper() and word.casefold() not in WH_WORDS | AUX_WORDS | {"i"}


def _ellipsis_fragment(question: str) -> str | None:
    """The fragment of an elliptical follow-up ("and Tommy?" → "Tommy"), or None."""
    text = _bare(question)
    words = text.split()
    folded = _folded(words)
    rest: list[str] | None = None
    for prefix in ELLIPSIS_PREFIXES:
        if tuple(folded[: len(prefix)]) == prefix and len(words) > len(prefix):
            rest = words[len(prefix) :]
            break
    else:
        for suffix in ELLIPSIS_SUFFIXES:
            if tuple(folded[-len(suffix) :]) == suffix and len(words) > len(suffix):
                rest = words[: -len(suffix)]
                break
    if rest is None:  # no "and"/"what about"/"too": only a short name or "the …" phrase
        bare_fragment = (
            question.rstrip().endswith("?")
            and len(words) <= MAX_BARE_FRAGMENT_WORDS
            and (_is_name(words[0]) or folded[0] in DETERMINERS)
        )
        if not bare_fragment:
            return None
        rest = words
    if not rest or len(rest) > MAX_FRAGMENT_WORDS:
        return None
    rest_folded = _folded(rest)
    if rest_folded[0] in QUESTION_STARTERS | AUX_WORDS:
        return None  # "and who wrote the screenplay?" is a question of its own
    if any(w in WH_WORDS for w in rest_folded):
        return None
    if all(w.strip(",!") in SOCIAL_WORDS for w in rest_folded):
        return None  # "thanks!", "ok cool" are not follow-ups
    fragment = " ".join(rest).strip(" ,")
    return fragment or None


def _name_span(words: list[str]) -> tuple[int, int] | None:
    """The first run of capitalised words after the first word (a name), as [start, end)."""
    index = 1
    while index < len(words):
        if _is_name(words[index]):
            end = index
            while end < len(words) and _is_name(words[end]):
                end += 1
            return index, end
        index += 1
    return None


def _determiner_span(words: list[str]) -> tuple[int, int] | None:
    """The first "the film" / "a novel" phrase: a determiner and the word after it (one
    word, so a verb after the noun stays: "when was [the novel] published")."""
    folded = _folded(words)
    for index, word in enumerate(folded[:-1]):
        if index > 0 and word in DETERMINERS and folded[index + 1] not in BOUNDARY_WORDS:
            return index, index + 2
    return None


def _pronoun_index(words: list[str], pronouns: frozenset[str]) -> int | None:
    folded = _folded(words)
    for index, word in enumerate(folded):
        if index > 0 and word in pronouns:
            return index
    return None


def _replace(words: list[str], span: tuple[int, int], new: str) -> str:
    start, end = span
    return " ".join([*words[:start], new, *words[end:]]) + "?"


def _fill_slot(previous: str, fragment: str) -> str:
    """The previous question with the fragment in the place of its subject."""
    words = _bare(previous).split()
    folded = _folded(words)
    fragment_words = fragment.split()
    head = fragment_words[-1].casefold()
    if folded and folded[0] == "who" and head in ROLE_NOUNS and not _is_name(fragment_words[0]):
        return f"who is {fragment}?"  # "who played Ruth?" + "what about the director?"
    name = _name_span(words)
    determiner = _determiner_span(words)
    if name and (_is_name(fragment_words[0]) or determiner is None):
        return _replace(words, name, fragment)
    if determiner:
        return _replace(words, determiner, fragment)
    pronoun = _pronoun_index(words, OBJECT_PRONOUNS)
    if pronoun is not None:
        return _replace(words, (pronoun, pronoun + 1), fragment)
    return f"{' '.join(words)} ({fragment})?"


def _person_referent(previous: str) -> str | None:
    """Who "she"/"him" stands for: the name the previous question was about. (Not its
    answer: after "who was his wife?", "what did he do?" still means him.)"""
    words = _bare(previous).split()
    span = _name_span(words)
    return " ".join(words[span[0] : span[1]]) if span else None


def _rewrite_pronoun(previous: str, question: str) -> str | None:
    words = _bare(question).split()
    folded = _folded(words)
    if not words or folded[0] not in QUESTION_STARTERS | AUX_WORDS or _name_span(words):
        return None  # a question that names someone resolves its own pronouns
    if len(words) > MAX_PRONOUN_QUESTION_WORDS:
        return None
    for index, word in enumerate(folded):
        role = PERSON_PRONOUNS.get(word)
        if role is None or index == 0:
            continue
        referent = _person_referent(previous)
        if referent is None:
            return None
        following = folded[index + 1] if index + 1 < len(folded) else None
        possessive = role == "possessive" or (
            role == "object-or-possessive"
            and following is not None
            and following not in BOUNDARY_WORDS
        )
        new = f"{referent}'s" if possessive else referent
        return _replace(words, (index, index + 1), new)
    for index, word in enumerate(folded):
        if index == 0 or word not in {"that", "this"}:
            continue
        following = folded[index + 1] if index + 1 < len(folded) else None
        if following is None or following in DEMONSTRATIVE_FOLLOWERS:
            return f"{' '.join(words)} ({_bare(previous)})?"
    return None


def read_followup(previous: str | None, question: str) -> str | None:
    """The question as it should be read after `previous`, or None when it stands alone."""
    if not previous or not previous.strip() or not question.strip():
        return None
    fragment = _ellipsis_fragment(question)
    if fragment is not None:
        return _fill_slot(previous, fragment)
    return _rewrite_pronoun(previous, question)
