"""Typed text as the conversation reads it, whatever the channel: `/command args` or free text."""

from __future__ import annotations

import re

from bot.chat.turn import Incoming, Kind

_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
TEXT_LIMIT = 2000  # characters of typed text the conversation reads (a note is shorter)


def command_input(written: str) -> Incoming:
    """Returns `/name@bot args` as a command; an unusual name is kept whole, without args."""
    written = written.strip()
    found = _COMMAND.match(written)
    name, args = (found[1], found[2] or "") if found else (written[1:], "")
    return Incoming(Kind.COMMAND, command=name, args=args)


def text_input(written: str) -> Incoming:
    """Returns typed text as an answer, cut at TEXT_LIMIT characters."""
    return Incoming(Kind.TEXT, text=written[:TEXT_LIMIT])


def typed_input(written: str) -> Incoming:
    """Returns a command when the text starts with "/", else the text as an answer.

    For channels without command entities (Zalo); Telegram marks its commands itself.
    """
    return command_input(written) if written.lstrip().startswith("/") else text_input(written)
