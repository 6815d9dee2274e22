"""`load_folder`: every good article once, the bad ones reported, duplicates warned about."""

from __future__ import annotations

from pathlib import Path

from knowledge import load_folder

JAWS = "= Jaws (film) =\n\nJaws is a 1975 film directed by {director}.\n"


def write_twins(folder: Path) -> tuple[Path, Path]:
    first, second = folder / "jaws.txt", folder / "jaws_copy.txt"
    first.write_text(JAWS.format(director="Steven Spielberg"), "utf-8")
    second.write_text(JAWS.format(director="someone else").replace("(film)", "(Film) "), "utf-8")
    return first, second


def test_two_files_with_the_same_title_keep_one_and_warn_naming_both(tmp_path: Path) -> None:
    first, second = write_twins(tmp_path)
    (tmp_path / "moss.txt").write_text("= Moss =\n\nMoss grows in Wales.\n", "utf-8")
    report = load_folder(tmp_path)
    assert [a.title for a in report.library.articles] == ["Jaws (film)", "Moss"]
    assert report.library.articles[0].source == str(first)  # the first in name order
    assert report.errors == ()  # a warning, not a parse error: a reload still goes ahead
    (warning,) = report.warnings
    assert warning.source == str(second)
    assert first.name in warning.reason and "Jaws (film)" in warning.reason
    assert str(warning).startswith(f"{second}: ") and first.name in str(warning)


def test_distinct_titles_give_no_warning(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("= Jaws (film) =\n\nA film.\n", "utf-8")
    (tmp_path / "b.txt").write_text("= Jaws (novel) =\n\nA novel.\n", "utf-8")
    report = load_folder(tmp_path)
    assert len(report.library.articles) == 2 and report.warnings == ()
