"""Hostile input, property-based: parser, retrieval and renderers on arbitrary text.

Each test counts the examples Hypothesis ran and prints the figure (`pytest -s` shows it);
a floor on the count makes sure a silently skipped strategy cannot pass as a proof.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.embeds import (
    about_embeds,
    answer_embed,
    fact_embed,
    pack,
    section_messages,
    sources_embed,
)
from bot.render import answer_json, answer_text
from knowledge import Answer, Article, ArticleError, Citation, Library, load_article, parse_article
from knowledge.article import Block, InfoField
from knowledge.encoder import HashingEncoder


def bounded(max_examples: int) -> settings:
    """No per-example deadline (CI machines stall), a fixed budget, big inputs allowed."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


ANSWER_KEYS = {"question", "answer", "citations", "confidence", "notice", "also"}
CITATION_KEYS = {"article", "section", "text"}

# ----- strategies ----------------------------------------------------------------------------

ANY_CHAR = st.characters(exclude_categories=())  # every code point, lone surrogates included
CONTROL = st.characters(categories=["Cc", "Cf", "Zl", "Zp"])  # \x00, \u202e, \u2028, ZWJ…
COMBINING = st.characters(categories=["Mn", "Me"])
RTL = st.sampled_from(list("\u200f\u202b\u202e\u2067\u0627\u0644\u0639\u0631\u0628\u05d0\u05d1"))
PUNCTUATION = st.sampled_from(list(string.punctuation + "¿¡…—–“”‘’«»·•§¶†‡※"))
MENTIONS = st.sampled_from(
    ["@everyone", "@here", "<@123456789012345678>", "<@!42>", "<@&77>", "<#99>", "@", "<@", ">"]
)
MARKUP = st.sampled_from(["||", "**", "__", "`", "```", "\\", "# ", "> ", "-# ", "\n", " ", "="])


def zalgo() -> st.SearchStrategy[str]:
    """Letters drowned in combining marks."""
    letter = st.tuples(st.sampled_from("kathyruth"), st.text(COMBINING, min_size=1, max_size=12))
    return st.lists(letter, max_size=40).map(lambda parts: "".join(a + b for a, b in parts))


def long_text(alphabet: st.SearchStrategy[str] = ANY_CHAR, size: int = 10_000) -> Any:
    """Exactly `size` characters: a short random unit repeated (Hypothesis keeps it small)."""
    return st.text(alphabet, min_size=1, max_size=30).map(lambda unit: (unit * size)[:size])


def hostile_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """The mix a hostile or careless user produces: all of the above, and ordinary words."""
    pieces = st.one_of(
        st.text(ANY_CHAR, max_size=20),
        st.text(CONTROL, max_size=8),
        st.text(RTL, max_size=8),
        st.text(PUNCTUATION, max_size=8),
        MENTIONS,
        MARKUP,
        st.sampled_from(["Kathy", "Hailsham", "who directed the film", "Plot", "?", "Ruth"]),
    )
    return st.one_of(
        st.text(ANY_CHAR, max_size=max_size),
        st.lists(pieces, max_size=30).map("".join),
        zalgo(),
        st.text(PUNCTUATION, max_size=max_size),
        st.text(CONTROL, max_size=50),
    )


QUESTIONS = st.one_of(
    hostile_text(),
    long_text(),
    long_text(PUNCTUATION),
    st.sampled_from(["", " ", "\x00", "?" * 10_000, "\u202e" * 10_000, "a\u0301" * 5_000]),
)

ARTICLE_LINES = st.one_of(
    st.sampled_from(
        [
            "= Title =",
            "=Title=",
            "= =",
            "=",
            "==",
            "== Plot ==",
            "==Plot==",
            "=== Sub ===",
            "== Bad =",
            "======= Deep =======",
            "- Author: Someone",
            "- Key:",
            "* item",
            "• bullet – dash: colon",
            "",
            "   ",
            "\ufeff= BOM title =",
        ]
    ),
    hostile_text(80),
)
ARTICLES = st.one_of(
    st.text(ANY_CHAR, max_size=400),
    st.tuples(st.lists(ARTICLE_LINES, max_size=25), st.sampled_from(["\n", "\r\n", "\r"])).map(
        lambda t: t[1].join(t[0])
    ),
)


