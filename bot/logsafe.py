"""What the logs may say: ids, error types and places in the code, never what people wrote.

No record at INFO or above holds message text, names, figures, invite codes or tokens. Chat
and update ids are kept: they are pseudonymous (a number or a string that names nobody without
the database, where `tallybot users` shows whose account it is) and without them no failure
could be traced. An exception's message may quote anything (a database error quotes its
parameters, an HTTP error its URL with the bot's token), so a failure is logged at ERROR by
its type and where it happened, and in full only at DEBUG.
"""

from __future__ import annotations

import logging
import traceback

# Libraries that log each request at INFO: httpx with the URL, and so the bot's token;
# aiohttp's access log with the path, and so the media links; the others only chatter.
CHATTY = (
    "httpx",
    "httpcore",
    "aiohttp.access",
    "alembic",
    "apscheduler",
    "telegram.ext.Application",
)
MOST_FRAMES = 12  # the innermost frames say where it failed; the outer ones are the framework


def quiet_chatty_loggers() -> None:
    """Keeps the libraries that log requests at INFO to their warnings and errors."""
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)


def failure(error: BaseException) -> str:
    """Returns an error's type and the code it went through (file, line, function), no message."""
    lines = [type(error).__name__]
    cause = error.__cause__ or error.__context__
    if cause is not None:
        lines[0] += f" (from {type(cause).__name__})"
    for frame in traceback.extract_tb(error.__traceback__)[-MOST_FRAMES:]:
        lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
    return "\n".join(lines)


def log_failure(log: logging.Logger, what: str, error: BaseException) -> None:
    """Logs a failure at ERROR without its message, and in full at DEBUG."""
    log.error("%s: %s", what, failure(error))
    log.debug("%s, in full:", what, exc_info=error)
