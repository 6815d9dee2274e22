"""Conversation memory: per user and conversation, short-lived, bounded, replies win."""

from __future__ import annotations

from bot.conversations import Conversations, Reading, Turn


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


RUTH = Turn("who played Ruth in the film?")


def test_a_followup_is_read_with_the_same_users_last_question() -> None:
    memory: Conversations[tuple[int, int]] = Conversations()
    memory.remember((1, 10), RUTH)
    assert memory.read((1, 10), "and Tommy?") == Reading(
        "who played Tommy in the film?", "who played Tommy in the film?"
    )
    assert memory.read((2, 10), "and Tommy?") == Reading("and Tommy?")  # another user
    assert memory.read((1, 11), "and Tommy?") == Reading("and Tommy?")  # another conversation


def test_a_question_that_stands_alone_is_asked_as_it_is() -> None:
    memory: Conversations[int] = Conversations()
    memory.remember(1, RUTH)
    assert memory.read(1, "who wrote the novel?") == Reading("who wrote the novel?")


def test_conversations_are_forgotten_after_the_ttl() -> None:
    clock = Clock()
    memory: Conversations[int] = Conversations(ttl=60, clock=clock)
    memory.remember(1, RUTH)
    clock.now = 59
    assert memory.read(1, "and Tommy?").read_as is not None
    clock.now = 61
    assert memory.read(1, "and Tommy?") == Reading("and Tommy?")


def test_memory_is_bounded_oldest_first() -> None:
    memory: Conversations[int] = Conversations(max_entries=3)
    for user in range(5):
        memory.remember(user, RUTH)
    assert len(memory) == 3
    assert memory.read(0, "and Tommy?").read_as is None
    assert memory.read(4, "and Tommy?").read_as is not None


def test_a_reply_to_an_answer_is_read_with_that_answers_question() -> None:
    memory: Conversations[int] = Conversations()
    memory.remember(1, RUTH, message_id=500)
    memory.remember(1, Turn("when was the novel published?"), message_id=501)
    assert memory.read(1, "and Tommy?", replying_to=500).question == (
        "who played Tommy in the film?"
    )
    assert memory.read(1, "and the film?").question == "when was the film published?"
    assert memory.read(1, "and the film?", replying_to=999).question == (
        "when was the film published?"  # an unknown message: the conversation's last turn
    )


def test_off_when_ttl_is_zero_and_rewrites_never_exceed_the_limit() -> None:
    off: Conversations[int] = Conversations(ttl=0)
    off.remember(1, RUTH)
    assert off.read(1, "and Tommy?") == Reading("and Tommy?")
    tight: Conversations[int] = Conversations(max_question_chars=20)
    tight.remember(1, RUTH)
    assert tight.read(1, "and Tommy?") == Reading("and Tommy?")
