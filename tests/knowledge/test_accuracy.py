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

from knowledge import Library, load_article
from tests.conftest import CACHE

DATA = Path(__file__).resolve().parents[1] / "data"
DEV_QA = DATA / "dev_qa.jsonl"
HELDOUT = DATA / "heldout"
SQUAD = DATA / "squad"


def score(library: Library, path: Path) -> tuple[float, float]:
    """(share of answerable questions right, share of unanswerable ones abstained)."""
    questions = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    right = answerable = abstained = unanswerable = 0
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
        f"abstained {abstained}/{unanswerable} = {abstained / unanswerable:.1%}"
    )
    return right / answerable, abstained / unanswerable


# Floors sit a little under the figures measured when they were set (README, "Measured"):
# a change that generalises worse fails here. (set, answerable floor, abstained floor)
FLOORS = {
    "dev_qa.jsonl": (0.80, 0.70),  # measured 84.4% / 80.0%
    "nlmg.jsonl": (0.75, 0.60),  # 79.6% / 68.2%
    "engineer.jsonl": (0.65, 0.25),  # 71.9% / 25.0%
    "film.jsonl": (0.77, 0.10),  # 82.5% / 10.0%
    "ship.jsonl": (0.70, 0.40),  # 75.0% / 50.0%
    "sample.jsonl": (0.70, 0.12),  # 74.5% / 17.0% (squad/, 300 questions)
}


def test_dev_set_accuracy(seed_library: Library) -> None:
    answered, abstained = score(seed_library, DEV_QA)
    assert answered >= FLOORS["dev_qa.jsonl"][0]
    assert abstained >= FLOORS["dev_qa.jsonl"][1]


@pytest.mark.parametrize("questions", ["nlmg.jsonl", "engineer.jsonl", "film.jsonl", "ship.jsonl"])
def test_heldout_sets_do_not_regress(seed_library: Library, questions: str) -> None:
    """Blind-written sets: the seed (nlmg) and one article each of other kinds."""
    article = HELDOUT / "articles" / questions.replace(".jsonl", ".txt")
    library = Library([load_article(article)], cache_dir=CACHE) if article.is_file() else None
    answered, abstained = score(library or seed_library, HELDOUT / questions)
    assert answered >= FLOORS[questions][0]
    assert abstained >= FLOORS[questions][1]


@pytest.mark.slow
def test_real_wikipedia_articles_do_not_regress() -> None:
    """SQuAD 2.0 on four Wikipedia articles loaded together (300-question fixed sample)."""
    library = Library.from_dir(SQUAD / "seeds", cache_dir=CACHE)
    answered, abstained = score(library, SQUAD / "sample.jsonl")
    assert answered >= FLOORS["sample.jsonl"][0]
    assert abstained >= FLOORS["sample.jsonl"][1]
