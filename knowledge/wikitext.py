"""Wikipedia's wikitext → Norfolk's article format, with mwparserfromhell.

`to_article` keeps what answers questions — the title, the infobox template's fields as
`- Key: Value`, the lead, `==`/`===` sections, paragraphs and list items — and drops the
rest: references, footnote templates, "See also"/"References"/"External links" and their
kind, navboxes and every other template that is not text, tables, files and categories.
Values are rendered to plain text: links become their label, date templates a date
("20 June 1975"), list templates a comma-separated list.

Pure: no network, no Discord. The importer (`bot/importer.py`) fetches, this converts, and
the article parser reads the result like any hand-written file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import quote

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

ITEM = "\ue000"
"""Marks the start of a list item in rendered text (a `*` or `#` line of wikitext)."""

DROPPED_SECTIONS = frozenset(
    s.casefold()
    for s in (
        "See also",
        "References",
        "Notes",
        "Footnotes",
        "Citations",
        "Sources",
        "Bibliography",
        "Further reading",
        "External links",
        "Works cited",
        "Cited sources",
        "Notes and references",
        "References and notes",
        "Explanatory notes",
        "General and cited sources",
        "Reference notes",
        "Gallery",
    )
)
"""Sections that hold references, links or pictures rather than text to answer from."""

DROPPED_TAGS = frozenset(
    "ref references gallery math chem ce score timeline graph templatestyles syntaxhighlight "
    "source pre imagemap mapframe maplink table noinclude includeonly indicator".split()
)
"""HTML-like tags whose content is not prose (a `<ref>` is a footnote, not a sentence)."""

DROPPED_NAMESPACES = frozenset(
    "file image media category datei bild kategorie fichier catégorie categoría archivo "
    "imagen categoria ficheiro immagine plik kategoria файл категория".split()
)
"""Links to these are pictures and categories, not words of the text."""

INTERLANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z]{2,8})*:\S")
"""`[[fr:Les Dents de la mer]]`: a link to another language's article, not text."""

SKIPPED_FIELDS = re.compile(
    r"^(?:name|border|landscape|upright|italic[ _]title|bgcolou?r|background|footnotes|child|"
    r"nocat|qid|onlysourced|noicon|(?:image|caption|alt|logo|signature|module|embed|pushpin|"
    r"map|coordinates|coord)\w*)$",
    re.IGNORECASE,
)
"""Infobox parameters about layout and pictures, not facts."""

MAX_KEY_CHARS = 40
"""The article format's limit on an infobox key."""

MONTHS = (
    "January February March April May June July August September October November December"
).split()

MAGIC_WORD = re.compile(r"__[A-Z]+__")


def template_name(template: Template) -> str:
    """A template's name as MediaWiki matches it: no `Template:`, case and `_` ignored."""
    name = " ".join(str(template.name).replace("_", " ").split()).casefold()
    return name.removeprefix("template:").strip()


def is_infobox(template: Template) -> bool:
    return template_name(template).startswith("infobox")


DISAMBIGUATION_TEMPLATES = frozenset(
    (
        *"disambiguation disambig dab disamb hndis geodis numberdis mathdab".split(),
        "letter-number combination disambiguation",
    )
)


def is_disambiguation(wikitext: str | Wikicode) -> bool:
    """Whether a page marks itself as a disambiguation page (`{{disambiguation}}`, …)."""
    for template in mwparserfromhell.parse(wikitext).filter_templates(recursive=False):
        name = template_name(template)
        if name in DISAMBIGUATION_TEMPLATES or name.startswith(("disambiguation", "hndis")):
            return True
    return False


def disambiguation_choices(wikitext: str, limit: int = 5) -> list[str]:
    """The articles a disambiguation page offers: each list item's first link."""
    choices: list[str] = []
    for line in wikitext.splitlines():
        if not line.lstrip().startswith(("*", "#")):
            continue
        links = mwparserfromhell.parse(line).filter_wikilinks()
        if links:
            target = str(links[0].title).strip().lstrip(":").split("#")[0].strip()
            if target and target not in choices:
                choices.append(target)
        if len(choices) >= limit:
            break
    return choices


