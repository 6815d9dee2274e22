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


def channel_features(scores: Scores, allowed: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per fact: z-score, gap to the best in z units, and 1/(1+rank) in this channel.

    With `allowed` (a shelf), the statistics are those of the allowed facts alone, so a
    server's answers do not shift with what other servers' articles say."""
    v = scores.values.astype(np.float64)
    inside = v if allowed is None else v[allowed]
    std = float(inside.std()) if inside.size else 0.0
    z = (v - (float(inside.mean()) if inside.size else 0.0)) / (std or 1.0)
    z_inside = z if allowed is None else z[allowed]
    order = np.argsort(-(v if allowed is None else np.where(allowed, v, -np.inf)), kind="stable")
    rank = np.empty(len(v), dtype=np.float64)
    rank[order] = np.arange(len(v))
    c = scores.channel
    return {
        f"{c}_raw": v,
        f"{c}_z": z,
        f"{c}_gap": z - (float(z_inside.max()) if z_inside.size else 0.0),
        f"{c}_rr": 1.0 / (1.0 + rank),
    }


def neighbour_features(
    index: FactIndex, channel: str, z: np.ndarray, allowed: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Per fact: the better z-score of the sentences either side of it in its paragraph (a
    sentence in a passage about the question is likelier to answer it)."""
    paragraph = index.paragraph_of
    inside = z if allowed is None else z[allowed]
    near = np.full(len(z), float(inside.min()) if len(inside) else 0.0)
    if len(z) > 1:
        same = (paragraph[1:] == paragraph[:-1]) & (paragraph[1:] >= 0)
        near[1:] = np.where(same, np.maximum(near[1:], z[:-1]), near[1:])
        near[:-1] = np.where(same, np.maximum(near[:-1], z[1:]), near[:-1])
    return {f"{channel}_near": near}


def within(scores: Scores, allowed: np.ndarray | None) -> Scores:
    """The scores with every fact outside `allowed` (another shelf's) set to 0."""
    if allowed is None:
        return scores
    values = np.where(allowed, scores.values, 0).astype(scores.values.dtype)
    return Scores(scores.channel, values, scores.extra)


def fuse(
    index: FactIndex, channels: list[Scores], depth: int, allowed: np.ndarray | None = None
) -> list[Candidate]:
    """The union of each channel's `depth` best facts, each with every channel's features.

    `allowed` (a boolean per fact) restricts candidates to one shelf's articles."""
    chosen: dict[int, None] = {}
    per_channel = []
    for scores in channels:
        values = scores.values if allowed is None else np.where(allowed, scores.values, -np.inf)
        k = min(depth, len(values) if allowed is None else int(allowed.sum()))
        if k == 0:
            continue
        top = np.argpartition(-values, k - 1)[:k]
        for i in sorted(top.tolist(), key=lambda j: -values[j]):
            if values[i] > 0 or scores.channel != "lexical":
                chosen.setdefault(int(i), None)
        features = channel_features(scores, allowed)
        z = features[f"{scores.channel}_z"]
        features.update(neighbour_features(index, scores.channel, z, allowed))
        per_channel.append(features)
    candidates = []
    for i in chosen:
        features = {name: float(arr[i]) for feats in per_channel for name, arr in feats.items()}
        candidates.append(Candidate(index.facts[i], features))
    return candidates
