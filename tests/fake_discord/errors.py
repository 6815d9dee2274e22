"""Discord's error replies, as the fake's REST handlers raise them."""

from __future__ import annotations

from typing import Any

UNKNOWN_INTERACTION = 10062
"""The callback came too late (or for an interaction Discord does not know)."""
ALREADY_ACKNOWLEDGED = 40060
"""A second callback for one interaction."""
INVALID_WEBHOOK_TOKEN = 50027
"""A follow-up or edit after the interaction token expired."""


class RestError(Exception):
    """Raised by a REST handler to answer with Discord's error shape: `{"code", "message"}`."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.body: dict[str, Any] = {"code": code, "message": message}
