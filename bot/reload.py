"""Safe reload of the articles: parse every file first, swap the library only if all parse.

An admin who saves a half-edited article must not take the bot down: a reload that finds
any bad file keeps the old index serving and says which file and line to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from knowledge import Article, ArticleError, Library, LoadWarning, read_folder

MAX_LISTED_ERRORS = 5
"""Errors named in one reply; more are counted, so a broken folder cannot flood a message."""


class ReloadResult(NamedTuple):
    """Outcome of a reload: `ok` is True only when the new library was swapped in."""

    ok: bool
    message: str


def describe_error(error: ArticleError) -> str:
    """`file.txt line 3: reason` — the file name only, so replies don't reveal server paths."""
    name = Path(error.source).name or error.source
    where = f"line {error.line}" if error.line else "the file"
    return f"{name} {where}: {error.reason}"


def failure_message(errors: tuple[ArticleError, ...], serving: int) -> str:
    """Why a reload was refused, and what keeps serving meanwhile (`serving` articles)."""
    lines = [
        f"Reload refused: {len(errors)} article file(s) could not be parsed; "
        f"still serving the {serving} article(s) loaded before."
    ]
    lines += [f"• {describe_error(e)}" for e in errors[:MAX_LISTED_ERRORS]]
    if len(errors) > MAX_LISTED_ERRORS:
        lines.append(f"• …and {len(errors) - MAX_LISTED_ERRORS} more (see the log)")
    return "\n".join(lines)


@dataclass(frozen=True)
class Replacement:
    """What a reload found: the new library (None when refused), the reply, the parse errors."""

    library: Library | None
    result: ReloadResult
    errors: tuple[ArticleError, ...] = ()
    warnings: tuple[LoadWarning, ...] = ()


def load_replacement(seeds: Path, old: Library, extra: Sequence[Article] = ()) -> Replacement:
    """Parse every file in `seeds`; a library only when all of them parse (and there are some).

    `extra` (the articles servers added, already in `old` after its seeds) join the new
    library after the seeds' articles, so a reload keeps them."""
    serving = len(old.articles) - len(extra)
    if not seeds.is_dir():
        message = (  # no path: replies must not reveal the server's folders
            "Reload refused: the seeds folder does not exist (check NORFOLK_SEEDS); "
            f"still serving the {serving} article(s) loaded before."
        )
        return Replacement(None, ReloadResult(False, message))
    report = read_folder(seeds)
    if report.errors:
        return Replacement(
            None, ReloadResult(False, failure_message(report.errors, serving)), report.errors
        )
    if not report.articles:
        message = (
            "Reload refused: no articles found in the seeds folder; "
            f"still serving the {serving} article(s) loaded before."
        )
        return Replacement(None, ReloadResult(False, message))
    new = Library([*report.articles, *extra], **old.options())  # same settings, encoder, cache
    sections = sum(len(a.sections) for a in report.articles)
    facts = sum(len(a.infobox) for a in report.articles)
    lines = [f"Reloaded {len(report.articles)} article(s): {sections} sections, {facts} facts."]
    lines += [f"• {Path(w.source).name}: {w.reason}" for w in report.warnings[:MAX_LISTED_ERRORS]]
    if len(report.warnings) > MAX_LISTED_ERRORS:
        lines.append(f"• …and {len(report.warnings) - MAX_LISTED_ERRORS} more (see the log)")
    return Replacement(new, ReloadResult(True, "\n".join(lines)), (), report.warnings)
