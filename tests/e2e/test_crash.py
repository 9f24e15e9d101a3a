"""Crash safety (SPEC §5): `tallybot run` killed with SIGKILL at chosen points loses nothing.

Each test runs the real bot as a child process (`tallybot run`, real system clock, a database
of its own: a SQLite file, or a PostgreSQL database) against the local Bot API server in this
process. The server holds one call unanswered — before it takes effect ("committed, not yet
sent") or after ("sent, not yet marked sent") — and the test kills the bot while it waits,
starts a new `tallybot run` on the same database and reads what every person received and what
the database holds.

The campaign is written for today's real date: collection open, quiet hours never, reminders
due from midnight (the bot's first alert check comes 5 s after it starts).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from backends import Database, Databases

from bot.localapi import FakeUser
from reporting.storage.models import AlertLog, OutboxMessage, Tally, TallyRevision
from tests.e2e.child_bot import ZONE, Crashes, live_database

HAMLET = "Định Biên/Xóm Nà Mỏ"
LEADERS = ["Xóm Nà Mỏ", "Xóm Tân Vàng", "Xóm Đồng Chú", "Xóm Thẩm Kè", "Xóm Nà Què"]
ONE_LINE = "/baocao 45 44 43 45 45 42 44 45 44 45 45"
SAVED = "✅ Đã lưu báo cáo ngày "
MINE = "🏠 Xóm Nà Mỏ (xã Định Biên)"
ALERT_CHECK = 6.0  # seconds after its start by which a bot checked alerts (ALERT_TICK first=5)


@pytest.fixture(scope="module")
def live_template(
    databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The loaded roster with today's campaign put in force by the real `tallybot init`."""
    database = live_database(databases, tmp_path_factory.mktemp("crash-template"))
    yield database
    databases.drop(database)


@pytest.fixture
async def crashes(
    databases: Databases, live_template: Database, tmp_path: Path
) -> AsyncIterator[Crashes]:
    """A copy of the live template, the local server running, no bot yet; all killed after."""
    database = databases.copy(live_template, tmp_path)
    harness = Crashes(tmp_path, database.url)
    await harness.server.start()
    try:
        yield harness
    finally:
        try:
            await harness.close()
        finally:
            databases.drop(database)


def texts(person: FakeUser) -> list[str]:
    """Returns the first line of every message the person received, in order."""
    return [message.text.splitlines()[0] for message in person.inbox]


async def one_line_tally_crash(crashes: Crashes, effect: bool) -> tuple[FakeUser, int]:
    """Sends the leader's one-line tally, kills the bot at the held confirmation, restarts it.

    The update is never confirmed to the server before the kill (its confirming getUpdates is
    held too), so the new process is handed the same update again.
    """
    leader = await crashes.register(HAMLET, 91_001, "Hoàng Văn Bình")
    await leader.send(ONE_LINE)  # waiting for the bot, as Telegram keeps it
    update_id = 1  # the server's first update
    polled = crashes.server.hold_next("getUpdates", skip=1)  # the poll that would confirm it
    sent = crashes.server.hold_next("sendMessage", effect=effect)
    crashes.start()
    assert (await crashes.hold(polled, "the confirming poll"))["offset"] == str(update_id + 1)
    assert (await crashes.hold(sent, "the confirmation"))["chat_id"] == str(leader.user_id)
    [tally] = await crashes.rows(Tally)  # committed before the send began
    assert await crashes.outbox_states(leader.user_id) == ["pending"]

    await crashes.kill()
    await sent.wait_dropped()
    assert len(crashes.server.store.updates) == 1  # not confirmed: it will come again
    crashes.start()
    await mine(crashes, leader)
    return leader, update_id


async def mine(crashes: Crashes, leader: FakeUser) -> str:
    """Asks `/xomtoi` and returns the answer: the chat's earlier updates are all handled then."""
    mark = len(leader.inbox)
    await leader.send("/xomtoi")

    def answered() -> bool:  # a message resent after the restart may come first
        return any(shown.text.startswith(MINE) for shown in leader.inbox[mark:])

    await crashes.until(answered, "the answer to /xomtoi")
    await crashes.settled([leader.user_id])
    return leader.inbox[-1].text


async def test_tally_committed_before_its_confirmation_is_confirmed_once_after_a_crash(
    crashes: Crashes,
) -> None:
    leader, update_id = await one_line_tally_crash(crashes, effect=False)

    assert texts(leader) == [f"{SAVED}{today()} của Xóm Nà Mỏ.", MINE]
    assert "Cộng dồn: 45/60 hộ đã góp ý (75,00 %)." in leader.inbox[-1].text
    [tally] = await crashes.rows(Tally)
    assert (tally.collected, tally.revision) == (45, 1)
    assert len(await crashes.rows(TallyRevision)) == 1
    assert await crashes.processed(update_id) == 1
    assert await crashes.outbox_states(leader.user_id) == ["sent", "sent"]


