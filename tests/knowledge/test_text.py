"""Normalisation and sentence splitting shared by index and queries."""

from __future__ import annotations

from knowledge.text import content_terms, fold, split_sentences, stem, words


def test_fold_strips_accents_case_and_curly_quotes() -> None:
    assert fold("Café’S") == "cafe's"


def test_words_drop_possessives_and_spell_numbers() -> None:
    assert words("Kathy's sixteen friends, fourth time") == [
        "kathy",
        "16",
        "friends",
        "4th",
        "time",
    ]


def test_stem_meets_word_forms() -> None:
    assert stem("directed") == stem("directing") == stem("directs")


def test_content_terms_skip_question_filler() -> None:
    assert content_terms("Who is the author of the book?") == [stem("author"), stem("book")]


def test_sentences_do_not_break_on_initials_or_titles() -> None:
    text = "Kathy H. met Dr. Smith in 2005. Then Arthur C. Clarke wrote. The end!"
    assert split_sentences(text) == [
        "Kathy H. met Dr. Smith in 2005.",
        "Then Arthur C. Clarke wrote.",
        "The end!",
    ]


def test_sentences_split_after_quotes() -> None:
    parts = split_sentences('He said "go." She left. "Why?" asked Tom.')
    assert parts[0] == 'He said "go."' and parts[1] == "She left."
