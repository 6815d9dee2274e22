"""Retrieval benchmark: index build time, per-question latency and memory, as a markdown table.

Run `make bench` (or `.venv/bin/python benchmarks/bench_retrieval.py --sizes 10,100 --passes 5`).
A script, not a test: the figures depend on the machine. It uses only the public
`knowledge` API (`parse_article`, `Library`, `Library.ask`), so it keeps working while
retrieval internals change. Each corpus is measured in a fresh subprocess, because max
RSS only ever grows within a process and would otherwise mix corpora.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `knowledge` and `benchmarks` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import synthetic_articles  # noqa: E402
from knowledge import Library, parse_article  # noqa: E402

SEEDS = ROOT / "seeds"
QUESTIONS = ROOT / "tests" / "data" / "dev_qa.jsonl"
NORFOLK = ROOT / ".venv" / "bin" / "norfolk"
COLD_START_QUESTION = "who directed the film?"
MiB = 1024 * 1024


@dataclass
class Result:
    """The figures for one corpus, as sent from a worker process to the parent."""

    corpus: str
    articles: int
    parse_ms: float
    build_ms: float
    p50_ms: float
    p99_ms: float
    asks: int
    passes: int
    answered: int
    questions: int
    py_peak_mib: float | None
    max_rss_mib: float | None
    channels: str = "lexical"
    encoded: int = 0  # facts the first build had to encode (the rest came from the cache)
    cache_mib: float = 0.0


# -- corpora ------------------------------------------------------------------------------


def load_questions(path: Path = QUESTIONS) -> list[str]:
    """The dev questions, answerable or not: abstaining has a cost too."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def corpus_texts(corpus: str) -> list[tuple[str, str]]:
    """(source, text) pairs: "seeds" is the seed folder, "synthetic-N" N variants of a seed."""
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no seed articles in {SEEDS}")
    if corpus == "seeds":
        return [(path.name, path.read_text(encoding="utf-8")) for path in seeds]
    size = int(corpus.removeprefix("synthetic-"))
    texts = synthetic_articles(seeds[0].read_text(encoding="utf-8"), size)
    return [(f"synthetic-{i}.txt", text) for i, text in enumerate(texts)]


SEMANTIC_MAX = int(os.environ.get("NORFOLK_BENCH_SEMANTIC_MAX", "10"))
"""Corpora up to this many articles are measured with the semantic channel; larger ones
lexical only (encoding 92,000 facts once takes about 45 minutes on 2 cores)."""
BENCH_CACHE = ROOT / ".cache" / "bench"


def build_library(texts: Sequence[tuple[str, str]]) -> tuple[Library, float, float]:
    """Parse and index; returns the library and the parse and build times in seconds."""
    began = time.perf_counter()
    articles = [parse_article(text, source=source) for source, text in texts]
    parsed = time.perf_counter()
    if len(texts) <= SEMANTIC_MAX:
        library = Library(articles, cache_dir=BENCH_CACHE)
    else:
        library = Library(articles, encoder=None)
    return library, parsed - began, time.perf_counter() - parsed


# -- measurements -------------------------------------------------------------------------


def median_build(texts: Sequence[tuple[str, str]], budget: float) -> tuple[Library, float, float]:
    """Median parse and build times over up to 5 builds, fewer when one build is slow."""
    parse_times: list[float] = []
    build_times: list[float] = []
    began = time.perf_counter()
    while len(build_times) < 5 and (not build_times or time.perf_counter() - began < budget):
        library, parse_s, build_s = build_library(texts)
        parse_times.append(parse_s)
        build_times.append(build_s)
    return library, statistics.median(parse_times), statistics.median(build_times)


def timed_pass(library: Library, questions: Sequence[str]) -> tuple[list[float], int]:
    """One pass over the questions: each ask's latency in seconds, and how many answered."""
    latencies: list[float] = []
    answered = 0
    for question in questions:
        began = time.perf_counter()
        answer = library.ask(question)
        latencies.append(time.perf_counter() - began)
        answered += answer.answered
    return latencies, answered


def latencies(
    library: Library, questions: Sequence[str], passes: int, budget: float
) -> tuple[list[float], int, int]:
    """Warm up once, then time up to `passes` passes, as many as fit in `budget` seconds."""
    warm, answered = timed_pass(library, questions)
    fits = int(budget / max(sum(warm), 1e-9))
    passes = max(1, min(passes, fits))
    samples: list[float] = []
    for _ in range(passes):
        samples.extend(timed_pass(library, questions)[0])
    return samples, passes, answered


def python_peak(run: Callable[[], object]) -> int:
    """Peak bytes Python allocated while running `run` (numpy arrays included)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def max_rss_mib() -> float | None:
    """This process's max resident set size (None where `resource` does not exist)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MiB if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB elsewhere


