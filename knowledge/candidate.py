"""The contract between the stages: a `Candidate`, and retriever / ranker / reader protocols.

    question ─▶ Query ─▶ retrievers (lexical, semantic) ─▶ fused candidates ─▶ ranker
             ─▶ reader (short answer) ─▶ Answer

A retriever scores facts for a query; fusion merges their best candidates; a ranker
orders them and says how likely the best is to answer; a reader pulls the short answer
out of a fact. A new retriever or reader is one new file that satisfies its protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from knowledge.index import Fact, FactIndex
from knowledge.query import Query


@dataclass
class Candidate:
    """A fact that may answer the question, with what each stage found out about it."""

    fact: Fact
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0  # the ranker's: higher is better
    short: str | None = None  # the reader's short answer, when it found one

    @property
    def id(self) -> int:
        return self.fact.id


@dataclass(frozen=True)
class Scores:
    """One retriever's scores for every fact of the index (higher is better)."""

    channel: str
    values: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # per-fact side signals


class Retriever(Protocol):
    """Scores every fact of an index for a query."""

    channel: str

    def score(self, index: FactIndex, query: Query) -> Scores | None: ...


class Ranker(Protocol):
    """Orders candidates best first and gives the probability the best one answers."""

    def rank(self, query: Query, candidates: list[Candidate]) -> list[Candidate]: ...

    def confidence(self, query: Query, ranked: list[Candidate]) -> float: ...


class Reader(Protocol):
    """Pulls a short answer (a name, a date, "Yes") out of a fact, or None."""

    def read(self, query: Query, candidate: Candidate) -> str | None: ...
