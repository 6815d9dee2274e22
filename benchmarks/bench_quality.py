"""Answer quality: every public question set, each channel alone and fused.

    .venv/bin/python benchmarks/bench_quality.py [--sets dev,squad,...] [--ablation]

Scored exactly as `tests/data/score.py` (the judges' scorer) scores the CLI: an answerable
question is right when one of its regexes matches the answer plus the first citation, an
unanswerable one when the answer is null. Prints, per set: answerable right, unanswerable
abstained, bold answer alone right, right sentence in the top 3 citations, by kind,
p50/p99 per question, index build time and embedding cache hits; then a reliability table
(confidence bins against the observed share of right answers) over the development sets.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.datasets import squad  # noqa: E402
from knowledge.answerer import Answerer  # noqa: E402
from knowledge.article import load_article  # noqa: E402
from knowledge.library import Library, load_folder  # noqa: E402
from knowledge.ranker import load_ranker  # noqa: E402

DATA = ROOT / "tests" / "data"
HELDOUT = DATA / "heldout"
CACHE = ROOT / ".cache"


def sets() -> dict[str, tuple[Path, Path | None]]:
    """name → (questions, article file or folder; None for the shipped seeds). SQuAD's
    development set is read from beside the project; without it the rest still runs."""
    found: dict[str, tuple[Path, Path | None]] = {"dev": (DATA / "dev_qa.jsonl", None)}
    wikipedia = squad()
    if problem := wikipedia.missing():
        print(f"skipping squad: {problem}")
    else:
        found["squad"] = (wikipedia.questions, wikipedia.seeds)
    for qa in sorted(HELDOUT.glob("*.jsonl")):  # a set without an article asks the seed
        article = HELDOUT / "articles" / f"{qa.stem}.txt"
        found[qa.stem] = (qa, article if article.is_file() else None)
    return found


def load(source: Path | None) -> Library:
    if source is None:
        return Library.from_dir(ROOT / "seeds", cache_dir=CACHE)
    if source.is_dir():
        return load_folder(source, cache_dir=CACHE).library
    return Library([load_article(source)], cache_dir=CACHE)


def evaluate(answerer: Answerer, items: list[dict]) -> dict:
    right = answerable = abstained = unanswerable = strict = top3 = top1 = given = 0
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    times: list[float] = []
    reliability: list[tuple[float, bool]] = []
    sweep: list[tuple[float, bool, bool]] = []  # (confidence, answerable, right if answered)
    for item in items:
        started = time.perf_counter()
        answer = answerer.answer(item["question"])
        times.append(time.perf_counter() - started)
        given += answer.text is not None
        if item["answerable"]:
            answerable += 1
            first = answer.citations[0].text if answer.citations and answer.text else ""
            hay = (answer.text or "") + " \n " + first
            good = answer.text is not None and any(
                re.search(rx, hay, re.I) for rx in item["answers"]
            )
            right += good
            strict += answer.text is not None and any(
                re.search(rx, answer.text, re.I) for rx in item["answers"]
            )
            top3 += any(
                re.search(rx, c.text, re.I) for c in answer.citations[:3] for rx in item["answers"]
            )
            kinds[item["kind"]][0] += good
            kinds[item["kind"]][1] += 1
            # calibration is of "the answer we would give is right", abstained or not
            would = any(
                re.search(rx, (answer.citations[0].text if answer.citations else ""), re.I)
                for rx in item["answers"]
            )
            top1 += would
            sweep.append((answer.confidence, True, would))
            reliability.append((answer.confidence, good or (answer.text is None and would)))
        else:
            unanswerable += 1
            abstained += answer.text is None
            reliability.append((answer.confidence, False))
            sweep.append((answer.confidence, False, False))
    ms = np.array(times) * 1000
    return {
        "answerable": (right, answerable),
        "abstained": (abstained, unanswerable),
        "strict": (strict, answerable),
        "top3": (top3, answerable),
        "top1": (top1, answerable),
        "precision": (right, given),  # of the answers given, the right ones
        "kinds": dict(kinds),
        "p50": float(np.percentile(ms, 50)),
        "p99": float(np.percentile(ms, 99)),
        "reliability": reliability,
        "sweep": sweep,
    }


def pct(pair: tuple[int, int]) -> str:
    a, b = pair
    return f"{a}/{b} = {a / b:.1%}" if b else "—"


def reliability_table(points: list[tuple[float, bool]]) -> str:
    edges = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001]
    lines = [
        "| confidence | questions | mean confidence | observed right |",
        "|---|---:|---:|---:|",
    ]
    for low, high in itertools.pairwise(edges):
        inside = [(c, ok) for c, ok in points if low <= c < high]
        if not inside:
            continue
        mean = sum(c for c, _ in inside) / len(inside)
        observed = sum(ok for _, ok in inside) / len(inside)
        lines.append(
            f"| {low:.1f}–{min(high, 1):.1f} | {len(inside)} | {mean:.2f} | {observed:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="Answer quality on every public question set.")
    parser.add_argument("--sets", default="", help="comma-separated subset of the set names")
    parser.add_argument("--ablation", action="store_true", help="also each channel alone")
    args = parser.parse_args()
    chosen = {s for s in args.sets.split(",") if s}
    rows = []
    calibration: list[tuple[float, bool]] = []
    for name, (qa, source) in sets().items():
        if chosen and name not in chosen:
            continue
        items = [json.loads(line) for line in qa.read_text("utf-8").splitlines() if line.strip()]
        started = time.perf_counter()
        library = load(source)
        build = time.perf_counter() - started
        cache = library.cache
        print(
            f"\n## {name}: {len(items)} questions, {len(library.index.facts)} facts; "
            f"index built in {build:.2f}s "
            f"(embedding cache: {cache.hits} hits, {cache.misses} encoded)"
        )
        variants = [library.channels]
        if args.ablation and len(library.channels) > 1:
            variants += [(channel,) for channel in library.channels]
        for channels in variants:
            for retriever in library.answerer.retrievers:
                if retriever.channel == "semantic":  # each variant encodes its questions
                    retriever.dense._queries.clear()
            result = evaluate(library.answerer.restricted(channels, load_ranker(channels)), items)
            label = "+".join(channels)
            if channels == library.channels:
                calibration += result["reliability"]
            kinds = ", ".join(f"{k} {a}/{b}" for k, (a, b) in sorted(result["kinds"].items()))
            print(
                f"{label:>17}: answerable {pct(result['answerable'])}; abstained "
                f"{pct(result['abstained'])}; given right {pct(result['precision'])}; "
                f"answer alone {pct(result['strict'])}; top-1 "
                f"{pct(result['top1'])}; top-3 "
                f"{pct(result['top3'])}; p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms"
            )
            if channels == library.channels:
                print(f"{'by kind':>17}: {kinds}")
            rows.append((name, label, result))
    print("\n## Abstention threshold (fused): answerable right / unanswerable abstained\n")
    firsts: dict[str, dict] = {}
    for name, _, r in rows:
        firsts.setdefault(name, r)  # each set's first variant: all its channels
    fused = list(firsts.items())
    print("| threshold | " + " | ".join(name for name, _ in fused) + " |")
    print("|---|" + "---|" * len(fused))
    for t in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        cells = []
        for _, r in fused:
            ans = [ok for c, a, ok in r["sweep"] if a]
            una = [c for c, a, _ in r["sweep"] if not a]
            got = sum(ok for (c, a, ok) in r["sweep"] if a and ok and c >= t)
            kept = sum(c < t for c in una)
            cells.append(f"{got / max(len(ans), 1):.0%} / {kept / max(len(una), 1):.0%}")
        print(f"| {t:.2f} | " + " | ".join(cells) + " |")
    print("\n## Reliability (all sets above, fused): does confidence mean what it says?\n")
    print(reliability_table(calibration))
    print("\n## Summary\n")
    print("| set | channels | answerable | abstained | answer alone | top-1 | top-3 | p99 ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, label, r in rows:
        a = r["answerable"]
        b = r["abstained"]
        s = r["strict"]
        t = r["top3"]
        o = r["top1"]
        print(
            f"| {name} | {label} | {a[0] / max(a[1], 1):.1%} | "
            f"{(b[0] / b[1]) if b[1] else float('nan'):.1%} | {s[0] / max(s[1], 1):.1%} | "
            f"{o[0] / max(o[1], 1):.1%} | "
            f"{t[0] / max(t[1], 1):.1%} | {r['p99']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
