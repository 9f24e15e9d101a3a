"""Fake Telegram users: people in private chats who send text, press buttons and read replies."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.localapi.store import Chat, JsonDict, Store, StoredFile, utf16_len, wait_for_change

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


@dataclass
class BotMessage:
    """A message the bot sent to a user, as the user sees it now (edits applied)."""

    raw: JsonDict
    markup: JsonDict | None = None
    file: StoredFile | None = None
    edits: int = 0
    deleted: bool = False

    @property
    def message_id(self) -> int:
        """Returns the message's id in its chat."""
        return int(self.raw["message_id"])

    @property
    def kind(self) -> str:
        """Returns "text", "photo" or "document"."""
        return next((k for k in ("photo", "document") if k in self.raw), "text")

    @property
    def text(self) -> str:
        """Returns the text or caption as displayed, formatting tags removed."""
        return str(self.raw.get("text", self.raw.get("caption", "")))

    @property
    def data(self) -> bytes | None:
        """Returns the bytes of the photo or document, if any."""
        return self.file.data if self.file else None

    @property
    def buttons(self) -> list[str]:
        """Returns the labels of the inline keyboard, row after row."""
        return [b["text"] for row in (self.markup or {}).get("inline_keyboard", []) for b in row]

    @property
    def keyboard(self) -> list[list[str]]:
        """Returns the rows of labels of the reply keyboard sent with this message."""
        rows = (self.markup or {}).get("keyboard", [])
        return [[b if isinstance(b, str) else b["text"] for b in row] for row in rows]

    def inline_button(self, label: str) -> JsonDict | None:
        """Returns the inline button with this label or callback_data, if shown."""
        rows = (self.markup or {}).get("inline_keyboard", [])
        found = (b for row in rows for b in row if label in (b["text"], b.get("callback_data")))
        return next(found, None)


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answer to a button press: a toast, an alert, or nothing visible."""

    text: str
    show_alert: bool


class FakeUser:
    """A person chatting with the bot; replies are counted from their latest send or press."""

    def __init__(self, store: Store, chat: Chat) -> None:
        self._store = store
        self._chat = chat
        self._marks = (0, 0, 0)  # inbox, edits, answers at the latest send or press

    @property
    def user_id(self) -> int:
        """Returns the Telegram user id (also the private chat's id)."""
        return int(self._chat.user["id"])

    @property
    def first_name(self) -> str:
        """Returns the user's first name."""
        return str(self._chat.user["first_name"])

    @property
    def inbox(self) -> list[BotMessage]:
        """Returns everything the bot sent to this user, in order, deleted messages included."""
        return list(self._chat.inbox)

    @property
    def messages(self) -> list[BotMessage]:
        """Returns the bot's messages still in the chat, in order, edits applied."""
        return [m for m in self._chat.inbox if not m.deleted]

    @property
    def last_message(self) -> BotMessage:
        """Returns the bot's latest message still in the chat."""
        if not (shown := self.messages):
            raise LookupError(f"the bot has sent nothing to {self.first_name}")
        return shown[-1]

    @property
    def replies(self) -> list[BotMessage]:
        """Returns the messages the bot sent since the latest send or press."""
        return self._chat.inbox[self._marks[0] :]

    @property
    def answers(self) -> list[CallbackAnswer]:
        """Returns the bot's answers to this user's button presses, in order."""
        return list(self._chat.answers)

    @property
    def actions(self) -> list[str]:
        """Returns the chat actions ("typing", …) the bot showed this user, in order."""
        return list(self._chat.actions)

    @property
    def menu(self) -> list[tuple[str, str]]:
        """Returns the (command, description) menu this user's Telegram app would show."""
        language = str(self._chat.user.get("language_code", ""))
        commands = self._store.commands_for(self.user_id, language)
        return [(c["command"], c["description"]) for c in commands]

    async def send(self, text: str) -> JsonDict:
        """Sends a text message (a command gets its bot_command entity); returns the Message."""
        command = _COMMAND.match(text)
        body: JsonDict = {"text": text}
        if command:
            length = utf16_len(command.group())
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self._store.log(self._chat, "in", "command" if command else "text", text)
        return self._post_message(body)

    async def edit(self, message: JsonDict, text: str) -> None:
        """Edits a message the user sent earlier (as `send` returned it): an edited_message."""
        edited = copy.deepcopy(message) | {"text": text, "edit_date": self._store.now()}
        self._begin()
        self._store.log(self._chat, "in", "edit", text)
        self._store.updates.push("edited_message", edited)

    async def press(self, label: str, message: BotMessage | int | None = None) -> None:
        """Presses a button by label or callback_data on the latest message showing one."""
        target, button, inline = self._find_button(label, message)
        if not inline:
            if (target.markup or {}).get("one_time_keyboard"):
                self._chat.keyboard_from = None
            await self.send(button["text"])
            return
        if "callback_data" not in button:
            raise ValueError(f"button {button['text']!r} is not a callback button: {button}")
        self._begin()
        query_id = str(next(self._store.query_ids))
        self._store.queries[query_id] = self.user_id
        self._store.log(self._chat, "in", "button", button["text"])
        query = {"id": query_id, "from": self._chat.user, "message": copy.deepcopy(target.raw)}
        query |= {"chat_instance": str(self.user_id * 7919), "data": button["callback_data"]}
        self._store.updates.push("callback_query", query)

    async def press_forged(self, data: str) -> None:
        """Sends a button press with made-up callback_data on the latest message from the bot.

        A modified client can send any data for any message; the bot must not trust it.
        """
        target = self.messages[-1]
        self._begin()
        query_id = str(next(self._store.query_ids))
        self._store.queries[query_id] = self.user_id
        self._store.log(self._chat, "in", "button", f"forged {data!r}")
        query = {"id": query_id, "from": self._chat.user, "message": copy.deepcopy(target.raw)}
        query |= {"chat_instance": str(self.user_id * 7919), "data": data}
        self._store.updates.push("callback_query", query)

    async def wait_for_reply(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline reads best in tests
    ) -> list[BotMessage]:
        """Waits until the bot sent count messages since the latest send or press; returns all."""
        await self.wait_until(lambda: len(self.replies) >= count, timeout, f"{count} replies")
        return self.replies

    async def wait_for_edit(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Waits for the bot's first edit after the latest send or press; returns that message."""
        mark = self._marks[1]
        await self.wait_until(lambda: len(self._chat.edited) > mark, timeout, "an edit")
        edited = self._chat.bot_message(self._chat.edited[mark])
        if edited is None:
            raise LookupError("the edited message was deleted")
        return edited

    async def wait_for_answer(self, timeout: float = 5.0) -> CallbackAnswer:  # noqa: ASYNC109
        """Waits for the bot to answer the latest press; returns the answer."""
        mark = self._marks[2]
        await self.wait_until(lambda: len(self._chat.answers) > mark, timeout, "an answer")
        return self._chat.answers[mark]

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "a change",
    ) -> None:
        """Waits until predicate holds, re-checking whenever the bot changes this chat."""

        def failure() -> str:
            seen = [m.text[:60] for m in self.replies]
            return (
                f"{self.first_name} waited {timeout:g} s for {what}; got since last action: {seen}"
            )

        await wait_for_change(lambda: self._chat.changed, predicate, timeout, failure)

    def _begin(self) -> None:
        chat = self._chat
        chat.blocked = False  # writing to a bot one blocked restarts it, as the app's button does
        chat.started = True
        self._marks = (len(chat.inbox), len(chat.edited), len(chat.answers))

    def _post_message(self, body: JsonDict) -> JsonDict:
        self._begin()
        chat = self._chat
        raw: JsonDict = {"message_id": chat.next_id(), "from": chat.user, "chat": chat.as_chat()}
        raw |= {"date": self._store.now()} | body
        chat.messages[chat.last_id] = raw
        self._store.updates.push("message", raw)
        return raw

    def _find_button(
        self, label: str, message: BotMessage | int | None
    ) -> tuple[BotMessage, JsonDict, bool]:
        wanted = message.message_id if isinstance(message, BotMessage) else message
        for shown in reversed(self.messages):
            if wanted not in (None, shown.message_id):
                continue
            if (button := shown.inline_button(label)) is not None:
                return shown, button, True
            keyboard = shown.keyboard if shown.message_id == self._chat.keyboard_from else []
            if any(label in row for row in keyboard):
                return shown, {"text": label}, False
        labels = [m.buttons or m.keyboard for m in self.messages if m.buttons or m.keyboard]
        raise LookupError(f"{self.first_name} sees no button {label!r}; buttons shown: {labels}")
