"""The local Bot API server, driven by a real python-telegram-bot Application over HTTP."""

from __future__ import annotations

import asyncio
import random
import struct
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.localapi import LocalBotApi
from bot.localapi.chaos import Chaos

TOKEN = "123456:LOCAL-test-token"
START = datetime(2024, 1, 27, 10, 0, tzinfo=UTC)
App = Application[Any, Any, Any, Any, Any, Any]


def png(width: int, height: int) -> bytes:
    """Returns a valid grey PNG image of this size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + checksum

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    image = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + image


CHART = png(1000, 600)
WORKBOOK = b"PK\x03\x04 not really a workbook"


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeats the user's text, quoting it."""
    assert update.message
    assert update.message.text
    await update.message.reply_text(update.message.text, do_quote=True)


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offers inline Gửi / Hủy buttons."""
    assert update.message
    buttons = [
        [InlineKeyboardButton("Gửi", callback_data="submit")],
        [InlineKeyboardButton("Hủy", callback_data="cancel")],
    ]
    await update.message.reply_text("Gửi báo cáo?", reply_markup=InlineKeyboardMarkup(buttons))


async def keys(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows a one-time reply keyboard."""
    assert update.message
    markup = ReplyKeyboardMarkup([["0", "Bỏ qua"]], one_time_keyboard=True)
    await update.message.reply_text("Số phiếu không hợp lệ?", reply_markup=markup)


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers the press and edits the message to show the choice."""
    query = update.callback_query
    assert query
    await query.answer("Đã nhận")
    await query.edit_message_text(f"Đã chọn: <b>{query.data}</b>", parse_mode=ParseMode.HTML)


async def files(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sends a chart and a workbook."""
    assert update.message
    await update.message.reply_chat_action(ChatAction.UPLOAD_PHOTO)
    await update.message.reply_photo(CHART, caption="Tỷ lệ tham gia")
    await update.message.reply_document(WORKBOOK, filename="tong-hop.xlsx", caption="Bảng")


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApi]:
    """A running local server on simulated campaign time."""
    async with LocalBotApi(token=TOKEN, clock=lambda: START) as running:
        yield running


@pytest.fixture
async def app(server: LocalBotApi) -> AsyncIterator[App]:
    """A polling PTB application with the handlers above, wired to the local server."""
    builder = ApplicationBuilder().token(TOKEN).base_url(server.base_url)
    built = builder.base_file_url(server.base_file_url).build()
    built.add_handlers(
        [
            CommandHandler("menu", menu),
            CommandHandler("keys", keys),
            CommandHandler("files", files),
            CallbackQueryHandler(chosen),
            MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
        ]
    )
    await built.initialize()
    await built.start()
    assert built.updater
    await built.updater.start_polling(poll_interval=0, timeout=1)
    yield built
    await built.updater.stop()
    await built.stop()
    await built.shutdown()


async def test_echo_reply_has_telegram_shape(server: LocalBotApi, app: App) -> None:
    user = server.user(1001)
    sent = await user.send("Xin chào")
    [reply] = await user.wait_for_reply()
    assert reply.text == "Xin chào"
    assert reply.message_id == sent["message_id"] + 1
    assert reply.raw["from"]["is_bot"] is True
    assert reply.raw["chat"] == {"id": 1001, "type": "private", "first_name": "Nguyễn Văn A"}
    assert reply.raw["date"] == int(START.timestamp())
    assert reply.raw["reply_to_message"]["text"] == "Xin chào"


async def test_commands_carry_bot_command_entity(server: LocalBotApi) -> None:
    message = await server.user(1001).send("/report 45 40")
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 7}]
    assert "entities" not in await server.user(1001).send("báo cáo /report")


async def test_inline_press_answers_and_edits(server: LocalBotApi, app: App) -> None:
    user = server.user(1002)
    await user.send("/menu")
    [prompt] = await user.wait_for_reply()
    assert prompt.buttons == ["Gửi", "Hủy"]
    await user.press("Gửi")
    edited = await user.wait_for_edit()
    assert edited is prompt
    assert (edited.text, edited.buttons, edited.edits) == ("Đã chọn: submit", [], 1)
    assert edited.raw["entities"] == [{"type": "bold", "offset": 9, "length": 6}]
    assert (await user.wait_for_answer()).text == "Đã nhận"
    with pytest.raises(LookupError, match="Hủy"):
        await user.press("Hủy")  # the edit removed the keyboard


