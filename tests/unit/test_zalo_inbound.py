"""Zalo updates to pipeline inputs, and outbox rows to Zalo message parts: pure functions."""

from __future__ import annotations

import pytest

from bot.chat.turn import Choice, Incoming, Kind
from bot.outbox import Delivery
from bot.zalo.client import MalformedUpdate, parse_update
from bot.zalo.inbound import read_update
from bot.zalo.transport import choice_list, message_parts
from reporting.storage.models import OutboxKind


def _body(
    event_name: str = "message.text.received",
    text: str | None = "xin chào",
    chat: dict | None = None,
) -> dict:
    message = {
        "message_id": "16f6366b3f02645a3d15",
        "date": 1766619597466,
        "chat": chat or {"id": "e4ea2cd5189df1c3a88c", "chat_type": "PRIVATE"},
        "from": {"id": "e4ea2cd5189df1c3a88c", "display_name": "Lò Thị C", "is_bot": False},
    }
    if text is not None:
        message["text"] = text
    return {"event_name": event_name, "message": message}


def test_text_becomes_an_answer_from_a_sender_with_string_ids() -> None:
    inbound = read_update(parse_update(_body()))
    assert inbound.incoming == Incoming(Kind.TEXT, text="xin chào")
    sender = inbound.sender
    assert (sender.channel, sender.external_id, sender.chat_id) == (
        "zalo",
        "e4ea2cd5189df1c3a88c",
        "e4ea2cd5189df1c3a88c",
    )
    assert sender.display_name == "Lò Thị C"
    assert inbound.delivery_key == "message.text.received:16f6366b3f02645a3d15"


@pytest.mark.parametrize(("chat_type", "private"), [("PRIVATE", True), ("GROUP", False)])
def test_the_sender_says_whether_the_chat_is_private(chat_type: str, private: bool) -> None:
    chat = {"id": "g-7d1f", "chat_type": chat_type}
    inbound = read_update(parse_update(_body(text="/start ABCDEFGH", chat=chat)))
    assert (inbound.sender.chat_id, inbound.sender.private) == ("g-7d1f", private)


def test_a_command_keeps_its_arguments() -> None:
    inbound = read_update(parse_update(_body(text="/baocao 60 2 58 58 58")))
    assert inbound.incoming == Incoming(Kind.COMMAND, command="baocao", args="60 2 58 58 58")


def test_a_long_text_is_cut_at_2000_characters() -> None:
    inbound = read_update(parse_update(_body(text="a" * 5000)))
    assert len(inbound.incoming.text) == 2000


@pytest.mark.parametrize(
    "event_name",
    ["message.sticker.received", "message.image.received", "message.unsupported.received"],
)
def test_anything_but_text_is_other(event_name: str) -> None:
    inbound = read_update(parse_update(_body(event_name, text=None)))
    assert inbound.incoming.kind is Kind.OTHER
    assert inbound.delivery_key == f"{event_name}:16f6366b3f02645a3d15"


def test_the_webhook_shape_and_the_get_updates_shape_read_the_same() -> None:
    assert parse_update({"ok": True, "result": _body()}) == parse_update(_body())


@pytest.mark.parametrize("body", [{}, {"ok": True, "result": None}, {"event_name": "x"}, [1], "x"])
def test_a_body_in_neither_shape_is_malformed(body: object) -> None:
    with pytest.raises(MalformedUpdate):
        parse_update(body)


def _row(text: str, *labels: str) -> Delivery:
    choices = tuple(Choice(label, str(n)) for n, label in enumerate(labels))
    return Delivery(1, "c", OutboxKind.TEXT, text, choices=choices)


def test_short_choices_share_one_line_and_long_ones_get_a_line_each() -> None:
    assert choice_list(_row("", "Gửi", "Sửa", "Hủy").choices) == "1. Gửi   2. Sửa   3. Hủy"
    hamlets = _row("", "Xóm Nà Mỏ", "Xóm Bản Quá", "Xóm Nà Tèn").choices
    assert choice_list(hamlets) == "1. Xóm Nà Mỏ\n2. Xóm Bản Quá\n3. Xóm Nà Tèn"


def test_a_single_choice_beside_a_free_answer_gets_no_number() -> None:
    # "1" typed at a count is the count 1, not "Tất cả": a number here would mislead.
    assert choice_list(_row("", "Tất cả (45)").choices) == "» Tất cả (45)"


def test_choices_go_under_the_last_part_or_after_it_when_it_is_full() -> None:
    assert message_parts(_row("Gửi báo cáo?", "Gửi", "Hủy")) == ["Gửi báo cáo?\n\n1. Gửi   2. Hủy"]
    full = "x" * 1999
    assert message_parts(_row(full, "Gửi", "Hủy")) == [full, "1. Gửi   2. Hủy"]
    assert message_parts(_row("", "Gửi", "Hủy")) == ["1. Gửi   2. Hủy"]


def test_a_message_id_too_long_to_store_is_keyed_by_its_hash() -> None:
    body = _body("message.unsupported.received")
    long_id = "9" * 80
    body["message"]["message_id"] = long_id
    key = read_update(parse_update(body)).delivery_key
    again = read_update(parse_update(body)).delivery_key
    assert len(key) <= 64
    assert key == again
    assert key.startswith("message.unsupported.received:")
    body["message"]["message_id"] = "8" + long_id[1:]
    assert read_update(parse_update(body)).delivery_key != key
