"""The local REPL: answers, commands and clean exits."""

from __future__ import annotations

import io
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.repl import run_repl
from knowledge import Answer, Citation, Library

ROOT = Path(__file__).resolve().parents[2]


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


SNIPPET = (
    "Mark Romanek directed a 2010 film adaptation of Never Let Me Go starring Carey Mulligan "
    "as Kathy, Andrew Garfield as Tommy and Keira Knightley as Ruth, from a screenplay."
)


class CannedLibrary:
    """Answers "answer me" and abstains with suggestions otherwise (no retrieval involved)."""

    articles = ()

    def ask(self, question: str) -> Answer:
        citations = (Citation("Never Let Me Go (novel)", "Adaptations", SNIPPET),) * 3
        if question == "answer me":
            return Answer(question, "Mark Romanek", citations, 1.0)
        return Answer(question, None, citations, 0.2)


def test_answers_wrap_to_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """The REPL asks the terminal (not a fixed 88 columns), for answers and suggestions."""
    for columns in (50, 72, 140):
        size = os.terminal_size((columns, 24))
        monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=(80, 24), s=size: s)
        out = io.StringIO()
        script = _script("answer me", "something else", EOFError)
        run_repl(CannedLibrary(), read=script, out=out, history=False)  # type: ignore[arg-type]
        lines = out.getvalue().splitlines()[1:]  # the banner is one line by design
        assert "Did you mean:" in lines and "Mark Romanek" in lines
        assert max(len(line) for line in lines) <= columns
        if columns > 88:
            assert max(len(line) for line in lines) > 88


def test_reload_command_rereads_the_seeds_folder(tmp_path: Path) -> None:
    (tmp_path / "moss.txt").write_text("= Moss =\n\nMoss grows in Wales.\n", "utf-8")
    library = Library.from_dir(tmp_path)
    (tmp_path / "fern.txt").write_text("= Fern =\n\nFerns grow in Devon.\n", "utf-8")
    out = io.StringIO()
    script = _script(":reload", "where do ferns grow?", ":about", EOFError)
    run_repl(library, read=script, out=out, history=False, seeds=tmp_path)
    text = out.getvalue()
    assert "Reloaded 2 article(s)" in text and "Devon" in text and "• Fern:" in text


def test_reload_with_a_broken_file_keeps_the_old_articles(tmp_path: Path) -> None:
    (tmp_path / "moss.txt").write_text("= Moss =\n\nMoss grows in Wales.\n", "utf-8")
    library = Library.from_dir(tmp_path)
    (tmp_path / "bad.txt").write_text("no title line\n", "utf-8")
    out = io.StringIO()
    script = _script(":reload", "where does moss grow?", EOFError)
    run_repl(library, read=script, out=out, history=False, seeds=tmp_path)
    text = out.getvalue()
    assert "Reload refused" in text and "bad.txt line 1" in text and "Wales" in text


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals only")
def test_sighup_reloads_the_repl_instead_of_killing_it(tmp_path: Path) -> None:
    """`kill -HUP <pid>` on the REPL, as on the bot: the articles are re-read, the session
    goes on (before, the default action ended the process).

    The reload happens at once when the signal reaches the main thread, else (it went to
    one of numpy's threads while the main one waits for input) as soon as the next line is
    read, before it is answered: either way it precedes the next answer."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "moss.txt").write_text("= Moss =\n\nMoss grows in Wales.\n", "utf-8")
    env = {**os.environ, "HOME": str(tmp_path), "NORFOLK_SEEDS": str(seeds), "COLUMNS": "80"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "repl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    try:
        assert "Norfolk — ask about Moss" in _read_until(process, "? ")
        (seeds / "fern.txt").write_text("= Fern =\n\nFerns grow in Devon.\n", "utf-8")
        process.send_signal(signal.SIGHUP)
        out, err = process.communicate(b"where do ferns grow?\n:quit\n", timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.decode()
    text = out.decode()
    assert "Reloaded 2 article(s)" in text and "Devon" in text
    assert text.index("Reloaded 2 article(s)") < text.index("Devon")


def _read_until(process: subprocess.Popen[bytes], marker: str, timeout: float = 30) -> str:
    """The process's output up to and including `marker` (fails after `timeout` seconds)."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    while marker.encode() not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {marker!r} in {seen.decode(errors='replace')!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 4096)
            assert chunk, f"the REPL ended: {seen.decode(errors='replace')!r}"
            seen += chunk
    return seen.decode()


def test_followups_are_read_with_the_previous_question(seed_library: Library) -> None:
    out = io.StringIO()
    script = _script("who played Ruth in the film?", "and Tommy?", "thanks", "Kathy?", EOFError)
    run_repl(seed_library, read=script, out=out, history=False)
    lines = out.getvalue().splitlines()
    readings = [line for line in lines if line.startswith("Reading this as:")]
    assert readings == [
        "Reading this as: who played Tommy in the film?",
        "Reading this as: who played Kathy in the film?",  # "thanks" changed nothing
    ]


def test_followups_off_reads_every_question_alone(seed_library: Library) -> None:
    out = io.StringIO()
    script = _script("who played Ruth in the film?", "and Tommy?", EOFError)
    run_repl(seed_library, read=script, out=out, history=False, followup_seconds=0)
    assert "Reading this as" not in out.getvalue()
