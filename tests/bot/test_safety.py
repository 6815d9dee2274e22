"""Mention stripping, spoiler-section matching, escaping and the per-user cooldown."""

from __future__ import annotations

import pytest

from bot.safety import (
    Cooldown,
    escape_text,
    extract_question,
    is_spoiler_section,
    neutralise_mentions,
    spoiler,
)

BOT_ID = 111111111111111111
ROLE_ID = 222222222222222222


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"<@{BOT_ID}> who wrote it?", "who wrote it?"),
        (f"<@!{BOT_ID}>   who   wrote it?", "who wrote it?"),
        (f"<@&{ROLE_ID}> who wrote it?", "who wrote it?"),
        (f"who wrote it <@{BOT_ID}>", "who wrote it"),
        (f"<@{BOT_ID}>", ""),
        (f"  <@&{ROLE_ID}>  <@{BOT_ID}> ", ""),
        ("plain DM question", "plain DM question"),
        # other people's mentions are part of the text (escaped later, never pinged)
        ("<@333333333333333333> is who?", "<@333333333333333333> is who?"),
        (f"<@&{ROLE_ID + 1}> other role", f"<@&{ROLE_ID + 1}> other role"),
    ],
)
def test_extract_question(content: str, expected: str) -> None:
    assert extract_question(content, BOT_ID, [ROLE_ID]) == expected


def test_extract_question_without_ids_only_normalises_space() -> None:
    assert extract_question(" a \n b ", None) == "a b"


@pytest.mark.parametrize(
    ("section", "hit"),
    [
        ("Plot", True),
        ("plot", True),
        ("Plot › Ending", True),
        (("Plot", "Ending"), True),
        ("Themes › Plot", True),
        ("Plot summary", False),
        ("Reception", False),
        ("Infobox", False),
    ],
)
def test_is_spoiler_section(section: str, hit: bool) -> None:
    assert is_spoiler_section(section, ("PLOT",)) is hit


def test_escape_text_neutralises_markdown_and_mentions() -> None:
    text = escape_text("# Head\n> quote\n**b** @everyone <@123456789012345678> <#42> <@&7>")
    assert "\\# Head" in text and "\\> quote" in text
    assert "\\*\\*b\\*\\*" in text
    assert "@everyone" not in text
    assert "<@123456789012345678>" not in text and "<#42>" not in text and "<@&7>" not in text


def test_neutralise_mentions_leaves_plain_text() -> None:
    assert neutralise_mentions("email me at a@b.c") == "email me at a@b.c"


def test_spoiler_wraps_non_empty_only() -> None:
    assert spoiler("x") == "||x||"
    assert spoiler("") == ""


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cooldown_allows_rate_then_refuses_until_window_passes() -> None:
    clock = Clock()
    cooldown = Cooldown(5, 30, clock=clock)
    for _ in range(5):
        assert cooldown.hit(1).allowed
        clock.now += 1
    refused = cooldown.hit(1)
    assert not refused.allowed and refused.first_refusal
    assert refused.retry_after == pytest.approx(25)
    again = cooldown.hit(1)
    assert not again.allowed and not again.first_refusal  # tell the user once per burst
    assert cooldown.hit(2).allowed  # per user
    clock.now = 1030.0  # the first hit leaves the window
    assert cooldown.hit(1).allowed
    refused = cooldown.hit(1)
    assert not refused.allowed and refused.first_refusal
    assert refused.retry_after == pytest.approx(1)


def test_cooldown_refusals_do_not_extend_the_wait() -> None:
    clock = Clock()
    cooldown = Cooldown(1, 10, clock=clock)
    assert cooldown.hit(7).allowed
    for _ in range(20):
        clock.now += 0.4
        assert not cooldown.hit(7).allowed
    clock.now = 1010.0
    assert cooldown.hit(7).allowed


def test_cooldown_forgets_idle_users() -> None:
    clock = Clock()
    cooldown = Cooldown(1, 5, clock=clock)
    for user in range(2000):
        cooldown.hit(user)
    clock.now += 10
    cooldown.hit(99999)
    assert len(cooldown._hits) < 1100


def test_cooldown_stays_cheap_in_a_burst_of_distinct_users() -> None:
    clock = Clock()
    cooldown = Cooldown(5, 30, clock=clock)
    for user in range(5000):  # all at once: nobody is idle yet, so nothing can be forgotten
        assert cooldown.hit(user).allowed
    assert cooldown.prunes <= 3  # at 1,024, 2,048 and 4,096 users, not once per question
    clock.now += 31
    cooldown.hit(99999)
    assert len(cooldown._hits) == 1  # the window passed: the idle ones are forgotten