async def test_reply_keyboard_press_sends_label(server: LocalBotApi, app: App) -> None:
    user = server.user(1003)
    await user.send("/keys")
    [prompt] = await user.wait_for_reply()
    assert prompt.keyboard == [["0", "Bỏ qua"]]
    assert "reply_markup" not in prompt.raw  # Telegram echoes inline keyboards only
    await user.press("Bỏ qua")
    [echoed] = await user.wait_for_reply()
    assert echoed.text == "Bỏ qua"
    with pytest.raises(LookupError):
        await user.press("0")  # a one-time keyboard hides after use


async def test_photo_and_document_reach_user(server: LocalBotApi, app: App) -> None:
    user = server.user(1004)
    await user.send("/files")
    photo, document = await user.wait_for_reply(count=2)
    assert (photo.kind, photo.text, photo.data) == ("photo", "Tỷ lệ tham gia", CHART)
    assert [size["width"] for size in photo.raw["photo"]] == [90, 320, 800, 1000]
    assert photo.raw["photo"][-1]["height"] == 600
    assert (document.kind, document.text, document.data) == ("document", "Bảng", WORKBOOK)
    assert document.raw["document"]["file_name"] == "tong-hop.xlsx"
    assert document.raw["document"]["file_size"] == len(WORKBOOK)
    assert user.actions == ["upload_photo"]
    resent = await app.bot.send_photo(1004, photo.raw["photo"][-1]["file_id"])
    assert resent.photo[-1].file_id == photo.raw["photo"][-1]["file_id"]


