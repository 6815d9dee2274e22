"""The local REPL: answers, commands and clean exits."""

from __future__ import annotations

import io
from collections.abc import Iterator

from bot.repl import run_repl
from knowledge import Library


def _script(*lines: str | type[BaseException]) -> object:
    feed: Iterator[str | type[BaseException]] = iter(lines)

    def read(prompt: str) -> str:
        item = next(feed)
        if isinstance(item, type):
            raise item
        return item

    return read


def test_answers_then_quits(seed_library: Library) -> None:
    out = io.StringIO()
    code = run_repl(seed_library, read=_script("who wrote it?", ":quit"), out=out, history=False)
    assert code == 0
    assert "Kazuo Ishiguro" in out.getvalue() and "Infobox" in out.getvalue()


def test_help_about_and_unknown_commands(seed_library: Library) -> None:
    out = io.StringIO()
    run_repl(
        seed_library, read=_script(":help", ":about", ":nope", EOFError), out=out, history=False
    )
    text = out.getvalue()
    assert ":quit" in text and "15 infobox fields" not in text
    assert "14 infobox fields" in text and "Unknown command" in text
    article = seed_library.articles[0]
    assert f"{len(article.sections)} sections" in text
    assert f"{seed_library.fact_counts()[article.title]} facts" in text


def test_ctrl_c_exits_cleanly(seed_library: Library) -> None:
    out = io.StringIO()
    assert run_repl(seed_library, read=_script(KeyboardInterrupt), out=out, history=False) == 0


def test_abstention_is_honest(seed_library: Library) -> None:
    out = io.StringIO()
    run_repl(seed_library, read=_script("capital of France?", EOFError), out=out, history=False)
    assert "The article doesn't say" in out.getvalue()


def test_help_typed_as_a_question_shows_the_help(seed_library: Library) -> None:
    out = io.StringIO()
    run_repl(
        seed_library, read=_script("help", "what can you do?", EOFError), out=out, history=False
    )
    text = out.getvalue()
    assert text.count(":about   which articles are loaded") == 2  # a line of the help text
    assert "doesn't say" not in text and "Did you mean" not in text


def test_greetings_still_get_a_friendly_line(seed_library: Library) -> None:
    out = io.StringIO()
    run_repl(seed_library, read=_script("hi", "thanks!", EOFError), out=out, history=False)
    text = out.getvalue()
    assert text.count("Which part of the article are you asking about?") == 2
    assert "doesn't say" not in text
