"""Article knowledge: parse → fact index → fuzzy retrieval → cited `Answer`. No Discord here."""

from knowledge.answer import Answer, Citation
from knowledge.article import Article, ArticleError, load_article, parse_article, read_article
from knowledge.library import Library, LoadReport, LoadWarning, load_folder

__all__ = [
    "Answer",
    "Article",
    "ArticleError",
    "Citation",
    "Library",
    "LoadReport",
    "LoadWarning",
    "load_article",
    "load_folder",
    "parse_article",
    "read_article",
]
