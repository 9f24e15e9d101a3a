"""`tallybot run` refuses, before anything starts, settings it cannot work with."""

from __future__ import annotations

import pytest

from bot.runtime import RunRefused, check_settings
from reporting.settings import Settings

TELEGRAM = {"TELEGRAM_BOT_TOKEN": "1:abc"}
ZALO = {"ZALO_BOT_TOKEN": "2:xyz", "PUBLIC_URL": "https://tallybot.example.gov.vn"}
SECRET = {"WEBHOOK_SECRET": "a-good_secret-42"}


def refusal(webhook: bool = False, **values: object) -> str | None:
    """Returns the refusal's catalog key, or None when the settings may run."""
    try:
        check_settings(Settings(**values), webhook)  # type: ignore[arg-type]
    except RunRefused as refused:
        return refused.key
    return None


def test_either_channel_alone_or_both_may_run() -> None:
    assert refusal(**TELEGRAM) is None
    assert refusal(**ZALO) is None
    assert refusal(**TELEGRAM | ZALO) is None
    assert refusal(webhook=True, **TELEGRAM | ZALO | SECRET) is None


def test_no_token_at_all_is_refused() -> None:
    assert refusal() == "run.no_token"


def test_zalo_without_a_public_address_is_refused() -> None:
    assert refusal(ZALO_BOT_TOKEN="2:xyz") == "run.zalo_public_url"


def test_a_webhook_needs_a_public_address_and_a_secret_both_platforms_accept() -> None:
    assert refusal(webhook=True, **TELEGRAM | SECRET) == "run.no_public_url"
    public = {"PUBLIC_URL": "https://bot.example.vn"}
    assert refusal(webhook=True, **TELEGRAM | public) == "run.webhook_secret"
    for secret in ("short", "x" * 257, "có dấu tiếng Việt", "with space 123"):
        values = TELEGRAM | public | {"WEBHOOK_SECRET": secret}
        assert refusal(webhook=True, **values) == "run.webhook_secret", secret
    assert refusal(webhook=True, **TELEGRAM | public | {"WEBHOOK_SECRET": "x" * 256}) is None


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://tallybot.example.gov.vn", True),
        ("https://tallybot.example.gov.vn/bot/", True),
        ("http://127.0.0.1:8080", True),
        ("http://localhost:8080", True),
        ("http://tallybot.example.gov.vn", False),  # plain HTTP on the internet
        ("tallybot.example.gov.vn", False),
        ("https://", False),
        ("ftp://example.vn", False),
    ],
)
def test_the_public_address_is_https_or_a_loopback(url: str, accepted: bool) -> None:
    found = refusal(ZALO_BOT_TOKEN="2:xyz", PUBLIC_URL=url)
    assert found == (None if accepted else "run.public_url")


def test_rates_ports_and_link_lifetimes_must_be_positive() -> None:
    for name in ("TELEGRAM_MAX_RATE", "ZALO_MAX_RATE", "MEDIA_LINK_MINUTES", "HTTP_PORT"):
        assert refusal(**ZALO | {name: 0}) == "run.positive", name


def test_every_refusal_reads_in_vietnamese_and_names_the_setting() -> None:
    with pytest.raises(RunRefused) as refused:
        check_settings(Settings(ZALO_BOT_TOKEN="2:xyz"), webhook=False)
    assert "PUBLIC_URL" in refused.value.message("vi")
    assert "Kênh Zalo cần" in refused.value.message("vi")
    assert "PUBLIC_URL" in refused.value.message("en")