# -- rendering wikitext to plain text ---------------------------------------------------------


def _date(year: str, month: str = "", day: str = "", *, month_first: bool = False) -> str:
    """ "1975", "June 1975", "20 June 1975" (or "June 20, 1975") from a template's numbers."""
    if not year.strip().lstrip("-").isdigit():
        return year.strip()
    y = year.strip()
    m = int(month) if month.strip().isdigit() and 1 <= int(month) <= 12 else 0
    d = int(day) if day.strip().isdigit() and 1 <= int(day) <= 31 else 0
    if not m:
        return y
    if not d:
        return f"{MONTHS[m - 1]} {y}"
    return f"{MONTHS[m - 1]} {d}, {y}" if month_first else f"{d} {MONTHS[m - 1]} {y}"


def _age(born: tuple[int, int, int], at: tuple[int, int, int]) -> int:
    return at[0] - born[0] - ((at[1], at[2]) < (born[1], born[2]))


def _numbers(values: list[str]) -> tuple[int, int, int] | None:
    try:
        y, m, d = (int(v) for v in values[:3])
    except ValueError:
        return None
    return y, m, d


class Renderer:
    """Renders parsed wikitext to plain text; list items start a line with `ITEM`.

    `month_first` writes dates as "June 20, 1975" (a page with `{{Use mdy dates}}`)."""

    def __init__(self, *, month_first: bool = False) -> None:
        self.month_first = month_first

    def month_first_in(self, named: Named) -> bool:
        """A date template's own `mf=`/`df=` choice, else the page's."""
        return bool(named("mf")) or (self.month_first and not named("df"))

    def text(self, code: Wikicode | None) -> str:
        if code is None:
            return ""
        return "".join(self.node(node) for node in code.nodes)

    def node(self, node: Node) -> str:
        if isinstance(node, Text):
            return MAGIC_WORD.sub("", str(node.value))
        if isinstance(node, Wikilink):
            return self.wikilink(node)
        if isinstance(node, ExternalLink):
            return self.text(node.title) if node.title is not None else ""
        if isinstance(node, Template):
            return self.template(node)
        if isinstance(node, Tag):
            return self.tag(node)
        if isinstance(node, HTMLEntity):
            return node.normalize()
        if isinstance(node, (Comment, Argument, Heading)):
            return ""
        return str(node)

    def wikilink(self, link: Wikilink) -> str:
        raw = str(link.title).strip()
        visible = raw.startswith(":")  # [[:Category:Films]] shows as a link, not a category
        target = raw.lstrip(":").strip()
        prefix = target.split(":", 1)[0].strip().casefold() if ":" in target else ""
        if not visible and (prefix in DROPPED_NAMESPACES or INTERLANGUAGE.match(target)):
            return ""
        if link.text is not None:
            label = self.text(link.text)
            if label.strip():
                return label
            return re.sub(r"\s*\([^)]*\)$", "", target)  # the pipe trick: [[Jaws (film)|]]
        return target.split("#")[-1] if target.startswith("#") else target.split("#")[0]

    def tag(self, tag: Tag) -> str:
        name = str(tag.tag).strip().casefold()
        if name in DROPPED_TAGS or tag.wiki_markup == "{|":
            return ""
        if name == "br":
            return "\n"
        if name == "li":
            return f"\n{ITEM}"
        if name in ("dt", "dd", "hr"):
            return ""
        return self.text(tag.contents) if tag.contents is not None else ""

    def template(self, template: Template) -> str:
        name = template_name(template)
        args = {str(p.name).strip(): p.value for p in template.params}
        positional = [self.text(args[str(i)]).strip() for i in range(1, 20) if str(i) in args]

        def named(key: str) -> str:
            return self.text(args[key]).strip() if key in args else ""

        for names, render in TEMPLATES:
            if name in names:
                return render(self, positional, named)
        if name.startswith("lang-"):  # {{lang-fr|Les Dents de la mer}}
            return positional[0] if positional else ""
        return ""  # navboxes, hatnotes, footnotes, maintenance tags: not text

    def items(self, positional: list[str]) -> list[str]:
        """A list template's entries: its `*` lines, else its parameters."""
        lines = [line.strip().lstrip(ITEM).strip() for p in positional for line in p.split("\n")]
        return [line for line in lines if line]


