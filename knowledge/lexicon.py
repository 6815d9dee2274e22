"""A small, generic lexicon: synonyms, phrase rewrites and question intents.

Nothing here names a particular article: these are the ways people ask about books,
films, people and places in general ("movie" for "film", "came out" for "released").
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

from rapidfuzz import fuzz, process

from knowledge.text import stem, words

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("film", "movie", "flick", "cinema", "hollywood", "picture"),
    ("adaptation", "adapted", "version", "remake"),
    ("direct", "director", "directed", "filmmaker"),
    ("write", "wrote", "written", "writer", "author", "novelist"),
    ("screenwriter", "screenplay", "script", "scriptwriter", "screenwriting"),
    ("write", "wrote", "written", "composer", "composed", "lyricist", "songwriter"),
    ("publish", "published", "publisher", "publication", "release", "released", "issued"),
    ("page", "pages", "length", "long"),
    ("running", "runtime", "duration", "minutes", "length", "long"),
    ("cost", "budget", "price", "expense", "expensive"),
    ("date", "year", "time"),
    ("country", "nation", "nationality"),
    ("language", "tongue"),
    ("genre", "category", "classified", "type"),
    ("star", "starring", "starred", "actor", "actress", "played", "play", "cast", "lead"),
    ("sing", "sang", "sung", "singer", "perform", "performed", "vocalist", "recorded"),
    ("song", "track", "tune", "standard"),
    ("child", "children", "kid", "kids", "student", "students", "pupil", "pupils"),
    ("teacher", "guardian", "tutor", "teachers", "guardians"),
    ("school", "academy", "college"),
    ("die", "died", "death", "dead", "dying", "dies"),
    ("art", "artwork", "drawing", "drawings", "painting", "paintings", "artistic", "gallery"),
    ("woman", "lady", "girl", "female", "women"),
    ("man", "guy", "boy", "male", "men"),
    ("prize", "award", "honour", "honor", "accolade"),
    ("win", "won", "winner", "received", "nominated", "shortlisted", "finalist", "ranked"),
    ("critic", "reviewer", "review", "reception", "criticism", "critical"),
    ("magazine", "newspaper", "journal", "mag", "paper"),
    ("begin", "began", "start", "started", "initially", "originally", "origin"),
    ("end", "ending", "finish", "final", "last"),
    ("born", "birth", "birthday"),
    ("age", "old", "aged"),
    ("name", "named", "called", "title", "titled"),
    ("set", "setting", "located", "location", "takes"),
    ("rank", "ranked", "place", "placed", "position"),
    ("story", "plot", "narrative", "tale"),
    ("book", "novel"),
    ("head", "leader", "led", "principal", "headmistress", "headmaster", "chief"),
    ("defer", "deferral", "deferred", "delay", "postpone", "extension"),
    ("truth", "secret", "secrets"),
    ("tv", "television", "series", "drama", "show"),
    ("stage", "theatre", "theater", "musical"),
    ("love", "romance", "relationship", "couple", "couples"),
    ("drive", "drives", "travel", "trip", "journey", "visit", "go", "went"),
    ("inspire", "inspired", "inspiration", "source", "derived", "based"),
    ("leave", "left", "leaves", "depart", "move", "moved", "go"),
    ("close", "closed", "closure", "shut", "shutdown"),
    ("company", "agency", "studio", "firm"),
    ("friend", "friends", "friendship", "companion", "mate", "mates", "pal", "pals", "buddy"),
    ("create", "created", "creation", "made", "make", "produce", "produced"),
    ("narrator", "narrates", "narrated", "protagonist", "hero", "heroine", "storyteller"),
    ("scary", "horror", "horrifying", "frightening", "terrifying", "creepy", "chilling"),
    ("allow", "allowed", "permit", "permitted", "let"),
    ("seem", "seems", "appear", "appears", "comes"),
    ("give", "gave", "given", "gives", "hand", "hands", "handed"),
    ("sell", "sold", "sales", "copies"),
    ("collect", "collected", "collects", "take", "takes", "taken"),
    ("job", "role", "work", "career", "occupation"),
    ("organ", "organs", "donation", "donations", "donate", "donor", "donors"),
    ("british", "britain", "england", "english", "uk"),
    # people: family, work, life
    ("wife", "husband", "spouse", "married", "marriage", "partner", "widow"),
    ("father", "dad", "daddy", "papa", "parent", "parents"),
    ("mother", "mum", "mom", "mummy", "mama", "parent", "parents"),
    ("son", "sons", "daughter", "daughters", "children", "kids", "child"),
    ("brother", "sister", "sibling", "siblings"),
    ("employer", "employed", "worked", "organisation", "organization", "institution"),
    ("train", "trained", "taught", "teach", "mentor", "apprentice", "apprenticeship", "pupil"),
    ("university", "uni", "college", "studied", "degree", "educated", "education"),
    ("retire", "retired", "retirement", "resigned"),
    ("succeed", "succeeded", "successor", "replaced"),
    ("famous", "known", "remembered", "renowned", "notable", "best-known"),
    ("buried", "grave", "resting", "cemetery", "interred"),
    ("nationality", "citizen", "citizenship"),
    ("stress", "stressed", "stressing", "emphasise", "emphasize", "emphasis", "insist"),
    ("learn", "learned", "learnt", "discover", "discovered", "realise", "realize"),
    ("anger", "angry", "temper", "rage", "furious"),
    ("medical", "medicine", "healthcare", "health", "nursing", "nurse"),
    # things: size, place, keeping
    ("building", "house", "mansion", "manor"),
    ("shop", "shops", "store", "stores"),
    ("tall", "high", "height"),
    ("big", "large", "size", "area"),
    ("keep", "kept", "held", "hold", "housed", "stored", "preserved"),
    ("sailor", "sailors", "mariner", "mariners", "seaman", "seamen"),
    ("ship", "ships", "vessel", "vessels", "boat", "boats"),
    ("honour", "honor", "honoured", "honored", "tribute", "commemorate", "memorial"),
    ("device", "gadget", "invention", "machine", "mechanism"),
    ("invent", "invented", "inventor", "designed", "devised"),
)
"""Each group's words stand in for one another (at a discount) when matching."""

PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bsci[- ]?fi\b", "science fiction"),
    (r"\bcom(?:e|es|ing)? out\b|\bcame out\b", "released"),
    (r"\bput (?:\w+ ){0,2}out\b", "published"),
    (r"\bwhere (?:did|does|do|was|is) (.+?) (?:come|came|comes) from\b", r"what \1"),
    (r"\bmade (?:the |that |this )?(film|movie|picture)\b", r"directed the \1"),
    (r"\bmore time\b", "deferral"),
    (r"\bdrop(?:ped|s)? out\b", "left"),
    (r"\bw(?:alk|alks|alked) out\b", "leaves"),
    (r"\b(?:clos|shut)(?:e|es|ed|ing|s)? down\b", "shut"),
    (r"\bnamed (?:after|for)\b", "named in honour of"),
    (r"\blook(?:s|ed|ing)? after\b", "care for"),
    (r"\bf(?:ind|inds|ound) out\b", "learn"),
    (r"\bc(?:ome|omes|ame) across\b", "seem"),
    (r"\bst(?:ep|epped|eps) down\b", "retired"),
    (r"\bt(?:ook|ake|akes) over\b", "succeeded"),
    (r"\b(?:main|central|lead|leading) (?:character|protagonist|figure)\b", "protagonist"),
    (
        r"\b(?:in|on|at|near|by|towards?) the (?:very )?(?:last|final|first|opening|closing|start"
        r"|end|beginning)(?: (?:pages?|chapters?|scenes?|lines?|part))?(?: of the \w+)?\b",
        " ",
    ),
)
"""Multi-word paraphrases rewritten before tokenising."""

SYNONYM_WEIGHT = 0.75


class Intent(Enum):
    """What kind of short answer a question wants."""

    PERSON = "person"
    DATE = "date"
    NUMBER = "number"
    PLACE = "place"
    NAME = "name"  # "what is X called?": a proper name, not necessarily a person
    YES_NO = "yes/no"
    DESCRIBE = "describe"  # "who is X?", "what is X?": a description, not a name
    OTHER = "other"


