"""Retrieval by question kind, abstention, bad input and several articles at once."""

from __future__ import annotations

import pytest

from knowledge import Answer, Library, parse_article
from knowledge.index import FactKind
from knowledge.settings import Settings


def _answered(answer: Answer) -> str:
    assert answer.text is not None, f"abstained on {answer.question!r}"
    return answer.text + " " + answer.citations[0].text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who wrote it?", "Kazuo Ishiguro"),
        ("How many pages does it have?", "288"),
        ("who published the book", "Faber and Faber"),
        ("what language is it in", "English"),
    ],
)
def test_infobox_fields_answer_directly(
    seed_library: Library, question: str, expected: str
) -> None:
    answer = seed_library.ask(question)
    assert answer.text == expected
    assert answer.citations[0].section == "Infobox"


def test_the_design_card_question(seed_library: Library) -> None:
    answer = seed_library.ask("who directed the film?")
    assert answer.text == "Mark Romanek"
    assert answer.citations[0].article == "Never Let Me Go (novel)"
    assert answer.citations[0].section in {"Adaptations", "Lead"}
    assert Settings().abstain_below <= answer.confidence <= 1.0


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who directd the flim", "Romanek"),
        pytest.param(
            "wen did the movie come out",
            "2010",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known miss: the semantic channel prefers the 1956 film of the title "
                "song, and the calibrated confidence then falls below the cutoff",
            ),
        ),
        ("whos the head of the schol", "Emily"),
    ],
)
def test_typos_are_tolerated(seed_library: Library, question: str, expected: str) -> None:
    assert expected in _answered(seed_library.ask(question))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("who made the movie version", "Romanek"),
        ("how long is the book", "288"),
        ("when did it come out", "2005"),
        ("how old is Kathy", "31"),
    ],
)
def test_paraphrases_find_the_fact(seed_library: Library, question: str, expected: str) -> None:
    assert expected in _answered(seed_library.ask(question))


def test_citations_carry_section_paths(seed_library: Library) -> None:
    answer = seed_library.ask("What did Theo Tait call the novel?")
    assert answer.citations[0].section == "Reception › Critical reception"
    assert len(answer.citations) <= 3


@pytest.mark.parametrize(
    "question",
    ["what is the capital of France", "how much did the film gross", "asdfgh", "tell me a joke"],
)
def test_abstains_when_the_article_does_not_say(seed_library: Library, question: str) -> None:
    answer = seed_library.ask(question)
    assert answer.text is None
    assert len(answer.citations) <= 3


@pytest.mark.parametrize(
    "question",
    ["", "   \n\t ", "x" * 10_000, "🙂🙂🙂", "\x00\x01\x02\ufffd", "@everyone", "‮مرحبا‬"],
)
def test_bad_input_gives_a_valid_answer(seed_library: Library, question: str) -> None:
    answer = seed_library.ask(question)
    assert isinstance(answer, Answer)
    assert answer.text is None
    assert answer.to_dict()["answer"] is None


def test_unusable_input_explains_itself(seed_library: Library) -> None:
    assert "Ask me" in (seed_library.ask("   ").notice or "")
    assert "1,000" in (seed_library.ask("why " * 3000).notice or "")
    assert "words" in (seed_library.ask("?!…").notice or "")


def test_other_articles_work_without_special_code(other_library: Library) -> None:
    assert other_library.ask("who directed harbour light").text == "Ines Valdari"
    assert other_library.ask("how long is the film").text == "112 minutes"
    assert "Sæther" in _answered(other_library.ask("who composed the score"))
    frogs = other_library.ask("where do glass frogs live")
    assert frogs.citations[0].article == "Glass Frogs"
    assert other_library.ask("what is the capital of Peru").text is None


def test_every_fact_knows_its_article(seed_library: Library, other_library: Library) -> None:
    both = Library([*seed_library.articles, *other_library.articles])
    assert {f.article for f in both.index.facts} == {
        "Never Let Me Go (novel)",
        "Harbour Light (film)",
        "Glass Frogs",
    }
    assert both.ask("who directed harbour light").text == "Ines Valdari"
    assert both.ask("who wrote never let me go").text == "Kazuo Ishiguro"


def test_every_fact_has_a_kind(other_library: Library) -> None:
    """Infobox lines, list items and sentences are told apart by `FactKind`."""
    by_kind: dict[FactKind, list[str]] = {}
    for fact in other_library.index.facts:
        by_kind.setdefault(FactKind(fact.kind), []).append(fact.text)
    assert set(by_kind) == set(FactKind)
    assert any(text.startswith("Director") for text in by_kind[FactKind.INFOBOX])
    assert any(text.startswith("Lena Ostrova") for text in by_kind[FactKind.ITEM])
    assert not any(text.startswith("Director") for text in by_kind[FactKind.SENTENCE])


def test_empty_library_abstains() -> None:
    assert Library([]).ask("who wrote it?").text is None


