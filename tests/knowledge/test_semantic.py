"""The semantic channel's plumbing, with the tiny `HashingEncoder` standing in for the model:
the embedding cache, dense scores, fusion features and the ranker's contract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge import Library, parse_article
from knowledge.candidate import Scores
from knowledge.encoder import Encoder, HashingEncoder, load_encoder
from knowledge.fusion import channel_features, fuse
from knowledge.index import build_index
from knowledge.ranker import (
    CANDIDATE_FEATURES,
    QUESTION_FEATURES,
    LinearModel,
    load_ranker,
    prior_ranker,
)
from knowledge.semantic import DenseIndex, EmbeddingCache, passage_text

ARTICLE = """= Harbour Light =

- Directed By: Ana Ruiz
- Release Date: 1998

Harbour Light is a 1998 film about a lighthouse keeper.

== Production ==
Filming took place in Galway over six weeks.
The score was written by Tomas Byrne.
"""


@pytest.fixture
def article():
    return parse_article(ARTICLE, "harbour.txt")


def test_hashing_encoder_honours_the_encoder_contract() -> None:
    encoder = HashingEncoder()
    assert isinstance(encoder, Encoder)
    vectors = encoder.encode_passages(["the lighthouse keeper", "the lighthouse keeper", "galway"])
    assert vectors.shape == (3, encoder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.allclose(vectors[0], vectors[1])
    query = encoder.encode_queries(["who was the lighthouse keeper"])[0]
    assert vectors[0] @ query > vectors[2] @ query


def test_cache_encodes_only_what_changed(tmp_path: Path, article) -> None:
    facts = build_index([article]).facts
    encoder = HashingEncoder()
    first = EmbeddingCache(tmp_path)
    DenseIndex.build(encoder, facts, first)
    assert first.misses == len(facts) and first.hits == 0
    assert encoder.calls == len(facts)

    again = EmbeddingCache(tmp_path)  # a restart: everything comes from disk
    dense = DenseIndex.build(encoder, facts, again)
    assert again.hits == len(facts) and again.misses == 0
    assert encoder.calls == len(facts)
    assert dense.vectors.shape == (len(facts), encoder.dim)

    edited = parse_article(ARTICLE.replace("six weeks", "seven weeks"), "harbour.txt")
    third = EmbeddingCache(tmp_path)  # a reload after one sentence changed
    DenseIndex.build(encoder, build_index([edited]).facts, third)
    assert third.misses == 1
    assert encoder.calls == len(facts) + 1


def test_cache_is_keyed_by_model(tmp_path: Path, article) -> None:
    facts = build_index([article]).facts
    DenseIndex.build(HashingEncoder(dim=64), facts, EmbeddingCache(tmp_path))
    other = EmbeddingCache(tmp_path)
    DenseIndex.build(HashingEncoder(dim=32), facts, other)
    assert other.misses == len(facts)  # another model's vectors are never reused


def test_unreadable_cache_is_rebuilt_not_fatal(tmp_path: Path, article, caplog) -> None:
    facts = build_index([article]).facts
    encoder = HashingEncoder()
    cache = EmbeddingCache(tmp_path)
    DenseIndex.build(encoder, facts, cache)
    for path in tmp_path.glob("*.npz"):
        path.write_bytes(b"not a numpy file")
    again = EmbeddingCache(tmp_path)
    dense = DenseIndex.build(encoder, facts, again)
    assert again.misses == len(facts)
    assert dense.vectors.shape[0] == len(facts)
    assert "unreadable" in caplog.text


def test_passage_text_names_what_a_fact_is_about(article) -> None:
    facts = build_index([article]).facts
    texts = [passage_text(f) for f in facts]
    assert "Harbour Light — Directed By: Ana Ruiz" in texts
    assert "Harbour Light, Production: Filming took place in Galway over six weeks." in texts


def test_progress_is_reported_while_encoding(article) -> None:
    seen: list[tuple[int, int]] = []
    facts = build_index([article]).facts
    DenseIndex.build(HashingEncoder(), facts, None, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1] == (len(facts), len(facts))


def test_channel_features_are_per_question_standardised() -> None:
    feats = channel_features(Scores("semantic", np.array([0.2, 0.9, 0.5], dtype=np.float32)))
    assert feats["semantic_rr"].tolist() == [1 / 3, 1.0, 1 / 2]
    assert feats["semantic_gap"][1] == 0.0 and (feats["semantic_gap"] <= 0).all()
    assert abs(float(feats["semantic_z"].mean())) < 1e-9


def test_fuse_takes_the_union_of_each_channels_best(article) -> None:
    index = build_index([article])
    n = len(index.facts)
    lexical = np.zeros(n, dtype=np.float32)
    lexical[0] = 3.0
    semantic = np.linspace(0, 1, n).astype(np.float32)  # the last fact is semantically best
    candidates = fuse(index, [Scores("lexical", lexical), Scores("semantic", semantic)], depth=1)
    assert {c.id for c in candidates} == {0, n - 1}
    for c in candidates:
        assert {"lexical_z", "semantic_z", "lexical_rr", "semantic_rr"} <= set(c.features)


def test_unknown_or_disabled_encoder_means_lexical_only(caplog) -> None:
    assert load_encoder("none") is None
    assert load_encoder("no-such-model") is None
    assert "lexical channel only" in caplog.text


def test_library_with_a_stand_in_encoder_uses_both_channels(article, tmp_path: Path) -> None:
    library = Library([article], encoder=HashingEncoder(), cache_dir=tmp_path)
    assert library.channels == ("lexical", "semantic")
    answer = library.ask("who directed harbour light?")
    # the stand-in has no notion of meaning, so its confidence is low; the order still holds
    assert answer.citations[0].text == "Directed By: Ana Ruiz"
    assert 0.0 <= answer.confidence <= 1.0
    lexical = Library([article], encoder=None)
    assert lexical.channels == ("lexical",)
    assert lexical.ask("who directed harbour light?").text == "Ana Ruiz"


def test_committed_weights_match_the_features() -> None:
    for channels in (("lexical", "semantic"), ("lexical",), ("semantic",)):
        ranker = load_ranker(channels)
        assert ranker.rank_model.names == CANDIDATE_FEATURES
        assert ranker.confidence_model.names == QUESTION_FEATURES
        assert np.isfinite(ranker.rank_model.weights).all()


def test_weights_that_do_not_match_fall_back_to_the_prior(tmp_path: Path, caplog) -> None:
    bad = tmp_path / "weights.json"
    bad.write_text(json.dumps({"models": {"lexical": {"rank": {"names": ["x"]}}}}))
    ranker = load_ranker(("lexical",), bad)
    assert ranker.rank_model.names == prior_ranker().rank_model.names
    assert "prior" in caplog.text


def test_linear_model_round_trips() -> None:
    model = LinearModel(
        ("a", "b"), np.array([1.0, 2.0]), np.array([2.0, 1.0]), np.array([0.5, -1]), 0.25
    )
    again = LinearModel.from_dict(model.to_dict(), ("a", "b"))
    x = np.array([[3.0, 1.0]])
    assert np.allclose(model(x), again(x))
    with pytest.raises(ValueError):
        LinearModel.from_dict(model.to_dict(), ("a", "c"))


ODD_TEXTS = [
    "",
    " ",
    "\x00\x01\x02",
    "\u202eمرحبا\u202c",
    "🙂" * 50,
    "x" * 10_000,
    "e\u0301\u0301\u0301",
    "\ufffd",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_the_real_encoder_takes_any_text(text: str) -> None:
    encoder = load_encoder("e5")
    if encoder is None:
        pytest.skip("the e5 wheel exists for x86-64 Linux only")
    query = encoder.encode_queries([text])
    passage = encoder.encode_passages([text, "a plain sentence"])
    assert query.shape == (1, encoder.dim) and passage.shape == (2, encoder.dim)
    assert np.isfinite(query).all() and np.isfinite(passage).all()


def test_typos_are_repaired_before_encoding(seed_library) -> None:
    from knowledge.query import repair_question

    assert repair_question(seed_library.index, "who directd the flim") == "who directed the film"


def test_concurrent_questions_get_the_same_vectors_as_one_at_a_time() -> None:
    """The bot asks from worker threads: the shared model and query cache stay consistent."""
    from concurrent.futures import ThreadPoolExecutor

    encoder = load_encoder("e5")
    if encoder is None:
        pytest.skip("the e5 wheel exists for x86-64 Linux only")
    questions = [f"who wrote chapter {n} of the book?" for n in range(24)]
    alone = encoder.encode_queries(questions)
    dense = DenseIndex(encoder, alone)
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(dense.query_vector, questions))
    assert np.allclose(np.stack(together), alone, atol=1e-5)
