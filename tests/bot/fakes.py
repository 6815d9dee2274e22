"""Duck-typed stand-ins for discord.py interactions and messages (no network)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import discord


@dataclass
class FakeResponse:
    sent: list[dict[str, Any]] = field(default_factory=list)
    deferred: dict[str, Any] | None = None

    def is_done(self) -> bool:
        return bool(self.sent) or self.deferred is not None

    @property
    def type(self) -> discord.InteractionResponseType | None:
        if self.deferred is not None:
            return discord.InteractionResponseType.deferred_channel_message
        return discord.InteractionResponseType.channel_message if self.sent else None

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        assert not self.is_done(), "responded twice"
        self.sent.append({"content": content, **kwargs})

    async def defer(self, **kwargs: Any) -> None:
        assert not self.is_done(), "responded twice"
        self.deferred = kwargs


class FakeFollowup:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


class FakeInteraction:
    def __init__(
        self, client: Any, *, guild_id: int | None = 10, user_id: int = 500, private: bool = False
    ) -> None:
        self.client = client
        self.guild_id = guild_id
        self.channel_id = 20 if guild_id else 30
        self.user = SimpleNamespace(id=user_id)
        self.id = 1
        self.type = discord.InteractionType.application_command
        self.context = SimpleNamespace(private_channel=private)
        self.command = None
        self.response = FakeResponse()
        self.followup = FakeFollowup()
        self.edits: list[dict[str, Any]] = []

    async def edit_original_response(self, **kwargs: Any) -> None:
        assert self.response.is_done(), "edit before responding"
        self.edits.append(kwargs)

    def is_guild_integration(self) -> bool:
        return self.guild_id is not None  # installed to the server it is used in


class FakeStore:
    available = True

    def __init__(self) -> None:
        self.questions: list[dict[str, Any]] = []
        self.feedback: list[dict[str, Any]] = []
        self.clicks: list[dict[str, Any]] = []

    def articles(self) -> list[Any]:
        return []  # no server added an article

    def shelf_choices(self) -> dict[int, tuple[str, ...]]:
        return {}

    def record_question(self, **kwargs: Any) -> int:
        self.questions.append(kwargs)
        return len(self.questions)

    def record_feedback(self, **kwargs: Any) -> None:
        self.feedback.append(kwargs)

    def record_click(self, **kwargs: Any) -> None:
        self.clicks.append(kwargs)

    def question_text(self, question_id: int) -> str | None:
        if 1 <= question_id <= len(self.questions):
            return self.questions[question_id - 1]["question"]
        return None

    def close(self) -> None:
        pass
