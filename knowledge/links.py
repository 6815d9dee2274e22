"""Links from a citation to its source: the article's `Source:` page, at the cited section.

MediaWiki names a section's anchor after its heading with spaces as underscores
(`== Box office ==` → `#Box_office`), so a citation of "Release › Box office" links to
`…/wiki/Jaws_(film)#Box_office`; the infobox and the lead link to the page itself.
"""

from __future__ import annotations

from knowledge.article import LEAD, Article
from knowledge.index import INFOBOX_SECTION, SECTION_SEPARATOR


def section_anchor(heading: str) -> str:
    """The anchor MediaWiki gives a heading: its words joined by underscores."""
    return "_".join(heading.split())


def section_url(article: Article | None, section: str) -> str | None:
    """The source page's address at a section (a citation's "A › B" path), or None when
    the article has no `Source:` line."""
    if article is None or not article.url:
        return None
    heading = section.split(SECTION_SEPARATOR)[-1].strip() if section else ""
    if heading in ("", LEAD, INFOBOX_SECTION):
        return article.url
    base = article.url.split("#", 1)[0]
    return f"{base}#{section_anchor(heading)}"
