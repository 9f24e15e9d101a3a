"""Which one of a person's chat accounts an alert goes to: `addressee`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reporting.alert_store import ChatAccount, addressee

NOON = datetime(2024, 1, 28, 5, 0, tzinfo=UTC)


def _account(chat: str, seen: int | None = None, blocked: bool = False) -> ChatAccount:
    """An account on chat `chat`, last written from `seen` minutes after noon (None: never)."""
    last_seen = None if seen is None else NOON + timedelta(minutes=seen)
    return ChatAccount("telegram", chat, NOON if blocked else None, last_seen)


@pytest.mark.parametrize(
    ("accounts", "chosen"),
    [
        ([_account("old", 5), _account("new", 1)], "old"),  # the last one written from
        ([_account("old", 1), _account("new", 5)], "new"),
        ([_account("old", 5), _account("new", 5)], "new"),  # a tie: the newest
        ([_account("old", 5, blocked=True), _account("new", 1)], "new"),
        ([_account("a", 1), _account("b", 5, blocked=True), _account("c", None)], "c"),
        ([_account("old", None), _account("new", None)], "new"),  # never seen (before 0006)
        ([_account("old", 5, blocked=True), _account("new", 1, blocked=True)], "old"),
        ([_account("old", None, blocked=True), _account("new", None, blocked=True)], "new"),
        ([_account("only", None)], "only"),
    ],
)
def test_an_alert_goes_to_the_last_account_written_from_that_is_not_blocked(
    accounts: list[ChatAccount], chosen: str
) -> None:
    assert addressee(accounts).chat_id == chosen
