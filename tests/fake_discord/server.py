"""The fake Discord: an aiohttp app on loopback serving REST under /api/v10 and the gateway at /."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_discord import payloads
from tests.fake_discord.errors import RestError
from tests.fake_discord.gateway import FakeGateway
from tests.fake_discord.interactions import ACK_DEADLINE, TOKEN_LIFETIME, InteractionsMixin
from tests.fake_discord.payloads import FakeGuild, FakeUser, Snowflakes
from tests.fake_discord.recording import Call, Recorder

JSON = dict[str, Any]
Handler = Callable[["FakeDiscord", Call, re.Match[str]], Awaitable[Any]]
API_PREFIX = "/api/v10"
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a REST handler for `method` and a path regex (relative to /api/v10)."""

    def register(func: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), func))
        return func

    return register


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with a bare `application/json` content type (discord.py ignores a charset suffix)."""
    body = json.dumps(data).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=body, status=status, headers=all_headers)


RETRY_AFTER = 0.05
"""Seconds an injected 429 asks the client to wait: real behaviour, tiny delay."""


def failure_defaults(status: int, retry_after: float = RETRY_AFTER) -> tuple[dict[str, str], JSON]:
    """Headers and JSON body Discord sends with an error status (429s as discord.py reads them).

    discord.py treats a 429 without a `Via` header as a Cloudflare ban and gives up, so the
    fake sends one like Discord's edge does.
    """
    if status == 429:
        headers = {
            "Retry-After": f"{retry_after}",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{retry_after}",
            "X-RateLimit-Scope": "user",
            "Via": "1.1 google",
        }
        body: JSON = {
            "retry_after": retry_after,
            "global": False,
            "message": "You are being rate limited.",
        }
        return headers, body
    reasons = {401: "Unauthorized", 403: "Missing Access", 404: "Unknown", 500: "Server Error"}
    return {}, {"message": f"{status}: {reasons.get(status, 'Error')}", "code": 0}


@dataclass
class Failure:
    """Answer the next `remaining` REST calls matching `predicate` with an error, not the route."""

    predicate: Callable[[Call], bool]
    remaining: int
    status: int
    headers: dict[str, str]
    body: Any
    hits: list[Call] = field(default_factory=list)


class FakeDiscord(InteractionsMixin):
    """One fake Discord deployment: a bot, its application, one guild, and a recording of calls."""

    def __init__(self) -> None:
        self.ids = Snowflakes()
        self.recorder = Recorder()
        self.gateway = FakeGateway(self, self.recorder)
        self.application_id = self.ids.next()
        guild_id = self.ids.next()
        bot_role_id = self.ids.next()
        self.bot = FakeUser(self.application_id, "Norfolk", bot=True, role_ids=[bot_role_id])
        self.owner = FakeUser(self.ids.next(), "owner")
        self.alice = FakeUser(self.ids.next(), "alice")
        self.bob = FakeUser(self.ids.next(), "bob")
        self.other_bot = FakeUser(self.ids.next(), "helperbot", bot=True)
        self.users = {u.id: u for u in (self.bot, self.owner, self.alice, self.bob, self.other_bot)}
        self.guild = FakeGuild(
            id=guild_id,
            name="Norfolk Test Guild",
            owner_id=self.owner.id,
            text_channel_id=self.ids.next(),
            bot_role_id=bot_role_id,
            members=list(self.users.values()),
            bot_user_id=self.bot.id,
            thread_id=self.ids.next(),
        )
        self.other_guild = FakeGuild(  # a second server, for interactions only (not in READY)
            id=self.ids.next(),
            name="Another Test Guild",
            owner_id=self.owner.id,
            text_channel_id=self.ids.next(),
            bot_role_id=self.ids.next(),
            members=list(self.users.values()),
            bot_user_id=self.bot.id,
        )
        self.attachments: dict[str, bytes] = {}  # attachment id -> uploaded bytes (the "CDN")
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.messages: dict[int, JSON] = {}  # every message the bot created, by id
        self.commands: dict[str, list[JSON]] = {}  # "global" or guild id -> synced commands
        self.interactions: dict[str, JSON] = {}  # token -> INTERACTION_CREATE payload
        self.originals: dict[str, int] = {}  # token -> id of the original response message
        # Discord's clocks: an interaction not acknowledged within `ack_deadline` seconds of
        # its dispatch is gone (10062), and its token works for follow-ups and edits for
        # `token_lifetime` seconds. None turns a clock off.
        self.ack_deadline: float | None = ACK_DEADLINE
        self.token_lifetime: float | None = TOKEN_LIFETIME
        self.dispatched_at: dict[str, float] = {}  # token -> time.monotonic() at dispatch
        self.acknowledged: set[str] = set()  # tokens whose callback was accepted
        self.shards = 1
        self.port = 0
        self.failures: list[Failure] = []  # injected errors, consumed in order of injection
        self.listeners: list[Callable[[Call], None]] = []  # called with every recorded call
        self.tokens_seen: set[str] = set()  # bot tokens from `Authorization: Bot ...` headers
        self.peak_connections = 0  # most client connections open at once (REST + gateway)
        self._runner: web.AppRunner | None = None

    # ----- lifecycle ------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        """What `discord.http.Route.BASE` must be set to."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The websocket URL for DEFAULT_GATEWAY and READY's resume_gateway_url."""
        return f"ws://127.0.0.1:{self.port}/"

    async def start(self) -> None:
        """Listen on an ephemeral loopback port."""
        app = web.Application()
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get("/attachments/{id}/{name}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[union-attr]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        """Close sockets and the server."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ----- conveniences for tests -----------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every REST call so far."""
        return self.recorder.calls

    def mark(self) -> int:
        """Index for `since=`: only look at calls made after this point."""
        return self.recorder.mark()

    async def wait_for_call(
        self, predicate: Callable[[Call], bool], timeout: float = 3.0, *, since: int = 0
    ) -> Call:
        """The first REST call matching `predicate` (waiting for it if needed)."""
        return await self.recorder.wait_for_call(predicate, timeout, since=since)

    def fail_next(
        self,
        predicate: Callable[[Call], bool],
        *,
        times: int = 1,
        status: int = 429,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> Failure:
        """Answer the next `times` calls matching `predicate` with `status` (429 by default).

        Headers and body default to what Discord sends for that status (see
        `failure_defaults`); pass them to override. Failed calls are recorded with their
        status, so `call.status >= 400` tells them apart from the retry that succeeded.
        """
        default_headers, default_body = failure_defaults(status)
        failure = Failure(
            predicate,
            times,
            status,
            default_headers if headers is None else headers,
            default_body if body is None else body,
        )
        self.failures.append(failure)
        return failure

    def _take_failure(self, call: Call) -> Failure | None:
        for failure in self.failures:
            if failure.remaining > 0 and failure.predicate(call):
                failure.remaining -= 1
                failure.hits.append(call)
                return failure
        return None

    def _record(self, call: Call) -> None:
        self.recorder.add_call(call)
        for listener in list(self.listeners):
            listener(call)

    def dm_channel_id(self, user: FakeUser) -> int:
        """The DM channel between the bot and `user` (created on first use)."""
        if user.id not in self.dm_channels:
            self.dm_channels[user.id] = self.ids.next()
        return self.dm_channels[user.id]

    def mention(self, kind: str = "user") -> str:
        """How `@Norfolk` arrives in content: `<@id>` or the managed role `<@&id>`."""
        return f"<@&{self.guild.bot_role_id}>" if kind == "role" else f"<@{self.bot.id}>"

    async def say(self, content: str, **options: Any) -> JSON:
        """Dispatch MESSAGE_CREATE from a user, shaped by `user_message` (same options): in
        the guild channel, its thread (`thread`), or their DM with the bot. `reply_to` (a
        message payload) makes it a reply, which pings the replied-to author unless `ping`
        is False, as Discord's reply button does."""
        data = self.user_message(content, **options)
        await self.gateway.dispatch("MESSAGE_CREATE", data)
        return data

    def user_message(
        self,
        content: str,
        *,
        dm: bool = False,
        thread: bool = False,
        author: FakeUser | None = None,
        mention_everyone: bool | None = None,
        reply_to: JSON | None = None,
        ping: bool = True,
    ) -> JSON:
        """A user's message as Discord shapes it, without dispatching it (e.g. one already in
        the channel, for `message_command`)."""
        author = author or self.alice
        if dm:
            channel_id = self.dm_channel_id(author)
        elif thread:
            channel_id = self.guild.thread_id
        else:
            channel_id = self.guild.text_channel_id
        data = payloads.message(
            message_id=self.ids.next(),
            channel_id=channel_id,
            guild_id=None if dm else self.guild.id,
            author=author,
            content=content,
            known_users=self.users,
            mention_everyone=mention_everyone,
        )
        if reply_to is not None:
            data["type"] = 19
            data["message_reference"] = {
                "type": 0,
                "message_id": reply_to["id"],
                "channel_id": reply_to["channel_id"],
                **({"guild_id": reply_to["guild_id"]} if "guild_id" in reply_to else {}),
            }
            data["referenced_message"] = reply_to
            replied = self.users.get(int(reply_to["author"]["id"]))
            if (
                ping
                and replied is not None
                and all(m["id"] != str(replied.id) for m in data["mentions"])
            ):
                entry = replied.user()
                if not dm:
                    entry["member"] = replied.member(with_user=False)
                data["mentions"].append(entry)
        return data

    # ----- REST plumbing --------------------------------------------------------------------

    @property
    def open_connections(self) -> int:
        """Client connections open to the fake now (keep-alive REST ones and the gateway)."""
        server = self._runner.server if self._runner is not None else None
        return len(server.connections) if server is not None else 0

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        """The CDN: an uploaded file's bytes (404 for an unknown one)."""
        content = self.attachments.get(request.match_info["id"])
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="text/plain")

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        self.peak_connections = max(self.peak_connections, self.open_connections)
        path = request.path[len(API_PREFIX) :]
        body, files = await _read_body(request)
        call = Call(request.method, path, dict(request.query), body, files)
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bot "):
            self.tokens_seen.add(auth[4:])
        failure = self._take_failure(call)
        if failure is not None:
            call.status, call.response = failure.status, failure.body
            self._record(call)
            return json_response(failure.body, failure.status, failure.headers)
        try:
            result = await self._route(call)
        except RestError as error:
            call.status, call.response = error.status, error.body
            self._record(call)
            return json_response(error.body, error.status)
        call.response = result
        call.status = 204 if result is None else 200
        self._record(call)
        if result is None:
            return web.Response(status=204)
        return json_response(result)

    async def _route(self, call: Call) -> Any:
        for method, pattern, handler in ROUTES:
            match = pattern.match(call.path)
            if match and method == call.method:
                return await handler(self, call, match)
        return None if call.method == "DELETE" else {}

    def store_message(self, channel_id: int, body: JSON, interaction: JSON | None = None) -> JSON:
        """Create a bot message from a request body and remember it (for clicks and edits)."""
        in_guild = channel_id in (self.guild.text_channel_id, self.guild.thread_id)
        guild_id = self.guild.id if in_guild else None
        msg = payloads.bot_message(
            message_id=self.ids.next(),
            channel_id=channel_id,
            bot=self.bot,
            body=body,
            guild_id=guild_id,
            interaction=interaction,
        )
        self.messages[int(msg["id"])] = msg
        return msg

    def edit_message(self, message_id: int, body: JSON) -> JSON:
        """Apply an edit body to a stored message (unknown ids become new messages)."""
        msg = self.messages.get(message_id)
        if msg is None:
            msg = self.store_message(self.guild.text_channel_id, {})
            msg["id"] = str(message_id)
            self.messages[message_id] = msg
        for key in ("content", "embeds", "components", "flags"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
        msg["edited_timestamp"] = payloads.now_iso()
        return msg


async def _read_body(request: web.Request) -> tuple[Any, list[str]]:
    """JSON body, or the `payload_json` part of multipart/form-data (plus uploaded file names)."""
    if not request.body_exists:
        return None, []
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        files = [f.filename for f in form.values() if isinstance(f, web.FileField)]
        raw = form.get("payload_json")
        return (json.loads(raw) if isinstance(raw, str) else None), files
    text = await request.text()
    try:
        return json.loads(text), []
    except ValueError:
        return text, []


# ----- REST endpoints (registered on import) -------------------------------------------------

ID = r"(\d+)"
TOKEN = r"([^/]+)"


@route("GET", r"/gateway")
async def _gateway(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    return {"url": fake.gateway_url}


@route("GET", r"/gateway/bot")
async def _gateway_bot(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
    return {"url": fake.gateway_url, "shards": fake.shards, "session_start_limit": limit}


@route("GET", r"/users/@me")
async def _me(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    return fake.bot.user() | {"verified": True, "mfa_enabled": False, "locale": "en-US"}


@route("GET", r"/oauth2/applications/@me")
@route("GET", r"/applications/@me")
async def _application(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    return payloads.application(fake.application_id, fake.bot, fake.owner)


def _commands_key(m: re.Match[str]) -> str:
    groups = m.groups()
    return groups[1] if len(groups) > 1 and groups[1] else "global"


@route("PUT", rf"/applications/{ID}/commands")
@route("PUT", rf"/applications/{ID}/guilds/{ID}/commands")
async def _sync(fake: FakeDiscord, call: Call, m: re.Match[str]) -> list[JSON]:
    key = _commands_key(m)
    synced = []
    for command in call.json or []:
        entry = dict(command)
        entry.update(id=str(fake.ids.next()), application_id=str(fake.application_id), version="1")
        entry.setdefault("type", 1)
        entry.setdefault("description", "")  # context menus have none; Discord returns ""
        entry.setdefault("options", [])
        entry.setdefault("default_member_permissions", None)
        entry.setdefault("dm_permission", True)
        entry.setdefault("nsfw", False)
        if key != "global":
            entry["guild_id"] = key
        synced.append(entry)
    fake.commands[key] = synced
    return synced


@route("GET", rf"/applications/{ID}/commands")
@route("GET", rf"/applications/{ID}/guilds/{ID}/commands")
async def _commands(fake: FakeDiscord, call: Call, m: re.Match[str]) -> list[JSON]:
    return fake.commands.get(_commands_key(m), [])


@route("POST", rf"/channels/{ID}/messages")
async def _create_message(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    return fake.store_message(int(m.group(1)), call.json or {})


@route("PATCH", rf"/channels/{ID}/messages/{ID}")
async def _edit_message(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    return fake.edit_message(int(m.group(2)), call.json or {})


@route("GET", rf"/channels/{ID}")
async def _channel(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    channel_id = int(m.group(1))
    for user_id, dm_id in fake.dm_channels.items():
        if dm_id == channel_id:
            return payloads.dm_channel(dm_id, fake.users[user_id])
    if channel_id == fake.guild.thread_id:
        return fake.guild.thread()
    return fake.guild.channel()


@route("POST", r"/users/@me/channels")
async def _open_dm(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    user = fake.users.get(int((call.json or {}).get("recipient_id", 0)), fake.alice)
    return payloads.dm_channel(fake.dm_channel_id(user), user)


@route("POST", rf"/interactions/{ID}/{TOKEN}/callback")
async def _callback(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    return fake.interaction_callback(int(m.group(1)), m.group(2), call.json or {})


@route("POST", rf"/webhooks/{ID}/{TOKEN}")
async def _followup(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    return fake.followup(m.group(2), call.json or {})


@route("PATCH", rf"/webhooks/{ID}/{TOKEN}/messages/([^/]+)")
async def _edit_webhook_message(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    return fake.edit_webhook_message(m.group(2), m.group(3), call.json or {})


@route("GET", rf"/webhooks/{ID}/{TOKEN}/messages/([^/]+)")
async def _get_webhook_message(fake: FakeDiscord, call: Call, m: re.Match[str]) -> JSON:
    return fake.edit_webhook_message(m.group(2), m.group(3), {})
