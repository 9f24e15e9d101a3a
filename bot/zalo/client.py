"""A small typed client for the Zalo Bot API (SPEC §3.4), on aiohttp, with its error mapping.

Every method is a POST of a JSON body to `<base_url><token>/<method>`; the answer is
`{"ok": true, "result": …}` or `{"ok": false, "error_code": N, "description": "…"}`. Errors
become exceptions that say whether trying again can help: `ZaloUnavailable` (5xx, 408 outside
getUpdates, a network failure or a timeout) and its `ZaloRateLimited` (429) may pass;
`ZaloRefusal` and its `ZaloForbidden` (403) and `ZaloUnauthorized` (401) will not. Zalo
publishes no list of error codes: 403 is taken to mean "blocked", as on Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import aiohttp

DEFAULT_API_BASE_URL = "https://bot-api.zaloplatforms.com/bot"
TEXT_LIMIT = 2000  # characters of a message or a caption
NOTHING_NEW = 408  # getUpdates' answer when its long poll ended without an update
NETWORK = 0  # error_code of a failure that never got an answer from Zalo
REQUEST_TIMEOUT = 30.0  # seconds for any call but the long poll
POLL_MARGIN = 10.0  # seconds a long poll may take beyond the timeout it asked for
JsonDict = dict[str, Any]


class ZaloError(Exception):
    """Zalo answered ok=false (or could not be asked): its error_code and description."""

    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(f"{error_code}: {description}")
        self.error_code = error_code
        self.description = description


class ZaloRefusal(ZaloError):
    """Zalo refused the call for good (a 400, a bad token): the same call cannot succeed."""


class ZaloUnauthorized(ZaloRefusal):
    """Zalo does not know the bot's token (401): nothing works until the token is fixed."""


class ZaloForbidden(ZaloRefusal):
    """Zalo forbade the call (403): the person blocked the bot or never wrote to it."""


class ZaloUnavailable(ZaloError):
    """Zalo could not take the call now (5xx, network, timeout): the same call may succeed."""


class ZaloRateLimited(ZaloUnavailable):
    """Zalo asked the bot to slow down (429); `retry_after` is its wait in seconds, if given."""

    def __init__(self, error_code: int, description: str, retry_after: float | None) -> None:
        super().__init__(error_code, description)
        self.retry_after = retry_after


class MalformedUpdate(ValueError):
    """A body that is neither a webhook delivery nor a getUpdates answer."""


@dataclass(frozen=True, slots=True)
class ZaloBot:
    """The bot's account, as getMe reports it."""

    id: str
    account_name: str
    account_type: str
    can_join_groups: bool


@dataclass(frozen=True, slots=True)
class ZaloChat:
    """The conversation a message belongs to (`PRIVATE` for one person)."""

    id: str
    chat_type: str


@dataclass(frozen=True, slots=True)
class ZaloAccount:
    """The person (or bot) a message is from."""

    id: str
    display_name: str
    is_bot: bool


@dataclass(frozen=True, slots=True)
class ZaloMessage:
    """A message a person sent to the bot; `date` in epoch milliseconds, `text` "" if none."""

    message_id: str
    chat: ZaloChat
    sender: ZaloAccount
    date: int
    text: str = ""


@dataclass(frozen=True, slots=True)
class ZaloUpdate:
    """One event: `message.text.received`, `message.sticker.received` and the like."""

    event_name: str
    message: ZaloMessage


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What Zalo answers to a send: the new message's id and date (epoch milliseconds)."""

    message_id: str
    date: int


@dataclass(frozen=True, slots=True)
class WebhookInfo:
    """The webhook address ("" when none) and when it was last changed (epoch milliseconds)."""

    url: str
    updated_at: int


