"""The local Bot API server's webhook: setWebhook, deleteWebhook, getWebhookInfo, and the calls.

While a webhook is set, getUpdates is refused (409) and the server POSTs each pending update
to the URL, one at a time and in order, with the secret in the header
X-Telegram-Bot-Api-Secret-Token. A server made with `connections` > 1 makes up to that many
calls at once (and no more than the webhook's max_connections), as Telegram does for a busy
bot, still one at a time and in order within each chat. As Telegram does, an update stays
pending until a call is answered 2xx: a call that fails (another status, a refused
connection, a timeout) is tried again after a back-off, so a bot that was down when the
update came still gets it once back.
The back-off is short (0.2 s doubling up to 2 s) so that tests wait little.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from bot.localapi.messages import Method, Params
from bot.localapi.store import ApiError, JsonDict, UpdateQueue, bad_request

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
PORTS = frozenset({80, 88, 443, 8443})  # the only ports Telegram calls
BAD_PORT = "Webhook can be set up only on ports 80, 88, 443 or 8443"
CALL_TIMEOUT = 10.0  # seconds a call may take before it counts as failed
FIRST_RETRY = 0.2  # seconds before the first retry of a failed call; doubles each time
LAST_RETRY = 2.0  # seconds between retries at most
IDLE_LOOK = 0.2  # seconds between looks for a new update: a webhook deleted meanwhile shows
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@dataclass(frozen=True)
class WebhookCall:
    """One update the server POSTed to the webhook: the answer's status, or why it failed."""

    update: JsonDict
    status: int | None
    error: str = ""

    @property
    def delivered(self) -> bool:
        """Returns whether the webhook answered with a 2xx status."""
        return self.status is not None and 200 <= self.status < 300