async def test_confirmation_shown_but_not_marked_sent_comes_again_and_counts_once(
    crashes: Crashes,
) -> None:
    leader, update_id = await one_line_tally_crash(crashes, effect=True)

    # At least once: the bot could not learn that the first went through.
    saved = f"{SAVED}{today()} của Xóm Nà Mỏ."
    assert texts(leader) == [saved, saved, MINE]
    assert "Cộng dồn: 45/60 hộ đã góp ý (75,00 %)." in leader.inbox[-1].text
    [tally] = await crashes.rows(Tally)
    assert (tally.collected, tally.revision) == (45, 1)
    assert len(await crashes.rows(TallyRevision)) == 1
    assert await crashes.processed(update_id) == 1
    assert await crashes.outbox_states(leader.user_id) == ["sent", "sent"]


async def test_reminders_cut_off_mid_batch_reach_everyone_once_after_a_crash(
    crashes: Crashes,
) -> None:
    leaders = [
        await crashes.register(f"Định Biên/{hamlet}", 92_001 + i, f"Trưởng {hamlet}")
        for i, hamlet in enumerate(LEADERS)
    ]
    chats = [leader.user_id for leader in leaders]
    sent = crashes.server.hold_next("sendMessage", skip=2, effect=True)
    crashes.start()
    in_flight = int((await crashes.hold(sent, "the third reminder"))["chat_id"])
    assert len(await crashes.rows(AlertLog)) == len(LEADERS)

    await crashes.kill()
    await sent.wait_dropped()
    crashes.start()
    restarted = asyncio.get_running_loop().time()
    await crashes.settled(chats)
    # Past the new process's first alert check (5 s after it starts): nothing is claimed again.
    await asyncio.sleep(max(0.0, restarted + ALERT_CHECK - asyncio.get_running_loop().time()))
    await crashes.settled(chats)

    reminder = f"🔔 Nhắc việc: hôm nay ({today()[:5]}) xóm chưa gửi báo cáo. Gõ /baocao để gửi."
    received = {leader.user_id: texts(leader) for leader in leaders}
    assert received == {chat: [reminder] * (2 if chat == in_flight else 1) for chat in chats}, (
        "only the reminder in flight at the crash may come twice"
    )
    claims = await crashes.rows(AlertLog)
    assert sorted(claim.user_id for claim in claims) == sorted({c.user_id for c in claims})
    assert len(claims) == len(LEADERS)
    rows = await crashes.rows(OutboxMessage)
    assert [row.state for row in rows] == ["sent"] * len(LEADERS)


async def test_button_pressed_while_the_bot_is_down_is_handled_after_the_restart(
    crashes: Crashes,
) -> None:
    leader = await crashes.register(HAMLET, 93_001, "Hoàng Văn Bình")
    crashes.start()
    for answer in ["/baocao", "45", "0", *["44"] * 10, "Bỏ qua"]:
        mark = len(leader.inbox)
        await leader.send(answer)
        await crashes.until(lambda m=mark: len(leader.inbox) > m, f"the answer to {answer}")
    # (The bot's first alert check may slip a reminder in: the summary need not come last.)
    await crashes.until(lambda: any("Gửi" in m.buttons for m in leader.inbox), "the summary")
    await crashes.kill()

    await leader.press("Gửi")  # Telegram keeps the press until a bot asks for it
    crashes.start()
    await mine(crashes, leader)

    saved = [text for text in texts(leader) if text.startswith(SAVED)]
    assert saved == [f"{SAVED}{today()} của Xóm Nà Mỏ."]
    [tally] = await crashes.rows(Tally)
    assert (tally.collected, tally.revision, list(tally.satisfied)) == (45, 1, [44] * 10)
    assert len(await crashes.rows(TallyRevision)) == 1


async def test_button_press_being_handled_at_the_crash_is_handled_after_the_restart(
    crashes: Crashes,
) -> None:
    leader = await crashes.register(HAMLET, 94_001, "Hoàng Văn Bình")
    crashes.start()
    for answer in ["/baocao", "45", "0", *["44"] * 10, "Bỏ qua"]:
        mark = len(leader.inbox)
        await leader.send(answer)
        await crashes.until(lambda m=mark: len(leader.inbox) > m, f"the answer to {answer}")
    await crashes.until(lambda: any("Gửi" in m.buttons for m in leader.inbox), "the summary")
    answered = crashes.server.hold_next("answerCallbackQuery")  # the handler's first call
    await leader.press("Gửi")
    await crashes.hold(answered, "the press being handled")
    assert await crashes.rows(Tally) == []  # not committed yet
    await crashes.kill()
    crashes.start()
    await mine(crashes, leader)

    [tally] = await crashes.rows(Tally)
    assert tally.revision == 1


def today() -> str:
    """Returns today's date in campaign time as the bot writes it."""
    return datetime.now(ZONE).strftime("%d/%m/%Y")
