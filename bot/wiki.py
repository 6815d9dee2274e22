"""Fetching a page's wikitext through the MediaWiki action API (aiohttp).

One request: `action=query` with the page's latest revision (wikitext), its address, and
whether it is a disambiguation page, following redirects. Every way this can fail — a
missing page, no network, a rate limit, an endpoint that is not MediaWiki — is one
`ImportFailed` whose message is a single line for a person to read.

The endpoint is the `NORFOLK_WIKI_API` setting, a full `api.php` address in which `{lang}`
stands for the language, so tests and mirrors can point elsewhere. Requests carry a
descriptive User-Agent, as Wikimedia's policy asks of every client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import aiohttp

DEFAULT_LANG = "en"
TIMEOUT = 30.0
"""Seconds for the whole request before giving up."""
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
"""Wikipedia's longest articles are about 1 MB of wikitext; more than this is not a page."""
LANG_RE = re.compile(r"^[a-z][a-z0-9-]{1,15}$")
PROJECT = "Norfolk"
DESCRIPTION = "Discord bot answering questions about articles"


class ImportFailed(Exception):
    """Fetching or converting a page failed; `str()` is one line saying why."""


@dataclass(frozen=True)
class Page:
    """A page as the API returned it."""

    title: str
    wikitext: str
    revision: int
    url: str
    disambiguation: bool = False
    redirected_from: str | None = None


def version() -> str:
    try:
        return metadata.version("norfolk")
    except metadata.PackageNotFoundError:
        return "0"


def user_agent(contact: str | None = None) -> str:
    """`Norfolk/0.1.0 (…; contact) aiohttp/3.x`: Wikimedia asks for a name, a version and a
    way to reach whoever runs the client (`NORFOLK_CONTACT`)."""
    about = f"{DESCRIPTION}; {contact}" if contact else DESCRIPTION
    return f"{PROJECT}/{version()} ({about}) aiohttp/{aiohttp.__version__}"


def api_url(template: str, lang: str) -> str:
    """The `api.php` address for a language (`{lang}` in the setting is replaced)."""
    return template.replace("{lang}", lang)


def page_title(title_or_url: str, lang: str | None = None) -> tuple[str, str]:
    """(title, language) from a title or an article's address: `https://fr.wikipedia.org/
    wiki/Les_Dents_de_la_mer` → ("Les Dents de la mer", "fr"). A title takes `lang`."""
    text = " ".join(title_or_url.split())
    if not re.match(r"^https?://", text, re.IGNORECASE):
        if not text:
            raise ImportFailed("give the title of a Wikipedia article, e.g. 'Jaws (film)'")
        return text, lang or DEFAULT_LANG
    parts = urlsplit(text)
    host = (parts.hostname or "").casefold()
    if "/wiki/" in parts.path:
        raw = parts.path.split("/wiki/", 1)[1]
    else:
        raw = parse_qs(parts.query).get("title", [""])[0]
    title = " ".join(unquote(raw).replace("_", " ").split())
    if not title:
        raise ImportFailed(f"{text[:80]} is not the address of a Wikipedia article")
    found = host.split(".")[0] if host.endswith(".wikipedia.org") else ""
    return title, lang or (found if LANG_RE.match(found) else DEFAULT_LANG)


def _query(title: str) -> dict[str, str]:
    return {
        "action": "query",
        "format": "json",
        "formatversion": "2",
        "prop": "revisions|pageprops|info",
        "rvprop": "ids|content",
        "rvslots": "main",
        "inprop": "url",
        "ppprop": "disambiguation",
        "redirects": "1",
        "titles": title,
        "maxlag": "5",
    }


