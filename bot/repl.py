"""A local question loop: the whole bot without Discord, for admins and for trying it out."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.chat import is_help_request
from bot.render import answer_text
from knowledge import Library

HELP = """Ask any question about the loaded article(s), e.g. "who wrote it?".
Commands:
  :help    this text
  :about   which articles are loaded
  :quit    leave (Ctrl-D and Ctrl-C work too)"""

HISTORY_FILE = Path.home() / ".norfolk_history"


def _enable_history() -> Callable[[], None]:
    """Line editing and history via readline where the platform has it; returns a saver."""
    try:
        import readline
    except ImportError:  # e.g. Windows without pyreadline
        return lambda: None
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(HISTORY_FILE)

    return save


def about(library: Library) -> str:
    """One line per loaded article: its sections, infobox fields and searchable facts."""
    facts = library.fact_counts()
    lines = [
        f"• {article.title}: {len(article.sections)} sections, "
        f"{len(article.infobox)} infobox fields, {facts[article.title]} facts"
        for article in library.articles
    ]
    return "\n".join(lines) or "No articles are loaded."


def run_repl(
    library: Library,
    *,
    read: Callable[[str], str] | None = None,
    out: TextIO | None = None,
    history: bool = True,
) -> int:
    """Answer questions until :quit, end of input or Ctrl-C; returns the exit code."""
    out = out or sys.stdout
    read = read or input
    save_history = _enable_history() if history else (lambda: None)
    titles = ", ".join(a.title for a in library.articles) or "no articles"
    print(f"Norfolk — ask about {titles}. Type :help for help, :quit to leave.", file=out)
    try:
        while True:
            try:
                line = read("? ")
            except EOFError:
                print(file=out)
                return 0
            command = line.strip().lower()
            if command in {":q", ":quit", ":exit"}:
                return 0
            if command in {":h", ":help"} or is_help_request(line):
                print(HELP, file=out)
            elif command == ":about":
                print(about(library), file=out)
            elif command.startswith(":"):
                print(f"Unknown command {command!r}. Type :help.", file=out)
            elif command:
                print(answer_text(library.ask(line)), file=out)
            print(file=out)
    except KeyboardInterrupt:
        print(file=out)
        return 0
    finally:
        save_history()
