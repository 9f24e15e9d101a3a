"""The Zalo client and transport over real HTTP against the local Zalo server."""

from __future__ import annotations

import socket
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from bot.chat.turn import Attachment, Choice
from bot.localapi import LocalZaloApi
from bot.outbox import Blocked, Delivery, Refused, RetryLater
from bot.zalo.client import (
    NETWORK,
    ZaloClient,
    ZaloForbidden,
    ZaloRateLimited,
    ZaloRefusal,
    ZaloUnauthorized,
    ZaloUnavailable,
    parse_update,
)
from bot.zalo.transport import ZaloTransport
from reporting.storage.models import OutboxKind

TOKEN = "4242424242:LOCAL-zalo-token"
SECRET = "s3cret-for-webhooks"


def png(width: int, height: int) -> bytes:
    """Returns a valid grey PNG image of this size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + checksum

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    image = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + image


CHART = png(40, 30)


@dataclass
class Web:
    """A tiny web server of the test's own: media by address, and a webhook that records."""

    media: dict[str, bytes] = field(default_factory=dict)
    received: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    url: str = ""

    async def serve_media(self, request: web.Request) -> web.Response:
        data = self.media.get(request.match_info["name"])
        return web.Response(status=404) if data is None else web.Response(body=data)

    async def hook(self, request: web.Request) -> web.Response:
        secret = request.headers.get("X-Bot-Api-Secret-Token", "")
        self.received.append((secret, await request.json()))
        return web.Response(text="ok")

    async def media_url(self, delivery: Delivery) -> str:
        """Publishes the row's attachment and returns its address (the injected URL maker)."""
        assert delivery.attachment is not None
        name = f"{delivery.row_id}-{delivery.attachment.name}"
        self.media[name] = delivery.attachment.data
        return f"{self.url}/media/{name}"


@pytest.fixture
async def server() -> AsyncIterator[LocalZaloApi]:
    async with LocalZaloApi(TOKEN) as api:
        yield api


@pytest.fixture
async def client(server: LocalZaloApi) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(TOKEN, base_url=server.base_url) as zalo:
        yield zalo


