"""`/library` end to end: the real bot on the local Discord fake, importing from the local
MediaWiki fake. Uploads, imports, list, remove, use, per-server shelves, restarts, reloads,
and every way a request can be refused without changing anything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import DATA
from tests.fake_discord.fixtures import running
from tests.fake_discord.interactions import AUTOCOMPLETE_RESULT, EPHEMERAL
from tests.fake_discord.recording import message_text
from tests.fake_discord.server import FakeDiscord
from tests.fake_wiki.fixtures import fake_wiki
from tests.fake_wiki.server import FakeWiki

if TYPE_CHECKING:
    from bot.client import NorfolkBot
    from bot.config import Config
    from bot.store import Store
    from knowledge import Library

__all__ = ["fake_wiki"]

MANAGE_GUILD = 1 << 5
ADMIN = int("274877991936") | MANAGE_GUILD  # a member with Manage Server
HARBOUR = (DATA / "articles" / "harbour_light.txt").read_bytes()
SLOW = 60.0
"""Seconds an add may take: it rebuilds the index and embeds a new article's facts once."""


@pytest.fixture
def library_config(tmp_path: Path, fake_wiki: FakeWiki) -> Config:
    from bot.config import load_config

    return load_config(
        {
            "DISCORD_TOKEN": "fake-token",
            "NORFOLK_DB": str(tmp_path / "library.db"),
            "NORFOLK_ALLOW_IMPORT": "on",
            "NORFOLK_WIKI_API": fake_wiki.api,
            "NORFOLK_COOLDOWN_RATE": "100",
        }
    )


@pytest.fixture
def store(library_config: Config) -> AsyncIterator[Store]:
    from bot.store import Store

    store = Store(library_config.db_path)
    yield store
    store.close()


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, library_config: Config, store: Store, seed_library: Library
) -> AsyncIterator[NorfolkBot]:
    from bot.client import create_bot

    bot = create_bot(library_config, library=seed_library, store=store, guild_ready_timeout=0.01)
    async with running(bot):
        yield bot


async def library(fake: FakeDiscord, sub: str, options: dict | None = None, **kw) -> str:  # type: ignore[no-untyped-def]
    """Run `/library sub …` as an admin of the fake's server (unless told otherwise) and
    return the text of the private reply."""
    kw.setdefault("permissions", ADMIN)
    handle = await fake.slash(f"library {sub}", options or {}, **kw)
    reply = await handle.reply(timeout=SLOW)
    first = (await handle.callback()).json
    flags = int((first.get("data") or {}).get("flags") or 0)
    assert flags & EPHEMERAL or first["type"] == 5, first  # private, or deferred privately
    return message_text(reply)


async def ask(fake: FakeDiscord, question: str, **kw) -> dict:  # type: ignore[no-untyped-def]
    return await (await fake.slash("ask", {"question": question}, **kw)).reply(timeout=10)


def footer(reply: dict) -> str:
    """The articles an answer cites (its footer names them)."""
    return " ".join((e.get("footer") or {}).get("text", "") for e in reply.get("embeds") or [])


# ----- upload -------------------------------------------------------------------------------


async def test_an_uploaded_article_answers_in_its_server_only(
    fake_discord: FakeDiscord, bot: NorfolkBot, store: Store
) -> None:
    text = await library(fake_discord, "add", files={"file": ("harbour_light.txt", HARBOUR)})
    assert "Added “Harbour Light (film)” on this server's shelf" in text
    assert [a.title for a in store.articles() or []] == ["Harbour Light (film)"]

    here = await ask(fake_discord, "who directed Harbour Light?")
    assert "Valdari" in message_text(here) and "Harbour Light (film)" in footer(here)
    assert "Romanek" in message_text(await ask(fake_discord, "who directed the 2010 film?"))

    for elsewhere in (
        await ask(fake_discord, "who directed Harbour Light?", guild=fake_discord.other_guild),
        await ask(fake_discord, "who directed Harbour Light?", dm=True),
    ):
        assert "Valdari" not in message_text(elsewhere)
        assert "Harbour Light (film)" not in footer(elsewhere)


