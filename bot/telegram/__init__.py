"""The Telegram channel: python-telegram-bot turns updates into inputs and replies into calls."""

import os

# python-telegram-bot 22 warns on every flood wait ("retry_after will be a timedelta") unless
# this opts in to its next major version's durations; the bot reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "true")
