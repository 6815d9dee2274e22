"""The reader: short answers bound to what the question asks, never a wrong name."""

from __future__ import annotations

import pytest

from knowledge import parse_article
from knowledge.candidate import Candidate
from knowledge.index import Fact, build_index
from knowledge.query import read_question
from knowledge.reader import ExtractiveReader

ARTICLE = """= Tidewater (film) =

- Directed By: Ana Ruiz

Tidewater is a 2004 film.

== Cast ==
Ana Ruiz directed it, starring Carey Bright as Kathy, Andrew Gale as Tommy and Keira Holt as Ruth.

== Production ==
Filming took place in Galway during the Best Picture campaign of Universal Pictures.
None of the sequels was directed by Steven Marsh.
The film was shot on 35 mm film.
The crew did not use digital cameras.
"""


@pytest.fixture(scope="module")
def index():
    return build_index([parse_article(ARTICLE, "tidewater.txt")])


def read(index, question: str, contains: str) -> str | None:
    fact: Fact = next(f for f in index.facts if contains in f.text)
    return ExtractiveReader().read(read_question(index, question), Candidate(fact))


def test_the_name_bound_to_the_role_asked_about(index) -> None:
    assert read(index, "who played Tommy?", "as Tommy") == "Andrew Gale"
    assert read(index, "who played ruth", "as Tommy") == "Keira Holt"


def test_a_place_is_what_stands_after_in_or_at(index) -> None:
    assert read(index, "where was it filmed?", "Galway") == "Galway"


def test_no_name_from_a_sentence_that_denies(index) -> None:
    assert read(index, "who directed the sequels?", "None of the sequels") is None


def test_yes_only_when_the_sentence_says_every_word(index) -> None:
    assert read(index, "was the film shot on 35 mm film?", "35 mm") == "Yes"
    assert read(index, "did the crew use digital cameras?", "digital cameras") == "No"
    assert read(index, "was it a box office hit?", "35 mm") is None


def test_infobox_values_are_the_answer(index) -> None:
    assert read(index, "who directed it?", "Directed By") == "Ana Ruiz"
