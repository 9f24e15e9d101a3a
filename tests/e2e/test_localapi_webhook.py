"""The local Bot API server's webhook: setWebhook's checks, calls in order, retries, getUpdates."""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.localapi import LocalBotApi

TOKEN = "123456:LOCAL-webhook-token"
SECRET = "s3cret_for-the-webhook"


@dataclass
class Receiver:
    """A webhook of the test's own: records each call, answers with the statuses it is told."""

    statuses: deque[int] = field(default_factory=deque)  # then 200
    received: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    async def hook(self, request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((secret, await request.json()))
        return web.Response(status=self.statuses.popleft() if self.statuses else 200)

    @property
    def texts(self) -> list[str]:
        """Returns the text of each message received, repeats included, in order."""
        return [body["message"]["text"] for _, body in self.received]


@asynccontextmanager
async def receiving(port: int = 0) -> AsyncIterator[Receiver]:
    """Serves a Receiver on 127.0.0.1 at /hook."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield receiver
    finally:
        await runner.cleanup()


def free_port() -> int:
    """Returns a port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi(token=TOKEN) as running:
        yield running


@pytest.fixture
async def bot(server: LocalBotApi) -> AsyncIterator[Bot]:
    """A python-telegram-bot Bot talking to the local server."""
    async with Bot(TOKEN, base_url=server.base_url) as client:
        yield client


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as running:
        yield running


@pytest.mark.parametrize(
    ("url", "secret", "refusal"),
    [
        ("http://example.org/hook", SECRET, "An HTTPS URL must be provided"),
        ("ftp://127.0.0.1/hook", SECRET, "An HTTPS URL must be provided"),
        ("https://example.org:9000/hook", SECRET, "only on ports 80, 88, 443 or 8443"),
        ("https://example.org/hook", "no spaces allowed", "unallowed characters"),
        ("https://example.org/hook", "x" * 257, "unallowed characters"),
    ],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    server: LocalBotApi, bot: Bot, url: str, secret: str, refusal: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){refusal}"):
        await bot.set_webhook(url, secret_token=secret)
    assert (await bot.get_webhook_info()).url == ""


async def test_set_webhook_accepts_https_and_plain_http_on_this_machine(bot: Bot) -> None:
    assert await bot.set_webhook("https://example.org:8443/hook", secret_token="a" * 256)
    for url in ("http://127.0.0.1:8080/telegram", "http://localhost:9/telegram"):
        assert await bot.set_webhook(url, secret_token="A-z_0", allowed_updates=["message"])
        info = await bot.get_webhook_info()
        assert (info.url, info.allowed_updates) == (url, ("message",))
    assert await bot.set_webhook("")  # an empty URL removes the webhook, as on Telegram
    assert (await bot.get_webhook_info()).url == ""


async def test_updates_go_to_the_webhook_one_by_one_in_order_with_the_secret(
    server: LocalBotApi, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    user = server.user(1001)
    for text in ("một", "hai", "ba"):
        await user.send(text)
    calls = await server.wait_for_webhook_calls(3)
    assert [call.status for call in calls] == [200, 200, 200]
    assert receiver.texts == ["một", "hai", "ba"]
    assert {secret for secret, _ in receiver.received} == {SECRET}
    assert [body["update_id"] for _, body in receiver.received] == [1, 2, 3]
    assert receiver.received[0][1]["message"]["from"]["id"] == 1001
    info = await bot.get_webhook_info()
    assert (info.pending_update_count, info.last_error_message) == (0, None)


async def test_get_updates_is_a_conflict_while_a_webhook_is_set(
    server: LocalBotApi, bot: Bot, receiver: Receiver
) -> None:
    receiver.statuses.extend([500] * 100)  # nothing is answered: updates stay pending
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    await server.user(1002).send("/start")
    await server.wait_for_webhook_calls(1)
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    [update] = await bot.get_updates(timeout=0)  # still pending: never answered 2xx
    assert update.message is not None
    assert update.message.text == "/start"
    assert (await bot.get_webhook_info()).url == ""


async def test_a_failed_call_is_retried_and_the_next_update_waits_its_turn(
    server: LocalBotApi, bot: Bot, receiver: Receiver
) -> None:
    receiver.statuses.extend([500, 503])
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    user = server.user(1003)
    await user.send("một")
    first = await server.wait_for_webhook_calls(1)
    info = await bot.get_webhook_info()
    assert first[0].status == 500
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert (info.pending_update_count, info.last_error_date is not None) == (1, True)
    await user.send("hai")
    calls = await server.wait_for_webhook_calls(4)
    assert [call.status for call in calls] == [500, 503, 200, 200]
    assert receiver.texts == ["một", "một", "một", "hai"]  # "hai" only once "một" got through
    info = await bot.get_webhook_info()
    assert (info.pending_update_count, info.last_error_message) == (0, None)


async def test_an_unreachable_webhook_gets_the_update_once_it_is_back(
    server: LocalBotApi, bot: Bot
) -> None:
    port = free_port()
    await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token=SECRET)
    await server.user(1004).send("/report")
    [refused] = await server.wait_for_webhook_calls(1)
    assert (refused.status, refused.delivered) == (None, False)
    assert (await bot.get_webhook_info()).last_error_message == "Connection refused"
    async with receiving(port) as back:
        calls = await server.wait_for_webhook_calls(len(server.webhook_calls) + 1)
        assert calls[-1].delivered
        assert back.texts == ["/report"]
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_drop_pending_updates_forgets_them_when_set_or_deleted(
    server: LocalBotApi, bot: Bot, receiver: Receiver
) -> None:
    user = server.user(1005)
    await user.send("cũ")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.set_webhook(receiver.url, secret_token=SECRET, drop_pending_updates=True)
    await user.send("mới")
    await server.wait_for_webhook_calls(1)
    assert receiver.texts == ["mới"]
    receiver.statuses.extend([500] * 100)
    await user.send("bỏ")
    await server.wait_for_webhook_calls(2)
    await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert await bot.get_updates(timeout=0) == ()


async def test_webhook_calls_go_without_the_header_when_no_secret_is_set(
    server: LocalBotApi, receiver: Receiver
) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{server.base_url}{TOKEN}/setWebhook"
        async with http.post(url, data={"url": receiver.url}) as answer:
            assert (await answer.json())["result"] is True
    await server.user(1006).send("/help")
    await server.wait_for_webhook_calls(1)
    assert receiver.received[0][0] is None