@pytest.fixture
async def site() -> AsyncIterator[Web]:
    state = Web()
    app = web.Application()
    app.router.add_get("/media/{name}", state.serve_media)
    app.router.add_post("/zalo", state.hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield state
    await runner.cleanup()


async def test_get_me_reports_the_bot_account(client: ZaloClient) -> None:
    me = await client.get_me()
    assert (me.id, me.account_type, me.can_join_groups) == ("4242424242", "BASIC", False)


async def test_get_updates_hands_out_each_update_once_and_none_when_nothing_new(
    server: LocalZaloApi, client: ZaloClient
) -> None:
    leader = server.user("u-leader-1", "Hoàng Văn B")
    await leader.send("/baocao 60 58 58")
    update = await client.get_updates(timeout=1)
    assert update is not None
    assert update.event_name == "message.text.received"
    assert update.message.text == "/baocao 60 58 58"
    assert (update.message.chat.id, update.message.sender.id) == ("u-leader-1", "u-leader-1")
    assert update.message.sender.display_name == "Hoàng Văn B"
    assert update.message.date > 1_600_000_000_000  # milliseconds
    assert await client.get_updates(timeout=0) is None


async def test_a_sticker_arrives_as_its_own_event(
    server: LocalZaloApi, client: ZaloClient
) -> None:
    await server.user("u2").send_sticker()
    update = await client.get_updates(timeout=1)
    assert update is not None
    assert update.event_name == "message.sticker.received"


async def test_send_message_reaches_the_inbox_and_long_or_empty_text_is_refused(
    server: LocalZaloApi, client: ZaloClient
) -> None:
    person = server.user("u3")
    sent = await client.send_message("u3", "Xin chào")
    assert [m.text for m in person.inbox] == ["Xin chào"]
    assert sent.message_id == person.inbox[0].message_id
    await client.send_message("u3", "x" * 2000)
    for text in ("x" * 2001, ""):
        with pytest.raises(ZaloRefusal) as refused:
            await client.send_message("u3", text)
        assert refused.value.error_code == 400
    assert len(person.inbox) == 2


async def test_errors_map_to_what_trying_again_can_do(
    server: LocalZaloApi, client: ZaloClient
) -> None:
    server.user("u4")
    server.fail_next("sendMessage", 502)
    with pytest.raises(ZaloUnavailable) as unavailable:
        await client.send_message("u4", "a")
    assert unavailable.value.error_code == 502
    server.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(ZaloRateLimited) as limited:
        await client.send_message("u4", "a")
    assert limited.value.retry_after == 7
    server.block("u4")
    with pytest.raises(ZaloForbidden):
        await client.send_message("u4", "a")
    with pytest.raises(ZaloRefusal) as unknown:
        await client.send_message("nobody", "a")
    assert not isinstance(unknown.value, ZaloForbidden)
    async with ZaloClient("wrong:token", base_url=server.base_url) as stranger:
        with pytest.raises(ZaloUnauthorized) as unauthorized:
            await stranger.get_me()
    assert unauthorized.value.error_code == 401


async def test_an_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as closed:  # a port that was free a moment ago: nobody listens
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    async with ZaloClient(TOKEN, base_url=f"http://127.0.0.1:{port}/bot") as zalo:
        with pytest.raises(ZaloUnavailable) as unreachable:
            await zalo.get_me()
    assert unreachable.value.error_code == NETWORK


async def test_send_photo_fetches_the_image_from_its_address(
    server: LocalZaloApi, client: ZaloClient, site: Web
) -> None:
    person = server.user("u5")
    site.media["chart.png"] = CHART
    await client.send_photo("u5", f"{site.url}/media/chart.png", "Biểu đồ")
    [photo] = person.inbox
    assert (photo.kind, photo.photo, photo.text) == ("photo", CHART, "Biểu đồ")
    with pytest.raises(ZaloRefusal):
        await client.send_photo("u5", f"{site.url}/media/gone.png")
    await client.send_chat_action("u5")
    assert person.actions == ["typing"]


async def test_webhook_receives_updates_unwrapped_with_the_secret(
    server: LocalZaloApi, client: ZaloClient, site: Web
) -> None:
    info = await client.set_webhook(f"{site.url}/zalo", SECRET)
    assert info.url == f"{site.url}/zalo"
    assert (await client.get_webhook_info()).url == info.url
    with pytest.raises(ZaloRefusal) as conflict:
        await client.get_updates(timeout=0)
    assert conflict.value.error_code == 409
    person = server.user("u6")
    await person.send("hello")
    [call] = await server.wait_for_webhook_calls(1)
    assert call.delivered
    [(secret, body)] = site.received
    assert secret == SECRET
    assert set(body) == {"event_name", "message"}
    assert parse_update(body).message.text == "hello"
    assert (await client.delete_webhook()).url == ""
    await person.send("again")
    update = await client.get_updates(timeout=1)
    assert update is not None
    assert update.message.text == "again"


def _row(
    text: str,
    kind: OutboxKind = OutboxKind.TEXT,
    choices: tuple[Choice, ...] = (),
    attachment: Attachment | None = None,
) -> Delivery:
    return Delivery(1, "u7", kind, text, choices=choices, attachment=attachment)


async def test_transport_splits_at_2000_with_the_numbered_choices_on_the_last_part(
    server: LocalZaloApi, client: ZaloClient, site: Web
) -> None:
    person = server.user("u7")
    transport = ZaloTransport(client, site.media_url)
    choices = (Choice("Gửi", "send"), Choice("Sửa", "edit"), Choice("Hủy", "cancel"))
    long_text = "\n".join(f"Xóm {n}: 60/60 hộ" for n in range(250))
    await transport.deliver(_row(long_text, choices=choices))
    assert len(person.inbox) > 1
    assert all(len(m.text) <= 2000 for m in person.inbox)
    assert person.inbox[-1].text.endswith("1. Gửi   2. Sửa   3. Hủy")
    assert "\n".join(m.text for m in person.inbox).startswith(long_text[:3000])


async def test_transport_maps_errors_for_the_sender(
    server: LocalZaloApi, client: ZaloClient, site: Web
) -> None:
    server.user("u7")
    transport = ZaloTransport(client, site.media_url)
    server.fail_next("sendMessage", 429, retry_after=3)
    with pytest.raises(RetryLater) as later:
        await transport.deliver(_row("a"))
    assert later.value.after == 3
    server.fail_next("sendMessage", 500)
    with pytest.raises(RetryLater):
        await transport.deliver(_row("a"))
    server.fail_next("sendMessage", 400, description="Bad request: nope")
    with pytest.raises(Refused) as refused:
        await transport.deliver(_row("a"))
    assert refused.value.reason == "Bad request: nope"
    server.block("u7")
    with pytest.raises(Blocked):
        await transport.deliver(_row("a"))
    async with ZaloClient("wrong:token", base_url=server.base_url) as wrong:
        with pytest.raises(RetryLater):  # a token mistake must not refuse the rows for good
            await ZaloTransport(wrong, site.media_url).deliver(_row("a"))


async def test_transport_sends_photos_by_address_and_files_as_links(
    server: LocalZaloApi, client: ZaloClient, site: Web
) -> None:
    person = server.user("u7")
    transport = ZaloTransport(client, site.media_url)
    chart = Attachment("chart.png", CHART, is_photo=True)
    await transport.deliver(_row("Xã Định Biên", kind=OutboxKind.PHOTO, attachment=chart))
    book = Attachment("dinh-hoa.xlsx", b"PK\x03\x04", is_photo=False)
    await transport.deliver(_row("Tệp xuất", kind=OutboxKind.DOCUMENT, attachment=book))
    photo, link = person.inbox
    assert (photo.photo, photo.text) == (CHART, "Xã Định Biên")
    assert link.text == f"Tệp xuất\n{site.url}/media/1-dinh-hoa.xlsx"


async def test_a_webhook_call_that_fails_is_recorded_and_not_made_again(
    server: LocalZaloApi, client: ZaloClient, site: Web
) -> None:
    await client.set_webhook(f"{site.url}/missing", SECRET)
    await server.user("u8").send("lost")
    [call] = await server.wait_for_webhook_calls(1)
    assert (call.status, call.delivered) == (404, False)
    await client.delete_webhook()
    assert await client.get_updates(timeout=0) is None  # handed out once: gone