@st.composite
def citations(draw: st.DrawFn) -> Citation:
    """A citation with arbitrary (often hostile) article, section and text."""
    text = draw(st.one_of(hostile_text(), long_text(size=draw(st.integers(1, 6000)))))
    section = draw(
        st.one_of(st.sampled_from(["Plot", "Plot › Ending", "Lead", ""]), hostile_text(60))
    )
    return Citation(draw(hostile_text(80)), section, text)


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    """Any `Answer`: abstaining or not, 0–15 citations, any confidence, maybe a notice."""
    text = draw(st.one_of(st.none(), hostile_text(), long_text(size=draw(st.integers(1, 9000)))))
    confidence = draw(st.one_of(st.floats(0, 1), st.floats(allow_nan=True, allow_infinity=True)))
    return Answer(
        question=draw(st.one_of(hostile_text(), long_text(size=3000))),
        text=text,
        citations=tuple(draw(st.lists(citations(), max_size=15))),
        confidence=confidence,
        notice=draw(st.one_of(st.none(), hostile_text(200))),
    )


# ----- checks --------------------------------------------------------------------------------

ACTIVE_MENTION = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>")


def embed_texts(embed: discord.Embed) -> Iterable[str]:
    """Every piece of text in an embed that Discord renders."""
    data = embed.to_dict()
    yield data.get("title") or ""
    yield data.get("description") or ""
    yield (data.get("footer") or {}).get("text") or ""
    yield (data.get("author") or {}).get("name") or ""
    for field in data.get("fields") or []:
        yield field.get("name") or ""
        yield field.get("value") or ""


def assert_within_limits(messages: list[list[discord.Embed]]) -> None:
    """Every Discord embed limit, per embed and per message, and no active mention anywhere."""
    assert messages
    for embeds in messages:
        assert 1 <= len(embeds) <= 10
        assert sum(len(e) for e in embeds) <= 6000
        for embed in embeds:
            data = embed.to_dict()
            assert len(data.get("title") or "") <= 256
            assert len(data.get("description") or "") <= 4096
            assert len(data.get("fields") or []) <= 25
            for field in data.get("fields") or []:
                assert 1 <= len(field["name"]) <= 256
                assert 1 <= len(field["value"]) <= 1024
            assert len((data.get("footer") or {}).get("text") or "") <= 2048
            assert len((data.get("author") or {}).get("name") or "") <= 256
            assert len(embed) <= 6000
            for text in embed_texts(embed):
                assert not ACTIVE_MENTION.search(text), text[:200]


def run_counted(name: str, minimum: int, test: Callable[[], None], counter: list[int]) -> None:
    """Run a Hypothesis test, print how many examples it tried, and insist on a floor."""
    test()
    print(f"\n{name}: {counter[0]} examples")
    assert counter[0] >= minimum, f"{name} ran only {counter[0]} examples"


# ----- parser ------------------------------------------------------------------------------


def test_parser_fails_only_with_article_error() -> None:
    seen = [0]

    @bounded(600)
    @given(ARTICLES)
    def check(text: str) -> None:
        seen[0] += 1
        try:
            article = parse_article(text, "hostile.txt")
        except ArticleError as exc:
            assert exc.source == "hostile.txt" and exc.line >= 0 and exc.reason
            return
        assert isinstance(article, Article) and article.title.strip()
        for block in article.blocks:
            assert 1 <= block.line <= text.count("\n") + text.count("\r") + 1
        # anything that parses can be indexed and asked (the real encoder: tests/knowledge)
        Library([article], encoder=HashingEncoder()).ask("what is it?")

    run_counted("parse_article", 300, check, seen)