def test_fact_lookup_by_key(seed_library: Library) -> None:
    assert seed_library.fact("pages").text == "288"
    assert seed_library.fact("isbn").text == "1-4000-4339-5"
    assert seed_library.fact("zzzz").text is None


def test_article_without_infobox_answers_from_sentences() -> None:
    library = Library([parse_article("= Moss =\n\nMoss grows on north-facing rocks in Wales.\n")])
    answer = library.ask("where does moss grow")
    assert answer.text is not None and "Wales" in answer.text + answer.citations[0].text


@pytest.mark.parametrize("question", ["what is the book about?", "tell me about the novel"])
def test_questions_about_the_work_itself_get_its_summary(
    seed_library: Library, question: str
) -> None:
    answer = seed_library.ask(question)
    assert answer.citations[0].section == "Lead"
    assert answer.text is not None and answer.text.startswith("Never Let Me Go is a 2005")


def test_head_noun_picks_the_field_it_names(seed_library: Library) -> None:
    assert seed_library.ask("what language was it written in").text == "English"
    assert seed_library.ask("what is the isbn of the first edition").text == "1-4000-4339-5"


def test_question_naming_only_a_place_gets_its_description(seed_library: Library) -> None:
    answer = seed_library.ask("what is hailsham")
    assert "boarding school" in answer.citations[0].text


def test_more_citations_on_request(seed_library: Library) -> None:
    usual = seed_library.ask("who directed the film?")
    more = seed_library.ask("who directed the film?", max_citations=8)
    assert len(usual.citations) == 3 and len(more.citations) > 3
    assert more.citations[:3] == usual.citations and more.text == usual.text


def test_a_title_from_another_article_is_not_answered_here(seed_library: Library) -> None:
    assert seed_library.ask("who directed harbour light").text is None


def test_fact_counts_per_article(seed_library: Library, other_library: Library) -> None:
    counts = Library([*seed_library.articles, *other_library.articles]).fact_counts()
    assert set(counts) == {"Never Let Me Go (novel)", "Harbour Light (film)", "Glass Frogs"}
    # 13 infobox facts (the ISBN note joins the ISBN) plus one per sentence and list item
    assert counts["Never Let Me Go (novel)"] > 13 + 60
    assert counts["Glass Frogs"] == 5  # two paragraphs of two and three sentences


def test_pronoun_led_snippets_carry_their_lead_in() -> None:
    library = Library(
        [parse_article("= Ada =\n\nAda Byron met Babbage in 1833. She wrote the first program.\n")]
    )
    answer = library.ask("who wrote the first program")
    assert answer.text == "Ada Byron"  # who "she" is, from the sentence before
    assert answer.citations[0].text == (
        "Ada Byron met Babbage in 1833. She wrote the first program."
    )


def test_measure_questions_want_a_measure() -> None:
    text = (
        "= Tall Tower =\n\nThe Tall Tower wrecked forty ships before it was lit.\n\n"
        "== Building ==\nThe tower, 138 feet high, was finished in 1851 by ninety masons.\n"
    )
    library = Library([parse_article(text)])
    assert library.ask("how tall is the tower").text == "138 feet"  # with its unit
    assert library.ask("how many ships did it wreck").text == "forty"


def test_no_sentence_is_cited_twice(seed_library: Library) -> None:
    """A sentence, then the same sentence with its lead-in, would be one citation twice."""
    import json
    from pathlib import Path

    dev = Path(__file__).resolve().parents[1] / "data" / "dev_qa.jsonl"
    questions = [json.loads(line)["question"] for line in dev.read_text("utf-8").splitlines()]
    for question in [*questions, "what is the book about?", "tell me about the novel"]:
        texts = [c.text for c in seed_library.ask(question, max_citations=8).citations]
        for i, text in enumerate(texts):
            assert not any(text in other for j, other in enumerate(texts) if j != i), question


def test_a_close_answer_from_another_article_is_offered_too() -> None:
    """Two films on the shelf: "who directed the film?" says which, and offers the other."""
    films = [
        parse_article(
            f"= {title} (film) =\n\n- Directed By: {director}\n\n"
            f"{title} is a 1990s film directed by {director}.\n"
        )
        for title, director in (("Salt Road", "Ana Ruiz"), ("Glass River", "Tomas Byrne"))
    ]
    library = Library(films)
    answer = library.ask("who directed the film?")
    assert answer.text in {"Ana Ruiz", "Tomas Byrne"}
    assert answer.also is not None
    assert answer.also.article != answer.citations[0].article
    assert answer.to_dict()["also"]["article"] == answer.also.article
    named = library.ask("who directed salt road?")  # the question picks the article
    assert named.text == "Ana Ruiz" and named.also is None


def test_one_article_offers_nothing_else(seed_library: Library) -> None:
    assert seed_library.ask("who directed the film?").also is None