async def test_users_talking_at_once_get_their_own_replies(server: LocalBotApi, app: App) -> None:
    users = [server.user(2000 + n, first_name=f"Trưởng xóm {n}") for n in range(5)]
    await asyncio.gather(*(u.send(f"tin {u.user_id}") for u in users))
    replies = await asyncio.gather(*(u.wait_for_reply() for u in users))
    assert [r[0].text for r in replies] == [f"tin {u.user_id}" for u in users]
    assert server.requests["sendMessage"] == 5
    assert [e.direction for e in server.transcript] == ["in"] * 5 + ["out"] * 5
    line = server.transcript[0].line(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert line == "[2024-01-27 17:00:00] Trưởng xóm 0 → bot (text): tin 2000"


async def test_injected_faults_raise_what_telegram_would(
    server: LocalBotApi, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    await server.user(1005).send("/start")
    server.fail_next("sendMessage", 429, count=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await app.bot.send_message(1005, "nhắc nhở")
        assert caught.value.retry_after == timedelta(seconds=7)
    await app.bot.send_message(1005, "nhắc nhở")
    server.fail_next("sendMessage", 500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await app.bot.send_message(1005, "nhắc nhở")
    with pytest.raises(ValueError, match="sendMesage"):
        server.fail_next("sendMesage", 429)


async def test_chaos_fails_sends_as_a_bad_network_would(
    server: LocalBotApi, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    leader = server.user(1010)
    await leader.send("/start")
    chaos = Chaos(random.Random(7), fault_rate=1.0, late_by=0.5)
    server.use_chaos(chaos)
    for kind, error in [("500", NetworkError), ("429", RetryAfter), ("drop", NetworkError)]:
        chaos.kinds = {kind: 1}
        with pytest.raises(error):
            await app.bot.send_message(1010, kind)
    assert leader.inbox == []  # none of them took effect
    chaos.kinds = {"timeout": 1}
    with pytest.raises(TimedOut):
        await app.bot.send_message(1010, "late", read_timeout=0.1)
    assert [m.text for m in leader.inbox] == ["late"]  # shown, though the bot cannot know
    assert chaos.injected == {"500": 1, "429": 1, "drop": 1, "timeout": 1}
    chaos.active = False
    await app.bot.get_me()  # other methods are never touched
    await app.bot.send_message(1010, "calm")


async def test_chaos_delivers_a_confirmed_update_once_more(server: LocalBotApi) -> None:
    server.use_chaos(Chaos(random.Random(7), duplicate_rate=1.0))
    url = f"{server.base_url}{TOKEN}/getUpdates"
    await server.user(1011).send("/start")
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"timeout": 0}) as response:
            [first] = (await response.json())["result"]
        async with http.post(url, json={"timeout": 0, "offset": 2}) as response:
            assert (await response.json())["result"] == [first]  # as after a lost confirmation
        async with http.post(url, json={"timeout": 0, "offset": 2}) as response:
            assert (await response.json())["result"] == []
    assert server.chaos is not None
    assert server.chaos.duplicated == [first["update_id"]]


async def test_held_send_shows_the_message_only_as_the_hold_says(
    server: LocalBotApi, app: App
) -> None:
    user = server.user(1008)
    await user.send("/start")
    before = server.hold_next("sendMessage", skip=1)
    after = server.hold_next("sendMessage", effect=True)
    await app.bot.send_message(1008, "một")  # skipped: answered at once
    sending = asyncio.create_task(app.bot.send_message(1008, "hai"))
    assert (await before.wait())["text"] == "hai"
    assert [m.text for m in user.inbox] == ["một"]  # held before it took effect
    before.release()
    await sending
    answered = asyncio.create_task(app.bot.send_message(1008, "ba"))
    await after.wait()
    assert [m.text for m in user.inbox] == ["một", "hai", "ba"]  # shown, still unanswered
    assert not answered.done()
    after.release()
    assert (await answered).text == "ba"


async def test_send_errors_match_telegram(server: LocalBotApi, app: App) -> None:
    user = server.user(1006)
    with pytest.raises(BadRequest, match="Chat not found"):
        await app.bot.send_message(1006, "chưa bắt đầu")
    await user.send("/start")
    with pytest.raises(BadRequest, match="Message is too long"):
        await app.bot.send_message(1006, "x" * 4097)
    await app.bot.send_message(1006, "ồ" * 4096)
    await app.bot.send_message(1006, f"<b>{'x' * 4090}</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await app.bot.send_message(1006, " ")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await app.bot.send_message(1006, "a < b", parse_mode=ParseMode.HTML)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await app.bot.send_message(1006, "?", reply_markup=too_long)
    server.block(1006)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(1006, "nhắc nhở")
    await user.send("/start")  # writing again unblocks, as Telegram's "Restart bot" does
    await app.bot.send_message(1006, "chào lại")


async def test_edit_delete_and_answer_errors(server: LocalBotApi, app: App) -> None:
    await server.user(1007).send("/start")
    message = await app.bot.send_message(1007, "Giữ nguyên")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await message.edit_text("Giữ nguyên")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("x", chat_id=1007, message_id=99)
    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query("12345")
    assert await message.delete()
    assert server.user(1007).inbox[-1].deleted
    assert server.user(1007).messages == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await message.delete()


async def test_commands_stored_per_language_and_scope(server: LocalBotApi, app: App) -> None:
    await app.bot.set_my_commands([BotCommand("baocao", "Gửi báo cáo")], language_code="vi")
    await app.bot.set_my_commands([BotCommand("report", "Send a report")], language_code="en")
    private = BotCommandScopeAllPrivateChats()
    await app.bot.set_my_commands([BotCommand("help", "Trợ giúp")], scope=private)
    assert server.commands("vi") == [("baocao", "Gửi báo cáo")]
    assert server.commands("en") == [("report", "Send a report")]
    assert server.commands(scope={"type": "all_private_chats"}) == [("help", "Trợ giúp")]
    assert server.user(1008, language_code="en").menu == [("help", "Trợ giúp")]
    fetched = await app.bot.get_my_commands(language_code="en")
    assert [c.command for c in fetched] == ["report"]
    await app.bot.delete_my_commands(scope=private)
    assert server.user(1008).menu == [("report", "Send a report")]


async def test_http_edges_without_ptb(server: LocalBotApi) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.base_url}1:wrong/getMe") as response:
            body = await response.json()
        assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        async with http.get(f"{server.base_url}{TOKEN}/launchRocket") as response:
            assert (response.status, (await response.json())["description"]) == (404, "Not Found")


async def test_long_poll_returns_as_soon_as_an_update_arrives(server: LocalBotApi) -> None:
    url = f"{server.base_url}{TOKEN}/getUpdates"
    async with aiohttp.ClientSession() as http:
        poll = asyncio.ensure_future(http.post(url, json={"timeout": 5}))
        await asyncio.sleep(0.05)
        await server.user(1009).send("/start")
        async with await asyncio.wait_for(poll, 1) as response:
            [update] = (await response.json())["result"]
        assert update["message"]["text"] == "/start"
        only_buttons = {"offset": update["update_id"], "allowed_updates": '["callback_query"]'}
        async with http.get(url, params=only_buttons) as response:
            assert (await response.json())["result"] == []


async def test_second_poller_ends_the_first_with_conflict(server: LocalBotApi) -> None:
    url = f"{server.base_url}{TOKEN}/getUpdates"
    async with aiohttp.ClientSession() as http:
        first = asyncio.ensure_future(http.post(url, json={"timeout": 5}))
        await asyncio.sleep(0.05)
        async with http.post(url, json={"timeout": 0}) as second:
            assert second.status == 200
        async with await asyncio.wait_for(first, 1) as response:
            assert response.status == 409
