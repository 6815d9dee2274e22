"""Builders for JSON payloads shaped like Discord's, so the real client parses them unchanged."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000
ALL_PERMISSIONS = str((1 << 53) - 1)
# View channel, send messages, embed links, attach files, read history, use app commands...
MEMBER_PERMISSIONS = str(
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 15) | (1 << 16) | (1 << 6) | (1 << 31) | (1 << 38)
)
BOT_PERMISSIONS = MEMBER_PERMISSIONS

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


class Snowflakes:
    """Time-based, strictly increasing ids so ordering and `created_at` look real."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def next(self) -> int:
        """A fresh snowflake (as Discord would mint it now)."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


def now_iso() -> str:
    """The ISO-8601 timestamp Discord puts in `timestamp` / `joined_at` fields."""
    return dt.datetime.now(dt.UTC).isoformat()


@dataclass
class FakeUser:
    """A Discord user the fake knows about (a human tester, another bot, or the bot itself)."""

    id: int
    username: str
    bot: bool = False
    role_ids: list[int] = field(default_factory=list)

    def user(self) -> JSON:
        """The partial user object embedded in messages, members and interactions."""
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": None if self.bot else self.username.title(),
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data

    def member(self, *, with_user: bool = True, permissions: str | None = None) -> JSON:
        """The guild member object; messages omit `user`, interactions add `permissions`."""
        data: JSON = {
            "roles": [str(r) for r in self.role_ids],
            "nick": None,
            "avatar": None,
            "joined_at": now_iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user()
        if permissions is not None:
            data["permissions"] = permissions
        return data


@dataclass
class FakeGuild:
    """The single test guild: one text channel, @everyone, the bot's managed role, members."""

    id: int
    name: str
    owner_id: int
    text_channel_id: int
    bot_role_id: int
    members: list[FakeUser]
    bot_user_id: int
    thread_id: int = 0
    """A public thread under the text channel (0: none)."""

    def thread(self) -> JSON:
        """The public thread in the text channel, as GUILD_CREATE lists active threads."""
        return {
            "id": str(self.thread_id),
            "type": 11,
            "guild_id": str(self.id),
            "parent_id": str(self.text_channel_id),
            "owner_id": str(self.owner_id),
            "name": "book club",
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 2,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": now_iso(),
                "locked": False,
            },
        }

    def channel(self) -> JSON:
        """The guild text channel object."""
        return {
            "id": str(self.text_channel_id),
            "type": 0,
            "guild_id": str(self.id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }

    def roles(self) -> list[JSON]:
        """@everyone (id == guild id) and the bot's integration-managed role."""
        everyone = _role(self.id, "@everyone", MEMBER_PERMISSIONS, position=0)
        bot_role = _role(self.bot_role_id, "Norfolk", BOT_PERMISSIONS, position=1)
        bot_role["managed"] = True
        bot_role["tags"] = {"bot_id": str(self.bot_user_id)}
        return [everyone, bot_role]

    def create_payload(self) -> JSON:
        """The full GUILD_CREATE dispatch body."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": self.roles(),
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": now_iso(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [m.member() for m in self.members],
            "channels": [self.channel()],
            "threads": [self.thread()] if self.thread_id else [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


def _role(role_id: int, name: str, permissions: str, *, position: int) -> JSON:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": permissions,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def dm_channel(channel_id: int, recipient: FakeUser) -> JSON:
    """A DM channel object as returned by `POST /users/@me/channels`."""
    return {
        "id": str(channel_id),
        "type": 1,
        "last_message_id": None,
        "flags": 0,
        "recipients": [recipient.user()],
    }


def application(app_id: int, bot: FakeUser, owner: FakeUser) -> JSON:
    """`GET /oauth2/applications/@me`: what `Client.login` reads for the app id and owner."""
    return {
        "id": str(app_id),
        "name": bot.username,
        "icon": None,
        "description": "A fake application for tests",
        "summary": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": owner.user(),
        "team": None,
        "flags": 1 << 23,  # GATEWAY_MESSAGE_CONTENT_LIMITED
        "bot": bot.user(),
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "tags": [],
        "install_params": None,
        "approximate_guild_count": 1,
    }


def message(
    *,
    message_id: int,
    channel_id: int,
    author: FakeUser,
    content: str,
    guild_id: int | None = None,
    known_users: dict[int, FakeUser] | None = None,
    mention_everyone: bool | None = None,
    extra: JSON | None = None,
) -> JSON:
    """A MESSAGE_CREATE body; mentions/mention_roles are derived from the content like Discord."""
    known = known_users or {}
    mentioned = [known[int(i)] for i in USER_MENTION.findall(content) if int(i) in known]
    data: JSON = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author.user(),
        "content": content,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": ("@everyone" in content or "@here" in content)
        if mention_everyone is None
        else mention_everyone,
        "mentions": [],
        "mention_roles": ROLE_MENTION.findall(content) if guild_id else [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": [],
        "nonce": str(message_id),
    }
    for user in mentioned:
        entry = user.user()
        if guild_id is not None:
            entry["member"] = user.member(with_user=False)
        data["mentions"].append(entry)
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
        data["member"] = author.member(with_user=False)
    if extra:
        data.update(extra)
    return data


def bot_message(
    *,
    message_id: int,
    channel_id: int,
    bot: FakeUser,
    body: JSON,
    guild_id: int | None = None,
    interaction: JSON | None = None,
) -> JSON:
    """The message object REST returns for something the bot sent (echoing its body)."""
    data: JSON = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": bot.user(),
        "content": body.get("content") or "",
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 0 if interaction is None else 20,
        "flags": int(body.get("flags") or 0),
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if interaction is not None:
        data["application_id"] = interaction["application_id"]
        user = interaction.get("member", {}).get("user") or interaction.get("user")
        data["interaction_metadata"] = {
            "id": interaction["id"],
            "type": interaction["type"],
            "user": user,
            "authorizing_integration_owners": interaction["authorizing_integration_owners"],
        }
    if body.get("message_reference"):
        data["message_reference"] = body["message_reference"]
    return data


def option_type(value: object) -> int:
    """Discord's application-command option type for a Python value."""
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def command_options(options: dict[str, Any], focused: str | None = None) -> list[JSON]:
    """Slash-command options as Discord sends them (the focused one marked for autocomplete)."""
    result: list[JSON] = []
    for name, value in options.items():
        entry: JSON = {"name": name, "type": option_type(value), "value": value}
        if name == focused:
            entry["focused"] = True
        result.append(entry)
    return result


def interaction(
    *,
    interaction_id: int,
    application_id: int,
    type_: int,
    token: str,
    data: JSON,
    user: FakeUser,
    channel: JSON,
    guild_id: int | None,
    message: JSON | None = None,
) -> JSON:
    """An INTERACTION_CREATE body (guild: `member`, DM: `user`), with 2024+ required fields."""
    payload: JSON = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": type_,
        "token": token,
        "version": 1,
        "data": data,
        "channel_id": channel["id"],
        "channel": {"id": channel["id"], "type": channel["type"]},
        "locale": "en-US",
        "app_permissions": BOT_PERMISSIONS,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10 * 1024 * 1024,
        "authorizing_integration_owners": {"0": str(guild_id)} if guild_id else {"1": str(user.id)},
        "context": 0 if guild_id else 1,
    }
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
        payload["guild_locale"] = "en-US"
        payload["guild"] = {"id": str(guild_id), "locale": "en-US", "features": []}
        payload["member"] = user.member(permissions=MEMBER_PERMISSIONS)
    else:
        payload["user"] = user.user()
        payload["channel"]["recipients"] = [user.user()]
    if message is not None:
        payload["message"] = message
    return payload
