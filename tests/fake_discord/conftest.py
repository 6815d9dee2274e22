"""Make the fake's fixtures available to its own smoke tests."""

from tests.fake_discord.fixtures import fake_discord, no_internet

__all__ = ["fake_discord", "no_internet"]