async def test_a_question_in_server_a_never_cites_what_only_server_b_imported(
    fake_discord: FakeDiscord, bot: NorfolkBot, fake_wiki: FakeWiki
) -> None:
    other = fake_discord.other_guild
    text = await library(fake_discord, "add", {"title": "Peter Benchley"}, guild=other)
    assert "Added “Peter Benchley” on this server's shelf" in text
    question = "when was Peter Benchley born?"
    in_b = await ask(fake_discord, question, guild=other)
    assert "May 8, 1940" in message_text(in_b)
    link = f"(http://127.0.0.1:{fake_wiki.port}/wiki/Peter_Benchley)"  # the infobox: the page
    assert any(link in (f.get("value") or "") for f in in_b["embeds"][0]["fields"])
    for asked in (question, "where did Benchley die?", "who was Benchley's wife?"):
        in_a = await ask(fake_discord, asked)
        assert "Peter Benchley" not in footer(in_a), asked
        for fact in ("1940", "Princeton", "Wendy Wesson"):
            assert fact not in message_text(in_a), (asked, fact)


async def test_list_remove_and_autocomplete(
    fake_discord: FakeDiscord, bot: NorfolkBot, store: Store
) -> None:
    await library(fake_discord, "add", files={"file": ("harbour_light.txt", HARBOUR)})
    listing = await library(fake_discord, "list")
    assert "Harbour Light (film)" in listing and "Never Let Me Go (novel)" in listing
    assert "2 articles" in listing
    assert "Harbour Light" not in await library(
        fake_discord, "list", guild=fake_discord.other_guild
    )

    handle = await fake_discord.autocomplete("library remove", {"article": "harb"}, "article")
    body = (await handle.callback()).json
    assert body["type"] == AUTOCOMPLETE_RESULT
    assert [c["value"] for c in body["data"]["choices"]] == ["Harbour Light (film)"]

    refused = await library(fake_discord, "remove", {"article": "Jaws"})
    assert "No article called “Jaws” was added on this server" in refused
    removed = await library(fake_discord, "remove", {"article": "harbour light (FILM)"})
    assert "Removed “Harbour Light (film)”" in removed
    assert store.articles() == []
    assert "Valdari" not in message_text(await ask(fake_discord, "who directed Harbour Light?"))


async def test_use_picks_the_shared_articles_a_server_answers_from(
    fake_discord: FakeDiscord, bot: NorfolkBot, store: Store
) -> None:
    question = "who directed the 2010 film?"
    assert "only" in await library(fake_discord, "use", {"articles": "none"})
    assert "Romanek" not in message_text(await ask(fake_discord, question))
    assert "Romanek" in message_text(
        await ask(fake_discord, question, guild=fake_discord.other_guild)
    )
    assert "(not used here)" in await library(fake_discord, "list")

    unknown = await library(fake_discord, "use", {"articles": "Never Let Me Go (novel), Dune"})
    assert "“Dune” is not one of the shared articles" in unknown
    assert "Romanek" not in message_text(await ask(fake_discord, question))  # nothing changed

    picked = await library(fake_discord, "use", {"articles": "never let me go (novel)"})
    assert "uses “Never Let Me Go (novel)”" in picked
    assert "Romanek" in message_text(await ask(fake_discord, question))
    assert store.shelf_choices() == {fake_discord.guild.id: ("Never Let Me Go (novel)",)}
    assert "every shared article" in await library(fake_discord, "use", {"articles": "all"})
    assert store.shelf_choices() == {}


