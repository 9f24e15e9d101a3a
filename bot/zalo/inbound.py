"""Zalo updates in: each becomes the Sender, Incoming and delivery key the pipeline takes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.chat.turn import Incoming, Kind, Sender
from bot.chat.typed import typed_input
from bot.zalo.client import ZaloUpdate

CHANNEL = "zalo"
TEXT_RECEIVED = "message.text.received"
KEY_LENGTH = 64  # processed_updates.update_id
PRIVATE = "PRIVATE"  # Zalo's chat_type of a one-to-one chat; groups have another


@dataclass(frozen=True, slots=True)
class Inbound:
    """One Zalo update as the channel-neutral pipeline takes it (`converse`)."""

    sender: Sender
    incoming: Incoming
    delivery_key: str


def read_update(update: ZaloUpdate) -> Inbound:
    """Returns who wrote, what they wrote, and the key that makes a redelivery change nothing."""
    return Inbound(sender_of(update), incoming_of(update), delivery_key(update))


def sender_of(update: ZaloUpdate) -> Sender:
    """Returns the chat account behind the update; Zalo reports no language."""
    message, private = update.message, update.message.chat.chat_type == PRIVATE
    sender = message.sender
    return Sender(CHANNEL, sender.id, message.chat.id, sender.display_name, private=private)


def incoming_of(update: ZaloUpdate) -> Incoming:
    """Returns text as a command or an answer; a picture, sticker or anything else as OTHER."""
    if update.event_name != TEXT_RECEIVED:
        return Incoming(Kind.OTHER)
    return typed_input(update.message.text)


def delivery_key(update: ZaloUpdate) -> str:
    """Returns `event_name:message_id`: Zalo has no update id, and a message has one event.

    Zalo does not say how long a message id may be; one that would not fit the stored key
    (64 characters) is replaced by its hash, which identifies it as well.
    """
    key = f"{update.event_name}:{update.message.message_id}"
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(update.message.message_id.encode()).hexdigest()
    return f"{update.event_name}:{digest}"[:KEY_LENGTH]
