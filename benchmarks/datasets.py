"""Where the public evaluation sets are: beside the project, never inside it.

The SQuAD 2.0 sets (Rajpurkar, Jia and Liang, 2018; CC BY-SA 4.0) are a public dataset's,
so the repository does not hold them. Every development machine and CI have them in
`../shared/eval/` next to the checkout; `NORFOLK_EVAL_DIR` points elsewhere. Training,
the benchmarks and the accuracy tests all find them here, and say in one line where they
looked when they are not there.

    eval dir/squad/qa.jsonl, sample.jsonl, seeds/    development: choose variants, report
    eval dir/squad-train/qa.jsonl, seeds/            training: `make train` fits on it
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = "NORFOLK_EVAL_DIR"


def eval_dir() -> Path:
    """`$NORFOLK_EVAL_DIR` (relative to the working folder), else `../shared/eval`."""
    configured = os.environ.get(ENV, "").strip()
    return (
        Path(configured).expanduser().resolve() if configured else ROOT.parent / "shared" / "eval"
    )


@dataclass(frozen=True)
class QuestionSet:
    """A question file and the article folder it asks about."""

    name: str
    questions: Path
    seeds: Path

    def missing(self) -> str | None:
        """None when the set is there, else one line saying where it was expected."""
        if self.questions.is_file() and self.seeds.is_dir():
            return None
        return (
            f"{self.name} not found: expected {self.questions} and {self.seeds}/ "
            f"(SQuAD 2.0 is kept beside the project, not in it; set {ENV} to the folder "
            "that holds squad/ and squad-train/)"
        )


def squad(questions: str = "qa.jsonl") -> QuestionSet:
    """The development set: 4 Wikipedia articles (`sample.jsonl`: its fixed 300)."""
    folder = eval_dir() / "squad"
    return QuestionSet(f"SQuAD development set ({questions})", folder / questions, folder / "seeds")


def squad_train() -> QuestionSet:
    """The training set: 8 more Wikipedia articles, fitted on by `make train`."""
    folder = eval_dir() / "squad-train"
    return QuestionSet("SQuAD training set", folder / "qa.jsonl", folder / "seeds")