Named = Callable[[str], str]
Render = Callable[[Renderer, list[str], Named], str]


def _first(r: Renderer, p: list[str], n: Named) -> str:
    return p[0] if p else n("text")


def _second(r: Renderer, p: list[str], n: Named) -> str:
    return p[1] if len(p) > 1 else (p[0] if p else "")


def _last(r: Renderer, p: list[str], n: Named) -> str:
    return p[-1] if p else ""


def _list(r: Renderer, p: list[str], n: Named) -> str:
    return ", ".join(r.items(p))


def _pad(values: list[str], count: int) -> list[str]:
    """The first `count` values, missing ones as ""."""
    return [*values[:count], *[""] * (count - len(values[:count]))]


def _start_date(r: Renderer, p: list[str], n: Named) -> str:
    return _date(*_pad(p, 3), month_first=r.month_first_in(n))


def _film_date(r: Renderer, p: list[str], n: Named) -> str:
    out = []
    for start in range(0, len(p), 4):
        y, m, d, where = _pad(p[start:], 4)
        date = _date(y, m, d, month_first=r.month_first_in(n))
        out.append(f"{date} ({where})" if where else date)
    return ", ".join(o for o in out if o)


def _death_date_and_age(r: Renderer, p: list[str], n: Named) -> str:
    died = _date(*_pad(p, 3), month_first=r.month_first_in(n))
    at, born = _numbers(p[:3]), _numbers(p[3:6])
    return f"{died} (aged {_age(born, at)})" if at and born else died


def _year(r: Renderer, p: list[str], n: Named) -> str:
    return p[0] if p else ""


def _convert(r: Renderer, p: list[str], n: Named) -> str:
    if len(p) >= 4 and p[1] in {"to", "-", "–", "and", "or", "by", "x", "×"}:
        return f"{p[0]} {p[1]} {p[2]} {p[3]}"
    return " ".join(p[:2])


def _money(symbol: str) -> Render:
    return lambda r, p, n: f"{symbol}{p[0]}" if p else ""


def _based_on(r: Renderer, p: list[str], n: Named) -> str:
    return f"{p[0]} by {', '.join(p[1:])}" if len(p) > 1 else _first(r, p, n)


def _marriage(r: Renderer, p: list[str], n: Named) -> str:
    if not p:
        return ""
    years = "–".join(p[1:3])
    return f"{p[0]} (m. {years})" if years else p[0]


def _literal(text: str) -> Render:
    return lambda r, p, n: text


def _circa(r: Renderer, p: list[str], n: Named) -> str:
    return f"c. {p[0]}" if p else "c."


def _as_of(r: Renderer, p: list[str], n: Named) -> str:
    date = _date(*_pad(p, 3), month_first=r.month_first_in(n))
    return f"{'as' if n('lc') else 'As'} of {date}" if date else ""


def _sortname(r: Renderer, p: list[str], n: Named) -> str:
    return " ".join(p[:2])


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