def test_article_files_of_any_bytes_fail_only_with_article_error(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    seen = [0]

    @bounded(200)
    @given(st.one_of(st.binary(max_size=300), ARTICLES.map(lambda t: t.encode("utf-8", "replace"))))
    def check(data: bytes) -> None:
        seen[0] += 1
        path = Path(folder, "article.txt")
        path.write_bytes(data)
        try:
            load_article(path)
        except ArticleError as exc:
            assert exc.source == str(path)

    run_counted("load_article (bytes)", 100, check, seen)


# ----- retrieval ---------------------------------------------------------------------------


def test_ask_always_returns_a_valid_answer(seed_library: Library) -> None:
    seen = [0]

    @bounded(1000)
    @given(QUESTIONS)
    def check(question: str) -> None:
        seen[0] += 1
        answer = seed_library.ask(question)
        assert isinstance(answer, Answer)
        data = answer.to_dict()
        assert set(data) == ANSWER_KEYS
        json.loads(json.dumps(data))  # JSON-serialisable (lone surrogates are escaped)
        json.loads(answer_json(answer).encode("utf-8", "surrogatepass"))
        assert data["answer"] is None or isinstance(data["answer"], str)
        assert math.isfinite(answer.confidence) and 0.0 <= answer.confidence <= 1.0
        assert len(answer.citations) <= 3
        for citation in data["citations"]:
            assert set(citation) == CITATION_KEYS and all(
                isinstance(v, str) for v in citation.values()
            )

    run_counted("Library.ask", 200, check, seen)


# ----- rendering ---------------------------------------------------------------------------


def test_answer_renderers_fit_discord_and_never_ping() -> None:
    seen = [0]

    @bounded(200)
    @given(answers(), st.booleans())
    def check(answer: Answer, spoil: bool) -> None:
        seen[0] += 1
        sections = ("Plot", "Ending")
        assert_within_limits(pack([answer_embed(answer, spoil=spoil, spoiler_sections=sections)]))
        more = sources_embed(answer, start=0, spoil=spoil, spoiler_sections=sections)
        if more is not None:
            assert_within_limits(pack([more]))
        asked = answer.question
        suggestions = [c.section for c in answer.citations]
        assert_within_limits(pack([fact_embed(answer, asked, suggestions)]))
        assert isinstance(answer_text(answer), str)  # the terminal renderer never raises

    run_counted("answer_embed/sources_embed/fact_embed/answer_text", 100, check, seen)


@st.composite
def articles(draw: st.DrawFn) -> Article:
    """An `Article` built directly, with hostile titles, headings, fields and text."""
    paths = draw(st.lists(st.lists(hostile_text(60), min_size=1, max_size=3), max_size=30))
    sections = tuple(tuple(p) for p in paths)
    blocks = tuple(
        Block(path, draw(hostile_text(200)), n + 1) for n, path in enumerate(sections[:10])
    )
    fields = tuple(
        InfoField(draw(hostile_text(40)), draw(hostile_text(80)), n)
        for n in range(draw(st.integers(0, 5)))
    )
    return Article(draw(hostile_text(100)) or "T", "x.txt", fields, blocks, sections)


def test_section_and_about_renderers_fit_discord_and_never_ping() -> None:
    seen = [0]

    @bounded(100)
    @given(
        hostile_text(120),
        st.lists(hostile_text(60), max_size=4),
        st.one_of(hostile_text(2000), long_text(size=30_000)),
        st.booleans(),
        st.lists(articles(), max_size=4),
    )
    def check(title: str, path: list[str], text: str, spoil: bool, loaded: list[Article]) -> None:
        seen[0] += 1
        assert_within_limits(section_messages(title, path, text, spoil=spoil))
        library = Library.__new__(Library)  # skip indexing: the renderer reads only .articles
        library.articles = tuple(loaded)
        assert_within_limits(pack(about_embeds(library)))

    run_counted("section_messages/about_embeds", 50, check, seen)


# ----- regressions Hypothesis found ---------------------------------------------------------


def test_title_line_with_no_title_is_an_article_error() -> None:
    with pytest.raises(ArticleError, match="no title") as caught:
        parse_article("\n= =\n\nSome prose.\n", "blank.txt")
    assert caught.value.line == 2


def test_footers_never_carry_a_mention() -> None:
    hostile = Citation("@everyone <@&77>", "Plot", "text")
    answered = Answer("q", "a", (hostile,) * 4, 0.5)
    abstained = Answer("q", None, (hostile,), 0.1)
    embeds = [
        answer_embed(answered),
        answer_embed(abstained),
        fact_embed(Answer("k?", "v", (hostile,), 1.0), "k"),
        *section_messages("A", ["@here"], "text")[0],
    ]
    more = sources_embed(answered, start=0)
    assert more is not None
    for embed in [*embeds, more]:
        assert embed.footer.text and not ACTIVE_MENTION.search(embed.footer.text)
