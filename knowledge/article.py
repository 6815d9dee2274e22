"""Parse a plain-text, Wikipedia-style article into a plain `Article` dataclass.

The format: a `= Title =` line, an optional `Source: URL (revision N)` line right under
it (where the text came from, so citations can link there), an optional infobox of
`- Key: Value` lines right after the title block, `== Section ==` / `===Sub===` headings
(inner spaces optional), `- item` list lines and prose paragraphs. Anything that cannot be
read raises `ArticleError`, which names the file and the line so an admin can fix it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

TITLE_RE = re.compile(r"^=(?!=)\s*(?P<text>[^=].*?)\s*(?<!=)=$")
HEADING_RE = re.compile(r"^(?P<open>={2,6})\s*(?P<text>[^=].*?)\s*(?P<close>=+)$")
INFOBOX_RE = re.compile(r"^[-*•]\s*(?P<key>[^:–—]{1,40}?)\s*:\s*(?P<value>.+)$")
ITEM_RE = re.compile(r"^[-*•]\s+(?P<text>.+)$")
SOURCE_RE = re.compile(r"^Source:\s*(?P<url>https?://\S+)(?:\s+(?P<rest>.*?))?\s*$", re.IGNORECASE)
"""`Source: https://… (revision 123)`: only a line giving a web address counts, so an old
file whose first line happens to start with "Source:" reads as it always did."""
REVISION_RE = re.compile(r"^\(revision\s+(?P<id>\d{1,19})\)$", re.IGNORECASE)

MAX_CAPTION_CHARS = 150
"""A line above the infobox up to this long is its caption (a picture's legend)."""

LEAD = "Lead"
"""Section name given to the paragraphs before the first heading."""


class ArticleError(ValueError):
    """An article file that cannot be parsed; says which file and line."""

    def __init__(self, source: str, line: int, message: str) -> None:
        self.source = source
        self.line = line
        self.reason = message
        super().__init__(f"{source}:{line}: {message}")


@dataclass(frozen=True)
class InfoField:
    """One `- Key: Value` line of the infobox."""

    key: str
    value: str
    line: int


@dataclass(frozen=True)
class Block:
    """A paragraph or list item, with the path of headings above it."""

    path: tuple[str, ...]
    text: str
    line: int
    is_item: bool = False


@dataclass(frozen=True)
class Article:
    """A parsed article: title, infobox fields, sections in order and their blocks."""

    title: str
    source: str
    infobox: tuple[InfoField, ...] = ()
    blocks: tuple[Block, ...] = ()
    sections: tuple[tuple[str, ...], ...] = field(default=())
    url: str | None = None
    """The page the text came from (its `Source:` line), e.g. a Wikipedia article."""
    revision: int | None = None
    """Which revision of that page, when the `Source:` line says."""

    def section_text(self, path: tuple[str, ...]) -> str:
        """All text under a section and its subsections, paragraphs separated by blank lines."""
        n = len(path)
        parts: list[str] = []
        last_path: tuple[str, ...] | None = None
        for block in self.blocks:
            if block.path[:n] != path:
                continue
            if block.path not in (last_path, path):
                parts.append(f"**{' › '.join(block.path[n:])}**")
            last_path = block.path
            parts.append(f"• {block.text}" if block.is_item else block.text)
        return "\n\n".join(parts)


SAVE_AS_UTF8 = "save it as UTF-8 (in Notepad: File → Save as → Encoding: UTF-8)"

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _decode_with_bom(data: bytes, source: str) -> str | None:
    """Text marked as UTF-16/32 by a byte-order mark (Notepad's "Unicode"), or None."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                line = data[: exc.start].decode(codec, "replace").count("\n") + 1
                raise ArticleError(
                    source, line, f"not valid {name} text despite its {name} mark: {SAVE_AS_UTF8}"
                ) from exc
    return None


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: mostly-ASCII text puts a NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return False
    for zeros, chars in ((data[1::2], data[0::2]), (data[0::2], data[1::2])):
        if zeros.count(0) >= 0.9 * len(zeros) and chars.count(0) == 0:
            return True
    return False


def _decode(data: bytes, source: str) -> str:
    if not data.strip():
        raise ArticleError(source, 1, "the file is empty")
    text = _decode_with_bom(data, source)
    if text is not None:
        return text
    if _looks_like_utf16(data):
        raise ArticleError(source, 1, f"this is UTF-16 text, not UTF-8: {SAVE_AS_UTF8}")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ArticleError(source, line, "binary data (NUL byte), not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ArticleError(source, line, f"not valid UTF-8 text: {SAVE_AS_UTF8}") from exc
    return text


def parse_article(text: str, source: str = "<text>") -> Article:
    """Parse article text; `source` names the file in error messages."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ArticleError(source, line, "binary data (NUL byte), not a text article")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(line.strip() for line in lines):
        raise ArticleError(source, 1, "the file is empty")

    index = 0
    while not lines[index].strip():
        index += 1
    title_match = TITLE_RE.match(lines[index].strip())
    if not title_match:
        raise ArticleError(
            source, index + 1, "expected the title line first, like '= Title =' (one '=' each side)"
        )
    title = " ".join(title_match["text"].split())
    if not title:  # "= =": every answer would cite an article with no name
        raise ArticleError(source, index + 1, "the title line has no title between the '='")
    index += 1
    url, revision, index = _source_line(lines, index, source)

    infobox: list[InfoField] = []
    blocks: list[Block] = []
    sections: list[tuple[str, ...]] = []
    path: tuple[str, ...] = (LEAD,)
    levels: list[int] = []
    in_lead_prefix = True  # still in the title block, where the infobox may stand
    pending: list[str] = []  # title-block lines (a caption) not yet known to precede an infobox
    pending_line = 0

    for number, raw in enumerate(lines[index:], start=index + 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("="):
            heading = HEADING_RE.match(line)
            if not heading:
                raise ArticleError(
                    source,
                    number,
                    f"malformed heading {line[:60]!r}: use '== Name ==' or '==Name=='",
                )
            if heading["open"] != heading["close"]:
                raise ArticleError(
                    source,
                    number,
                    f"unbalanced heading {line[:60]!r}: the '=' on both sides must match",
                )
            if pending:
                blocks.append(Block(path, " ".join(pending), pending_line))
                pending = []
            in_lead_prefix = False
            level = len(heading["open"])
            name = " ".join(heading["text"].split())
            while levels and levels[-1] >= level:
                levels.pop()
            depth = len(levels)
            current = () if path == (LEAD,) else path
            path = (*current[:depth], name)
            levels.append(level)
            sections.append(path)
            continue

        field_match = INFOBOX_RE.match(line)
        if in_lead_prefix and field_match and not ITEM_DASH_DESCRIPTION.search(line):
            if pending and len(pending[0]) > MAX_CAPTION_CHARS:  # a paragraph, not a caption
                blocks.append(Block(path, pending[0], pending_line))
            pending = []  # a short line just above the infobox is its caption, not prose
            infobox.append(
                InfoField(field_match["key"].strip(), field_match["value"].strip(), number)
            )
            continue
        if in_lead_prefix and not infobox and not pending:
            pending, pending_line = [line], number  # a caption if an infobox follows
            continue
        if pending:
            blocks.append(Block(path, " ".join(pending), pending_line))
            pending = []
        in_lead_prefix = False
        item = ITEM_RE.match(line)
        if item:
            blocks.append(Block(path, item["text"].strip(), number, is_item=True))
        else:
            blocks.append(Block(path, line, number))

    if pending:
        blocks.append(Block(path, " ".join(pending), pending_line))
    if any(block.path == (LEAD,) for block in blocks):
        sections.insert(0, (LEAD,))
    return Article(
        title, source, tuple(infobox), tuple(blocks), tuple(sections), url=url, revision=revision
    )


def _source_line(lines: list[str], index: int, source: str) -> tuple[str | None, int | None, int]:
    """The `Source:` line under the title, if there is one: (url, revision, next index)."""
    after = index
    while after < len(lines) and not lines[after].strip():
        after += 1
    found = SOURCE_RE.match(lines[after].strip()) if after < len(lines) else None
    if found is None:
        return None, None, index
    url, rest = found["url"], found["rest"] or ""
    try:
        host = urlsplit(url).hostname
    except ValueError:  # e.g. "http://[::1": a broken IPv6 address
        host = None
    if not host or any(ch in url for ch in '<>"\\'):
        raise ArticleError(
            source, after + 1, f"the Source: line's address {url[:60]!r} is not a valid web address"
        )
    revision = REVISION_RE.match(rest) if rest else None
    if rest and revision is None:
        raise ArticleError(
            source,
            after + 1,
            "after the Source: address only '(revision 123)' may follow, "
            "e.g. 'Source: https://en.wikipedia.org/wiki/Jaws_(film) (revision 1234)'",
        )
    return url, int(revision["id"]) if revision else None, after + 1


ITEM_DASH_DESCRIPTION = re.compile(r"^[-*•]\s*[^:]{1,60}\s[–—]\s")
"""A list item like `- Name – description` is never an infobox field, even with a colon later."""


def read_article(data: bytes, source: str) -> tuple[str, Article]:
    """Decode (UTF-8, or UTF-16/32 with a byte-order mark) and parse an article's bytes, such
    as an upload; returns the text and the article. `source` names it in errors."""
    text = _decode(data, source)
    return text, parse_article(text, source)


def load_article(path: str | Path) -> Article:
    """Read and parse one article file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(str(path), 0, f"cannot read the file: {exc.strerror}") from exc
    return read_article(data, str(path))[1]