TEMPLATES: tuple[tuple[frozenset[str], Render], ...] = (
    (
        _names(
            "plainlist",
            "plain list",
            "flatlist",
            "flat list",
            "unbulleted list",
            "ubl",
            "ubil",
            "hlist",
            "bulleted list",
            "bull list",
            "collapsible list",
            "indented plainlist",
            "br separated entries",
            "cast listing",
            "columns-list",
            "div col",
            "startplainlist",
            "unordered list",
            "ordered list",
            "comma separated entries",
        ),
        _list,
    ),
    (
        _names(
            "start date",
            "start date and age",
            "end date",
            "end date and age",
            "birth date",
            "birth date and age",
            "death date",
            "release date",
            "release date and age",
            "dts",
            "start-date",
            "birth-date",
            "publication date",
        ),
        _start_date,
    ),
    (_names("film date"), _film_date),
    (_names("death date and age"), _death_date_and_age),
    (_names("birth year and age", "death year and age", "birth year", "death year"), _year),
    (
        _names(
            "nowrap",
            "small",
            "smaller",
            "big",
            "large",
            "em",
            "strong",
            "sic",
            "not a typo",
            "visible anchor",
            "vanchor",
            "nobr",
            "abbr",
            "nihongo",
            "ill",
            "interlanguage link",
            "illm",
            "date",
            "keypress",
            "mvar",
            "var",
            "noitalic",
            "center",
            "centre",
            "quote",
            "blockquote",
            "cquote",
            "quotation",
            "linktext",
            "proper name",
            "title case",
            "lang-x",
            "nobold",
            "no italic",
            "smallcaps",
            "small caps",
            "uc",
            "lc",
            "ucfirst",
            "lcfirst",
            "hs",
            "anchor",
            "wikt",
            "book title",
            "film title",
            "albumtitle",
        ),
        _first,
    ),
    (_names("lang", "transl", "transliteration"), _second),
    (_names("resize", "font", "font color", "colored text"), _last),
    (_names("convert", "cvt"), _convert),
    (_names("usd", "us$", "us dollar"), _money("$")),
    (_names("gbp", "£"), _money("£")),
    (_names("eur", "€"), _money("€")),
    (_names("based on"), _based_on),
    (_names("marriage"), _marriage),
    (_names("url"), _second),
    (_names("circa", "c."), _circa),
    (_names("as of"), _as_of),
    (_names("sortname"), _sortname),
    (_names("'"), _literal("'")),
    (_names("'s"), _literal("'s")),
    (_names("!"), _literal("|")),
    (_names("="), _literal("=")),
    (_names("snd", "spaced ndash", "spnd", "sndash"), _literal(" – ")),
    (_names("ndash", "en dash"), _literal("–")),
    (_names("mdash", "em dash"), _literal("—")),
    (_names("nbsp", "space"), _literal(" ")),
    (_names("·", "dot", "middot", "dot separator", "bull", "•"), _literal(" · ")),
)
"""Templates that are text, and how to render them; every other template is dropped."""


_SPACE = re.compile(r"\s+")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?%)\]])")
_SPACE_AFTER = re.compile(r"([(\[])\s+")
_EMPTY_PARENS = re.compile(r"\(\s*[,;:]?\s*\)|\[\s*\]")
_LEADING_SEPARATOR = re.compile(r"\(\s*[,;:]\s*")
_DOUBLE_COMMA = re.compile(r",\s*(?=[,.;])")


def clean(text: str) -> str:
    """One line of prose: whitespace collapsed, and the marks a dropped footnote or
    pronunciation leaves ("film ." / "Warsaw ( )") tidied away."""
    text = _SPACE.sub(" ", text.replace(ITEM, " ")).strip()
    for _ in range(2):
        text = _SPACE_BEFORE.sub(r"\1", text)
        text = _SPACE_AFTER.sub(r"\1", text)
        text = _EMPTY_PARENS.sub("", text)
        text = _LEADING_SEPARATOR.sub("(", text)
        text = _DOUBLE_COMMA.sub("", text)
        text = _SPACE.sub(" ", text).strip()
    return text.lstrip(",;:·|").strip()


def flat(text: str) -> str:
    """A rendered value on one line: its lines and list items joined by commas."""
    parts = [clean(part) for part in text.replace(ITEM, "\n").split("\n")]
    return ", ".join(p for p in parts if p).strip(", ")


def field_key(name: str) -> str:
    """An infobox parameter as the article format's key: `release_date` → `Release Date`."""
    words = re.sub(r"[:–—=]", " ", name.replace("_", " ")).split()
    return " ".join(w[:1].upper() + w[1:] for w in words)[:MAX_KEY_CHARS].strip()


def infobox_fields(template: Template, renderer: Renderer) -> list[tuple[str, str]]:
    """The infobox's (key, plain value) pairs, layout and picture parameters left out."""
    fields: list[tuple[str, str]] = []
    seen: set[str] = set()
    for param in template.params:
        name = str(param.name).strip()
        if not param.showkey or not name or SKIPPED_FIELDS.match(name):
            continue
        key, value = field_key(name), flat(renderer.text(param.value))
        if key and value and any(ch.isalnum() for ch in value) and key.casefold() not in seen:
            seen.add(key.casefold())
            fields.append((key, value))
    return fields