def parse_update(body: object) -> ZaloUpdate:
    """Returns the update in a webhook body (unwrapped) or a getUpdates answer (wrapped)."""
    if isinstance(body, dict) and "result" in body and "event_name" not in body:
        body = body["result"]
    if not isinstance(body, dict):
        raise MalformedUpdate(f"not an update: {str(body)[:200]}")
    try:
        message, event_name = body["message"], str(body["event_name"])
        chat, sender = message["chat"], message["from"]
        return ZaloUpdate(
            event_name,
            ZaloMessage(
                message_id=str(message["message_id"]),
                chat=ZaloChat(str(chat["id"]), str(chat.get("chat_type", "PRIVATE"))),
                sender=ZaloAccount(
                    str(sender["id"]),
                    str(sender.get("display_name") or sender.get("first_name") or ""),
                    bool(sender.get("is_bot", False)),
                ),
                date=int(message.get("date", 0)),
                text=str(message.get("text") or ""),
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedUpdate(f"not an update ({error!r}): {str(body)[:200]}") from None


class ZaloClient:
    """Calls the Zalo Bot API for one bot token; owns its HTTP session until `close`."""

    def __init__(self, token: str, base_url: str = DEFAULT_API_BASE_URL) -> None:
        self.token = token
        self.base_url = base_url
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the HTTP session; a later call opens a new one."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get_me(self) -> ZaloBot:
        """Returns the bot's account: a cheap check that the token works."""
        me = await self.call("getMe")
        return ZaloBot(
            str(me["id"]),
            str(me.get("account_name", "")),
            str(me.get("account_type", "")),
            bool(me.get("can_join_groups", False)),
        )

    async def get_updates(self, timeout: float = 30) -> ZaloUpdate | None:  # noqa: ASYNC109
        """Returns the next update, waiting up to `timeout` seconds; None when nothing came.

        Zalo hands each update out once, with no offset to confirm it: see LocalZaloApi.
        """
        try:
            result = await self.call("getUpdates", {"timeout": str(round(timeout))}, timeout)
        except ZaloUnavailable as error:
            if error.error_code == NOTHING_NEW:
                return None
            raise
        return parse_update(result)

    async def set_webhook(self, url: str, secret_token: str) -> WebhookInfo:
        """Has Zalo POST every update to `url`, with the secret in X-Bot-Api-Secret-Token."""
        params = {"url": url, "secret_token": secret_token}
        return _webhook_info(await self.call("setWebhook", params))

    async def delete_webhook(self) -> WebhookInfo:
        """Removes the webhook, so that getUpdates works again."""
        return _webhook_info(await self.call("deleteWebhook"))

    async def get_webhook_info(self) -> WebhookInfo:
        """Returns the webhook set now (url "" when none)."""
        return _webhook_info(await self.call("getWebhookInfo"))

    async def send_message(self, chat_id: str, text: str) -> SentMessage:
        """Sends a text of 1 to 2000 characters; returns the sent message's id and date."""
        return _sent(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> SentMessage:
        """Sends the image Zalo fetches from `photo_url`, with an optional caption."""
        params: JsonDict = {"chat_id": chat_id, "photo": photo_url}
        params |= {"caption": caption} if caption else {}
        return _sent(await self.call("sendPhoto", params))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        """Shows the person that the bot is at work ("typing")."""
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def call(
        self, method: str, params: JsonDict | None = None, poll: float | None = None
    ) -> Any:
        """Calls one method and returns its result; raises a ZaloError subclass on failure."""
        seconds = REQUEST_TIMEOUT if poll is None else poll + POLL_MARGIN
        url = f"{self.base_url}{self.token}/{method}"
        try:
            async with self._http().post(
                url, json=params or {}, timeout=aiohttp.ClientTimeout(total=seconds)
            ) as response:
                body = await _json_body(response)
                status, retry_header = response.status, response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError) as error:
            # an aiohttp error may show the URL, and so the token: it never goes further
            said = repr(error).replace(self.token, "…") if self.token else repr(error)
            raise ZaloUnavailable(NETWORK, f"{method}: {said}") from error
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        raise _error(status, body, retry_header)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session


async def _json_body(response: aiohttp.ClientResponse) -> object:
    """Returns the decoded JSON body, or the text itself when it is not JSON (a proxy's page)."""
    raw = await response.text()
    try:
        return await response.json(content_type=None)
    except ValueError:
        return raw[:200]


def _error(status: int, body: object, retry_header: str | None) -> ZaloError:
    """Returns the exception for an answer that is not ok, by Zalo's code or else the status."""
    if isinstance(body, dict):
        code, description = _code(body.get("error_code"), status), str(body.get("description"))
    else:
        code, description = status, f"HTTP {status}: {body}"
    if code == 429:
        return ZaloRateLimited(code, description, _retry_after(body, retry_header))
    if code >= 500 or code == NOTHING_NEW or status >= 500:
        return ZaloUnavailable(code, description)
    refusal = {401: ZaloUnauthorized, 403: ZaloForbidden}.get(code, ZaloRefusal)
    return refusal(code, description)


def _code(value: object, status: int) -> int:
    """Returns Zalo's error_code as a number, or the HTTP status when it gave none usable."""
    try:
        return int(str(value))
    except ValueError:
        return status


def _retry_after(body: object, header: str | None) -> float | None:
    parameters = body.get("parameters") if isinstance(body, dict) else None
    value = parameters.get("retry_after") if isinstance(parameters, dict) else header
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _webhook_info(result: JsonDict) -> WebhookInfo:
    return WebhookInfo(str(result.get("url") or ""), int(result.get("updated_at") or 0))


def _sent(result: JsonDict) -> SentMessage:
    return SentMessage(str(result.get("message_id", "")), int(result.get("date") or 0))
