"""The semantic channel: fact embeddings (cached on disk) and cosine retrieval.

Facts are embedded once when an index is built. The cache is one file per model,
keyed by a hash of the exact passage text, so a restart or a reload re-encodes only
the facts that changed. A cache that cannot be read or written is skipped with a log
line: it only ever saves time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.candidate import Scores
from knowledge.encoder import Encoder, Progress
from knowledge.index import INFOBOX_SECTION, Fact, FactIndex
from knowledge.query import Query, repair_question

log = logging.getLogger(__name__)


def passage_text(fact: Fact) -> str:
    """What is embedded for a fact: its snippet, with what it is about in front.

    An infobox field reads "Title — Key: Value"; a sentence carries its lead-in ("She…")
    and its section heading, so a terse sentence keeps its subject.
    """
    if fact.section == INFOBOX_SECTION:
        return f"{fact.article} — {fact.text}"
    heading = fact.section.split(" › ")[-1] if fact.section else ""
    context = (
        fact.article if not heading or heading == fact.article else f"{fact.article}, {heading}"
    )
    return f"{context}: {fact.snippet}"


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class EmbeddingCache:
    """Vectors by (model id, text hash), in one `.npz` file per model under `folder`."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def _path(self, model_id: str) -> Path | None:
        if self.folder is None:
            return None
        safe = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in model_id)
        return self.folder / f"embeddings-{safe}.npz"

    def _read(self, path: Path | None, dim: int) -> dict[str, np.ndarray]:
        if path is None or not path.is_file():
            return {}
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
            if vectors.ndim != 2 or vectors.shape[1] != dim or len(keys) != len(vectors):
                raise ValueError("shape does not match the model")
            return {str(k): v for k, v in zip(keys, vectors, strict=True)}
        except Exception as exc:
            log.warning("embedding cache %s unreadable (%s): re-encoding", path, exc)
            return {}

    def _write(self, path: Path | None, table: dict[str, np.ndarray]) -> None:
        if path is None or not table:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            keys = np.array(sorted(table))
            vectors = np.stack([table[k] for k in keys]).astype(np.float32)
            handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
            with os.fdopen(handle, "wb") as out:
                np.savez(out, keys=keys, vectors=vectors)
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        except OSError as exc:
            log.warning("embedding cache %s not written (%s)", path, exc)

    def embed(
        self, encoder: Encoder, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray:
        """Vectors for `texts`, encoding only those the cache does not hold."""
        path = self._path(encoder.model_id)
        table = self._read(path, encoder.dim)
        keys = [text_key(t) for t in texts]
        missing = sorted({k: i for i, k in enumerate(keys) if k not in table}.values())
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            fresh = encoder.encode_passages([texts[i] for i in missing], progress)
            for i, vector in zip(missing, fresh, strict=True):
                table[keys[i]] = vector
            self._write(path, table)
        if not texts:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        return np.stack([table[k] for k in keys]).astype(np.float32)


class DenseIndex:
    """Unit vectors for every fact, and cosine scores for a question."""

    QUERY_CACHE = 4096  # recent questions' vectors: a repeated question costs no encoding

    def __init__(self, encoder: Encoder, vectors: np.ndarray) -> None:
        self.encoder = encoder
        self.vectors = vectors
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the bot asks from several worker threads

    def remember(self, questions: Sequence[str]) -> None:
        """Encode many questions in one batch ahead of asking them (benchmarks, training)."""
        fresh = [q for q in dict.fromkeys(questions) if q not in self._queries]
        for question, vector in zip(fresh, self.encoder.encode_queries(fresh), strict=True):
            self._store(question, vector)

    def _store(self, question: str, vector: np.ndarray) -> None:
        with self._lock:
            self._queries[question] = vector.astype(np.float32)
            self._queries.move_to_end(question)
            while len(self._queries) > self.QUERY_CACHE:
                self._queries.popitem(last=False)

    def query_vector(self, question: str) -> np.ndarray:
        with self._lock:
            vector = self._queries.get(question)
        if vector is None:
            vector = self.encoder.encode_queries([question])[0]
            self._store(question, vector)
        return vector

    @classmethod
    def build(
        cls,
        encoder: Encoder,
        facts: Sequence[Fact],
        cache: EmbeddingCache | None = None,
        progress: Progress | None = None,
    ) -> DenseIndex:
        texts = [passage_text(f) for f in facts]
        cache = cache or EmbeddingCache(None)
        return cls(encoder, cache.embed(encoder, texts, progress))

    def scores(self, question: str) -> np.ndarray:
        """Cosine similarity of the question to every fact."""
        if not len(self.vectors):
            return np.zeros(0, dtype=np.float32)
        return self.vectors @ self.query_vector(question)


class SemanticRetriever:
    """Cosine similarity of the (typo-repaired) question to every fact's embedding."""

    channel = "semantic"

    def __init__(self, dense: DenseIndex) -> None:
        self.dense = dense

    def score(self, index: FactIndex, query: Query) -> Scores | None:
        if len(self.dense.vectors) != len(index.facts):
            return None
        return Scores(self.channel, self.dense.scores(repair_question(index, query.text)))
