"""The fitting script's data hygiene and the weights it reproduces (without refitting)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from pathlib import Path

import pytest

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
    """The weights were fitted on SQuAD's training split and exactly the repository's own
    training sets, all of which are there."""
    sets = _fit_module().own_training_sets()
    assert len(sets) >= 2
    for _, article, qa in sets:
        assert article.is_file() and qa.is_file()
    trained_on = json.loads((ROOT / "knowledge" / "weights.json").read_text("utf-8"))
    names = {name for name, _, _ in sets} | {"squad-train"}
    assert {s.split(" (")[0] for s in trained_on["trained_on"]} == names


def test_training_finds_squad_beside_the_project_or_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fit = _fit_module()
    monkeypatch.setenv("NORFOLK_EVAL_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as stopped:
        fit.training_sets()
    message = str(stopped.value)
    assert "\n" not in message and str(tmp_path / "squad-train" / "qa.jsonl") in message
    (tmp_path / "squad-train" / "seeds").mkdir(parents=True)
    (tmp_path / "squad-train" / "qa.jsonl").write_text("", "utf-8")
    first = fit.training_sets()[0]
    assert first == (
        "squad-train",
        tmp_path / "squad-train" / "seeds",
        tmp_path / "squad-train" / "qa.jsonl",
    )


def test_no_public_dataset_is_in_the_repository() -> None:
    """SQuAD is read from beside the project: no file the repository tracks holds its
    articles or its question ids (`s-<Title>-…`)."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    squad_titles = re.compile(
        r"= (?:Huguenot|Warsaw|Immune system|Packet switching|Yuan dynasty|Scottish Parliament|"
        r"Islamism|Imperialism|French and Indian War|European Union law|"
        r"Computational complexity theory|Force) =|\"id\": \"s-[A-Z]"
    )
    found = []
    for name in tracked.stdout.decode().split("\0"):
        path = ROOT / name
        readable = name and path.is_file() and path.suffix in {".txt", ".jsonl", ".json", ".md"}
        if readable and squad_titles.search(path.read_text("utf-8", errors="replace")):
            found.append(name)
    assert found == []
