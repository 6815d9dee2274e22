"""The fitting script's data hygiene and the weights it reproduces (without refitting)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fit_module():
    spec = importlib.util.spec_from_file_location("fit", ROOT / "training" / "fit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_questions_that_no_candidate_could_answer_are_skipped(tmp_path: Path) -> None:
    article = tmp_path / "moss.txt"
    article.write_text("= Moss =\n\nMoss grows on rocks in Wales.\n", "utf-8")
    items = [
        {"question": "where does moss grow", "answerable": True, "answers": ["Wales"]},
        {"question": "does moss grow in wales", "answerable": True, "answers": ["\\byes\\b"]},
        {"question": "who planted it", "answerable": False, "answers": []},
    ]
    kept = _fit_module().usable(items, article)
    assert [i["question"] for i in kept] == ["where does moss grow", "who planted it"]


def test_training_data_and_weights_say_the_same() -> None:
    fit = _fit_module()
    sets = fit.training_sets()
    names = {name for name, _, _ in sets}
    assert "squad-train" in names and len(names) >= 2
    for _, seeds, qa in sets:
        assert seeds.exists() and qa.is_file()
    trained_on = json.loads((ROOT / "knowledge" / "weights.json").read_text("utf-8"))
    assert {s.split(" (")[0] for s in trained_on["trained_on"]} == names
