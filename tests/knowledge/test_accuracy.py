"""Accuracy on the public development questions: the bar the product must clear.

Scored exactly like `shared/eval/score.py`: a question is right when one of its regexes
(case-insensitive) matches the answer plus its first citation; unanswerable ones must
abstain. The figures are printed so every test run shows where accuracy stands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from knowledge import Library

DEV_QA = Path(__file__).resolve().parents[1] / "data" / "dev_qa.jsonl"
MIN_ANSWERABLE = 0.90
MIN_ABSTAINED = 0.80


def test_dev_set_accuracy(seed_library: Library) -> None:
    questions = [json.loads(line) for line in DEV_QA.read_text("utf-8").splitlines() if line]
    right = answerable = abstained = unanswerable = 0
    misses: list[str] = []
    for item in questions:
        answer = seed_library.ask(item["question"])
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
        f"\ndev set: answerable {right}/{answerable} = {right / answerable:.1%}; "
        f"abstained {abstained}/{unanswerable} = {abstained / unanswerable:.1%}"
    )
    assert right / answerable >= MIN_ANSWERABLE
    assert abstained / unanswerable >= MIN_ABSTAINED
