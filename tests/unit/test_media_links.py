"""Links to charts for Zalo: made only by the bot, for one media row, for a few minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.web.links import link_is_valid, media_link

SECRET = "1234567890:zalo-bot-token"
NOW = datetime(2024, 1, 28, 9, 0, tzinfo=UTC)
LIFE = timedelta(minutes=10)


def token_of(link: str) -> str:
    """Returns the `t` parameter of a link."""
    return link.partition("?t=")[2]


def test_a_link_names_the_media_under_the_public_address() -> None:
    link = media_link("https://tallybot.dinhhoa.vn/", 42, SECRET, NOW, LIFE)
    assert link.startswith("https://tallybot.dinhhoa.vn/media/42?t=")


def test_a_fresh_link_is_valid_for_its_media_until_it_expires() -> None:
    token = token_of(media_link("https://x", 42, SECRET, NOW, LIFE))
    assert link_is_valid(42, token, SECRET, NOW)
    assert link_is_valid(42, token, SECRET, NOW + LIFE - timedelta(seconds=1))
    assert not link_is_valid(42, token, SECRET, NOW + LIFE)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace(t[-1], "0" if t[-1] != "0" else "1"),  # another signature
        lambda t: str(int(t.split(".")[0]) + 3600) + "." + t.split(".")[1],  # a later expiry
        lambda t: t.split(".")[0],  # no signature
        lambda t: "",
        lambda t: "abc.def",
        lambda t: "١٢٣٤." + t.split(".")[1],  # digits of another script
        lambda t: "9" * 4300 + "." + t.split(".")[1],  # a number too long for int()
    ],
)
def test_a_changed_or_made_up_token_is_refused(change: Callable[[str], str]) -> None:
    token = token_of(media_link("https://x", 42, SECRET, NOW, LIFE))
    assert not link_is_valid(42, change(token), SECRET, NOW)


def test_a_token_is_for_one_media_and_one_secret() -> None:
    token = token_of(media_link("https://x", 42, SECRET, NOW, LIFE))
    assert not link_is_valid(43, token, SECRET, NOW)
    assert not link_is_valid(42, token, "another-secret", NOW)
