"""A local HTTP server speaking the Telegram Bot API as python-telegram-bot uses it."""

from __future__ import annotations

import asyncio
import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.localapi.chaos import Chaos
from bot.localapi.messages import MessageMethods, Method, Params, bad_request
from bot.localapi.store import ApiError, Chat, JsonDict, Store, TranscriptEvent, scope_key
from bot.localapi.users import FakeUser
from bot.localapi.webhook import Webhook, WebhookCall

MAX_UPLOAD = 50 * 1024 * 1024  # Telegram's limit for files a bot sends
FAULTS = {
    400: "Bad Request: injected fault",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


async def read_params(request: web.Request) -> Params:
    """Collects a request's parameters from its query string and body, whatever the encoding."""
    values: dict[str, Any] = dict(request.query)
    files: dict[str, web.FileField] = {}
    if request.content_type == "application/json" and request.can_read_body:
        try:
            values.update(await request.json())
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
    elif request.can_read_body:
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[name] = value
            else:
                values[name] = value
    return Params(values, files)


@dataclass(eq=False)
class Hold:
    """A call the server keeps unanswered, so that a test can crash the bot at that moment.

    `effect=False`: the call waits before it does anything (a message is not shown yet).
    `effect=True`: the call takes effect (the user sees the message), then its answer never
    comes. Either way it waits until `release()` or until the bot goes away.
    """

    method: str
    skip: int
    effect: bool
    params: dict[str, Any] = field(default_factory=dict)
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait(self, timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Waits until the held call arrived; returns its parameters."""
        async with asyncio.timeout(timeout):
            await self.reached.wait()
        return self.params

    async def wait_dropped(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Waits until the caller hung up on the held call (say, the bot was killed)."""
        async with asyncio.timeout(timeout):
            await self.dropped.wait()

    def release(self) -> None:
        """Lets the held call go on: it takes effect (if it has not) and is answered."""
        self.released.set()

    async def keep(self, method: Method, params: Params) -> Any:
        """Holds one call of the method, as the hold says; returns its result once released."""
        result = await method(params) if self.effect else None
        self.params = dict(params.values)
        self.reached.set()
        try:
            await self.released.wait()
        except asyncio.CancelledError:  # the client went away: the call never completes
            self.dropped.set()
            raise
        return result if self.effect else await method(params)


class AccountMethods:
    """The methods about the bot itself: identity, updates, webhook, command menus."""

    def __init__(self, store: Store, webhook: Webhook) -> None:
        self.store = store
        self.webhook = webhook

    def table(self) -> dict[str, Method]:
        """Returns these methods by their Bot API names."""
        return self.webhook.table() | {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "logOut": self.done,
            "close": self.done,
        }

    async def get_me(self, p: Params) -> JsonDict:
        """Returns the bot's User object."""
        return self.store.bot_user

    async def done(self, p: Params) -> bool:
        """Accepts logOut and close; there is nothing to release."""
        return True

    async def get_updates(self, p: Params) -> list[JsonDict]:
        """Confirms updates below offset and long-polls for the next ones."""
        self.webhook.refuse_polling()
        updates = self.store.updates
        if "allowed_updates" in p.values:
            updates.allowed = frozenset(p.json("allowed_updates") or ())
        limit = min(max(p.integer("limit", 100), 1), 100)
        return await updates.fetch(p.integer("offset", 0), limit, p.integer("timeout", 0))

    async def set_my_commands(self, p: Params) -> bool:
        """Stores the command list for a scope and language."""
        commands = p.json("commands") or []
        for item in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(item.get("command"))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(item.get("description", ""))) <= 256:
                raise bad_request("command description must be 1-256 characters")
        listed = [{"command": c["command"], "description": c["description"]} for c in commands]
        self.store.commands[self._commands_key(p)] = listed
        return True

    async def get_my_commands(self, p: Params) -> list[JsonDict]:
        """Returns the command list of exactly this scope and language."""
        return self.store.commands.get(self._commands_key(p), [])

    async def delete_my_commands(self, p: Params) -> bool:
        """Forgets the command list of this scope and language."""
        self.store.commands.pop(self._commands_key(p), None)
        return True

    def _commands_key(self, p: Params) -> tuple[str, str]:
        return scope_key(p.json("scope")), p.text("language_code")


class LocalBotApi:
    """A Bot API server on localhost for one bot token, with fake users to drive the bot."""

    def __init__(
        self,
        token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], datetime] | None = None,
        bot_username: str = "tallybot_local_bot",
        webhook_connections: int = 1,
    ) -> None:
        bot_id = token.partition(":")[0]
        self.token, self.host, self.port = token, host, port
        bot_user = _bot_user(int(bot_id) if bot_id.isdigit() else 1, bot_username)
        self.store = Store(bot_user, clock or (lambda: datetime.now(UTC)))
        # Webhook calls made at once, each chat's still one at a time (bot/localapi/webhook.py).
        self.webhook = Webhook(self.store.updates, self.store.now, webhook_connections)
        account = AccountMethods(self.store, self.webhook)
        table = account.table() | MessageMethods(self.store).table()
        self._methods = {name.lower(): (name, method) for name, method in table.items()}
        self._users: dict[int, FakeUser] = {}
        # what each coming call of a method meets: an error, or None for a normal answer
        self._faults: defaultdict[str, deque[ApiError | None]] = defaultdict(deque)
        self._holds: defaultdict[str, deque[Hold]] = defaultdict(deque)
        self._held: list[Hold] = []
        self._runner: web.AppRunner | None = None
        self.chaos: Chaos | None = None  # random faults and duplicates; see use_chaos

    def use_chaos(self, chaos: Chaos) -> None:
        """Makes the server fail some sends and deliver some updates twice, as chaos decides."""
        self.chaos = chaos
        self.store.updates.repeat = chaos.repeat

    @property
    def base_url(self) -> str:
        """Returns the value for ApplicationBuilder().base_url(...)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Returns the value for ApplicationBuilder().base_file_url(...)."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def transcript(self) -> list[TranscriptEvent]:
        """Returns every message in and out, across all chats, in order."""
        return self.store.transcript

    @property
    def webhook_calls(self) -> list[WebhookCall]:
        """Returns every call the server made to the webhook, answered or failed, in order."""
        return self.webhook.calls

    async def wait_for_webhook_calls(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
    ) -> list[WebhookCall]:
        """Waits until the server made count webhook calls in all; returns every call."""
        return await self.webhook.wait_for_calls(count, timeout)

    @property
    def requests(self) -> Counter[str]:
        """Returns how many times each Bot API method was called, by its Bot API name."""
        return self.store.requests

    async def start(self) -> None:
        """Starts serving; with port 0 a free port is chosen and stored in .port."""
        self.store.updates.closed = False
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])
        self.webhook.start()

    async def stop(self) -> None:
        """Ends pending long polls and webhook calls, lets held calls go, and stops serving."""
        self.store.updates.close()
        await self.webhook.stop()
        for hold in self._held:
            hold.release()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def user(
        self,
        user_id: int,
        first_name: str = "Nguyễn Văn A",
        language_code: str = "vi",
        username: str | None = None,
    ) -> FakeUser:
        """Returns the fake user with this id, creating them (not yet talking to the bot)."""
        if user_id not in self._users:
            info = {"id": user_id, "is_bot": False, "first_name": first_name}
            info |= ({"username": username} if username else {}) | {"language_code": language_code}
            chat = self.store.chats.setdefault(user_id, Chat(info))
            self._users[user_id] = FakeUser(self.store, chat)
        return self._users[user_id]

    def group_member(
        self, user_id: int, group_id: int, title: str, kind: str = "group"
    ) -> FakeUser:
        """Returns a user writing in a group chat (kind "group" or "supergroup") the bot is in.

        Their messages come from the group's chat and the bot's answers land in that group;
        only one member's view of a group is kept (enough to test that groups are refused).
        """
        info = {"id": user_id, "is_bot": False, "first_name": f"Thành viên {user_id}"}
        group = {"id": group_id, "type": kind, "title": title}
        chat = self.store.chats.setdefault(group_id, Chat(info, group=group, started=True))
        return FakeUser(self.store, chat)

    def open_chat(self, user_id: int, first_name: str = "Nguyễn Văn A") -> FakeUser:
        """Returns a fake user who pressed Start some time ago: the bot may write to them first."""
        person = self.user(user_id, first_name)
        self.store.chats[user_id].started = True
        return person

    def block(self, user_id: int) -> None:
        """Makes the user block the bot: sending to them fails with 403 until they write again."""
        self.user(user_id)
        self.store.chats[user_id].blocked = True

    def fail_next(
        self,
        method: str,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        skip: int = 0,
    ) -> None:
        """Makes the count calls of method after the next `skip` fail with this HTTP status.

        A 429 carries retry_after (1 s unless told).
        """
        if method.lower() not in self._methods:
            raise ValueError(f"the local server does not implement {method!r}")
        if status == 429:
            retry_after = retry_after or 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        error = ApiError(status, description or FAULTS.get(status, f"Error {status}"), retry_after)
        self._faults[method.lower()].extend([None] * skip + [error] * count)

    def hold_next(self, method: str, skip: int = 0, effect: bool = False) -> Hold:
        """Makes the call of method after the next `skip` wait unanswered; returns the Hold.

        With effect=False the call waits before it takes effect; with effect=True it takes
        effect first (a sendMessage is shown to the user) and only the answer never comes.
        """
        if method.lower() not in self._methods:
            raise ValueError(f"the local server does not implement {method!r}")
        hold = Hold(method, skip, effect)
        self._holds[method.lower()].append(hold)
        self._held.append(hold)
        return hold

    def faults_left(self, method: str) -> int:
        """Returns how many injected faults of a method have not been served yet."""
        return len(self._faults.get(method.lower(), ()))

    def recover(self) -> None:
        """Forgets every fault and hold still to come: the server answers normally again."""
        self._faults.clear()
        self._holds.clear()

    def commands(
        self, language_code: str = "", scope: JsonDict | None = None
    ) -> list[tuple[str, str]]:
        """Returns the (command, description) pairs set for exactly this scope and language."""
        stored = self.store.commands.get((scope_key(scope), language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    async def _handle(self, request: web.Request) -> web.Response:
        fault = self.chaos.fault(request.match_info["method"]) if self.chaos else None
        if self.chaos is not None and fault in ("500", "429"):
            return web.json_response(self.chaos.error(fault).payload(), status=int(fault))
        if fault == "drop" and request.transport is not None:
            request.transport.abort()  # before the call takes effect: the client sees a reset
            return web.Response(status=499)  # written nowhere: the connection is gone
        try:
            result = await self._call(request)
            if self.chaos is not None and fault == "timeout":  # shown, but answered too late
                await self.chaos.stall()
        except ApiError as error:
            return web.json_response(error.payload(), status=error.status)
        return web.json_response({"ok": True, "result": result})

    async def _call(self, request: web.Request) -> Any:
        if request.match_info["token"] != self.token:
            raise ApiError(401, "Unauthorized")
        name, method = self._methods.get(request.match_info["method"].lower(), ("", None))
        if method is None:
            raise ApiError(404, "Not Found")
        self.store.requests[name] += 1
        if (faults := self._faults.get(name.lower())) and (fault := faults.popleft()):
            raise fault
        if (holds := self._holds.get(name.lower())) and holds[0].skip:
            holds[0].skip -= 1
        elif holds:
            return await holds.popleft().keep(method, await read_params(request))
        return await method(await read_params(request))


def _bot_user(bot_id: int, username: str) -> JsonDict:
    """Returns the bot's User object as getMe reports it."""
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": "Tallybot",
        "username": username,
        "can_join_groups": False,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }
