"""Settings from the environment and an optional `.env` file, validated once at start-up."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from bot.workers import usable_cpus
from knowledge.encoder import Progress
from knowledge.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = PROJECT_ROOT / "seeds"
DB_NAME = "norfolk.db"
DEFAULT_WIKI_API = "https://{lang}.wikipedia.org/w/api.php"


def _data_home() -> Path:
    """The platform's folder for per-user application data."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def default_db_path() -> Path:
    """Where the database lives unless NORFOLK_DB says otherwise: one place, whatever the
    folder a command is started from. In a checkout (the usual case: `make run`) that is the
    project folder, next to `seeds/` and `.env`; installed as a plain package it is the
    platform's data folder (e.g. ~/.local/share/norfolk/norfolk.db)."""
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / DB_NAME
    return _data_home() / "norfolk" / DB_NAME


DEFAULT_DB = default_db_path()


def db_path_setting(raw: str) -> Path:
    """NORFOLK_DB as a path: empty is the default; a relative path is taken from the project
    folder (not the current one); `:memory:` and `file:` URIs are passed through."""
    raw = raw.strip()
    if not raw:
        return default_db_path()
    if raw == ":memory:" or raw.startswith("file:"):
        return Path(raw)
    path = Path(raw).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


class ConfigError(ValueError):
    """A setting with a value the bot cannot use; the message says which and how to fix it."""


@dataclass(frozen=True)
class Config:
    """Everything the bot can be told; see `.env.example` for the documentation of each."""

    token: str | None = None
    dev_guild_id: int | None = None
    seeds: Path = DEFAULT_SEEDS
    db_path: Path = DEFAULT_DB
    spoilers: bool = True
    spoiler_sections: tuple[str, ...] = ("Plot",)
    cooldown_rate: int = 5
    cooldown_per: float = 30.0
    shard_count: int | None = None
    max_question_chars: int = 1000
    min_confidence: float = Settings.abstain_below
    """Answer only when the calibrated probability of being right is at least this."""
    followup_seconds: float = 600.0
    log_level: str = "INFO"
    encoder: str = "e5"
    cache_dir: Path = PROJECT_ROOT / ".cache"
    workers: int | None = None
    worker_kind: str = "process"
    queue_size: int = 2000
    http_connections: int = 100

    def worker_count(self) -> int:
        """Answering workers: the setting, else one per CPU this process may use."""
        return self.workers or usable_cpus()

    wiki_api: str = DEFAULT_WIKI_API
    allow_import: bool = False
    contact: str | None = None
    shared: tuple[str, ...] = ()
    """Seed articles every server's shelf offers (file names or titles); empty: all."""

    def settings(self) -> Settings:
        """The knowledge settings these options imply (one limit, honoured everywhere)."""
        return Settings(
            max_question_chars=self.max_question_chars,
            abstain_below=self.min_confidence,
            encoder=self.encoder,
        )

    def library_options(self, progress: Progress | None = None) -> dict[str, Any]:
        """Keyword arguments for `Library` / `load_folder`."""
        return {"settings": self.settings(), "cache_dir": self.cache_dir, "progress": progress}

    def __repr__(self) -> str:  # never show the token, even in a debugger or a log line
        token = "set" if self.token else "unset"
        return f"Config(token={token}, seeds={str(self.seeds)!r}, db_path={str(self.db_path)!r})"