async def test_a_servers_own_article_takes_the_place_of_a_shared_one(
    fake_discord: FakeDiscord, bot: NorfolkBot
) -> None:
    mine = b"= Never Let Me Go (novel) =\n\n- Author: Somebody Else\n\nMy own notes on it.\n"
    text = await library(fake_discord, "add", files={"file": ("mine.txt", mine)})
    assert "takes the place of the shared article" in text
    assert "Somebody Else" in message_text(await ask(fake_discord, "who wrote the novel?"))
    shared = await ask(fake_discord, "who wrote the novel?", guild=fake_discord.other_guild)
    assert "Ishiguro" in message_text(shared)


# ----- persistence --------------------------------------------------------------------------


async def test_added_articles_survive_a_restart_and_a_reload(
    fake_discord: FakeDiscord,
    bot: NorfolkBot,
    store: Store,
    library_config: Config,
    seed_library: Library,
) -> None:
    from bot.client import create_bot

    await library(fake_discord, "add", files={"file": ("harbour_light.txt", HARBOUR)})
    await library(fake_discord, "use", {"articles": "none"}, guild=fake_discord.other_guild)
    ok, message = await bot.reload_library()
    assert ok and "Reloaded 1 article(s)" in message
    assert "Valdari" in message_text(await ask(fake_discord, "who directed Harbour Light?"))
    await bot.close()

    again = create_bot(library_config, library=seed_library, store=store, guild_ready_timeout=0.01)
    async with running(again):
        assert "Valdari" in message_text(await ask(fake_discord, "who directed Harbour Light?"))
        other = await ask(
            fake_discord, "who directed the 2010 film?", guild=fake_discord.other_guild
        )
        assert "Romanek" not in message_text(other)  # its choice of none survived too
        assert "Romanek" in message_text(await ask(fake_discord, "who directed the 2010 film?"))


# ----- refusals: one clear message, nothing changed ------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "words"),
    [
        (
            "bad.txt",
            b"= Moss =\n\nText.\n== Broken =\nMore.\n",
            "bad.txt line 4: unbalanced heading",
        ),
        ("bad.txt", b"No title line at all.\n", "bad.txt line 1: expected the title line first"),
        ("latin1.txt", "= Café =\n\nCafé noir.\n".encode("latin-1"), "not valid UTF-8"),
        ("wide.txt", "= Moss =\n\nMoss.\n".encode("utf-16-le"), "UTF-16"),
        ("blob.txt", b"= T =\n\x00\x01\x02", "binary"),
        ("empty.txt", b"  \n", "empty"),
        ("notes.md", b"= Moss =\n\nText.\n", "not a .txt file"),
        ("huge.txt", b"= Huge =\n\n" + b"word " * 120_000, "the limit is 512 KiB"),
    ],
)
async def test_malformed_uploads_are_refused_with_their_reason(
    fake_discord: FakeDiscord,
    bot: NorfolkBot,
    store: Store,
    filename: str,
    content: bytes,
    words: str,
) -> None:
    before = bot.catalog
    text = await library(fake_discord, "add", files={"file": (filename, content)})
    assert words in text, text
    assert "\n" not in text.strip() and "Traceback" not in text
    assert bot.catalog is before and store.articles() == []


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("Jaws", "“Jaws” is a disambiguation page"),
        ("No Such Page", "there is no article called “No Such Page”"),
    ],
)
async def test_failed_imports_change_nothing(
    fake_discord: FakeDiscord, bot: NorfolkBot, store: Store, title: str, words: str
) -> None:
    before = bot.catalog
    text = await library(fake_discord, "add", {"title": title})
    assert text.startswith("Could not import: ") and words in text
    assert text.endswith("Nothing was changed.")
    assert bot.catalog is before and store.articles() == []


async def test_rate_limited_or_unreachable_wikipedia_changes_nothing(
    fake_discord: FakeDiscord, bot: NorfolkBot, store: Store, fake_wiki: FakeWiki
) -> None:
    fake_wiki.fail_with(429, {"Retry-After": "20"})
    assert "rate-limiting" in await library(fake_discord, "add", {"title": "Jaws (film)"})
    await fake_wiki.stop()
    assert "could not reach 127.0.0.1" in await library(
        fake_discord, "add", {"title": "Jaws (film)"}
    )
    assert store.articles() == []


