"""Embed builders stay inside Discord's limits, escape text and hide spoilers only in guilds."""

from __future__ import annotations

import re

import discord
import pytest

from bot import embeds as E
from bot.safety import escape_text, spoiler, truncate
from knowledge import Answer, Citation

ARTICLE = "Never Let Me Go (novel)"


def paragraph(n: int, words: int = 40) -> str:
    return " ".join(f"Sentence {n}.{i} has words." for i in range(words // 4))


def assert_within_limits(embeds: list[discord.Embed]) -> None:
    assert 1 <= len(embeds) <= E.MAX_EMBEDS
    assert sum(len(e) for e in embeds) <= E.TOTAL_LIMIT
    for embed in embeds:
        assert len(embed.title or "") <= E.TITLE_LIMIT
        assert len(embed.description or "") <= E.DESCRIPTION_LIMIT
        assert len(embed.fields) <= E.MAX_FIELDS
        for field in embed.fields:
            assert 0 < len(field.name) <= E.FIELD_NAME_LIMIT
            assert 0 < len(field.value) <= E.FIELD_VALUE_LIMIT
        assert len(embed.footer.text or "") <= E.FOOTER_LIMIT
        # the payload Discord receives must be well-formed too
        embed.to_dict()


# -- split_text ------------------------------------------------------------------------------


def test_ten_thousand_char_section_splits_on_paragraphs() -> None:
    paragraphs = [paragraph(n, 60) for n in range(60)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 10_000
    chunks = E.split_text(text, 2800)
    assert len(chunks) >= 4
    assert all(len(c) <= 2800 for c in chunks)
    # nothing lost, nothing cut mid-paragraph: every chunk is a run of whole paragraphs
    rebuilt = [p for chunk in chunks for p in chunk.split("\n\n")]
    assert rebuilt == paragraphs


def test_giant_paragraph_splits_on_sentences() -> None:
    sentences = [f"This is sentence number {i} of a very long paragraph." for i in range(250)]
    text = " ".join(sentences)
    assert len(text) > 10_000
    chunks = E.split_text(text, 1000)
    assert all(len(c) <= 1000 for c in chunks)
    for chunk in chunks:
        assert chunk.endswith("."), chunk[-40:]
        assert chunk.startswith("This is sentence")
    assert " ".join(chunks) == text


def test_unbreakable_word_is_hard_cut_without_splitting_escapes() -> None:
    text = "\\*" * 600  # an escaped run: 1,200 chars, no spaces
    chunks = E.split_text(text, 101)
    assert "".join(chunks) == text
    assert all(len(c) <= 101 for c in chunks)
    for chunk in chunks:  # every chunk is whole "\\*" pairs: no escape is split
        assert len(chunk) % 2 == 0 and chunk.startswith("\\")


def test_hard_cut_never_leaves_a_lone_trailing_backslash() -> None:
    text = "a\\*" * 500
    for chunk in E.split_text(text, 100):
        trailing = len(chunk) - len(chunk.rstrip("\\"))
        assert trailing % 2 == 0


def test_split_text_rejects_bad_limit_and_empties() -> None:
    assert E.split_text("   \n\n  ", 10) == []
    with pytest.raises(ValueError):
        E.split_text("x", 0)


# -- section messages ------------------------------------------------------------------------


def test_section_messages_fit_every_limit() -> None:
    text = "\n\n".join(paragraph(n, 80) for n in range(45))
    assert len(text) >= 10_000
    messages = E.section_messages(ARTICLE, ("Plot",), text)
    assert len(messages) >= 2
    for embeds in messages:
        assert_within_limits(embeds)
    joined = "\n\n".join(e.description for m in messages for e in m)
    assert "Sentence 0.0" in joined and "Sentence 44.0" in joined
    assert messages[0][0].title == f"{escape_text(ARTICLE)} › Plot"


def test_section_messages_spoil_every_chunk() -> None:
    text = "\n\n".join(paragraph(n, 80) for n in range(45))
    messages = E.section_messages(ARTICLE, ("Plot",), text, spoil=True)
    for embeds in messages:
        assert_within_limits(embeds)
        for embed in embeds:
            assert embed.description.startswith("||") and embed.description.endswith("||")
            assert embed.description.count("||") == 2


def test_section_messages_cap_and_note_the_rest() -> None:
    text = "\n\n".join(paragraph(n, 80) for n in range(400))
    messages = E.section_messages(ARTICLE, ("Plot",), text, max_messages=2)
    assert len(messages) <= 2
    assert "more characters not shown" in messages[-1][-1].footer.text


def test_section_keeps_subheading_bold_but_escapes_text() -> None:
    text = "**Awards**\n\nShe said *hi* to @everyone <@123456789012345678>"
    embed = E.section_messages(ARTICLE, ("Reception",), text)[0][0]
    assert embed.description.startswith("**Awards**")
    assert "\\*hi\\*" in embed.description
    assert "@everyone" not in embed.description
    assert "<@123456789012345678>" not in embed.description


def test_empty_section_gets_a_note() -> None:
    embeds = E.section_messages(ARTICLE, ("Empty",), "")[0]
    assert "empty" in embeds[0].description


# -- answers ---------------------------------------------------------------------------------


def cite(section: str, text: str, article: str = ARTICLE) -> Citation:
    return Citation(article, section, text)


def test_answer_embed_layout_and_limits() -> None:
    citations = tuple(cite(f"Section {i}", "x " * 2000) for i in range(6))
    answer = Answer("Who is Kathy?", "A carer. " * 600, citations, 0.73)
    embed = E.answer_embed(answer)
    assert_within_limits([embed])
    assert embed.description.startswith("A carer.")
    assert [f.name for f in embed.fields] == ["Section 0", "Section 1", "Section 2"]
    assert all(len(f.value) <= E.SNIPPET_CHARS for f in embed.fields)
    assert ARTICLE in embed.footer.text and "73%" in embed.footer.text
    assert embed.title == "Who is Kathy?"


def test_answer_embed_escapes_question_mentions_and_markdown() -> None:
    question = "**bold** @everyone <@123456789012345678> @here"
    answer = Answer(question, "_yes_", (cite("Lead", "a `code` > quote"),), 0.5)
    embed = E.answer_embed(answer)
    for text in (embed.title, embed.description, embed.fields[0].value):
        assert "@everyone" not in text and "@here" not in text
        assert "<@123456789012345678>" not in text
    assert embed.title.startswith("\\*\\*bold\\*\\*")
    assert embed.description == "\\_yes\\_"
    assert "\\`code\\`" in embed.fields[0].value


@pytest.mark.parametrize("spoil", [True, False])
def test_spoiler_sections_wrapped_only_when_spoiling(spoil: bool) -> None:
    answer = Answer(
        "What happens to Ruth?",
        "She completes.",
        (cite("Plot", "Ruth *completes*."), cite("Reception", "Praised.")),
        0.9,
    )
    embed = E.answer_embed(answer, spoil=spoil, spoiler_sections=("plot",))
    plot, reception = embed.fields
    if spoil:
        assert embed.description == "||She completes.||"
        assert plot.value == "||Ruth \\*completes\\*.||"  # escaped before wrapping
    else:
        assert embed.description == "She completes."
        assert plot.value == "Ruth \\*completes\\*."
    assert reception.value == "Praised."


def test_nested_spoiler_section_and_existing_bars_cannot_break_out() -> None:
    answer = Answer("q", "a", (cite("Plot › Ending", "a || b"),), 0.9)
    value = E.answer_embed(answer, spoil=True, spoiler_sections=("Plot",)).fields[0].value
    assert value == "||a \\|\\| b||"


def test_long_spoiler_snippet_keeps_closing_bars() -> None:
    answer = Answer("q", "a", (cite("Plot", "word " * 1000),), 0.9)
    value = E.answer_embed(answer, spoil=True, spoiler_sections=("Plot",)).fields[0].value
    assert value.startswith("||") and value.endswith("…||")
    assert len(value) <= E.SNIPPET_CHARS


def test_abstain_shows_did_you_mean_not_an_answer() -> None:
    near = tuple(cite(f"S{i}", f"near miss {i}") for i in range(5))
    answer = Answer("What is the capital of Mars?", None, near, 0.1)
    embed = E.answer_embed(answer)
    assert embed.description.startswith("The article doesn't say")
    assert "Did you mean" in embed.description
    assert embed.description.count("• ") == 3
    assert "near miss 3" not in embed.description
    assert embed.fields == []


def test_abstain_with_notice_and_no_citations() -> None:
    embed = E.answer_embed(Answer("???", None, (), 0.0, notice="That isn't a question."))
    assert embed.description.startswith("That isn't a question.")
    assert "Did you mean" not in embed.description


def test_sources_embed_shows_only_the_rest() -> None:
    citations = tuple(cite(f"S{i}", f"text {i}") for i in range(5))
    answer = Answer("q", "a", citations, 0.8)
    embed = E.sources_embed(answer)
    assert [f.name for f in embed.fields] == ["S3", "S4"]
    assert E.sources_embed(Answer("q", "a", citations[:3], 0.8)) is None
    assert E.sources_embed(Answer("q", None, citations, 0.1)) is None


def test_clamp_and_pack_enforce_totals() -> None:
    embeds = []
    for _ in range(14):
        embed = discord.Embed(title="t" * 300, description="d" * 5000)
        for _ in range(30):
            embed.add_field(name="n" * 300, value="v" * 2000)
        embed.set_footer(text="f" * 3000)
        embeds.append(embed)
    messages = E.pack(embeds)
    assert sum(len(m) for m in messages) == 14
    for message in messages:
        assert_within_limits(message)


def test_fit_keeps_spoilers_closed() -> None:
    text = spoiler("x " * 1000)
    out = E.fit(text, 100)
    assert len(out) <= 100 and out.startswith("||") and out.endswith("||")


def test_fact_embed_answer_and_miss() -> None:
    hit = Answer("Author?", "Kazuo Ishiguro", (cite("Infobox", "Author: Kazuo Ishiguro"),), 1.0)
    embed = E.fact_embed(hit, "author")
    assert (embed.title, embed.description) == ("Author", "Kazuo Ishiguro")
    miss = E.fact_embed(Answer("x?", None), "@everyone", ["Author", "Pages"])
    assert "@everyone" not in miss.description and "Author, Pages" in miss.description


def test_about_and_help_fit() -> None:
    from knowledge import Library, parse_article

    articles = []
    for n in range(40):
        sections = "\n".join(f"== Section {n}-{s} ==\nText." for s in range(40))
        articles.append(parse_article(f"= Article {n} =\n- Key: Value\n\nLead.\n{sections}"))
    embeds = E.about_embeds(Library(articles, encoder=None))  # layout only: no model needed
    assert_within_limits(embeds)
    assert "40 article(s)" in embeds[0].description
    assert_within_limits(E.about_embeds(Library((), encoder=None)))
    assert_within_limits([E.help_embed()])


def test_truncate_word_boundary_and_limit() -> None:
    assert truncate("hello world again", 12) == "hello world…"
    assert len(truncate("x" * 50, 10)) == 10
    assert truncate("short", 10) == "short"
    assert not re.search(r"(?<!\\)\\…$", truncate("ab\\*" * 20, 11))


# -- links to the source page ----------------------------------------------------------------

JAWS_URL = "https://en.wikipedia.org/wiki/Jaws_(film)"


def test_citations_link_to_the_section_on_the_source_page() -> None:
    answer = Answer(
        "who directed it?",
        "Steven Spielberg",
        (
            Citation(
                "Jaws (film)", "Production › Filming", "Filming began.", f"{JAWS_URL}#Filming"
            ),
            Citation("Jaws (film)", "Infobox", "Director: Steven Spielberg", JAWS_URL),
            Citation(ARTICLE, "Plot", "No source here."),
        ),
        0.9,
    )
    embed = E.answer_embed(answer)
    first, second, third = (f.value for f in embed.fields)
    assert first.endswith(
        "[↗ Read this section on en.wikipedia.org]"
        "(https://en.wikipedia.org/wiki/Jaws_%28film%29#Filming)"
    )
    assert second.endswith(
        "[↗ Read it on en.wikipedia.org](https://en.wikipedia.org/wiki/Jaws_%28film%29)"
    )
    assert "](" not in third  # an article without a Source: line has no link
    assert_within_limits([embed])


def test_only_web_links_of_sane_length_are_shown() -> None:
    assert E.markdown_url("javascript:alert(1)") is None
    assert E.markdown_url("https://x.org/" + "a" * 600) is None
    assert E.source_link(Citation("A", "S", "t", "ftp://x.org/a")) == ""
    long_snippet = Citation("A", "Plot", "word " * 400, "https://x.org/" + "b" * 480)
    embed = E.answer_embed(
        Answer("q", "a", (long_snippet,), 0.9), spoil=True, spoiler_sections=("Plot",)
    )
    value = embed.fields[0].value
    assert value.startswith("||") and value.endswith(")")  # spoiler closed, link whole
    assert_within_limits([embed])


def test_fact_and_section_embeds_link_their_titles() -> None:
    fact = Answer(
        "director?",
        "Steven Spielberg",
        (Citation("Jaws (film)", "Infobox", "Director: Steven Spielberg", JAWS_URL),),
        1.0,
    )
    assert E.fact_embed(fact, "director").url == "https://en.wikipedia.org/wiki/Jaws_%28film%29"
    messages = E.section_messages("Jaws (film)", ("Plot",), "Text.", url=f"{JAWS_URL}#Plot")
    assert messages[0][0].url.endswith("Jaws_%28film%29#Plot")
    assert E.section_messages("A", ("Plot",), "Text.")[0][0].url is None
