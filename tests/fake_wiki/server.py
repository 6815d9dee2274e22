"""A fake MediaWiki: `api.php` on loopback answering `action=query` from the wikitext files in
`pages/`, the way Wikipedia's API does (formatversion 2, redirects, pageprops, fullurl).

Tests point `NORFOLK_WIKI_API` at `FakeWiki.api` and can make it fail on purpose
(`fail_with` for an HTTP status, `api_error` for a MediaWiki error body).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

PAGES_DIR = Path(__file__).resolve().parent / "pages"


@dataclass(frozen=True)
class FakePage:
    file: str
    revision: int
    disambiguation: bool = False

    def wikitext(self) -> str:
        return (PAGES_DIR / self.file).read_text("utf-8")


PAGES = {
    "Jaws (film)": FakePage("jaws_film.wiki", 1001),
    "Jaws (novel)": FakePage("jaws_novel.wiki", 1002),
    "Peter Benchley": FakePage("peter_benchley.wiki", 1003),
    "Jaws": FakePage("jaws.wiki", 1004, disambiguation=True),
}
REDIRECTS = {"Jaws (1975 film)": "Jaws (film)", "Benchley": "Peter Benchley"}


def normalise(title: str) -> str:
    """MediaWiki's title normalisation: underscores are spaces, the first letter is upper."""
    text = " ".join(title.replace("_", " ").split())
    return text[:1].upper() + text[1:]


@dataclass
class FakeWiki:
    """The server's state: what it was asked, and any failure it should answer with."""

    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    failure: tuple[int, dict[str, str], str] | None = None
    error_code: str | None = None
    _runner: web.AppRunner | None = None

    @property
    def api(self) -> str:
        """The `api.php` address, as `NORFOLK_WIKI_API` takes it."""
        return f"http://127.0.0.1:{self.port}/w/api.php"

    def fail_with(self, status: int, headers: dict[str, str] | None = None, body: str = "") -> None:
        """Answer every request with this HTTP status (429, 503, …) until `recover`."""
        self.failure = (status, headers or {}, body)

    def api_error(self, code: str, info: str = "") -> None:
        """Answer with a MediaWiki error body (`ratelimited`, `maxlag`, …)."""
        self.error_code = code
        self.error_info = info or f"fake error {code}"

    def recover(self) -> None:
        self.failure = None
        self.error_code = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/w/api.php", self._api)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _api(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        self.requests.append({"params": params, "user_agent": request.headers.get("User-Agent")})
        if self.failure is not None:
            status, headers, body = self.failure
            return web.Response(status=status, headers=headers, text=body)
        if self.error_code is not None:
            return _json({"error": {"code": self.error_code, "info": self.error_info}})
        if params.get("action") != "query" or params.get("formatversion") != "2":
            return _json({"error": {"code": "badparams", "info": "unexpected parameters"}})
        return _json({"batchcomplete": True, "query": self._query(params.get("titles", ""))})

    def _query(self, asked: str) -> dict[str, Any]:
        query: dict[str, Any] = {}
        title = normalise(asked)
        if title != asked:
            query["normalized"] = [{"fromencoded": False, "from": asked, "to": title}]
        if not title or any(ch in title for ch in "[]{}|#<>"):
            query["pages"] = [{"title": asked, "invalidreason": "bad characters", "invalid": True}]
            return query
        if title in REDIRECTS:
            query["redirects"] = [{"from": title, "to": REDIRECTS[title]}]
            title = REDIRECTS[title]
        page = PAGES.get(title)
        if page is None:
            query["pages"] = [{"ns": 0, "title": title, "missing": True}]
            return query
        entry: dict[str, Any] = {
            "pageid": page.revision * 10,
            "ns": 0,
            "title": title,
            "revisions": [
                {
                    "revid": page.revision,
                    "parentid": page.revision - 1,
                    "slots": {
                        "main": {
                            "contentmodel": "wikitext",
                            "contentformat": "text/x-wiki",
                            "content": page.wikitext(),
                        }
                    },
                }
            ],
            "fullurl": f"http://127.0.0.1:{self.port}/wiki/{title.replace(' ', '_')}",
        }
        if page.disambiguation:
            entry["pageprops"] = {"disambiguation": ""}
        query["pages"] = [entry]
        return query


def _json(data: Any) -> web.Response:
    return web.Response(text=json.dumps(data), content_type="application/json")


@contextlib.contextmanager
def wiki_in_thread() -> Iterator[FakeWiki]:
    """The fake on its own loop in a background thread, for code that runs `asyncio.run`
    itself (the `norfolk import` command)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-wiki", daemon=True)
    thread.start()
    wiki = FakeWiki()
    asyncio.run_coroutine_threadsafe(wiki.start(), loop).result(10)
    try:
        yield wiki
    finally:
        asyncio.run_coroutine_threadsafe(wiki.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def closed_port_api() -> str:
    """An `api.php` address on a loopback port nothing listens on: "no network"."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/w/api.php"
