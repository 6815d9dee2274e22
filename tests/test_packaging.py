"""Packaging: `make run` installs only what the bot needs, metadata builds without warnings."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
DEV_ONLY = ("pytest", "hypothesis", "ruff")


def dry_run(target: str) -> str:
    """The commands `make TARGET` would run from a fresh clone (nothing is executed)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return result.stdout


def test_make_run_installs_runtime_dependencies_only() -> None:
    commands = dry_run("run")
    installs = [line for line in commands.splitlines() if "pip install" in line]
    assert any("-e ." in line or "-e '.'" in line for line in installs), commands
    assert "[dev]" not in commands, commands
    runtime = " ".join(PYPROJECT["project"]["dependencies"])
    assert not any(name in runtime for name in DEV_ONLY)


def test_make_test_installs_the_dev_tools_then_runs_lint_and_pytest() -> None:
    commands = dry_run("test")
    assert "[dev]" in commands
    dev = " ".join(PYPROJECT["project"]["optional-dependencies"]["dev"])
    assert all(name in dev for name in DEV_ONLY)
    assert "ruff check" in commands and "ruff format --check" in commands
    assert "pytest" in commands


def test_ci_runs_exactly_make_test() -> None:
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    commands = [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert commands == ["exec make test"]


def test_license_is_an_spdx_string() -> None:
    """A `license = {text = ...}` table is deprecated and makes setuptools warn on every install."""
    assert PYPROJECT["project"]["license"] == "MIT"
    requires = " ".join(PYPROJECT["build-system"]["requires"])
    minimum = re.search(r"setuptools>=(\d+)", requires)
    assert minimum and int(minimum.group(1)) >= 77  # the first setuptools to read SPDX strings


def test_discord_audioop_deprecation_is_filtered_in_pytest_config() -> None:
    """discord.py imports `audioop` (voice, unused here); its warning is noise in every run."""
    probe = subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", "-c", "import discord"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    warned = [line for line in probe.stderr.splitlines() if "DeprecationWarning" in line]
    filters = PYPROJECT["tool"]["pytest"]["ini_options"].get("filterwarnings", [])
    audioop = [f for f in filters if "audioop" in f]
    assert len(audioop) == 1 and audioop[0].startswith("ignore:")
    _, message, category, *_ = audioop[0].split(":")
    assert category == "DeprecationWarning"
    for line in warned:  # every warning the import gives (none on Pythons without audioop)
        assert re.match(message, line.split("DeprecationWarning: ", 1)[1]), line
