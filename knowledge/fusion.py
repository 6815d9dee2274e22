"""Fusion: the best facts of every channel become one list of candidates with comparable
features (z-score, gap to the channel's best, reciprocal rank), for the ranker to weigh.

Each channel's raw scores live on their own scale (BM25 is unbounded, cosine sits in a
narrow band), so they are standardised per question over all facts before a fitted
linear function (`knowledge.ranker`) combines them.
"""

from __future__ import annotations

import numpy as np

from knowledge.candidate import Candidate, Scores
from knowledge.index import FactIndex


def channel_features(scores: Scores) -> dict[str, np.ndarray]:
    """Per fact: z-score, gap to the best in z units, and 1/(1+rank) in this channel."""
    v = scores.values.astype(np.float64)
    std = float(v.std()) or 1.0
    z = (v - float(v.mean())) / std
    order = np.argsort(-v, kind="stable")
    rank = np.empty(len(v), dtype=np.float64)
    rank[order] = np.arange(len(v))
    c = scores.channel
    return {
        f"{c}_raw": v,
        f"{c}_z": z,
        f"{c}_gap": z - float(z.max()),
        f"{c}_rr": 1.0 / (1.0 + rank),
    }


def neighbour_features(index: FactIndex, channel: str, z: np.ndarray) -> dict[str, np.ndarray]:
    """Per fact: the better z-score of the sentences either side of it in its paragraph (a
    sentence in a passage about the question is likelier to answer it)."""
    paragraph = index.paragraph_of
    near = np.full(len(z), float(z.min()) if len(z) else 0.0)
    if len(z) > 1:
        same = (paragraph[1:] == paragraph[:-1]) & (paragraph[1:] >= 0)
        near[1:] = np.where(same, np.maximum(near[1:], z[:-1]), near[1:])
        near[:-1] = np.where(same, np.maximum(near[:-1], z[1:]), near[:-1])
    return {f"{channel}_near": near}


def fuse(index: FactIndex, channels: list[Scores], depth: int) -> list[Candidate]:
    """The union of each channel's `depth` best facts, each with every channel's features."""
    chosen: dict[int, None] = {}
    per_channel = []
    for scores in channels:
        values = scores.values
        k = min(depth, len(values))
        if k == 0:
            continue
        top = np.argpartition(-values, k - 1)[:k]
        for i in sorted(top.tolist(), key=lambda j: -values[j]):
            if values[i] > 0 or scores.channel != "lexical":
                chosen.setdefault(int(i), None)
        features = channel_features(scores)
        features.update(neighbour_features(index, scores.channel, features[f"{scores.channel}_z"]))
        per_channel.append(features)
    candidates = []
    for i in chosen:
        features = {name: float(arr[i]) for feats in per_channel for name, arr in feats.items()}
        candidates.append(Candidate(index.facts[i], features))
    return candidates
