"""A local question loop: the whole bot without Discord, for admins and for trying it out."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from bot.chat import is_help_request
from bot.conversations import DEFAULT_TTL, Conversations, ask_in_conversation
from bot.reload import load_replacement
from bot.render import answer_text, terminal_width
from knowledge import Library

HELP = """Ask any question about the loaded article(s), e.g. "who wrote it?".
Follow-ups work: after "who played Ruth?", ask "and Tommy?".
Commands:
  :help    this text
  :about   which articles are loaded
  :reload  re-read the articles from the seeds folder (kill -HUP does the same)
  :quit    leave (Ctrl-D and Ctrl-C work too)"""

HISTORY_FILE = Path.home() / ".norfolk_history"
REPL_CONVERSATION = 0
"""The REPL is one reader in one conversation."""


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


class _Session:
    """The REPL's state: the library it serves, and where to reload it from."""

    def __init__(
        self, library: Library, seeds: Path | None, out: TextIO, followup_seconds: float
    ) -> None:
        self.library = library
        self.seeds = seeds
        self.out = out
        self.memory: Conversations[int] = Conversations(ttl=followup_seconds)

    def reload(self) -> str:
        """Re-read the seeds folder; keep the old articles unless every file parses."""
        if self.seeds is None:
            return "Nothing to reload: this session was not started from a seeds folder."
        found = load_replacement(self.seeds, self.library)
        if found.library is not None:
            self.library = found.library
        return found.result.message

    def on_hangup(self, signum: int, frame: object) -> None:
        """SIGHUP (`kill -HUP`) reloads the articles, as it does for the bot, instead of
        ending the session. Python runs this in the main thread: at once, or (when the
        signal landed on another thread, e.g. numpy's, while waiting for input) as soon as
        the next line is read, before it is answered."""
        print(f"\n{self.reload()}", file=self.out, flush=True)


@contextlib.contextmanager
def _reload_on_hangup(session: _Session) -> Iterator[None]:
    """Install the SIGHUP handler for the session (POSIX, main thread only) and restore the
    previous one afterwards."""
    previous = None
    installed = False
    if hasattr(signal, "SIGHUP"):
        with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
            previous = signal.signal(signal.SIGHUP, session.on_hangup)
            installed = True
    try:
        yield
    finally:
        if installed:
            signal.signal(signal.SIGHUP, previous)


def run_repl(
    library: Library,
    *,
    read: Callable[[str], str] | None = None,
    out: TextIO | None = None,
    history: bool = True,
    seeds: Path | None = None,
    width: Callable[[], int] = terminal_width,
    followup_seconds: float = DEFAULT_TTL,
) -> int:
    """Answer questions until :quit, end of input or Ctrl-C; returns the exit code.

    `seeds` is the folder `:reload` and SIGHUP re-read; `width` gives the wrap width
    (the terminal's, asked again for each answer so a resized window is honoured).
    The session is one conversation: "and Tommy?" is read with the previous question for
    `followup_seconds` (0: never).
    """
    out = out or sys.stdout
    read = read or input
    session = _Session(library, seeds, out, followup_seconds)
    save_history = _enable_history() if history else (lambda: None)
    titles = ", ".join(a.title for a in library.articles) or "no articles"
    print(f"Norfolk — ask about {titles}. Type :help for help, :quit to leave.", file=out)
    try:
        with _reload_on_hangup(session):
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
                    print(about(session.library), file=out)
                elif command == ":reload":
                    print(session.reload(), file=out)
                elif command.startswith(":"):
                    print(f"Unknown command {command!r}. Type :help.", file=out)
                elif command:
                    answer, reading = ask_in_conversation(
                        session.memory, REPL_CONVERSATION, session.library.ask, line
                    )
                    if reading.read_as:
                        print(f"Reading this as: {reading.read_as}", file=out)
                    print(answer_text(answer, width=width()), file=out)
                print(file=out)
    except KeyboardInterrupt:
        print(file=out)
        return 0
    finally:
        save_history()
