"""The text of `norfolk stats`: what people ask that the article does not answer, and votes.

Plain text that reads the same in a terminal and in a Discord message (well under the
2,000-character limit), so admins can see which facts to add to the article.
"""

from __future__ import annotations

from bot.render import shorten
from bot.store import Store

MAX_SHOWN_CHARS = 80
"""Each question is cut to this in the listing so ten of them stay readable on one screen."""

UNAVAILABLE = (
    "Norfolk stats are unavailable: the database could not be opened, "
    "so nothing has been recorded (the log says why)."
)


def format_stats(store: Store, limit: int = 10) -> str:
    """Top unanswered questions with counts, then the 👍/👎 tally; friendly when empty."""
    if not store.available:
        return UNAVAILABLE
    return "\n".join(
        [
            "Norfolk stats",
            "",
            *_unanswered_lines(store.top_unanswered(limit)),
            "",
            _feedback_line(store.feedback_tally()),
        ]
    )


def _unanswered_lines(top: list[tuple[str, int]]) -> list[str]:
    """A ranked list, each question on one short line (stored ones may hold newlines)."""
    if not top:
        return ["No unanswered questions yet."]
    width = len(str(len(top)))
    lines = [f"Top {len(top)} unanswered question{'s' if len(top) != 1 else ''}:"]
    for rank, (question, count) in enumerate(top, start=1):
        times = "once" if count == 1 else f"{count} times"
        shown = shorten(question, MAX_SHOWN_CHARS) or "(empty question)"
        lines.append(f"{rank:>{width}}. {shown} — asked {times}")
    return lines


def _feedback_line(tally: dict[str, int]) -> str:
    """The 👍/👎 tally, or a plain "no votes yet" rather than two zeros."""
    up, down = tally.get("up", 0), tally.get("down", 0)
    if up + down == 0:
        return "Feedback: no votes yet."
    return f"Feedback: 👍 {up} / 👎 {down}"
