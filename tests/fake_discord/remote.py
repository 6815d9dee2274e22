"""The fake Discord in a process of its own, driven over a pipe (the load benchmark's fake).

A fake in the bot's own process shares its event loop and GIL, so it cannot show whether
the bot acknowledges in time under load. `RemoteFake` starts `serve` in a separate
process, points discord.py at it, and asks it for bursts; the figures come back as a
`BurstFigures` (plain data: the fake process keeps the interactions to itself).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import resource
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from typing import Any

from tests.fake_discord.burst import BurstResult, run_burst

STARTUP_TIMEOUT = 30.0


@dataclass(frozen=True)
class BurstFigures:
    """What one burst did, as the fake saw it (latencies in milliseconds)."""

    n: int
    elapsed: float
    acked: int  # callbacks Discord accepted: within the 3 seconds
    late: int  # callbacks refused with 10062 (after the 3 seconds)
    replied: int
    single_replies: int
    answered: int
    busy: int
    duplicates: int
    failed_calls: int
    ack_p50: float
    ack_p99: float
    ack_max: float
    answer_p50: float
    answer_p99: float
    answer_max: float
    fake_cpu: float  # CPU seconds the fake's process spent on the burst
    peak_connections: int  # the client's connections open at once, seen by the fake

    @classmethod
    def of(
        cls, result: BurstResult, busy_marker: str, cpu: float, peak_connections: int
    ) -> BurstFigures:
        cb = result.callback_latency
        return cls(
            n=result.n,
            elapsed=result.elapsed,
            acked=result.acked,
            late=result.rejected.get(10062, 0),
            replied=result.replied,
            single_replies=result.single_replies,
            answered=result.answered,
            busy=result.texts_containing(busy_marker),
            duplicates=result.duplicates,
            failed_calls=result.failed_calls,
            ack_p50=result.percentile_ms(50, cb),
            ack_p99=result.percentile_ms(99, cb),
            ack_max=result.percentile_ms(100, cb),
            answer_p50=result.percentile_ms(50),
            answer_p99=result.percentile_ms(99),
            answer_max=result.percentile_ms(100),
            fake_cpu=cpu,
            peak_connections=peak_connections,
        )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def serve(conn: Connection) -> None:
    """The fake process: start the fake, report its port, then run commands until "stop"."""
    asyncio.run(_serve(conn))


async def _serve(conn: Connection) -> None:
    from tests.fake_discord.server import FakeDiscord

    fake = FakeDiscord()
    await fake.start()
    conn.send(("ready", fake.port))
    loop = asyncio.get_running_loop()
    try:
        while True:
            command, args = await loop.run_in_executor(None, conn.recv)
            if command == "stop":
                break
            if command == "wait_ready":
                await fake.gateway.wait_until(lambda: fake.gateway.ready_count >= 1, **args)
                conn.send(("ok", None))
            elif command == "burst":
                fake.peak_connections = 0
                cpu = _cpu_seconds()
                result = await run_burst(
                    fake,
                    args["n"],
                    questions=args["questions"],
                    timeout=args["timeout"],
                    quiet=args["quiet"],
                )
                figures = BurstFigures.of(
                    result, args["busy_marker"], _cpu_seconds() - cpu, fake.peak_connections
                )
                conn.send(("ok", asdict(figures)))
    finally:
        await fake.stop()
        conn.close()


class RemoteFake:
    """The parent's handle on a fake running in its own process."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child,), name="fake-discord")
        self.process.start()
        child.close()
        if not self._conn.poll(STARTUP_TIMEOUT):
            self.process.kill()
            raise RuntimeError("the fake Discord process did not start")
        status, self.port = self._conn.recv()
        assert status == "ready"

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    async def _call(self, command: str, **args: Any) -> Any:
        self._conn.send((command, args))
        status, value = await asyncio.to_thread(self._conn.recv)
        assert status == "ok", status
        return value

    async def wait_ready(self, timeout: float = 10.0) -> None:
        """Until a client has identified on the fake's gateway."""
        await self._call("wait_ready", timeout=timeout)

    async def burst(
        self,
        n: int,
        questions: Sequence[str],
        *,
        busy_marker: str,
        timeout: float,
        quiet: float = 1.0,
    ) -> BurstFigures:
        """Fire `n` concurrent `/ask`s from distinct users and count what came back."""
        figures = await self._call(
            "burst",
            n=n,
            questions=list(questions),
            busy_marker=busy_marker,
            timeout=timeout,
            quiet=quiet,
        )
        return BurstFigures(**figures)

    def stop(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self._conn.send(("stop", {}))
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
        self._conn.close()


@contextlib.contextmanager
def remote_fake() -> Iterator[RemoteFake]:
    """A fake in its own process with discord.py pointed at it (restored after)."""
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    fake = RemoteFake()
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.api_base  # type: ignore[misc]
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield fake
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved  # type: ignore[misc]
        fake.stop()
