"""Placeholder; replaced by the real retrieval."""
from knowledge.answer import Answer, Citation

def answer_question(index, question):
    for a in index.articles:
        for b in a.blocks:
            if any(w.lower() in b.text.lower() for w in question.split() if len(w) > 4):
                return Answer(question, b.text[:100], (Citation(a.title, " › ".join(b.path), b.text),), 0.5)
    return Answer(question, None)
