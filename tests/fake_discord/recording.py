"""What the bot sent to the fake (REST calls, gateway frames), with async waits tests can await."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

JSON = dict[str, Any]
T = TypeVar("T")


@dataclass
class Call:
    """One REST request the client made: `path` is relative to `/api/v10`."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[str] = field(default_factory=list)
    response: Any = None
    status: int = 200

    def matches(self, method: str, prefix: str) -> bool:
        """True for this method and a path starting with `prefix`."""
        return self.method == method and self.path.startswith(prefix)

    @property
    def message(self) -> JSON | None:
        """The message body this call sends or edits (None for non-message calls)."""
        body = self.json if isinstance(self.json, dict) else None
        if body is None:
            return None
        if self.path.endswith("/callback"):
            # 4 = message, 7 = update message; 5/6 = deferrals, 8 = autocomplete, 9 = modal
            return (body.get("data") or {}) if body.get("type") in (4, 7) else None
        if self.path.startswith("/webhooks/") or (
            self.path.startswith("/channels/") and self.path.split("?")[0].endswith("/messages")
        ):
            return body if self.method in ("POST", "PATCH") else None
        if self.method == "PATCH" and "/messages/" in self.path:
            return body
        return None


def message_text(message: JSON | None) -> str:
    """All human-visible text of a message body: content, embeds (title, fields, footer...)."""
    if not message:
        return ""
    parts: list[str] = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts.append(embed.get("title") or "")
        parts.append(embed.get("description") or "")
        for key in ("author", "footer"):
            parts.append((embed.get(key) or {}).get("name" if key == "author" else "text") or "")
        for fld in embed.get("fields") or []:
            parts.append(fld.get("name") or "")
            parts.append(fld.get("value") or "")
    return "\n".join(p for p in parts if p)


def button_labels(message: JSON | None) -> list[tuple[str, str | None]]:
    """(label or emoji, custom_id) of every button in a message body's components."""
    found: list[tuple[str, str | None]] = []
    for row in (message or {}).get("components") or []:
        for comp in row.get("components") or []:
            if comp.get("type") == 2:
                emoji = (comp.get("emoji") or {}).get("name") or ""
                label = comp.get("label") or ""
                found.append(((emoji + " " + label).strip(), comp.get("custom_id")))
    return found


class Recorder:
    """An append-only log with a change signal, so waits wake up instead of sleeping blindly."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.gateway: list[JSON] = []
        self._changed = asyncio.Event()

    def notify(self) -> None:
        """Wake every waiter; they re-check their predicates."""
        self._changed.set()
        self._changed = asyncio.Event()

    def add_call(self, call: Call) -> None:
        """Record a REST call."""
        self.calls.append(call)
        self.notify()

    def add_frame(self, frame: JSON) -> None:
        """Record a gateway frame the client sent."""
        self.gateway.append(frame)
        self.notify()

    def mark(self) -> int:
        """An index to pass as `since=` so waits ignore calls made before now."""
        return len(self.calls)

    async def until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        """Wait until `check()` returns something truthy, or fail with `what` and the call log."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}; {self.summary()}"
                )
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def wait_for_call(
        self, predicate: Callable[[Call], bool], timeout: float = 3.0, *, since: int = 0
    ) -> Call:
        """The first call (at or after `since`) that satisfies `predicate`."""

        def check() -> Call | None:
            return next((c for c in self.calls[since:] if predicate(c)), None)

        return await self.until(check, timeout, "a matching REST call")

    async def wait_for_frame(
        self, predicate: Callable[[JSON], bool], timeout: float = 3.0, *, since: int = 0
    ) -> JSON:
        """The first gateway frame from the client (at or after index `since`) matching."""

        def check() -> JSON | None:
            return next((f for f in self.gateway[since:] if predicate(f)), None)

        return await self.until(check, timeout, "a matching gateway frame")

    def find(self, predicate: Callable[[Call], bool], *, since: int = 0) -> list[Call]:
        """Every recorded call (at or after `since`) matching `predicate`."""
        return [c for c in self.calls[since:] if predicate(c)]

    def messages(self, *, since: int = 0) -> list[tuple[Call, JSON]]:
        """Every message body the bot sent or edited, with the call that carried it."""
        return [(c, m) for c in self.calls[since:] if (m := c.message) is not None]

    def summary(self, calls: Iterable[Call] | None = None) -> str:
        """A short log of calls for assertion messages."""
        listed = [f"{c.method} {c.path}" for c in (self.calls if calls is None else calls)]
        return "calls so far: " + (", ".join(listed[-25:]) or "none")
