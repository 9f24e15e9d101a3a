"""The Telegram channel: python-telegram-bot turns updates into inputs and replies into calls."""
