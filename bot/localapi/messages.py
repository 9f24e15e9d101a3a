"""The Bot API methods that act on chats (send, edit, delete, answer), with Telegram's checks."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.localapi.store import ApiError, Chat, JsonDict, Store, StoredFile, bad_request
from bot.localapi.store import utf16_len as _len16
from bot.localapi.users import BotMessage, CallbackAnswer

Method = Callable[["Params"], Awaitable[Any]]
MAX_TEXT = 4096
MAX_CAPTION = 1024
CONTENT = ("text", "entities", "caption", "caption_entities", "reply_markup")
MARKUPS = frozenset({"inline_keyboard", "keyboard", "remove_keyboard", "force_reply"})
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
STALE_QUERY = "query is too old and response timeout expired or query ID is invalid"
_HTML_TOKEN = re.compile(r"<(/?)([^\s>/]*)([^>]*)>|&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot);|<")
_HTML_TAGS = {  # tag → entity type, as Telegram's HTML style defines them
    **dict.fromkeys(("b", "strong"), "bold"),
    **dict.fromkeys(("i", "em"), "italic"),
    **dict.fromkeys(("u", "ins"), "underline"),
    **dict.fromkeys(("s", "strike", "del"), "strikethrough"),
    **dict.fromkeys(("span", "tg-spoiler"), "spoiler"),
    **{"a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote"},
}


class Params:
    """Typed access to a method's parameters, sent as JSON, query, form or multipart fields."""

    def __init__(self, values: dict[str, Any], files: dict[str, web.FileField]) -> None:
        self.values = values
        self.files = files

    def text(self, name: str, default: str = "") -> str:
        """Returns a string parameter."""
        value = self.values.get(name)
        return default if value is None else str(value)

    def integer(self, name: str, default: int | None = None) -> int:
        """Returns an integer parameter; a missing required one is a Bad Request."""
        value = self.values.get(name, default)
        if value is None:
            raise bad_request(f"{name} is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"wrong {name} specified") from None

    def flag(self, name: str) -> bool:
        """Returns a boolean parameter (false when absent)."""
        return self.values.get(name) in (True, "true", "True", "1", 1)

    def json(self, name: str) -> Any:
        """Returns a JSON-serialised parameter decoded (None when absent)."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None


def parse_formatting(text: str, parse_mode: str) -> tuple[str, list[JsonDict]]:
    """Returns the displayed text and its entities; HTML is parsed, other modes pass through."""
    if parse_mode.lower() != "html":
        return text, []
    plain: list[str] = []
    opened: list[tuple[str, int, str]] = []
    entities: list[JsonDict] = []
    pos = 0
    for match in _HTML_TOKEN.finditer(text):
        plain.append(text[pos : match.start()])
        pos = match.end()
        closing, tag, attrs, entity = match.groups()
        offset = _len16("".join(plain))
        if entity:
            plain.append(html.unescape(match.group(0)))
        elif tag is None or tag.lower() not in _HTML_TAGS:
            where = len(text[: match.start()].encode())
            raise _unparsable(f'Unsupported start tag "{tag or ""}" at byte offset {where}')
        elif closing:
            entities.append(_close_tag(opened, tag.lower(), offset))
        else:
            opened.append((tag.lower(), offset, attrs))
    if opened:
        raise _unparsable(f'Can\'t find end tag corresponding to start tag "{opened[-1][0]}"')
    plain.append(text[pos:])
    return "".join(plain), sorted((e for e in entities if e["length"]), key=lambda e: e["offset"])


def _close_tag(opened: list[tuple[str, int, str]], tag: str, end: int) -> JsonDict:
    if not opened or opened[-1][0] != tag:
        expected = f'"</{opened[-1][0]}>"' if opened else "nothing"
        raise _unparsable(f'Unmatched end tag "</{tag}>", expected {expected}')
    name, start, attrs = opened.pop()
    entity: JsonDict = {"type": _HTML_TAGS[name], "offset": start, "length": end - start}
    href = re.search(r"""href\s*=\s*["']([^"']*)""", attrs)
    if name == "a" and href:
        entity["url"] = html.unescape(href.group(1))
    return entity


def _unparsable(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def content(text: str, parse_mode: str, field: str) -> JsonDict:
    """Returns {field: displayed text, entities} for a text or caption, enforcing its limit."""
    plain, entities = parse_formatting(text, parse_mode)
    if _len16(plain) > (MAX_TEXT if field == "text" else MAX_CAPTION):
        raise bad_request(
            "message is too long" if field == "text" else "message caption is too long"
        )
    if field == "text" and not plain.strip():
        raise bad_request("message text is empty")
    key = "entities" if field == "text" else "caption_entities"
    return ({field: plain} if plain else {}) | ({key: entities} if entities else {})


def check_markup(markup: Any, kinds: frozenset[str] = MARKUPS) -> JsonDict:
    """Returns reply_markup once it is one of the allowed kinds with valid inline buttons."""
    if not isinstance(markup, dict) or not kinds.intersection(markup):
        expected = "inline keyboard expected" if len(kinds) == 1 else "can't parse reply markup"
        raise bad_request(expected)
    for button in (b for row in markup.get("inline_keyboard", []) for b in row):
        if not isinstance(button.get("text"), str):
            raise _bad_button('Field "text" must be of type String')
        if not 1 <= len(str(button.get("callback_data", "-")).encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
        if set(button) <= {"text"}:
            raise _bad_button("Text buttons are unallowed in the inline keyboard")
    return markup


def _bad_button(reason: str) -> ApiError:
    return bad_request(f"can't parse inline keyboard button: {reason}")


class MessageMethods:
    """The chat methods by name, each taking a request's Params and returning its result."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def table(self) -> dict[str, Method]:
        """Returns these methods by their Bot API names."""
        return {
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendChatAction": self.send_chat_action,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
        }

    async def send_message(self, p: Params) -> JsonDict:
        """Sends a text message."""
        chat = self._chat(p)
        return self._deliver(chat, p, content(p.text("text"), p.text("parse_mode"), "text"))

    async def send_photo(self, p: Params) -> JsonDict:
        """Sends an uploaded (or already sent) image as a photo."""
        chat, stored = self._chat(p), self._upload(p, "photo")
        caption = content(p.text("caption"), p.text("parse_mode"), "caption")
        return self._deliver(chat, p, {"photo": stored.photo_sizes()} | caption, stored)

    async def send_document(self, p: Params) -> JsonDict:
        """Sends an uploaded (or already sent) file as a document."""
        chat, stored = self._chat(p), self._upload(p, "document")
        caption = content(p.text("caption"), p.text("parse_mode"), "caption")
        return self._deliver(chat, p, {"document": stored.document()} | caption, stored)

    async def send_chat_action(self, p: Params) -> bool:
        """Records a chat action such as "typing"."""
        chat, action = self._chat(p), p.text("action")
        if not action:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    async def edit_message_text(self, p: Params) -> JsonDict:
        """Replaces a text message's text; its inline keyboard goes unless sent again."""
        chat, message = self._editable(p)
        if "text" not in message.raw:
            raise bad_request("there is no text in the message to edit")
        body = content(p.text("text"), p.text("parse_mode"), "text")
        return self._apply_edit(chat, message, body, self._inline_markup(p))

    async def edit_message_reply_markup(self, p: Params) -> JsonDict:
        """Replaces (or removes) a message's inline keyboard."""
        chat, message = self._editable(p)
        kept = {k: message.raw[k] for k in CONTENT[:4] if k in message.raw}
        return self._apply_edit(chat, message, kept, self._inline_markup(p))

    async def delete_message(self, p: Params) -> bool:
        """Deletes a message from the chat; the user's inbox keeps it, marked deleted."""
        chat, message_id = self._chat(p), p.integer("message_id")
        if chat.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        if (message := chat.bot_message(message_id)) is not None:
            message.deleted = True
            self.store.log(chat, "out", "delete", message.text)
        chat.notify()
        return True

    async def answer_callback_query(self, p: Params) -> bool:
        """Answers a button press, once, with an optional toast or alert."""
        user_id = self.store.queries.pop(p.text("callback_query_id"), None)
        if user_id is None:
            raise bad_request(STALE_QUERY)
        chat, text, alert = self.store.chats[user_id], p.text("text"), p.flag("show_alert")
        chat.answers.append(CallbackAnswer(text, alert))
        if text:
            self.store.log(chat, "out", "alert" if alert else "toast", text)
        chat.notify()
        return True

    def _chat(self, p: Params) -> Chat:
        chat = self.store.chats.get(p.integer("chat_id"))
        if chat is None or not chat.started:
            raise bad_request("chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _editable(self, p: Params) -> tuple[Chat, BotMessage]:
        chat, message_id = self._chat(p), p.integer("message_id")
        message = chat.bot_message(message_id)
        if message is None:
            known = message_id in chat.messages
            raise bad_request("message can't be edited" if known else "message to edit not found")
        return chat, message

    def _upload(self, p: Params, kind: str) -> StoredFile:
        value = p.files.get(kind) or p.values.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.files.get(value.removeprefix("attach://"))
        if isinstance(value, web.FileField):
            data, name, mime = value.file.read(), value.filename, value.content_type
            return self.store.files.add(data, name, mime, kind)
        if value is None:
            raise bad_request(f"there is no {kind} in the request")
        if (stored := self.store.files.get(str(value))) is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    def _inline_markup(self, p: Params) -> JsonDict | None:
        markup = p.json("reply_markup")
        return check_markup(markup, frozenset({"inline_keyboard"})) if markup else None

    def _reply_to(self, chat: Chat, p: Params) -> JsonDict:
        options = p.json("reply_parameters") or {}
        target = options.get("message_id", p.values.get("reply_to_message_id"))
        if target is None:
            return {}
        if (original := chat.messages.get(int(target))) is None:
            if options.get("allow_sending_without_reply") or p.flag("allow_sending_without_reply"):
                return {}
            raise bad_request("message to be replied not found")
        return {"reply_to_message": {k: v for k, v in original.items() if k != "reply_to_message"}}

    def _deliver(
        self, chat: Chat, p: Params, body: JsonDict, stored: StoredFile | None = None
    ) -> JsonDict:
        markup = check_markup(p.json("reply_markup")) if "reply_markup" in p.values else None
        reply = self._reply_to(chat, p)
        raw: JsonDict = {"message_id": chat.next_id(), "from": self.store.bot_user}
        raw |= {"chat": chat.as_chat(), "date": self.store.now()} | reply | body
        if markup and "inline_keyboard" in markup:
            raw["reply_markup"] = markup  # Telegram echoes inline keyboards only
        if markup and ("keyboard" in markup or "remove_keyboard" in markup):
            chat.keyboard_from = raw["message_id"] if "keyboard" in markup else None
        chat.messages[raw["message_id"]] = raw
        message = BotMessage(raw, markup, stored)
        chat.inbox.append(message)
        chat.notify()
        self.store.log(chat, "out", message.kind, message.text)
        return raw

    def _apply_edit(
        self, chat: Chat, message: BotMessage, body: JsonDict, markup: JsonDict | None
    ) -> JsonDict:
        updated = {k: v for k, v in message.raw.items() if k not in CONTENT} | body
        updated |= {"reply_markup": markup} if markup else {}
        if all(updated.get(k) == message.raw.get(k) for k in CONTENT):
            raise bad_request(NOT_MODIFIED)
        message.raw.clear()  # in place: chat.messages holds the same dict
        message.raw.update(updated | {"edit_date": self.store.now()})
        message.markup, message.edits = markup, message.edits + 1
        chat.edited.append(message.message_id)
        chat.notify()
        self.store.log(chat, "out", "edit", message.text)
        return message.raw