def percentile(samples: Sequence[float], pct: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def measure(corpus: str, passes: int, budget: float) -> Result:
    """All figures for one corpus; RSS is read before tracemalloc adds its own overhead.

    Tracing slows allocation-heavy builds ~5x (minutes at 1,000 articles), so the Python
    peak is skipped when an untraced build already took over a quarter of the budget.
    """
    texts = corpus_texts(corpus)
    questions = load_questions()
    first, _, _ = build_library(texts)  # the cold build encodes; later ones hit the cache
    encoded, channels = first.cache.misses, "+".join(first.channels)
    del first
    library, parse_s, build_s = median_build(texts, budget / 4)
    samples, passes_done, answered = latencies(library, questions, passes, budget)
    rss = max_rss_mib()
    del library
    peak = None
    if parse_s + build_s <= budget / 4:
        peak = python_peak(lambda: timed_pass(build_library(texts)[0], questions)) / MiB
    cache_bytes = sum(p.stat().st_size for p in BENCH_CACHE.glob("*.npz"))
    return Result(
        channels=channels,
        encoded=encoded,
        cache_mib=cache_bytes / MiB,
        corpus=corpus,
        articles=len(texts),
        parse_ms=parse_s * 1e3,
        build_ms=build_s * 1e3,
        p50_ms=percentile(samples, 50) * 1e3,
        p99_ms=percentile(samples, 99) * 1e3,
        asks=len(samples),
        passes=passes_done,
        answered=answered,
        questions=len(questions),
        py_peak_mib=peak,
        max_rss_mib=rss,
    )


def measure_in_subprocess(corpus: str, passes: int, budget: float) -> Result:
    """Run `measure` in a fresh interpreter so its max RSS belongs to this corpus alone."""
    command = [sys.executable, __file__, "--worker", corpus, "--passes", str(passes)]
    command += ["--budget", str(budget)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"benchmark of {corpus} failed:\n{done.stderr}")
    return Result(**json.loads(done.stdout.strip().splitlines()[-1]))


def cold_start(repeats: int = 5) -> str:
    """Median wall time of a whole `norfolk ask` process: import, load, answer, exit."""
    if not NORFOLK.exists():
        return f"n/a ({NORFOLK.relative_to(ROOT)} not installed)"
    times: list[float] = []
    failures = 0
    for _ in range(repeats):
        began = time.perf_counter()
        done = subprocess.run(
            [str(NORFOLK), "ask", COLD_START_QUESTION],
            capture_output=True,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        times.append(time.perf_counter() - began)
        failures += done.returncode != 0
    note = f", {failures}/{repeats} runs exited non-zero" if failures else ""
    return f"{statistics.median(times) * 1e3:.0f} ms (median of {repeats}{note})"


# -- output -------------------------------------------------------------------------------

COLUMNS = (
    "corpus",
    "channels",
    "articles",
    "parse ms",
    "build ms",
    "p50 ms",
    "p99 ms",
    "asks",
    "answered",
    "py peak MiB",
    "max RSS MiB",
    "encoded",
    "cache MiB",
)


def row(r: Result) -> list[str]:
    rss = "n/a" if r.max_rss_mib is None else f"{r.max_rss_mib:.0f}"
    peak = "skipped" if r.py_peak_mib is None else f"{r.py_peak_mib:.1f}"
    return [
        r.corpus,
        r.channels,
        str(r.articles),
        f"{r.parse_ms:.1f}",
        f"{r.build_ms:.1f}",
        f"{r.p50_ms:.3f}",
        f"{r.p99_ms:.3f}",
        f"{r.asks} ({r.passes}×{r.questions})",
        f"{r.answered}/{r.questions}",
        peak,
        rss,
        str(r.encoded),
        f"{r.cache_mib:.1f}",
    ]


def markdown_table(results: Sequence[Result]) -> str:
    left = {"corpus"}
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" if c in left else "---:" for c in COLUMNS) + "|",
    ]
    lines += ["| " + " | ".join(row(r)) + " |" for r in results]
    return "\n".join(lines)


def environment() -> str:
    cpus = os.cpu_count() or "?"
    return (
        f"Python {platform.python_version()} · {platform.machine()} · {cpus} CPUs · {sys.platform}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="synthetic corpus sizes")
    parser.add_argument("--passes", type=int, default=20, help="timed passes over the questions")
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds of timed asks per corpus (caps passes)"
    )
    parser.add_argument("--no-cold-start", action="store_true", help="skip the CLI timing")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: measure one corpus
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(asdict(measure(args.worker, args.passes, args.budget))))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    corpora = ["seeds", *(f"synthetic-{n}" for n in sizes)]
    began = time.perf_counter()
    results = [measure_in_subprocess(c, args.passes, args.budget) for c in corpora]
    print(f"Retrieval benchmark — {environment()}\n")
    print(markdown_table(results))
    print("\nLatency is per `Library.ask` in-process after a warm-up pass; build is `Library(...)`")
    print("alone (median of up to 5); py peak is tracemalloc over parse + build + one pass,")
    print("skipped when a build takes over budget/4 s (raise --budget to get it).")
    if not args.no_cold_start:
        print(f"\nCold start, `norfolk ask {COLD_START_QUESTION!r}`: {cold_start()}")
    print(f"\n(benchmark took {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