async def test_only_admins_and_the_owner_may_change_a_shelf(
    fake_discord: FakeDiscord, bot: NorfolkBot, store: Store
) -> None:
    member = await library(
        fake_discord,
        "add",
        files={"file": ("harbour_light.txt", HARBOUR)},
        permissions=int("274877991936"),
        user=fake_discord.bob,
    )
    assert "only the bot's owner or members with the Manage Server permission" in member
    assert store.articles() == []
    owner = await library(
        fake_discord,
        "add",
        files={"file": ("harbour_light.txt", HARBOUR)},
        permissions=int("274877991936"),
        user=fake_discord.owner,
    )
    assert "Added" in owner
    in_dm = await library(fake_discord, "list", dm=True)
    assert "use `/library` in a server" in in_dm


async def test_one_of_file_or_title_and_importing_off(
    fake_discord: FakeDiscord, bot: NorfolkBot
) -> None:
    from dataclasses import replace

    assert "one of the two" in await library(fake_discord, "add")
    both = await library(
        fake_discord, "add", {"title": "Jaws"}, files={"file": ("harbour_light.txt", HARBOUR)}
    )
    assert "one of the two" in both
    bot.config = replace(bot.config, allow_import=False)
    assert "NORFOLK_ALLOW_IMPORT" in await library(fake_discord, "add", {"title": "Jaws (film)"})


async def test_the_library_commands_are_synced_for_admins_in_servers(
    fake_discord: FakeDiscord, bot: NorfolkBot
) -> None:
    command = next(c for c in fake_discord.commands["global"] if c["name"] == "library")
    assert int(command["default_member_permissions"]) == MANAGE_GUILD
    assert command["contexts"] == [0] and command["integration_types"] == [0]
    subs = {o["name"]: o for o in command["options"]}
    assert set(subs) == {"add", "list", "remove", "use"}
    add = {o["name"]: o for o in subs["add"]["options"]}
    assert add["file"]["type"] == 11 and not add["file"].get("required")


async def test_browsing_commands_show_the_servers_shelf(
    fake_discord: FakeDiscord, bot: NorfolkBot
) -> None:
    await library(fake_discord, "add", files={"file": ("harbour_light.txt", HARBOUR)})
    other = fake_discord.other_guild

    async def run(name: str, options: dict, **kw) -> str:  # type: ignore[no-untyped-def]
        return message_text(await (await fake_discord.slash(name, options, **kw)).reply())

    assert "Harbour Light (film)" in await run("about", {})
    assert "Harbour Light (film)" not in await run("about", {}, guild=other)
    assert "Ines Valdari" in await run("fact", {"field": "Director"})
    assert "Ines Valdari" not in await run("fact", {"field": "Director"}, guild=other)
    handle = await fake_discord.autocomplete("section", {"name": "Filming"}, "name", guild=other)
    choices = (await handle.callback()).json["data"]["choices"]
    assert not any("Harbour Light" in c["name"] for c in choices)


async def test_a_user_installed_norfolk_answers_from_the_shared_articles(
    fake_discord: FakeDiscord, bot: NorfolkBot
) -> None:
    await library(fake_discord, "add", files={"file": ("harbour_light.txt", HARBOUR)})
    question = "who directed Harbour Light?"
    assert "Valdari" in message_text(await ask(fake_discord, question))
    mine = await ask(fake_discord, question, user_install=True)  # the member's own install
    assert "Valdari" not in message_text(mine) and "Harbour Light (film)" not in footer(mine)
    since = fake_discord.mark()
    await fake_discord.say(f"{fake_discord.mention()} {question}")  # the server's bot user
    reply = await fake_discord.wait_for_call(
        lambda c: c.matches("POST", f"/channels/{fake_discord.guild.text_channel_id}/messages"),
        since=since,
    )
    assert "Valdari" in message_text(reply.json)
