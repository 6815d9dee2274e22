"""Settings: defaults, parsing, clear errors and a token that never shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    DEFAULT_DB,
    DEFAULT_SEEDS,
    PROJECT_ROOT,
    Config,
    ConfigError,
    default_db_path,
    load_config,
    merged_environment,
)
from bot.config import _default_dotenv as DEFAULT_DOTENV
from knowledge import Library, parse_article
from knowledge.settings import Settings


def test_defaults_need_no_settings() -> None:
    config = load_config({})
    assert config.token is None and config.seeds == DEFAULT_SEEDS
    assert (config.cooldown_rate, config.cooldown_per) == (5, 30.0)
    assert config.spoilers and config.spoiler_sections == ("Plot",)


def test_every_setting_is_read() -> None:
    config = load_config(
        {
            "DISCORD_TOKEN": " abc.def ",
            "NORFOLK_DEV_GUILD_ID": "123",
            "NORFOLK_SEEDS": "/tmp/articles",
            "NORFOLK_DB": "/tmp/x.db",
            "NORFOLK_SPOILERS": "off",
            "NORFOLK_SPOILER_SECTIONS": "Plot, Ending",
            "NORFOLK_COOLDOWN_RATE": "2",
            "NORFOLK_COOLDOWN_SECONDS": "10",
            "NORFOLK_SHARD_COUNT": "4",
        }
    )
    assert config.token == "abc.def" and config.dev_guild_id == 123
    assert config.seeds == Path("/tmp/articles") and config.db_path == Path("/tmp/x.db")
    assert not config.spoilers and config.spoiler_sections == ("Plot", "Ending")
    assert (config.cooldown_rate, config.cooldown_per, config.shard_count) == (2, 10.0, 4)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NORFOLK_DEV_GUILD_ID", "abc"),
        ("NORFOLK_SPOILERS", "maybe"),
        ("NORFOLK_COOLDOWN_SECONDS", "-1"),
        ("NORFOLK_SHARD_COUNT", "0"),
        ("NORFOLK_MIN_CONFIDENCE", "1.5"),
        ("NORFOLK_MIN_CONFIDENCE", "half"),
    ],
)
def test_bad_values_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({name: value})


def test_token_never_in_repr() -> None:
    config = load_config({"DISCORD_TOKEN": "secret-token-value"})
    assert "secret-token-value" not in repr(config) and "secret-token-value" not in str(config)


def test_dotenv_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DISCORD_TOKEN=from-file\nNORFOLK_DB=file.db\n", "utf-8")
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("NORFOLK_DB", "env.db")
    merged = merged_environment(env_file)
    assert merged["DISCORD_TOKEN"] == "from-file" and merged["NORFOLK_DB"] == "env.db"


def test_project_dotenv_is_found_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text("NORFOLK_DB=project.db\n", "utf-8")
    monkeypatch.setattr("bot.config.PROJECT_ROOT", project)
    monkeypatch.setattr("bot.config._default_dotenv", DEFAULT_DOTENV)  # undo the isolation
    monkeypatch.delenv("NORFOLK_DB", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert merged_environment()["NORFOLK_DB"] == "project.db"
    (elsewhere / ".env").write_text("NORFOLK_DB=local.db\n", "utf-8")
    assert merged_environment()["NORFOLK_DB"] == "local.db"


def test_answering_settings_come_from_the_config(tmp_path) -> None:
    config = load_config(
        {
            "NORFOLK_MAX_QUESTION_CHARS": "2000",
            "NORFOLK_ENCODER": "none",
            "NORFOLK_CACHE_DIR": str(tmp_path),
        }
    )
    options = config.library_options()
    assert options["settings"].max_question_chars == 2000
    assert options["settings"].encoder == "none"
    assert options["cache_dir"] == tmp_path
    with pytest.raises(ConfigError, match="NORFOLK_ENCODER"):
        load_config({"NORFOLK_ENCODER": "gpt"})


def test_the_question_limit_is_the_same_in_the_library() -> None:

    config = load_config({"NORFOLK_MAX_QUESTION_CHARS": "2000", "NORFOLK_ENCODER": "none"})
    article = parse_article("= Moss =\n\nMoss grows on rocks in Wales.\n")
    library = Library([article], **config.library_options())
    question = "where does moss grow " + "really " * 200  # ~1,400 characters
    assert library.ask(question).notice is None
    assert "2,000" in (library.ask("why " * 600).notice or "")


def test_a_cautious_server_sets_how_sure_an_answer_must_be() -> None:
    """NORFOLK_MIN_CONFIDENCE is the abstention cutoff of every library the bot builds."""
    assert load_config({}).settings().abstain_below == Settings().abstain_below
    article = parse_article("= Moss =\n\nMoss grows on rocks in Wales.\n")
    question = "where does moss grow?"
    answers = {}
    for cutoff in ("0", "1"):
        config = load_config({"NORFOLK_MIN_CONFIDENCE": cutoff, "NORFOLK_ENCODER": "none"})
        assert config.settings().abstain_below == float(cutoff)
        answers[cutoff] = Library([article], **config.library_options()).ask(question)
    assert answers["0"].text is not None and "Wales" in answers["0"].citations[0].text
    assert answers["1"].text is None  # no calibrated probability reaches 1
    assert answers["1"].citations  # the sources are still offered


def test_database_has_one_stable_default_whatever_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot and `norfolk stats` must read the same file, wherever each was started from."""
    seen = set()
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        seen.add(load_config({}).db_path)
        seen.add(load_config({"NORFOLK_DB": "norfolk.db"}).db_path)  # as .env.example had it
    assert seen == {DEFAULT_DB}
    assert DEFAULT_DB.is_absolute() and DEFAULT_DB.parent == PROJECT_ROOT
    assert Config().db_path == DEFAULT_DB