def _paragraphs(text: str) -> list[str]:
    """Rendered section text as the format's lines: paragraphs and `- item`s."""
    out: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        line = clean(" ".join(paragraph)).lstrip("=-*• ")
        if line and any(ch.isalnum() for ch in line):
            out.append(line)
        paragraph.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        if line.startswith(ITEM):
            flush()
            item = clean(line)
            if item and any(ch.isalnum() for ch in item):
                out.append(f"- {item}")
        elif not line:
            flush()
        else:
            paragraph.append(line)
    flush()
    return out


def _chunks(code: Wikicode) -> Iterable[tuple[Heading | None, list[Node]]]:
    """The page's top-level nodes split at its headings: (heading or None, nodes under it)."""
    heading: Heading | None = None
    nodes: list[Node] = []
    for node in code.nodes:
        if isinstance(node, Heading):
            yield heading, nodes
            heading, nodes = node, []
        else:
            nodes.append(node)
    yield heading, nodes


def to_article(
    title: str, wikitext: str | Wikicode, *, url: str | None = None, revision: int | None = None
) -> str:
    """The article-format text of a page: title, `Source:` line, infobox, lead, sections."""
    code = mwparserfromhell.parse(wikitext)
    styles = {template_name(t) for t in code.filter_templates(recursive=False)}
    renderer = Renderer(month_first="use mdy dates" in styles)
    lines = [f"= {' '.join(title.split()).strip('= ') or 'Untitled'} ="]
    if url:
        address = re.sub(r"\s", lambda space: quote(space.group()), url.strip())
        lines.append(f"Source: {address}" + (f" (revision {revision})" if revision else ""))
    lines.append("")
    sections: list[tuple[int, str, list[str]]] = []  # (level, heading, lines)
    infobox_done = False
    dropping_below = 0  # inside a dropped section of this level: skip until one as high
    for heading, nodes in _chunks(code):
        level = min(max(heading.level, 2), 6) if heading is not None else 0
        name = clean(renderer.text(heading.title)).strip("= ") if heading is not None else ""
        if heading is not None:
            if dropping_below and level > dropping_below:
                continue
            dropping_below = level if name.casefold() in DROPPED_SECTIONS else 0
            if dropping_below:
                continue
        kept: list[Node] = []
        for node in nodes:
            if isinstance(node, Template) and is_infobox(node) and not infobox_done:
                infobox_done = True
                fields = infobox_fields(node, renderer)
                lines += [f"- {key}: {value}" for key, value in fields]
                if fields:
                    lines.append("")
            else:
                kept.append(node)
        body = _paragraphs(renderer.text(Wikicode(kept)))
        if heading is None:
            lines += _layout(body)
        elif name:
            sections.append((level, name, body))
    lines += _section_lines(sections)
    return "\n".join(lines).rstrip() + "\n"


def _section_lines(sections: list[tuple[int, str, list[str]]]) -> list[str]:
    """Headings and their text, leaving out sections with no text in them or below them."""
    lines: list[str] = []
    for number, (level, name, body) in enumerate(sections):
        below = []
        for deeper, _, text in sections[number + 1 :]:
            if deeper <= level:
                break
            below.append(text)
        if not body and not any(below):
            continue
        marks = "=" * level
        lines += [f"{marks} {name} {marks}", *(_layout(body) or [""])]
    return lines


def _layout(body: list[str]) -> list[str]:
    """Paragraphs and lists separated by blank lines; a list's items kept together."""
    lines: list[str] = []
    for number, line in enumerate(body):
        lines.append(line)
        following = body[number + 1] if number + 1 < len(body) else None
        if not (line.startswith("- ") and following is not None and following.startswith("- ")):
            lines.append("")
    return lines


def slug(title: str) -> str:
    """A file name for a title: `Jaws (film)` → `jaws_film`."""
    return re.sub(r"\W+", "_", title.casefold()).strip("_")[:80] or "article"