async def fetch_page(
    title: str,
    *,
    api: str,
    contact: str | None = None,
    timeout: float = TIMEOUT,
) -> Page:
    """The latest revision of a page, redirects followed; raises `ImportFailed`."""
    host = urlsplit(api).hostname or api
    headers = {"User-Agent": user_agent(contact), "Accept": "application/json"}
    try:
        async with (
            aiohttp.ClientSession(
                headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as session,
            session.get(api, params=_query(title)) as response,
        ):
            _check_status(response, host)
            body = await response.content.read(MAX_RESPONSE_BYTES + 1)
    except ImportFailed:
        raise
    except TimeoutError:
        late = f"{host} did not answer within {timeout:.0f} s; try again later"
        raise ImportFailed(late) from None
    except aiohttp.InvalidURL:
        raise ImportFailed(f"NORFOLK_WIKI_API is not a valid address: {api[:80]}") from None
    except aiohttp.ClientConnectorError as exc:
        raise ImportFailed(f"could not reach {host} ({_reason(exc)}): check the network") from None
    except aiohttp.ClientError as exc:
        raise ImportFailed(f"the connection to {host} failed ({_reason(exc)})") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise ImportFailed(f"{host} sent more than {MAX_RESPONSE_BYTES // 2**20} MiB: not a page")
    page = _page(_json(body, host), title, host)
    return page if page.url else replace(page, url=article_url(api, page.title))


def article_url(api: str, title: str) -> str:
    """A page's address when the API does not say: `…/w/api.php` → `…/wiki/Title`."""
    base = api.split("?", 1)[0]
    base = base[: -len("/w/api.php")] if base.endswith("/w/api.php") else base.rsplit("/", 1)[0]
    return f"{base}/wiki/{quote(title.replace(' ', '_'), safe='()_,:;!*$@/')}"


def _reason(exc: BaseException) -> str:
    os_error = getattr(exc, "os_error", None)
    if isinstance(os_error, OSError) and os_error.strerror:
        return os_error.strerror
    return str(exc).split("\n")[0][:120] or type(exc).__name__


def _check_status(response: aiohttp.ClientResponse, host: str) -> None:
    status = response.status
    if status == 429:
        wait = response.headers.get("Retry-After", "").strip()
        later = f"in {wait} s" if wait.isdigit() else "in a minute"
        raise ImportFailed(f"{host} is rate-limiting requests (HTTP 429); try again {later}")
    if status >= 500:
        raise ImportFailed(f"{host} answered HTTP {status} (a server error); try again later")
    if status != 200:
        raise ImportFailed(
            f"{host} answered HTTP {status}: is NORFOLK_WIKI_API a MediaWiki api.php address?"
        )


def _json(body: bytes, host: str) -> dict[str, Any]:
    import json

    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ImportFailed(
            f"{host} did not answer like a MediaWiki API: is NORFOLK_WIKI_API an api.php address?"
        )
    return data


def _page(data: dict[str, Any], asked: str, host: str) -> Page:
    error = data.get("error")
    if isinstance(error, dict):
        code, info = str(error.get("code", "")), str(error.get("info", "")).split("\n")[0]
        if code == "ratelimited":
            raise ImportFailed(f"{host} is rate-limiting requests; try again in a minute")
        if code == "maxlag":
            raise ImportFailed(f"{host} is busy (replication lag); try again in a few seconds")
        raise ImportFailed(f"{host} refused the request: {info[:160] or code}")
    query = data.get("query")
    pages = query.get("pages") if isinstance(query, dict) else None
    if not isinstance(pages, list) or not pages or not isinstance(pages[0], dict):
        raise ImportFailed(f"{host} did not answer like a MediaWiki API (no pages in its answer)")
    page = pages[0]
    title = str(page.get("title") or asked)
    if page.get("invalid"):
        reason = str(page.get("invalidreason", "")).split("\n")[0][:120]
        because = f": {reason}" if reason else ""
        raise ImportFailed(f"“{asked}” is not a valid page title{because}")
    if page.get("missing"):
        raise ImportFailed(f"there is no article called “{title}” on {host}")
    if page.get("ns", 0) != 0:
        raise ImportFailed(f"“{title}” is not an article (it is in another namespace)")
    revisions = page.get("revisions") or [{}]
    revision = revisions[0] if isinstance(revisions[0], dict) else {}
    slot = (revision.get("slots") or {}).get("main") or {}
    content = slot.get("content", revision.get("content"))
    if slot.get("contentmodel", "wikitext") != "wikitext" or not isinstance(content, str):
        raise ImportFailed(f"“{title}” has no wikitext to import")
    redirects = query.get("redirects") or []  # type: ignore[union-attr]
    redirected = next((str(r.get("from")) for r in redirects if isinstance(r, dict)), None)
    return Page(
        title=title,
        wikitext=content,
        revision=int(revision.get("revid") or 0),
        url=str(page.get("fullurl") or ""),
        disambiguation="disambiguation" in (page.get("pageprops") or {}),
        redirected_from=redirected,
    )