def test_relative_database_setting_is_taken_from_the_project_folder(tmp_path: Path) -> None:
    assert load_config({"NORFOLK_DB": "data/votes.db"}).db_path == PROJECT_ROOT / "data/votes.db"
    assert load_config({"NORFOLK_DB": str(tmp_path / "x.db")}).db_path == tmp_path / "x.db"
    assert str(load_config({"NORFOLK_DB": ":memory:"}).db_path) == ":memory:"


def test_outside_a_checkout_the_database_goes_to_the_platform_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed as a plain package, the code lives in site-packages: no place for data."""
    monkeypatch.setattr("bot.config.PROJECT_ROOT", tmp_path / "site-packages")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr("sys.platform", "linux")
    assert default_db_path() == tmp_path / "data" / "norfolk" / "norfolk.db"


def test_followup_memory_lasts_ten_minutes_unless_set_or_off() -> None:
    assert load_config({}).followup_seconds == 600.0
    assert load_config({"NORFOLK_FOLLOWUP_SECONDS": "90"}).followup_seconds == 90.0
    for off in ("0", "off"):
        assert load_config({"NORFOLK_FOLLOWUP_SECONDS": off}).followup_seconds == 0.0
    with pytest.raises(ConfigError, match="NORFOLK_FOLLOWUP_SECONDS"):
        load_config({"NORFOLK_FOLLOWUP_SECONDS": "-5"})


def test_load_settings_have_sane_defaults_and_are_read() -> None:
    from bot.workers import usable_cpus

    config = load_config({})
    assert config.worker_kind == "process" and config.worker_count() == usable_cpus()
    assert config.queue_size == 2000 and config.http_connections == 100
    config = load_config(
        {
            "NORFOLK_WORKERS": "3",
            "NORFOLK_WORKER_KIND": "thread",
            "NORFOLK_QUEUE_SIZE": "50",
            "NORFOLK_HTTP_CONNECTIONS": "20",
        }
    )
    assert (config.worker_count(), config.worker_kind) == (3, "thread")
    assert (config.queue_size, config.http_connections) == (50, 20)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NORFOLK_WORKERS", "0"),
        ("NORFOLK_WORKER_KIND", "fibres"),
        ("NORFOLK_QUEUE_SIZE", "lots"),
        ("NORFOLK_HTTP_CONNECTIONS", "1"),  # the gateway holds one of them
    ],
)
def test_bad_load_settings_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({name: value})


def test_library_settings() -> None:
    config = load_config({})
    assert config.wiki_api == "https://{lang}.wikipedia.org/w/api.php"
    assert not config.allow_import and config.contact is None and config.shared == ()
    config = load_config(
        {
            "NORFOLK_WIKI_API": "http://127.0.0.1:8080/w/api.php",
            "NORFOLK_ALLOW_IMPORT": "on",
            "NORFOLK_CONTACT": " admin@example.org ",
            "NORFOLK_SHARED": "never_let_me_go, Jaws (film) ,",
        }
    )
    assert config.wiki_api == "http://127.0.0.1:8080/w/api.php" and config.allow_import
    assert config.contact == "admin@example.org"
    assert config.shared == ("never_let_me_go", "Jaws (film)")
    assert load_config({"NORFOLK_SHARED": "all"}).shared == ()


@pytest.mark.parametrize("raw", ["wikipedia.org", "ftp://x.org/w/api.php", "http://a b/api.php"])
def test_a_wiki_api_that_is_not_a_web_address_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match="NORFOLK_WIKI_API"):
        load_config({"NORFOLK_WIKI_API": raw})
