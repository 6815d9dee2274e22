"""The `norfolk` command: run the bot (or the REPL without a token), ask, import, stats.

Discord is imported only by `run` with a token, so `norfolk ask` starts fast.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.config import Config, ConfigError, load_config
from knowledge import Library, load_folder

if TYPE_CHECKING:
    from bot.conversations import Conversations


def _progress(done: int, total: int) -> None:
    """Encoding many facts takes a while the first time: say how far it has got."""
    if total >= 100:
        end = "\n" if done >= total else ""
        print(f"\rnorfolk: encoding facts {done}/{total}", end=end, file=sys.stderr, flush=True)


def _load_library(config: Config) -> Library:
    """Load every article, warning (not failing) about the ones that cannot be parsed."""
    seeds = config.seeds
    if not seeds.is_dir():
        raise SystemExit(
            f"norfolk: the seeds folder {seeds} does not exist "
            "(point --seeds or NORFOLK_SEEDS at a folder of .txt articles)"
        )
    report = load_folder(seeds, **config.library_options(_progress))
    for error in report.errors:
        print(f"norfolk: skipped {error}", file=sys.stderr)
    for warning in report.warnings:
        print(f"norfolk: warning: {warning}", file=sys.stderr)
    if not report.library.articles:
        raise SystemExit(f"norfolk: no usable articles in {seeds} (add a .txt article there)")
    return report.library


def _read_questions(stream: TextIO) -> TextIO:
    """Standard input, made tolerant of bytes that are not UTF-8 (a paste, a Latin-1 file)."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors="replace")
    return stream


def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    """Answer one question (text or JSON), or a stream of them with --jsonl."""
    from bot.render import WIDTH, answer_json, answer_text, terminal_width

    if args.jsonl:
        library: Library | None = None
        memory = _conversation(config) if args.conversation else None
        for line in _read_questions(sys.stdin):
            library = library or _load_library(config)  # no input: no need for articles
            question = line.rstrip("\r\n")
            if memory is None:
                sys.stdout.write(answer_json(library.ask(question)) + "\n")
            else:
                sys.stdout.write(_conversation_json(memory, library, question) + "\n")
            sys.stdout.flush()
        return 0
    question = " ".join(args.question)
    if not args.question and not sys.stdin.isatty():
        question = _read_questions(sys.stdin).read().strip()
    answer = _load_library(config).ask(question)
    width = terminal_width() if sys.stdout.isatty() else WIDTH
    print(answer_json(answer) if args.json else answer_text(answer, width=width))
    return 0


def _conversation(config: Config) -> Conversations[int]:
    """The memory `--jsonl --conversation` reads every line with: one conversation, no expiry
    while the input lasts (a script may pause between lines)."""
    from bot.conversations import Conversations

    return Conversations(ttl=float("inf"), max_question_chars=config.max_question_chars)


def _conversation_json(memory: Conversations[int], library: Library, question: str) -> str:
    """One JSON line for a question read in the conversation: the usual object, its
    "question" as given, plus "read_as" when it was read as a follow-up."""
    import json

    from bot.conversations import ask_in_conversation
    from bot.render import answer_json

    answer, reading = ask_in_conversation(memory, 0, library.ask, question)
    if reading.read_as is None:
        return answer_json(answer)
    data = json.loads(answer_json(replace(answer, question=question)))
    data["read_as"] = reading.read_as
    return json.dumps(data, ensure_ascii=False)


def cmd_repl(args: argparse.Namespace, config: Config) -> int:
    """The interactive question loop."""
    from bot.repl import run_repl

    return run_repl(
        _load_library(config), seeds=config.seeds, followup_seconds=config.followup_seconds
    )


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    """The Discord bot when a token is configured, else the local REPL."""
    if not config.token:
        print(
            "No DISCORD_TOKEN configured: starting the local REPL instead "
            "(put the token in .env to run the Discord bot).",
            file=sys.stderr,
        )
        return cmd_repl(args, config)
    from bot.client import run_discord

    return run_discord(config)


def cmd_stats(args: argparse.Namespace, config: Config) -> int:
    """Top unanswered questions and the feedback tally from the bot's database (its path
    first); exit code 1 when the database exists but cannot be read."""
    import logging

    from bot.stats import format_stats
    from bot.store import Store

    path = config.db_path
    print(f"Database: {path}")
    if _is_file_path(path) and not path.exists():  # don't create one just to say it is empty
        print("No database there yet: nothing has been recorded (the bot creates it when it runs).")
        return 0
    store_log = logging.getLogger("norfolk.store")
    quiet, store_log.disabled = store_log.disabled, True  # one message of our own instead
    try:
        store = Store(path)
    finally:
        store_log.disabled = quiet
    try:
        if not store.available:
            print(
                f"norfolk: cannot read the database {path} ({store.error}); "
                "fix NORFOLK_DB or move the file aside to start a new one",
                file=sys.stderr,
            )
            return 1
        print(format_stats(store, limit=args.limit))
    finally:
        store.close()
    return 0