def _int(env: Mapping[str, str], name: str, default: int | None, minimum: int = 0) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _number(
    env: Mapping[str, str],
    name: str,
    default: float,
    what: str,
    rule: str,
    accept: Callable[[float], bool],
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from None
    if not accept(value):
        raise ConfigError(f"{name} must be {rule}, got {raw!r}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, "a number of seconds", "positive", lambda v: v > 0)


def _probability(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(
        env, name, default, "a number between 0 and 1", "between 0 and 1", lambda v: 0 <= v <= 1
    )


def _seconds_or_off(env: Mapping[str, str], name: str, default: float) -> float:
    """A number of seconds where 0 (or "off") turns the feature off."""
    raw = env.get(name, "").strip().lower()
    if raw in {"0", "off", "no", "false"}:
        return 0.0
    return _float(env, name, default)


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "on", "true", "yes"}:
        return True
    if raw in {"0", "off", "false", "no"}:
        return False
    raise ConfigError(f"{name} must be 'on' or 'off', got {raw!r}")


def _default_dotenv() -> Path:
    here = Path.cwd() / ".env"
    return here if here.is_file() else PROJECT_ROOT / ".env"


def merged_environment(dotenv_path: Path | None = None) -> dict[str, str]:
    """`.env` values overlaid by the real environment (the environment wins).

    The `.env` is the one in the current folder, else the project's own, so the bot finds
    its settings whichever folder it is started from.
    """
    path = dotenv_path if dotenv_path is not None else _default_dotenv()
    values = {}
    if path.is_file():
        values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    values.update(os.environ)
    return values


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """Build a `Config` from a mapping (default: `.env` plus the environment)."""
    env = merged_environment() if env is None else env
    token = env.get("DISCORD_TOKEN", "").strip() or None
    seeds_raw = env.get("NORFOLK_SEEDS", "").strip()
    sections = env.get("NORFOLK_SPOILER_SECTIONS", "").strip()
    return Config(
        token=token,
        dev_guild_id=_int(env, "NORFOLK_DEV_GUILD_ID", None, minimum=1),
        seeds=Path(seeds_raw).expanduser() if seeds_raw else DEFAULT_SEEDS,
        db_path=db_path_setting(env.get("NORFOLK_DB", "")),
        spoilers=_bool(env, "NORFOLK_SPOILERS", True),
        spoiler_sections=tuple(s.strip() for s in sections.split(",") if s.strip())
        if sections
        else ("Plot",),
        cooldown_rate=_int(env, "NORFOLK_COOLDOWN_RATE", 5, minimum=1) or 5,
        cooldown_per=_float(env, "NORFOLK_COOLDOWN_SECONDS", 30.0),
        shard_count=_int(env, "NORFOLK_SHARD_COUNT", None, minimum=1),
        max_question_chars=_int(env, "NORFOLK_MAX_QUESTION_CHARS", 1000, minimum=1) or 1000,
        min_confidence=_probability(env, "NORFOLK_MIN_CONFIDENCE", Settings.abstain_below),
        followup_seconds=_seconds_or_off(env, "NORFOLK_FOLLOWUP_SECONDS", 600.0),
        log_level=(env.get("NORFOLK_LOG_LEVEL", "").strip() or "INFO").upper(),
        encoder=_choice(env, "NORFOLK_ENCODER", "e5", ("e5", "none")),
        cache_dir=Path(
            env.get("NORFOLK_CACHE_DIR", "").strip() or PROJECT_ROOT / ".cache"
        ).expanduser(),
        workers=_int(env, "NORFOLK_WORKERS", None, minimum=1),
        worker_kind=_choice(env, "NORFOLK_WORKER_KIND", "process", ("process", "thread")),
        queue_size=_int(env, "NORFOLK_QUEUE_SIZE", 2000, minimum=1) or 2000,
        http_connections=_int(env, "NORFOLK_HTTP_CONNECTIONS", 100, minimum=2) or 100,
        wiki_api=_wiki_api(env),
        allow_import=_bool(env, "NORFOLK_ALLOW_IMPORT", False),
        contact=env.get("NORFOLK_CONTACT", "").strip() or None,
        shared=_names(env, "NORFOLK_SHARED"),
    )


def _wiki_api(env: Mapping[str, str]) -> str:
    """NORFOLK_WIKI_API: a full http(s) address of a MediaWiki `api.php` (`{lang}` allowed)."""
    raw = env.get("NORFOLK_WIKI_API", "").strip()
    if not raw:
        return DEFAULT_WIKI_API
    if not raw.lower().startswith(("http://", "https://")) or " " in raw:
        raise ConfigError(
            f"NORFOLK_WIKI_API must be the full address of a MediaWiki api.php, e.g. "
            f"{DEFAULT_WIKI_API}, got {raw!r}"
        )
    return raw


def _names(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list; empty or "all" is the empty tuple (everything)."""
    raw = env.get(name, "").strip()
    if raw.casefold() in ("", "all", "*"):
        return ()
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw
