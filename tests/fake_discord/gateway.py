"""The fake gateway: HELLO/IDENTIFY/READY/RESUME, heartbeats, dispatch, and failure hooks."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.fake_discord.recording import Recorder

if TYPE_CHECKING:
    from tests.fake_discord.server import FakeDiscord

JSON = dict[str, Any]

# Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes)
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME = 0, 1, 2, 3, 4, 6
RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 7, 8, 9, 10, 11

INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15


@dataclass
class GatewaySession:
    """A resumable session: its id, sequence counter, and every dispatch (for RESUME replay)."""

    session_id: str
    intents: int
    shard: tuple[int, int]
    seq: int = 0
    log: list[JSON] = field(default_factory=list)
    connection: Connection | None = None

    def next_frame(self, event: str, data: JSON) -> JSON:
        """Number a dispatch and remember it so a RESUME can replay it."""
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.log.append(frame)
        return frame


class Connection:
    """One websocket from the client, sending zlib-stream frames when the client asked for them."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.request = request
        query = dict(request.query)
        self.query = query
        self.session: GatewaySession | None = None
        self.heartbeats = 0
        self._zlib = zlib.compressobj() if query.get("compress") == "zlib-stream" else None
        self._lock = asyncio.Lock()

    @property
    def closed(self) -> bool:
        """True once the socket can no longer carry frames."""
        return self.ws.closed

    async def send(self, frame: JSON) -> None:
        """Send one frame (compressed with Z_SYNC_FLUSH per message for zlib-stream)."""
        await self.send_many([frame])

    async def send_many(
        self, frames: list[JSON], on_send: Callable[[int], None] | None = None
    ) -> None:
        """Send frames in order, encoded (and compressed, in stream order) before the first
        is written; `on_send(i)` is called just before frame i goes out."""
        async with self._lock:
            if self.ws.closed:
                return
            texts = [json.dumps(frame, separators=(",", ":")) for frame in frames]
            if self._zlib is None:
                blobs: list[str | bytes] = list(texts)
            else:
                z = self._zlib
                blobs = [z.compress(t.encode()) + z.flush(zlib.Z_SYNC_FLUSH) for t in texts]
            for index, blob in enumerate(blobs):
                if self.ws.closed:
                    return
                if on_send is not None:
                    on_send(index)
                if isinstance(blob, str):
                    await self.ws.send_str(blob)
                else:
                    await self.ws.send_bytes(blob)


class FakeGateway:
    """Gateway behaviour and the hooks reliability tests use (close, op 7, op 9, silence)."""

    def __init__(self, fake: FakeDiscord, recorder: Recorder) -> None:
        self.fake = fake
        self.recorder = recorder
        self.heartbeat_interval_ms = 41_250
        self.ack_heartbeats = True  # False simulates a zombie connection (no HEARTBEAT_ACK)
        self.accept_resume = True  # False answers RESUME with op 9 d=false
        self.enforce_intents = True
        # Whether `<@&managed role>` counts as "mentioning the app" for the MESSAGE_CONTENT
        # exception; Discord documents user mentions only, so strict tests can set False.
        self.role_mention_grants_content = True
        self.connections: list[Connection] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.by_shard: dict[int, GatewaySession] = {}
        self.ready_count = 0
        self.resumed_count = 0
        self._session_ids = itertools.count(1)

    # ----- websocket handler -------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one gateway websocket until either side closes it."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request)
        self.connections.append(conn)
        self.recorder.notify()
        await conn.send({"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                self.recorder.add_frame(frame)
                await self._on_frame(conn, frame)
        finally:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
            self.recorder.notify()
        return ws

    async def _on_frame(self, conn: Connection, frame: JSON) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == HEARTBEAT:
            conn.heartbeats += 1
            if self.ack_heartbeats:
                await conn.send({"op": HEARTBEAT_ACK})
        elif op == IDENTIFY:
            await self._identify(conn, data)
        elif op == RESUME:
            await self._resume(conn, data)
        elif op == REQUEST_MEMBERS:
            await self._members_chunk(conn, data)

    async def _identify(self, conn: Connection, data: JSON) -> None:
        shard = tuple(data.get("shard") or (0, 1))
        session = GatewaySession(
            session_id=f"fake-session-{next(self._session_ids)}",
            intents=int(data.get("intents") or 0),
            shard=(int(shard[0]), int(shard[1])),
            connection=conn,
        )
        conn.session = session
        self.sessions[session.session_id] = session
        self.by_shard[session.shard[0]] = session
        guild = self.fake.guild
        owns_guild = self.shard_for(guild.id, session.shard[1]) == session.shard[0]
        ready = {
            "v": 10,
            "user": self.fake.bot.user() | {"verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(guild.id), "unavailable": True}] if owns_guild else [],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.gateway_url,
            "shard": list(session.shard),
            "application": {"id": str(self.fake.application_id), "flags": 1 << 23},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "_trace": ["fake-discord"],
        }
        self.ready_count += 1
        await conn.send(session.next_frame("READY", ready))
        if owns_guild:
            await conn.send(session.next_frame("GUILD_CREATE", guild.create_payload()))
        self.recorder.notify()

    async def _resume(self, conn: Connection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not self.accept_resume:
            await conn.send({"op": INVALID_SESSION, "d": False})
            return
        old = session.connection
        session.connection = conn
        conn.session = session
        if old is not None and old is not conn and not old.closed:
            await old.ws.close(code=4000)
        after = int(data.get("seq") or 0)
        for frame in [f for f in session.log if f["s"] > after]:
            await conn.send(frame)
        self.resumed_count += 1
        await conn.send(session.next_frame("RESUMED", {"_trace": ["fake-discord"]}))
        self.recorder.notify()

    async def _members_chunk(self, conn: Connection, data: JSON) -> None:
        if conn.session is None:
            return
        guild = self.fake.guild
        chunk = {
            "guild_id": str(guild.id),
            "members": [m.member() for m in guild.members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "presences": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await conn.send(conn.session.next_frame("GUILD_MEMBERS_CHUNK", chunk))

    # ----- dispatching ----------------------------------------------------------------------

    @staticmethod
    def shard_for(guild_id: int | None, shard_count: int) -> int:
        """Discord's shard formula; DMs go to shard 0."""
        return 0 if guild_id is None else (guild_id >> 22) % max(shard_count, 1)

    def session_for(self, guild_id: int | None) -> GatewaySession:
        """The live session that owns a guild (or DMs)."""
        if not self.by_shard:
            raise RuntimeError("no client has identified to the fake gateway yet")
        count = next(iter(self.by_shard.values())).shard[1]
        return self.by_shard[self.shard_for(guild_id, count)]

    def wants(self, session: GatewaySession, event: str, data: JSON) -> JSON | None:
        """Apply intents like Discord: drop or blank MESSAGE_CREATE the client did not ask for."""
        if not self.enforce_intents or event != "MESSAGE_CREATE":
            return data
        in_guild = "guild_id" in data
        needed = INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES
        if not session.intents & needed:
            return None
        mentioned = any(int(u["id"]) == self.fake.bot.id for u in data.get("mentions", []))
        if self.role_mention_grants_content:
            mentioned |= str(self.fake.guild.bot_role_id) in data.get("mention_roles", [])
        if in_guild and not mentioned and not session.intents & INTENT_MESSAGE_CONTENT:
            data = data | {"content": "", "embeds": [], "attachments": [], "components": []}
        return data

    async def dispatch(self, event: str, data: JSON) -> JSON | None:
        """Send an event to the session that owns it (buffered for RESUME if disconnected)."""
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        session = self.session_for(guild_id)
        body = self.wants(session, event, data)
        if body is None:
            return None
        frame = session.next_frame(event, body)
        conn = session.connection
        if conn is not None and not conn.closed:
            await conn.send(frame)
        return frame

    async def dispatch_many(
        self, event: str, datas: list[JSON], on_sent: Callable[[JSON], None]
    ) -> None:
        """Dispatch many events, each to the session that owns it, written back to back;
        `on_sent(data)` is called as each one's frame is written (not for buffered ones)."""
        batches: dict[str, tuple[GatewaySession, list[tuple[JSON, JSON]]]] = {}
        for data in datas:
            guild_id = int(data["guild_id"]) if data.get("guild_id") else None
            session = self.session_for(guild_id)
            body = self.wants(session, event, data)
            if body is None:
                continue
            frame = session.next_frame(event, body)
            batches.setdefault(session.session_id, (session, []))[1].append((frame, data))
        for session, items in batches.values():
            conn = session.connection
            if conn is None or conn.closed:
                continue  # logged in the session: a RESUME replays them
            await conn.send_many([f for f, _ in items], lambda i, items=items: on_sent(items[i][1]))

    # ----- failure hooks (for reliability tests) -------------------------------------------

    @property
    def live(self) -> Connection | None:
        """The newest open connection, if any."""
        return next((c for c in reversed(self.connections) if not c.closed), None)

    async def close(self, code: int = 4000) -> None:
        """Close the current socket with a close frame (4000 = 'unknown error', resumable)."""
        conn = self.live
        if conn is not None:
            await conn.ws.close(code=code)

    def drop(self) -> None:
        """Cut the TCP connection without a close frame, like a network failure."""
        conn = self.live
        if conn is not None and conn.request.transport is not None:
            conn.request.transport.abort()

    async def send_reconnect(self) -> None:
        """Op 7: ask the client to reconnect and resume."""
        conn = self.live
        if conn is not None:
            await conn.send({"op": RECONNECT, "d": None})

    async def send_invalid_session(self, resumable: bool = False) -> None:
        """Op 9: `resumable=False` forces a fresh IDENTIFY; True lets the client RESUME."""
        conn = self.live
        if conn is not None:
            if not resumable and conn.session is not None:
                self.sessions.pop(conn.session.session_id, None)
            await conn.send({"op": INVALID_SESSION, "d": resumable})

    async def send_raw(self, frame: JSON) -> None:
        """Send any frame verbatim on the live socket (for protocol edge cases)."""
        conn = self.live
        if conn is not None:
            await conn.send(frame)

    def frames(self, op: int) -> list[JSON]:
        """Every frame the client sent with this opcode."""
        return [f for f in self.recorder.gateway if f.get("op") == op]

    async def wait_until(self, check: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait for gateway state (e.g. `lambda: gw.resumed_count == 1`)."""
        await self.recorder.until(lambda: check() or None, timeout, "a gateway condition")

    async def close_all(self) -> None:
        """Close every open socket (fixture teardown)."""
        for conn in self.connections:
            if not conn.closed:
                with contextlib.suppress(Exception):
                    await conn.ws.close(code=1001)
