"""Interactions on the fake: dispatching slash commands, autocomplete and clicks; the replies."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.fake_discord import payloads
from tests.fake_discord.errors import (
    ALREADY_ACKNOWLEDGED,
    INVALID_WEBHOOK_TOKEN,
    UNKNOWN_INTERACTION,
    RestError,
)
from tests.fake_discord.payloads import FakeGuild, FakeUser
from tests.fake_discord.recording import Call

if TYPE_CHECKING:
    from tests.fake_discord.server import FakeDiscord

JSON = dict[str, Any]

# Interaction types and callback types
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 2, 3, 4
MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT = 4, 5, 6, 7, 8
EPHEMERAL = 1 << 6
ACK_DEADLINE = 3.0
"""Seconds Discord waits for an interaction's callback before "Unknown interaction" (10062)."""
TOKEN_LIFETIME = 15 * 60.0
"""Seconds an interaction token accepts follow-ups and edits of the response."""
# Application command types (the `type` in an application command's data)
CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3
SUB_COMMAND, ATTACHMENT_OPTION = 1, 11


@dataclass
class InteractionHandle:
    """An interaction the fake sent; await its callback or the message the user finally sees."""

    fake: FakeDiscord
    payload: JSON
    since: int

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    def _mine(self, call: Call) -> bool:
        return f"/{self.id}/{self.token}/" in call.path or call.path.startswith(
            f"/webhooks/{self.fake.application_id}/{self.token}"
        )

    def calls(self) -> list[Call]:
        """Every REST call made for this interaction (callback, follow-ups, edits)."""
        return self.fake.recorder.find(self._mine, since=self.since)

    async def callback(self, timeout: float = 3.0) -> Call:
        """The accepted interaction callback (`POST /interactions/{id}/{token}/callback`);
        calls the fake failed on purpose (`fail_next`) are skipped, as Discord ignored them."""
        return await self.fake.wait_for_call(
            lambda c: c.path == f"/interactions/{self.id}/{self.token}/callback" and c.status < 400,
            timeout,
            since=self.since,
        )

    async def reply(self, timeout: float = 3.0) -> JSON:
        """The message body the user sees: the callback's, or after a defer the edit/follow-up
        (the first one the fake accepted)."""
        first = await self.callback(timeout)
        body = first.json or {}
        if body.get("type") in (MESSAGE, UPDATE_MESSAGE):
            return body.get("data") or {}
        if body.get("type") not in (DEFERRED_MESSAGE, DEFERRED_UPDATE):
            raise AssertionError(f"interaction callback has no message: {body!r}")
        later = await self.fake.wait_for_call(
            lambda c: self._mine(c) and c.message is not None and c is not first and c.status < 400,
            timeout,
            since=self.since,
        )
        assert later.message is not None
        return later.message

    def original_message(self) -> JSON | None:
        """The stored message the response created (with its id), as a click needs it."""
        message_id = self.fake.originals.get(self.token)
        return None if message_id is None else self.fake.messages.get(message_id)


