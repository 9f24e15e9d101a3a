"""One way out: every message the bot means to send is an outbox row, delivered by a sender.

A reply or an alert is written here in the transaction that makes the change it reports
(`enqueue`); one `OutboxSender` per channel delivers the rows through that channel's
`Transport` and records how each ended.
"""

from bot.outbox.rows import enqueue
from bot.outbox.sender import OutboxSender
from bot.outbox.transport import (
    Blocked,
    Delivery,
    Parts,
    Refused,
    RetryLater,
    Send,
    Transport,
    split_text,
)

__all__ = [
    "Blocked",
    "Delivery",
    "OutboxSender",
    "Parts",
    "Refused",
    "RetryLater",
    "Send",
    "Transport",
    "enqueue",
    "split_text",
]
