"""The answerer: composes the stages into an `Answer`.

    question → Query → retrievers → fuse → ranker → reader → Answer

It refuses what cannot be a question (empty, too long, no words), answers "what is the
book about?" from the article's opening, and otherwise abstains unless the ranker's
calibrated confidence reaches `Settings.abstain_below`.
"""

from __future__ import annotations

import numpy as np

from knowledge.answer import Answer, Citation
from knowledge.article import LEAD
from knowledge.candidate import Candidate, Ranker, Reader, Retriever
from knowledge.fusion import fuse, within
from knowledge.index import FactIndex, FactKind
from knowledge.lexical import LexicalFeatures, is_bare_keyword, matched_stems, names_topic
from knowledge.query import Query, read_question
from knowledge.settings import Settings


class Answerer:
    def __init__(
        self,
        index: FactIndex,
        retrievers: list[Retriever],
        ranker: Ranker,
        reader: Reader,
        settings: Settings,
    ) -> None:
        self.index = index
        self.retrievers = retrievers
        self.ranker = ranker
        self.reader = reader
        self.settings = settings
        # articles with an infobox or sections (the seed's kind) rather than plain prose:
        # how often a question has no answer differs between the two, so confidence knows
        self.structured = frozenset(
            f.article for f in index.facts if f.kind == FactKind.INFOBOX or f.section != LEAD
        )

    def notice(self, question: str) -> str | None:
        """A friendly message for input that cannot be a question at all."""
        limit = self.settings.max_question_chars
        if not question.strip():
            return "Ask me something about the article, for example: who wrote it?"
        if len(question) > limit:
            return (
                f"That question is {len(question):,} characters long; "
                f"please keep it under {limit:,}."
            )
        if not any(ch.isalnum() for ch in question):
            return "I couldn't find any words in that question. Try asking in a sentence."
        return None

    def restricted(self, channels: tuple[str, ...], ranker: Ranker) -> Answerer:
        """The same answerer with only these channels' retrievers and a ranker fitted for
        them (the benchmark's ablation; training on each channel set)."""
        retrievers = [r for r in self.retrievers if r.channel in channels]
        return Answerer(self.index, retrievers, ranker, self.reader, self.settings)

    def prepare(self, query: Query, allowed: np.ndarray | None = None) -> list[Candidate]:
        """The fused candidates for a read question, with all their features, unranked;
        `allowed` (a boolean per fact: a shelf) keeps the others from becoming candidates."""
        scores = [s for r in self.retrievers if (s := r.score(self.index, query)) is not None]
        scores = [within(s, allowed) for s in scores]
        lexical = next((s for s in scores if s.channel == "lexical"), None)
        candidates = fuse(self.index, scores, self.settings.candidate_depth, allowed)
        features = LexicalFeatures(self.index, query, lexical)
        for c in candidates:
            c.features.update(features.of(c.id))
            c.features["is_infobox"] = float(c.fact.kind == FactKind.INFOBOX)
            c.features["is_item"] = float(c.fact.kind == FactKind.ITEM)
            c.features["structured"] = float(c.fact.article in self.structured)
        # the hand-set rerank's own order among the candidates (ties share a rank)
        first: dict[float, int] = {}
        for rank, value in enumerate(
            sorted((c.features.get("rerank", 0.0) for c in candidates), reverse=True)
        ):
            first.setdefault(value, rank)
        for c in candidates:
            c.features["rerank_rr"] = 1.0 / (1 + first[c.features.get("rerank", 0.0)])
        return candidates

    def answer(
        self, question: str, max_citations: int | None = None, allowed: np.ndarray | None = None
    ) -> Answer:
        """Answer from every fact, or from the `allowed` ones only (a shelf's articles)."""
        question = question if isinstance(question, str) else str(question)
        keep = max(1, max_citations or self.settings.max_citations)
        notice = self.notice(question)
        empty = not self.index.facts or (allowed is not None and not allowed.any())
        if notice is not None or empty:
            return Answer(question, None, (), 0.0, notice)
        query = read_question(self.index, question)
        if query.about_subject:
            return self._summary(query, keep, allowed)
        if not query.terms:
            return Answer(
                question, None, (), 0.0, "Which part of the article are you asking about?"
            )
        ranked = self.ranker.rank(query, self.prepare(query, allowed))
        if not ranked:
            return Answer(question, None, (), 0.0)
        confidence = self.ranker.confidence(query, ranked)
        if is_bare_keyword(query) and not names_topic(ranked[0].fact, matched_stems(query)):
            confidence *= self.settings.bare_keyword_factor  # "tell me a joke"
        citations = _citations(ranked, keep)
        if confidence < self.settings.abstain_below:
            return Answer(question, None, citations, round(confidence, 4))
        short = self.reader.read(query, ranked[0]) or ranked[0].fact.text
        return Answer(
            question, short, citations, round(confidence, 4), also=self._also(query, ranked)
        )

    def _also(self, query: Query, ranked: list[Candidate]) -> Citation | None:
        """Another article's best candidate, when it ranks close to the answer and the
        question does not pick the answer's article by its title."""
        top = ranked[0]
        for c in ranked[1:]:
            if top.score - c.score > self.settings.other_article_margin:
                return None
            if c.fact.article == top.fact.article:
                continue
            if query.articles and c.fact.article not in query.articles:
                continue  # "who directed salt road?" is not about the other film
            return Citation(c.fact.article, c.fact.section, c.fact.snippet)
        return None

    def _summary(self, query: Query, keep: int, allowed: np.ndarray | None = None) -> Answer:
        """ "What is the book about?": the article's opening sentences, which summarise it."""
        facts = self.index.facts
        if allowed is not None:
            facts = [f for f in facts if allowed[f.id]]
        wanted = (query.articles & {f.article for f in facts}) or {facts[0].article}
        opening = [f for f in facts if f.article in wanted and f.kind != FactKind.INFOBOX]
        lead = [f for f in opening if f.section == LEAD] or opening
        if not lead:
            return Answer(query.text, None, (), 0.0)
        citations = _citations([Candidate(f) for f in lead], keep)
        return Answer(query.text, lead[0].text, citations, self.settings.summary_confidence)


def _citations(ranked: list[Candidate], keep: int) -> tuple[Citation, ...]:
    """The best facts' snippets, each cited once: a snippet inside one already cited (a
    sentence, then the same sentence with its lead-in) adds nothing."""
    out: list[Citation] = []
    for c in ranked:
        snippet = c.fact.snippet
        if any(snippet in kept.text or kept.text in snippet for kept in out):
            continue
        out.append(Citation(c.fact.article, c.fact.section, snippet))
        if len(out) >= keep:
            break
    return tuple(out)