class InteractionsMixin:
    """Interaction state and helpers, mixed into `FakeDiscord`."""

    interactions: dict[str, JSON]
    originals: dict[str, int]
    ack_deadline: float | None
    token_lifetime: float | None
    dispatched_at: dict[str, float]
    acknowledged: set[str]

    def _channel_for(self: FakeDiscord, user: FakeUser, dm: bool, guild: FakeGuild) -> JSON:
        if dm:
            return payloads.dm_channel(self.dm_channel_id(user), user)
        return guild.channel()

    def _interaction(
        self: FakeDiscord,
        type_: int,
        data: JSON,
        *,
        user: FakeUser | None,
        dm: bool,
        message: JSON | None = None,
        permissions: int | None = None,
        guild: FakeGuild | None = None,
        user_install: bool = False,
    ) -> JSON:
        """An INTERACTION_CREATE payload, known to the fake but not sent yet; `permissions`
        overrides the guild member's, `guild` sends it from another server than the fake's
        own (`other_guild`), and `user_install` as a command of the user's own install of
        the app, not the server's."""
        user = user or self.alice
        guild = guild or self.guild
        payload = payloads.interaction(
            interaction_id=self.ids.next(),
            application_id=self.application_id,
            type_=type_,
            token=f"itoken-{secrets.token_urlsafe(16)}",
            data=data,
            user=user,
            channel=self._channel_for(user, dm, guild),
            guild_id=None if dm else guild.id,
            message=message,
        )
        if user_install:
            payload["authorizing_integration_owners"] = {"1": str(user.id)}
        if guild is not self.guild and not dm:  # not in the client's cache: send it whole
            payload["channel"] = guild.channel()
        if permissions is not None and not dm:
            payload["member"]["permissions"] = str(permissions)
        self.interactions[payload["token"]] = payload
        return payload

    async def _send_interaction(
        self: FakeDiscord, type_: int, data: JSON, **options: Any
    ) -> InteractionHandle:
        """Dispatch an INTERACTION_CREATE (options as `_interaction`'s)."""
        payload = self._interaction(type_, data, **options)
        self.dispatched_at[payload["token"]] = time.monotonic()
        handle = InteractionHandle(self, payload, self.mark())
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return handle

    async def dispatch_interactions(
        self: FakeDiscord, prepared: list[JSON], on_sent: Callable[[JSON], None] | None = None
    ) -> None:
        """Send prepared interactions (`slash_payload`) back to back, as a flood reaches a
        bot: the frames are serialised and compressed first, then written one after the
        other; each is stamped dispatched (and `on_sent` told) as its frame is written."""

        def sent(payload: JSON) -> None:
            self.dispatched_at[payload["token"]] = time.monotonic()
            if on_sent is not None:
                on_sent(payload)

        await self.gateway.dispatch_many("INTERACTION_CREATE", prepared, sent)

    def command_id(self: FakeDiscord, name: str) -> str:
        """The id Discord gave a synced command (a fresh one if it was never synced)."""
        for scope in self.commands.values():
            for command in scope:
                if command.get("name") == name:
                    return str(command["id"])
        return str(self.ids.next())

    def _command_data(self: FakeDiscord, name: str, options: list[JSON]) -> JSON:
        """The `data` of a chat-input command interaction (type 1) with these options;
        "group sub" names a subcommand, whose options nest under it as Discord sends them."""
        group, _, sub = name.partition(" ")
        if sub:
            options = [{"name": sub, "type": SUB_COMMAND, "options": options}]
        return {"id": self.command_id(group), "name": group, "type": 1, "options": options}

    def attach(self: FakeDiscord, data: JSON, option: str, filename: str, content: bytes) -> None:
        """Add an uploaded file as attachment option `option` (type 11): Discord puts the
        file in `resolved.attachments` and serves its bytes from the CDN address there."""
        attachment_id = str(self.ids.next())
        self.attachments[attachment_id] = content
        url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{filename}"
        data.setdefault("resolved", {}).setdefault("attachments", {})[attachment_id] = {
            "id": attachment_id,
            "filename": filename,
            "size": len(content),
            "url": url,
            "proxy_url": url,
            "content_type": "text/plain; charset=utf-8",
        }
        target = (
            data["options"][0]["options"]
            if data["options"] and data["options"][0].get("type") == SUB_COMMAND
            else data["options"]
        )
        target.append({"name": option, "type": ATTACHMENT_OPTION, "value": attachment_id})

    async def slash(
        self: FakeDiscord,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: FakeUser | None = None,
        dm: bool = False,
        permissions: int | None = None,
        files: dict[str, tuple[str, bytes]] | None = None,
        guild: FakeGuild | None = None,
        user_install: bool = False,
    ) -> InteractionHandle:
        """A user runs `/name option:value ...` (`/group sub …` for a subcommand) in the
        guild channel or in a DM.

        `permissions`: the member's resolved channel permissions (guild only); `files`:
        attachment options as {option: (filename, bytes)}; `guild`: another server;
        `user_install`: run through the user's own install of the app.
        """
        data = self._command_data(name, payloads.command_options(options or {}))
        for option, (filename, content) in (files or {}).items():
            self.attach(data, option, filename, content)
        if not dm:
            data["guild_id"] = str((guild or self.guild).id)
        return await self._send_interaction(
            APPLICATION_COMMAND,
            data,
            user=user,
            dm=dm,
            permissions=permissions,
            guild=guild,
            user_install=user_install,
        )

    def slash_payload(
        self: FakeDiscord,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: FakeUser | None = None,
    ) -> JSON:
        """`/name option:value` in the guild channel, prepared for `dispatch_interactions`."""
        data = self._command_data(name, payloads.command_options(options or {}))
        data["guild_id"] = str(self.guild.id)
        return self._interaction(APPLICATION_COMMAND, data, user=user, dm=False)

    async def message_command(
        self: FakeDiscord,
        name: str,
        target: JSON,
        *,
        user: FakeUser | None = None,
        permissions: int | None = None,
    ) -> InteractionHandle:
        """A user right-clicks `target` (a message payload) → Apps → `name`: a message
        context-menu command (type 3), with the target in `resolved.messages` as Discord
        sends it (content included, whatever the bot's intents)."""
        dm = "guild_id" not in target
        data: JSON = {
            "id": self.command_id(name),
            "name": name,
            "type": MESSAGE_COMMAND,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        if not dm:
            data["guild_id"] = str(self.guild.id)
        return await self._send_interaction(
            APPLICATION_COMMAND, data, user=user, dm=dm, permissions=permissions
        )

    async def autocomplete(
        self: FakeDiscord,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: FakeUser | None = None,
        dm: bool = False,
        guild: FakeGuild | None = None,
    ) -> InteractionHandle:
        """A user types into option `focused` of `/name`; the bot should answer with type 8."""
        data = self._command_data(name, payloads.command_options(options, focused=focused))
        return await self._send_interaction(AUTOCOMPLETE, data, user=user, dm=dm, guild=guild)

    async def click(
        self: FakeDiscord,
        message: JSON,
        custom_id: str,
        *,
        user: FakeUser | None = None,
        component_type: int = 2,
    ) -> InteractionHandle:
        """A user clicks a component (button by default) on a message the bot sent."""
        data = {"custom_id": custom_id, "component_type": component_type}
        dm = "guild_id" not in message
        return await self._send_interaction(
            MESSAGE_COMPONENT, data, user=user, dm=dm, message=message
        )

    # ----- REST side ------------------------------------------------------------------------

    def _age(self: FakeDiscord, token: str) -> float | None:
        """Seconds since the interaction with this token was dispatched (None: not ours)."""
        sent = self.dispatched_at.get(token)
        return None if sent is None else time.monotonic() - sent

    def _acknowledge(self: FakeDiscord, token: str) -> None:
        """Accept one callback per interaction, within the deadline, as Discord does."""
        if token in self.acknowledged:
            raise RestError(400, ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged.")
        age = self._age(token)
        if age is not None and self.ack_deadline is not None and age > self.ack_deadline:
            raise RestError(404, UNKNOWN_INTERACTION, "Unknown interaction")
        self.acknowledged.add(token)

    def _check_token(self: FakeDiscord, token: str) -> None:
        """Follow-ups and edits: only for an acknowledged interaction whose token is alive."""
        if token not in self.interactions:
            return  # a webhook the fake did not mint: served leniently, as before
        if token not in self.acknowledged:
            raise RestError(404, UNKNOWN_INTERACTION, "Unknown interaction")
        age = self._age(token)
        if age is not None and self.token_lifetime is not None and age > self.token_lifetime:
            raise RestError(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")

    def interaction_callback(
        self: FakeDiscord, interaction_id: int, token: str, body: JSON
    ) -> JSON:
        """Answer `POST /interactions/{id}/{token}/callback?with_response=1` like Discord."""
        source = self.interactions.get(token)
        kind = int(body.get("type", 0))
        data = body.get("data") or {}
        result: JSON = {"interaction": {"id": str(interaction_id), "type": 2}}
        if source is None:
            return result
        self._acknowledge(token)
        info = result["interaction"]
        info["type"] = source["type"]
        channel_id = int(source["channel"]["id"])
        message: JSON | None = None
        if kind in (MESSAGE, DEFERRED_MESSAGE):
            message = self.store_message(channel_id, data, interaction=source)
            self.originals[token] = int(message["id"])
            info["response_message_id"] = message["id"]
            info["response_message_loading"] = kind == DEFERRED_MESSAGE
            info["response_message_ephemeral"] = bool(int(data.get("flags") or 0) & EPHEMERAL)
        elif kind in (UPDATE_MESSAGE, DEFERRED_UPDATE) and source.get("message"):
            message_id = int(source["message"]["id"])
            self.originals[token] = message_id
            message = self.edit_message(message_id, data)
            info["response_message_id"] = message["id"]
        if kind != AUTOCOMPLETE_RESULT:
            result["resource"] = {"type": kind}
            if message is not None:
                result["resource"]["message"] = message
        return result

    def followup(self: FakeDiscord, token: str, body: JSON) -> JSON:
        """`POST /webhooks/{app}/{token}`: a follow-up message for an interaction."""
        self._check_token(token)
        source = self.interactions.get(token)
        channel_id = int(source["channel"]["id"]) if source else self.guild.text_channel_id
        return self.store_message(channel_id, body, interaction=source)

    def edit_webhook_message(self: FakeDiscord, token: str, which: str, body: JSON) -> JSON:
        """`PATCH /webhooks/{app}/{token}/messages/{id|@original}`: edit a response."""
        self._check_token(token)
        if which == "@original":
            message_id = self.originals.get(token)
            if message_id is None:
                source = self.interactions.get(token)
                channel_id = int(source["channel"]["id"]) if source else self.guild.text_channel_id
                created = self.store_message(channel_id, {}, interaction=source)
                message_id = self.originals[token] = int(created["id"])
        else:
            message_id = int(which)
        return self.edit_message(message_id, body)