QUESTION_WORDS = (
    "who", "whom", "whose", "what", "when", "where", "which", "why", "how",
    "is", "are", "was", "were", "did", "does", "do", "has", "have", "can", "could", "will",
)  # fmt: skip
PERSON_NOUNS = frozenset(
    "actor actress author writer director person people critic reviewer character singer "
    "composer artist woman man lady guy girl boy narrator teacher guardian who".split()
)
MEASURES = frozenset("many much old long tall high far wide deep big large heavy".split())
"""'how tall…', 'how far…': questions whose answer is a number."""
NUMBER_NOUNS = frozenset("number age pages length count total".split())
DATE_NOUNS = frozenset("year date decade century".split())
NAME_WORDS = frozenset("name names called named titled".split())
"""Words that make a question ask for a name; they say nothing about the topic."""


def lexicon_words() -> frozenset[str]:
    """Every word the lexicon knows, so a misspelt 'movei' can still reach 'movie'."""
    return frozenset(w for group in SYNONYM_GROUPS for w in group)


@lru_cache(maxsize=1)
def lexicon_spellings() -> dict[str, tuple[str, ...]]:
    """The lexicon's words by first letter, for repairing typos of words no article uses."""
    buckets: dict[str, list[str]] = {}
    for word in sorted(lexicon_words()):
        buckets.setdefault(word[0], []).append(word)
    return {letter: tuple(ws) for letter, ws in buckets.items()}


def rewrite_phrases(text: str) -> str:
    """Apply the phrase rewrites to folded text."""
    for pattern, replacement in PHRASES:
        text = re.sub(pattern, replacement, text)
    return text


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, frozenset[str]]:
    """Stem → the stems of every group it belongs to (itself excluded)."""
    table: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        stems = {stem(w) for w in group}
        for s in stems:
            table.setdefault(s, set()).update(stems - {s})
    return {k: frozenset(v) for k, v in table.items()}


def detect_intent(question_words: list[str]) -> Intent:
    """Read the expected answer type from the question's (typo-corrected) words."""
    if not question_words:
        return Intent.OTHER
    first = question_words[0]
    rest = question_words[1:4]
    joined = " ".join(question_words[:4])
    if first in {"is", "are", "was", "were", "did", "does", "do", "has", "have", "can", "could"}:
        return Intent.YES_NO
    if first in {"when"} or (first in {"what", "which"} and rest and rest[0] in DATE_NOUNS):
        return Intent.DATE
    if first == "how" and rest and rest[0] in MEASURES:
        return Intent.NUMBER
    if first in {"what", "which"} and rest and rest[0] in NUMBER_NOUNS:
        return Intent.NUMBER
    if first == "where":
        ranking = {"rank", "ranked", "place", "placed", "finish", "finished", "chart", "charted"}
        return Intent.NUMBER if ranking & set(question_words[1:6]) else Intent.PLACE
    if first in {"who", "whom", "whose"}:
        if len(question_words) <= 5 and re.match(r"who (is|was|are|were) ", joined):
            return Intent.DESCRIBE
        return Intent.PERSON
    if first in {"what", "which"} and rest and rest[0] in PERSON_NOUNS:
        return Intent.PERSON
    if first in {"what", "which"} and any(w in NAME_WORDS for w in question_words):
        return Intent.PERSON if any(w in PERSON_NOUNS for w in question_words) else Intent.NAME
    return Intent.OTHER


def question_words_of(question: str) -> list[str]:
    """The question's words with a leading question word repaired ('wen' → 'when')."""
    tokens = words(rewrite_phrases(question.casefold()))
    if tokens and tokens[0] not in QUESTION_WORDS and len(tokens[0]) <= 5:
        base = tokens[0].removesuffix("s") if tokens[0] not in {"is", "was", "does"} else tokens[0]
        match = process.extractOne(base, QUESTION_WORDS, scorer=fuzz.ratio, score_cutoff=74)
        if match is not None:
            tokens[0] = match[0]
    return tokens
