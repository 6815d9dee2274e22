"""The reader: short answers bound to what the question asks, never a wrong name."""

from __future__ import annotations

import numpy as np
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


DATES = """= Harbour Wall =

Harbour Wall is a 2011 novel.

== History ==
Work on the wall went on from 1562 to 1598, when the town was rebuilt.
The novel was published on 7 September 2011 by Gull Books in Leith.
It sold 40,000 copies at the 11th Leith Book Fair and won six prizes.
The film adaptation runs for 104 minutes.
The launch party drew more than 300 guests.
Restoring the wall cost about £4,000.
The launch was hosted in Dublin by the editor Maeve Lennon.
She had a single funnel and two masts.
Critics at the Herald were less enthusiastic about the ending.
"""


@pytest.fixture(scope="module")
def dated():
    return build_index([parse_article(DATES, "harbour_wall.txt")])


def test_when_gets_the_whole_date_or_range_the_sentence_gives(dated) -> None:
    assert read(dated, "when was the novel published?", "published on") == "7 September 2011"
    assert read(dated, "what year was the novel published?", "published on") == "2011"
    assert read(dated, "when did work on the wall go on?", "from 1562") == "from 1562 to 1598"


def test_counts_are_not_ordinals_and_keep_their_unit(dated) -> None:
    assert read(dated, "how many prizes did it win?", "six prizes") in {"40,000", "six"}
    assert read(dated, "how many prizes did it win?", "six prizes") != "11th"
    assert read(dated, "how long does the film adaptation run?", "104") == "104 minutes"


def test_a_number_keeps_how_exact_the_sentence_says_it_is(dated) -> None:
    assert read(dated, "how many guests came to the launch?", "300 guests") == "more than 300"
    assert read(dated, "how much did restoring the wall cost?", "Restoring") == "about £4,000"


def test_a_person_is_not_the_place_after_in(dated) -> None:
    assert read(dated, "who hosted the launch?", "hosted") == "Maeve Lennon"


def test_yes_no_needs_the_phrase_and_the_predicate(dated) -> None:
    assert read(dated, "did she have two funnels?", "single funnel") is None
    assert read(dated, "did the herald critics like the ending?", "less enthusiastic") is None


def test_a_doubtful_span_gives_way_to_the_sentence(dated) -> None:
    from knowledge.extract import SPAN_FEATURES
    from knowledge.ranker import LinearModel

    n = len(SPAN_FEATURES)

    def model(bias: float) -> LinearModel:
        return LinearModel(SPAN_FEATURES, np.zeros(n), np.ones(n), np.zeros(n), bias)

    query = read_question(dated, "who hosted the launch?")
    fact = next(f for f in dated.facts if "hosted" in f.text)
    sure = ExtractiveReader(model(3.0), min_probability=0.5).read(query, Candidate(fact))
    doubtful = ExtractiveReader(model(-3.0), min_probability=0.5).read(query, Candidate(fact))
    assert sure == "Maeve Lennon"
    assert doubtful is None  # the answer is then the sentence itself


def test_the_shipped_span_model_loads() -> None:
    from knowledge.reader import load_span_model

    assert load_span_model() is not None