def cmd_import(args: argparse.Namespace, config: Config) -> int:
    """Fetch a Wikipedia article, convert it and write `seeds/<slug>.txt`; exit code 1 with
    one line (and nothing written) when any step fails."""
    import asyncio

    from bot.importer import import_page, write_article
    from bot.wiki import ImportFailed

    try:
        imported = asyncio.run(
            import_page(args.article, lang=args.lang, api=config.wiki_api, contact=config.contact)
        )
        path, replaced = write_article(imported, config.seeds)
    except ImportFailed as exc:
        print(f"norfolk: import failed: {exc}; nothing was written", file=sys.stderr)
        return 1
    article = imported.article
    print(
        f"{'Updated' if replaced else 'Imported'} {imported.describe()} → {path}: "
        f"{len(article.infobox)} infobox fields, {len(article.sections)} sections. "
        "Run /reload (or restart the bot) to serve it."
    )
    return 0


def _language(raw: str) -> str:
    """An argparse type: a Wikipedia language code such as en, fr or zh-yue."""
    from bot.wiki import LANG_RE

    if not LANG_RE.match(raw):
        raise argparse.ArgumentTypeError(f"not a Wikipedia language code: {raw!r}")
    return raw


def _is_file_path(path: Path) -> bool:
    """A plain file path, not `:memory:` or an SQLite `file:` URI."""
    return str(path) != ":memory:" and not str(path).startswith("file:")


def _positive_int(raw: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar; `--seeds` is accepted by every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--seeds",
        type=Path,
        default=argparse.SUPPRESS,  # so `norfolk --seeds X ask` and `norfolk ask --seeds X` agree
        help="folder of articles (default: $NORFOLK_SEEDS, else the project's seeds/)",
    )
    parser = argparse.ArgumentParser(
        prog="norfolk",
        description="Answer questions about an article, with cited snippets.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run", parents=[common], help="run the Discord bot (the REPL when no token is set)"
    )
    run.set_defaults(handler=cmd_run)
    repl = commands.add_parser("repl", parents=[common], help="ask questions interactively")
    repl.set_defaults(handler=cmd_repl)
    ask = commands.add_parser("ask", parents=[common], help="answer one question and exit")
    ask.add_argument("question", nargs="*", help="the question (or read from standard input)")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument(
        "--jsonl", action="store_true", help="read questions line by line, write JSON lines"
    )
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="with --jsonl: read the lines as one conversation, so a follow-up such as "
        "'and Tommy?' is read with the previous question (adds \"read_as\")",
    )
    ask.set_defaults(handler=cmd_ask)
    imports = commands.add_parser(
        "import",
        parents=[common],
        help="fetch a Wikipedia article into the seeds folder",
        description="Fetch a Wikipedia article (through the MediaWiki API at NORFOLK_WIKI_API), "
        "convert it to the article format and write seeds/<slug>.txt with a Source: line.",
    )
    imports.add_argument("article", help="the article's title, e.g. 'Jaws (film)', or its URL")
    imports.add_argument(
        "--lang",
        type=_language,
        default=None,
        help="Wikipedia's language (default: the URL's, else en)",
    )
    imports.set_defaults(handler=cmd_import)
    stats = commands.add_parser(
        "stats", parents=[common], help="top unanswered questions and feedback"
    )
    stats.add_argument(
        "--limit", type=_positive_int, default=10, help="how many questions to list (default 10)"
    )
    stats.set_defaults(handler=cmd_stats)
    parser.set_defaults(handler=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `norfolk` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"norfolk: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "seeds", None) is not None:
        config = replace(config, seeds=args.seeds)
    if args.command == "ask" and args.jsonl and args.question:
        parser.error("--jsonl reads questions from standard input; give no question argument")
    if args.command == "ask" and args.conversation and not args.jsonl:
        parser.error("--conversation goes with --jsonl (one question has nothing to follow)")
    try:
        return args.handler(args, config)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `norfolk ask --jsonl | head -1`
        return 0


if __name__ == "__main__":
    sys.exit(main())
