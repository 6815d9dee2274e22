"""Article knowledge: parse → fact index → fuzzy retrieval → cited `Answer`. No Discord here."""

from knowledge.answer import Answer, Citation
from knowledge.article import Article, ArticleError, load_article, parse_article, read_article
from knowledge.library import (
    FolderReport,
    Library,
    LoadReport,
    LoadWarning,
    Shelf,
    load_folder,
    read_folder,
)

__all__ = [
    "Answer",
    "Article",
    "ArticleError",
    "Citation",
    "FolderReport",
    "Library",
    "LoadReport",
    "LoadWarning",
    "Shelf",
    "load_article",
    "load_folder",
    "parse_article",
    "read_article",
    "read_folder",
]
