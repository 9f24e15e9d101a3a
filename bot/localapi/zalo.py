"""A local HTTP server speaking the Zalo Bot API (SPEC §3.4), with fake Zalo users and faults.

async with LocalZaloApi(token=TOKEN) as server:
    client = ZaloClient(TOKEN, base_url=server.base_url)
    leader = server.user("a1b2c3", "Hoàng Văn B")
    await leader.send("/report")
    update = await client.get_updates(timeout=1)

Zalo's getUpdates has no offset: an update is handed out once, to one poll, and is gone from
the server the moment that poll is answered, whether or not the bot ever handles it. So
polling is at most once: a bot that crashes between the answer and its commit, or a
connection cut while the answer travels, loses that update for good, and nothing the bot
does can ask for it again (Telegram's offset confirms only once handled; Zalo's cannot).
The processed-once record still stops a duplicate, but durability needs the webhook, where
the bot commits before it answers. Webhook calls here are made once each too: a call that
fails is recorded in `webhook_calls` and the update is dropped, as the server does not know
whether Zalo retries.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

from bot.localapi.messages import Params
from bot.localapi.server import read_params
from bot.localapi.store import ApiError, TranscriptEvent, image_size
from bot.localapi.webhook import WebhookCall, wait_for_calls
from bot.localapi.zalo_users import JsonDict, ZaloBotMessage, ZaloChat, ZaloFakeUser, ZaloStore

ZaloMethod = Callable[[Params], Awaitable[Any]]
TEXT_LIMIT = 2000
MAX_POLL = 50  # seconds a getUpdates may wait at most
SECRET_HEADER = "X-Bot-Api-Secret-Token"
ACTIONS = frozenset({"typing", "upload_photo"})
FETCH_TIMEOUT = 10.0  # seconds sendPhoto waits for the image it must fetch
FAULTS = {
    400: "Bad request: injected fault",
    403: "Forbidden: the user has blocked the bot",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
}


class LocalZaloApi:
    """A Zalo Bot API server on localhost for one bot token, with fake users to drive the bot."""

    def __init__(
        self,
        token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], datetime] | None = None,
        bot_name: str = "tallybot_local",
    ) -> None:
        self.token, self.host, self.port = token, host, port
        self.bot = {
            "id": token.partition(":")[0] or "1",
            "account_name": f"bot.{bot_name}",
            "account_type": "BASIC",
            "can_join_groups": False,
        }
        self.store = ZaloStore(clock or (lambda: datetime.now(UTC)))
        self.webhook_url, self.webhook_secret, self.webhook_updated_at = "", "", 0
        self.webhook_calls: list[WebhookCall] = []
        self._webhook_set = asyncio.Event()
        self._webhook_called = asyncio.Event()
        self._users: dict[str, ZaloFakeUser] = {}
        self._faults: defaultdict[str, deque[ApiError]] = defaultdict(deque)
        self._methods = {name.lower(): (name, method) for name, method in self._table().items()}
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._pusher: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """Returns the base URL for ZaloClient (ZALO_API_BASE_URL): the token follows it."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def transcript(self) -> list[TranscriptEvent]:
        """Returns every message in and out, across all chats, in order."""
        return self.store.transcript

    @property
    def requests(self) -> dict[str, int]:
        """Returns how many times each method was called, by its Bot API name."""
        return self.store.requests

    async def start(self) -> None:
        """Starts serving; with port 0 a free port is chosen and stored in .port."""
        self.store.updates.closed = False
        self._http = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])
        self._pusher = asyncio.ensure_future(self._push_to_webhook())

    async def stop(self) -> None:
        """Ends pending long polls and webhook calls, and stops serving."""
        self.store.updates.close()
        self._webhook_set.set()
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._http is not None:
            await self._http.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def user(self, user_id: str, display_name: str = "Nguyễn Văn A") -> ZaloFakeUser:
        """Returns the fake person with this Zalo id, creating them (not yet writing)."""
        if user_id not in self._users:
            chat = self.store.chats.setdefault(user_id, ZaloChat(user_id, display_name))
            self._users[user_id] = ZaloFakeUser(self.store, chat)
        return self._users[user_id]

    def block(self, user_id: str) -> None:
        """Makes the person block the bot: sends to them fail with 403 until they write again."""
        self.user(user_id)
        self.store.chats[user_id].blocked = True

    def fail_next(
        self,
        method: str,
        error_code: int,
        count: int = 1,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Makes the next count calls of method answer ok=false with this error_code."""
        if method.lower() not in self._methods:
            raise ValueError(f"the local Zalo server does not implement {method!r}")
        said = description or FAULTS.get(error_code, f"Error {error_code}")
        self._faults[method.lower()].extend(
            ApiError(error_code, said, retry_after) for _ in range(count)
        )

    def recover(self) -> None:
        """Forgets every fault still to come: the server answers normally again."""
        self._faults.clear()

    async def wait_for_webhook_calls(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
    ) -> list[WebhookCall]:
        """Waits until the server made count webhook calls in all; returns every call."""
        return await wait_for_calls(
            self.webhook_calls, lambda: self._webhook_called, count, timeout
        )

    def _table(self) -> dict[str, ZaloMethod]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
        }

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            result = await self._call(request)
        except ApiError as error:
            status = error.status if 400 <= error.status < 600 else 200
            return web.json_response(error.payload(), status=status)
        return web.json_response({"ok": True, "result": result})

    async def _call(self, request: web.Request) -> Any:
        if request.match_info["token"] != self.token:
            raise ApiError(401, "Unauthorized: invalid bot token")
        name, method = self._methods.get(request.match_info["method"].lower(), ("", None))
        if method is None:
            raise ApiError(404, "Not found: unknown method")
        self.store.requests[name] += 1
        if faults := self._faults.get(name.lower()):
            raise faults.popleft()
        return await method(await read_params(request))

    async def _get_me(self, p: Params) -> JsonDict:
        return self.bot

    async def _get_updates(self, p: Params) -> JsonDict:
        """Long-polls for one update; 408 when none came within the timeout."""
        if self.webhook_url:
            raise ApiError(409, "Conflict: getUpdates is not available while a webhook is set")
        wait = min(max(p.integer("timeout", 30), 0), MAX_POLL)
        update = await self.store.updates.take(wait)
        if update is None:
            raise ApiError(408, "Request timeout: no new update")
        return update

    async def _set_webhook(self, p: Params) -> JsonDict:
        url, secret = p.text("url"), p.text("secret_token")
        if not url.startswith(("https://", "http://")):
            raise ApiError(400, "Bad request: url must be an HTTPS address")
        if not 8 <= len(secret) <= 256:
            raise ApiError(400, "Bad request: secret_token must be 8 to 256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        self.webhook_updated_at = self.store.now_ms()
        self._webhook_set.set()
        return await self._get_webhook_info(p)

    async def _delete_webhook(self, p: Params) -> JsonDict:
        self.webhook_url, self.webhook_secret = "", ""
        self.webhook_updated_at = self.store.now_ms()
        self._webhook_set.clear()
        return await self._get_webhook_info(p)

    async def _get_webhook_info(self, p: Params) -> JsonDict:
        return {"url": self.webhook_url, "updated_at": self.webhook_updated_at}

    async def _send_message(self, p: Params) -> JsonDict:
        chat, text = self._chat(p), p.text("text")
        if not 1 <= len(text) <= TEXT_LIMIT:
            raise ApiError(400, f"Bad request: text must be 1 to {TEXT_LIMIT} characters")
        return self._deliver(chat, ZaloBotMessage(self.store.next_id(), text))

    async def _send_photo(self, p: Params) -> JsonDict:
        """Fetches the image at `photo` over HTTP, as Zalo does, and shows it with its caption."""
        chat, url, caption = self._chat(p), p.text("photo"), p.text("caption")
        if len(caption) > TEXT_LIMIT:
            raise ApiError(400, f"Bad request: caption must be at most {TEXT_LIMIT} characters")
        image = await self._fetch(url)
        return self._deliver(chat, ZaloBotMessage(self.store.next_id(), caption, url, image))

    async def _send_chat_action(self, p: Params) -> None:
        chat, action = self._chat(p), p.text("action")
        if action not in ACTIONS:
            raise ApiError(400, f"Bad request: unknown action {action!r}")
        chat.actions.append(action)
        chat.notify()

    def _chat(self, p: Params) -> ZaloChat:
        """Returns the chat a send is for; refuses an unknown chat and a blocked bot."""
        chat = self.store.chats.get(p.text("chat_id"))
        if chat is None:
            raise ApiError(400, "Bad request: chat_id is invalid")
        if chat.blocked:
            raise ApiError(403, FAULTS[403])
        return chat

    def _deliver(self, chat: ZaloChat, message: ZaloBotMessage) -> JsonDict:
        chat.inbox.append(message)
        self.store.log(chat, "out", message.kind, message.text)
        chat.notify()
        return {"message_id": message.message_id, "date": self.store.now_ms()}

    async def _fetch(self, url: str) -> bytes:
        """Returns the image bytes at url; a failed fetch or a non-image is a refusal."""
        assert self._http is not None
        try:
            timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
            async with self._http.get(url, timeout=timeout) as response:
                data = await response.read() if response.status == 200 else b""
        except (aiohttp.ClientError, ValueError, TimeoutError) as error:
            raise ApiError(400, f"Bad request: cannot fetch photo ({error!r})") from None
        if image_size(data) is None:
            raise ApiError(400, "Bad request: photo is not a reachable PNG or JPEG image")
        return data

    async def _push_to_webhook(self) -> None:
        """POSTs each update, unwrapped, to the webhook while one is set; each one once."""
        updates = self.store.updates
        while not updates.closed:
            await self._webhook_set.wait()
            update = await updates.take(wait=0.2)  # short: a webhook deleted meanwhile shows
            if update is None:
                continue
            if not self.webhook_url:  # deleted while waiting: the update is for getUpdates
                updates.give_back(update)
                continue
            self.webhook_calls.append(await self._post_update(update))
            self._webhook_called.set()
            self._webhook_called = asyncio.Event()

    async def _post_update(self, update: JsonDict) -> WebhookCall:
        assert self._http is not None
        headers = {SECRET_HEADER: self.webhook_secret}
        try:
            timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
            async with self._http.post(
                self.webhook_url, json=update, headers=headers, timeout=timeout
            ) as response:
                return WebhookCall(update, response.status)
        except (aiohttp.ClientError, TimeoutError) as error:
            return WebhookCall(update, None, repr(error))
