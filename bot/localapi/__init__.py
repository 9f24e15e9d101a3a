"""A local Telegram Bot API server with fake users, for e2e tests, the offline demo and benchmarks.

async with LocalBotApi(token=TOKEN, clock=simulated_clock.now) as server:
    app = ApplicationBuilder().token(TOKEN).base_url(server.base_url)
    app = app.base_file_url(server.base_file_url).build()
    ...  # initialize, start, updater.start_polling(poll_interval=0, timeout=1)
    leader = server.user(1001, first_name="Hoàng Văn B")
    await leader.send("/report")
    [prompt] = await leader.wait_for_reply()
    await leader.press("Gửi")

The Zalo flavour, LocalZaloApi (bot/localapi/zalo.py), serves ZaloClient the same way.
"""

from bot.localapi.server import Hold, LocalBotApi
from bot.localapi.store import ApiError, TranscriptEvent
from bot.localapi.users import BotMessage, CallbackAnswer, FakeUser
from bot.localapi.webhook import WebhookCall
from bot.localapi.zalo import LocalZaloApi
from bot.localapi.zalo_users import ZaloBotMessage, ZaloFakeUser

__all__ = [
    "ApiError",
    "BotMessage",
    "CallbackAnswer",
    "FakeUser",
    "Hold",
    "LocalBotApi",
    "LocalZaloApi",
    "TranscriptEvent",
    "WebhookCall",
    "ZaloBotMessage",
    "ZaloFakeUser",
]
