"""The `norfolk` command line: the JSON contract, --jsonl streaming, bad input, seeds."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"question", "answer", "citations", "confidence", "notice", "also"}


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run from an empty folder with no token or seeds setting, as on a fresh clone."""
    for name in ("DISCORD_TOKEN", "NORFOLK_SEEDS", "NORFOLK_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), "utf-8"))


def test_ask_json_has_exactly_the_contract_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "who directed the film?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == KEYS
    assert data["answer"] == "Mark Romanek"
    assert isinstance(data["confidence"], float)
    citation = data["citations"][0]
    assert set(citation) == {"article", "section", "text"}
    assert "Romanek" in citation["text"]


def test_ask_json_abstains_with_null(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "what is the capital of France"]) == 0
    assert json.loads(capsys.readouterr().out)["answer"] is None


def test_ask_text_shows_answer_sections_and_confidence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "how", "many", "pages?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("288")
    assert "› Infobox" in out and "confidence" in out


def test_jsonl_keeps_order_one_line_each(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = ["who wrote it", "", "asdfgh", "how many pages", "x" * 10_000, "🙂"]
    _stdin(monkeypatch, "\n".join(questions) + "\n")
    assert main(["ask", "--jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(questions)
    rows = [json.loads(line) for line in lines]
    assert [r["question"] for r in rows] == questions
    assert all(set(r) == KEYS for r in rows)
    assert rows[0]["answer"] == "Kazuo Ishiguro" and rows[3]["answer"] == "288"
    assert rows[1]["answer"] is rows[2]["answer"] is rows[4]["answer"] is None


def test_jsonl_empty_input_prints_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "")
    assert main(["ask", "--jsonl"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000, "🙂🙂", "\x00\x07garbage\ufffd"])
def test_bad_questions_get_a_friendly_line(
    question: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", question]) == 0
    out = capsys.readouterr()
    assert out.out.strip() and "Traceback" not in out.out + out.err


def test_usage_error_is_one_line_and_nonzero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["ask", "--jsonl", "a question"])
    assert caught.value.code == 2
    assert "--jsonl" in capsys.readouterr().err


def test_seeds_option_and_broken_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.txt").write_text("= Moss =\n\nMoss grows in Wales.\n", "utf-8")
    (tmp_path / "bad.txt").write_text("no title line\n", "utf-8")
    assert main(["ask", "--seeds", str(tmp_path), "--json", "where does moss grow"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["citations"][0]["article"] == "Moss"
    assert "bad.txt:1:" in out.err


def test_no_articles_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["ask", "--seeds", str(tmp_path), "who?"])
    assert "no usable articles" in str(caught.value.code)


def test_seeds_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    (tmp_path / "a.txt").write_text("= Moss =\n\nMoss grows in Wales.\n", "utf-8")
    monkeypatch.setenv("NORFOLK_SEEDS", str(tmp_path))
    assert main(["ask", "--json", "where does moss grow"]) == 0
    assert json.loads(capsys.readouterr().out)["citations"][0]["article"] == "Moss"


def test_bad_setting_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("NORFOLK_COOLDOWN_RATE", "lots")
    assert main(["ask", "who?"]) == 2
    assert capsys.readouterr().err.strip() == (
        "norfolk: NORFOLK_COOLDOWN_RATE must be a whole number, got 'lots'"
    )


def test_run_without_token_starts_the_repl(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: (_ for _ in ()).throw(EOFError))
    monkeypatch.setattr("bot.repl.HISTORY_FILE", Path("history"))
    assert main([]) == 0
    captured = capsys.readouterr()
    assert "No DISCORD_TOKEN" in captured.err and "Norfolk" in captured.out


def test_console_script_streams_jsonl_as_a_subprocess() -> None:
    """The installed entry point, as score.py drives it: one flushed line per question."""
    process = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--jsonl"],
        input="who wrote it\nwhat is the capital of France\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    rows = [json.loads(line) for line in process.stdout.splitlines()]
    assert [r["answer"] for r in rows] == ["Kazuo Ishiguro", None]


@pytest.mark.parametrize("before", [True, False])
def test_seeds_option_before_or_after_the_command(
    before: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("= Moss =\n\nMoss grows in Wales.\n", "utf-8")
    seeds = ["--seeds", str(tmp_path)]
    argv = [*seeds, "ask", "--json", "where does moss grow"]
    if not before:
        argv = ["ask", *seeds, "--json", "where does moss grow"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["citations"][0]["article"] == "Moss"


# ----- norfolk stats --------------------------------------------------------------------------


def _recorded_db(path: Path) -> Path:
    from bot.store import Store

    with Store(path) as store:
        store.record_question(
            question="who composed the score?",
            answered=False,
            confidence=0.1,
            user_id=1,
            guild_id=None,
            source="dm",
        )
    return path


def test_stats_prints_the_database_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _recorded_db(tmp_path / "votes.db")
    monkeypatch.setenv("NORFOLK_DB", str(db))
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert f"Database: {db}" in out.splitlines()
    assert "1. who composed the score? — asked once" in out


def test_stats_reads_the_bots_database_from_any_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default path does not depend on the folder `stats` (or the bot) is run from."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("", "utf-8")
    monkeypatch.setattr("bot.config.PROJECT_ROOT", project)
    _recorded_db(project / "norfolk.db")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert f"Database: {project / 'norfolk.db'}" in out and "who composed the score?" in out
    assert not (elsewhere / "norfolk.db").exists()


def test_stats_on_a_missing_database_creates_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none" / "norfolk.db"
    monkeypatch.setenv("NORFOLK_DB", str(db))
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert str(db) in out and "nothing has been recorded" in out
    assert not db.exists() and not db.parent.exists()


def test_stats_on_a_corrupt_database_exits_nonzero(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "norfolk.db"
    db.write_bytes(b"not a database" * 100)
    monkeypatch.setenv("NORFOLK_DB", str(db))
    assert main(["stats"]) == 1
    captured = capsys.readouterr()
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == 1, captured.err
    assert str(db) in err_lines[0] and "not a database" in err_lines[0]
    assert db.read_bytes() == b"not a database" * 100  # left as it was, for the admin to inspect


@pytest.mark.parametrize("limit", ["-3", "0", "many"])
def test_stats_rejects_a_limit_that_is_not_positive(
    limit: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NORFOLK_DB", str(_recorded_db(tmp_path / "n.db")))
    with pytest.raises(SystemExit) as caught:
        main(["stats", "--limit", limit])
    assert caught.value.code == 2
    assert "--limit" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["ask", "who?"], ["repl"], ["ask", "--jsonl"]])
def test_missing_seeds_folder_is_one_clear_message(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, "who?\n")
    missing = tmp_path / "nope"
    with pytest.raises(SystemExit) as caught:
        main([*command, "--seeds", str(missing)])
    message = str(caught.value.code)
    assert message == (
        f"norfolk: the seeds folder {missing} does not exist "
        "(point --seeds or NORFOLK_SEEDS at a folder of .txt articles)"
    )
    assert capsys.readouterr().err == ""  # no "skipped …:0:" line before it


def test_two_files_with_one_title_warn_and_the_banner_names_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.knowledge.test_load_folder import write_twins

    first, second = write_twins(tmp_path)
    monkeypatch.setattr("builtins.input", lambda prompt: (_ for _ in ()).throw(EOFError))
    monkeypatch.setattr("bot.repl.HISTORY_FILE", tmp_path / "history")
    assert main(["repl", "--seeds", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith(f"norfolk: warning: {second}: same title")
    assert first.name in captured.err
    assert "Jaws (film)" in captured.out and "Jaws (film), Jaws (film)" not in captured.out


def test_jsonl_is_stateless_unless_asked_for_a_conversation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = "who played Ruth in the film?\nand Tommy?\n"
    _stdin(monkeypatch, lines)
    assert main(["ask", "--jsonl"]) == 0
    plain = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(set(row) == KEYS for row in plain)  # the contract, unchanged

    _stdin(monkeypatch, lines)
    assert main(["ask", "--jsonl", "--conversation"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert set(first) == KEYS
    assert second["question"] == "and Tommy?"
    assert second["read_as"] == "who played Tommy in the film?"
    assert set(second) == {*KEYS, "read_as"}
    assert main(["ask", "--json", "who played Tommy in the film?"]) == 0
    direct = json.loads(capsys.readouterr().out)  # the same answer as asking it in full
    assert (second["answer"], second["citations"]) == (direct["answer"], direct["citations"])


def test_conversation_needs_jsonl(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["ask", "--conversation", "and Tommy?"])
    assert caught.value.code == 2 and "--jsonl" in capsys.readouterr().err