class Webhook:
    """The webhook of one bot: its settings, the calls made, and the task that makes them."""

    def __init__(self, updates: UpdateQueue, now: Callable[[], int], connections: int = 1) -> None:
        self.updates = updates
        self.now = now
        self.connections = connections
        self.url, self.secret, self.max_connections = "", "", 40
        self.last_error: tuple[int, str] | None = None  # (date, message) of the latest call
        self.calls: list[WebhookCall] = []
        self._set = asyncio.Event()
        self._called = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None
        self._pusher: asyncio.Task[None] | None = None

    def table(self) -> dict[str, Method]:
        """Returns the webhook methods by their Bot API names."""
        return {
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
        }

    def start(self) -> None:
        """Starts the task that calls the webhook whenever one is set."""
        self._http = aiohttp.ClientSession()
        push = self._push() if self.connections == 1 else self._push_in_parallel()
        self._pusher = asyncio.ensure_future(push)

    async def stop(self) -> None:
        """Ends the calls (an update being called stays pending) and closes the client."""
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
            self._pusher = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    def refuse_polling(self) -> None:
        """Raises Telegram's 409 Conflict for getUpdates while a webhook is set."""
        if self.url:
            raise ApiError(409, WEBHOOK_ACTIVE)

    async def set_webhook(self, p: Params) -> bool:
        """Checks the URL and secret as Telegram does, then calls the URL with every update."""
        url = p.text("url")
        if not url:  # Telegram: an empty URL removes the webhook
            return await self.delete_webhook(p)
        self._check_url(url)
        secret = p.text("secret_token")
        if secret and not SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        if "allowed_updates" in p.values:
            self.updates.allowed = frozenset(p.json("allowed_updates") or ())
        if p.flag("drop_pending_updates"):
            self.updates.drop_all()
        self.url, self.secret = url, secret
        self.max_connections = min(max(p.integer("max_connections", 40), 1), 100)
        self.last_error = None
        self._set.set()
        return True

    async def delete_webhook(self, p: Params) -> bool:
        """Forgets the webhook: updates wait for getUpdates again; may drop pending ones."""
        if p.flag("drop_pending_updates"):
            self.updates.drop_all()
        self.url, self.secret, self.last_error = "", "", None
        self._set.clear()
        return True

    async def get_webhook_info(self, p: Params) -> JsonDict:
        """Returns the WebhookInfo: the URL, the pending count, and the latest call's error."""
        info: JsonDict = {"url": self.url, "has_custom_certificate": False}
        info["pending_update_count"] = len(self.updates)
        if self.url:
            info["max_connections"] = self.max_connections
            if self.updates.allowed:
                info["allowed_updates"] = sorted(self.updates.allowed)
        if self.last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.last_error
        return info

    async def wait_for_calls(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
    ) -> list[WebhookCall]:
        """Waits until the server made count webhook calls in all; returns every call."""
        return await wait_for_calls(self.calls, lambda: self._called, count, timeout)

    def _check_url(self, url: str) -> None:
        """Refuses what Telegram refuses; plain http is let through for this machine only."""
        address = urlsplit(url)
        local = address.hostname in LOOPBACK
        if not (address.scheme == "https" or (address.scheme == "http" and local)):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if not local and (address.port or 443) not in PORTS:
            raise bad_request(f"bad webhook: {BAD_PORT}")

    async def _push(self) -> None:
        """Calls the webhook with the oldest pending update until it is answered, in order."""
        delay = FIRST_RETRY
        while not self.updates.closed:
            await self._set.wait()
            update = await self.updates.first(wait=IDLE_LOOK)
            if update is None or not self.url:
                continue
            call = await self._call(update)
            self._record(call)
            if call.delivered:
                self.updates.remove(update["update_id"])
                delay = FIRST_RETRY
            else:  # the update stays first in line: order is kept
                await asyncio.sleep(delay)
                delay = min(delay * 2, LAST_RETRY)

    async def _push_in_parallel(self) -> None:
        """Calls the webhook with several updates at once, the oldest of each chat."""
        calling: dict[int, asyncio.Task[None]] = {}  # by chat
        try:
            while not self.updates.closed:
                await self._set.wait()
                limit = min(self.connections, self.max_connections)
                for update in await self.updates.waiting(wait=IDLE_LOOK):
                    chat = _chat_of(update)
                    if len(calling) >= limit or not self.url:
                        break
                    if chat in calling:
                        continue  # this chat's next update waits for the one being called
                    calling[chat] = asyncio.ensure_future(self._call_chat(update))
                if calling:
                    await asyncio.wait(calling.values(), return_when=asyncio.FIRST_COMPLETED)
                    for chat in [chat for chat, task in calling.items() if task.done()]:
                        del calling[chat]
        finally:
            for task in calling.values():
                task.cancel()
            await asyncio.gather(*calling.values(), return_exceptions=True)

    async def _call_chat(self, update: JsonDict) -> None:
        """Calls one update; a failed call keeps it first in its chat's line, after a pause."""
        call = await self._call(update)
        self._record(call)
        if call.delivered:
            self.updates.remove(update["update_id"])
        else:
            await asyncio.sleep(LAST_RETRY)

    async def _call(self, update: JsonDict) -> WebhookCall:
        """POSTs one update; returns the answer's status, or the failure as Telegram words it."""
        assert self._http is not None
        headers = {SECRET_HEADER: self.secret} if self.secret else {}
        timeout = aiohttp.ClientTimeout(total=CALL_TIMEOUT)
        try:
            async with self._http.post(
                self.url, json=update, headers=headers, timeout=timeout
            ) as answer:
                if 200 <= answer.status < 300:
                    return WebhookCall(update, answer.status)
                said = f"Wrong response from the webhook: {answer.status} {answer.reason}"
                return WebhookCall(update, answer.status, said)
        except aiohttp.ClientConnectorError:
            return WebhookCall(update, None, "Connection refused")
        except TimeoutError:
            return WebhookCall(update, None, "Read timeout expired")
        except aiohttp.ClientError as error:
            return WebhookCall(update, None, f"Connection failed: {error}")

    def _record(self, call: WebhookCall) -> None:
        """Keeps the call, notes its error for getWebhookInfo, and wakes those waiting."""
        self.calls.append(call)
        self.last_error = None if call.delivered else (self.now(), call.error)
        self._called.set()
        self._called = asyncio.Event()


def _chat_of(update: JsonDict) -> int:
    """Returns the chat an update belongs to (its sender's, for a button press)."""
    for kind, payload in update.items():
        if kind != "update_id" and isinstance(payload, dict):
            chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
            person = chat or payload.get("from") or {}
            return int(person.get("id", 0))
    return 0


async def wait_for_calls(
    calls: list[WebhookCall],
    called: Callable[[], asyncio.Event],
    count: int,
    timeout: float,  # noqa: ASYNC109 - a plain deadline reads best in tests
) -> list[WebhookCall]:
    """Waits until `calls` holds count calls, woken by the event `called` returns (each call
    sets it and puts a fresh one in its place); returns every call."""
    try:
        async with asyncio.timeout(timeout):
            while len(calls) < count:
                await called().wait()
    except TimeoutError:
        made = len(calls)
        raise TimeoutError(f"waited {timeout:g} s for {count} webhook calls: {made}") from None
    return list(calls)
