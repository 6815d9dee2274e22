"""Accuracy: the public development questions (the bar the product must clear) and
blind-written held-out sets (a floor against regressions; see tests/data/heldout/README).

Scored exactly like `shared/eval/score.py`: a question is right when one of its regexes
(case-insensitive) matches the answer plus its first citation; unanswerable ones must
abstain. The figures are printed so every test run shows where accuracy stands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.datasets import squad
from knowledge import Library, load_article
from tests.conftest import CACHE

DATA = Path(__file__).resolve().parents[1] / "data"
DEV_QA = DATA / "dev_qa.jsonl"
HELDOUT = DATA / "heldout"


def score(library: Library, path: Path) -> tuple[float, float, float]:
    """(share of answerable questions right, share of unanswerable ones abstained, share of
    answerable ones whose bold short answer alone is right)."""
    questions = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    right = answerable = abstained = unanswerable = alone = 0
    misses: list[str] = []
    for item in questions:
        answer = library.ask(item["question"])
        if item["answerable"]:
            answerable += 1
            haystack = (
                (answer.text or "")
                + " \n "
                + (answer.citations[0].text if answer.citations and answer.text else "")
            )
            good = answer.text is not None and any(
                re.search(rx, haystack, re.I) for rx in item["answers"]
            )
            right += good
            alone += answer.text is not None and any(
                re.search(rx, answer.text, re.I) for rx in item["answers"]
            )
            if not good:
                misses.append(f"MISS {item['id']} {item['question']!r} -> {answer.text!r}")
        else:
            unanswerable += 1
            abstained += answer.text is None
            if answer.text is not None:
                misses.append(f"FALSE {item['id']} {item['question']!r} -> {answer.text!r}")
    print("\n".join(misses))
    print(
        f"\n{path.name}: answerable {right}/{answerable} = {right / answerable:.1%}; "
        f"abstained {abstained}/{unanswerable} = {abstained / unanswerable:.1%}; "
        f"answer alone {alone}/{answerable} = {alone / answerable:.1%}"
    )
    return right / answerable, abstained / unanswerable, alone / answerable


# Floors sit a little under the figures measured when they were set (README, "Measured"):
# a change that generalises worse fails here. (set, answerable floor, abstained floor)
FLOORS = {
    "dev_qa.jsonl": (0.78, 0.70, 0.70),  # measured 82.2% / 80.0% / 75.6%
    "nlmg.jsonl": (0.75, 0.65, 0.67),  # 78.6% / 72.7% / 72.4%
    "engineer.jsonl": (0.65, 0.25, 0.62),  # 71.9% / 25.0% / 68.8%
    "film.jsonl": (0.77, 0.10, 0.77),  # 82.5% / 10.0% / 82.5%
    "ship.jsonl": (0.70, 0.40, 0.65),  # 75.0% / 50.0% / 70.0%
    "album.jsonl": (0.62, 0.10, 0.60),  # 67.5% / 20.0% / 65.0%
    "town.jsonl": (0.57, 0.20, 0.55),  # 62.5% / 30.0% / 60.0%
    "painter.jsonl": (0.55, 0.10, 0.50),  # 60.0% / 10.0% / 55.0%
    "river.jsonl": (0.57, 0.10, 0.55),  # 62.5% / 20.0% / 60.0%
    "sample.jsonl": (0.70, 0.12, 0.65),  # SQuAD dev, 300 questions (printed by the test)
}


def test_dev_set_accuracy(seed_library: Library) -> None:
    answered, abstained, alone = score(seed_library, DEV_QA)
    assert answered >= FLOORS["dev_qa.jsonl"][0]
    assert abstained >= FLOORS["dev_qa.jsonl"][1]
    assert alone >= FLOORS["dev_qa.jsonl"][2]


@pytest.mark.parametrize(
    "questions",
    [
        "nlmg.jsonl",
        "engineer.jsonl",
        "film.jsonl",
        "ship.jsonl",
        "album.jsonl",
        "town.jsonl",
        "painter.jsonl",
        "river.jsonl",
    ],
)
def test_heldout_sets_do_not_regress(seed_library: Library, questions: str) -> None:
    """Blind-written sets: the seed (nlmg) and one article each of other kinds."""
    article = HELDOUT / "articles" / questions.replace(".jsonl", ".txt")
    library = Library([load_article(article)], cache_dir=CACHE) if article.is_file() else None
    answered, abstained, alone = score(library or seed_library, HELDOUT / questions)
    assert answered >= FLOORS[questions][0]
    assert abstained >= FLOORS[questions][1]
    assert alone >= FLOORS[questions][2]


@pytest.mark.slow
def test_real_wikipedia_articles_do_not_regress() -> None:
    """SQuAD 2.0 on four Wikipedia articles loaded together (300-question fixed sample),
    read from beside the project: skipped, saying where it looked, where it is absent."""
    sample = squad("sample.jsonl")
    if problem := sample.missing():
        pytest.skip(problem)
    library = Library.from_dir(sample.seeds, cache_dir=CACHE)
    answered, abstained, alone = score(library, sample.questions)
    assert answered >= FLOORS["sample.jsonl"][0]
    assert abstained >= FLOORS["sample.jsonl"][1]
    assert alone >= FLOORS["sample.jsonl"][2]
