"""`read_followup`: which questions lean on the previous one, and how they are read."""

from __future__ import annotations

import itertools
import json

import pytest

from bot.followup import read_followup
from tests.conftest import DATA


@pytest.mark.parametrize(
    ("previous", "question", "read_as"),
    [
        ("who played Ruth in the film?", "and Tommy?", "who played Tommy in the film?"),
        ("who played Ruth?", "And Tommy?", "who played Tommy?"),
        ("who played Ruth?", "what about Tommy?", "who played Tommy?"),
        ("who played Ruth?", "how about Miss Emily?", "who played Miss Emily?"),
        ("who played Ruth?", "Tommy?", "who played Tommy?"),
        ("who is Kathy?", "Ruth too?", "who is Ruth?"),
        ("how old is Kathy at the start?", "and Ruth?", "how old is Ruth at the start?"),
        ("when was the novel published?", "and the film?", "when was the film published?"),
        ("when was it published?", "and the film?", "when was the film published?"),
        ("who wrote it?", "what about the screenplay?", "who wrote the screenplay?"),
        ("who played Ruth?", "what about the director?", "who is the director?"),
        ("how many pages?", "and the film?", "how many pages (the film)?"),
    ],
)
def test_elliptical_followups_fill_the_previous_question(
    previous: str, question: str, read_as: str
) -> None:
    assert read_followup(previous, question) == read_as


@pytest.mark.parametrize(
    ("previous", "question", "read_as"),
    [
        ("who played Ruth?", "how old was she?", "how old was Ruth?"),
        ("who is Kathy?", "what happened to her?", "what happened to Kathy?"),
        ("who is Kathy?", "who was her best friend?", "who was Kathy's best friend?"),
        ("where does Tommy live?", "what did he draw?", "what did Tommy draw?"),
        ("who is Kathy?", "what's her job?", "what's Kathy's job?"),
        ("who directed the film?", "when was that?", "when was that (who directed the film)?"),
        (
            "who directed the film?",
            "when did that happen?",
            "when did that happen (who directed the film)?",
        ),
    ],
)
def test_short_pronoun_questions_are_read_with_the_previous_question(
    previous: str, question: str, read_as: str
) -> None:
    assert read_followup(previous, question) == read_as


@pytest.mark.parametrize(
    "question",
    [
        "who directed the film?",  # a new topic starts fresh
        "and who wrote the screenplay?",  # "and" + a whole question
        "what is Hailsham?",
        "where was it filmed?",  # "it" is the article's subject, not the last answer
        "did she marry Tommy?",  # names someone: its pronoun is its own
        "thanks!",
        "ok cool",
        "help",
        "who wrote that book?",  # "that" is a determiner here
        "   ",
    ],
)
def test_questions_that_stand_alone_are_not_rewritten(question: str) -> None:
    assert read_followup("who played Ruth in the film?", question) is None


def test_without_a_previous_question_nothing_is_rewritten() -> None:
    assert read_followup(None, "and Tommy?") is None
    assert read_followup("", "how old was she?") is None


def test_a_pronoun_with_nobody_to_stand_for_is_left_alone() -> None:
    assert read_followup("when was the novel published?", "how old was she?") is None
    # the answer to "who was his wife?" is not who "he" is: the article's subject is
    assert read_followup("who was his wife", "what organisation did he work for") is None


def test_long_questions_with_pronouns_bring_their_own_referent() -> None:
    question = "what does Tommy do when his temper gets the better of him near the end"
    assert read_followup("who is Kathy?", question.replace("Tommy", "tommy")) is None


def test_no_question_of_the_evaluation_sets_is_taken_for_a_follow_up() -> None:
    """215 questions written to stand alone, asked one after another (typos, contractions,
    small talk, gibberish): none of them may be rewritten with the one before."""
    questions = [
        json.loads(line)["question"]
        for name in ("dev_qa.jsonl", "heldout/nlmg.jsonl", "heldout/engineer.jsonl")
        for line in (DATA / name).read_text("utf-8").splitlines()
        if line.strip()
    ]
    assert len(questions) > 200
    rewritten = [
        (previous, question, read)
        for previous, question in itertools.pairwise(questions)
        if (read := read_followup(previous, question)) is not None
    ]
    assert rewritten == []
