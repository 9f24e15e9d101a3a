"""The outbox sender on a real migrated database, with a recording transport at the network edge.

The transport is a fake channel: it records what it was given and raises what a test tells it
to (a flood wait, a refusal, a block), as a channel adapter turns API errors into them.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.chat.turn import Choice, Reply
from bot.outbox import Blocked, Delivery, OutboxSender, Refused, RetryLater, enqueue
from bot.outbox import claims as outbox_claims
from bot.outbox.claims import CLAIM_LEASE
from bot.outbox.record import Outcome, Recorder
from reporting.campaign import Campaign
from reporting.clock import SimulatedClock
from reporting.people import create_invites, redeem_invite
from reporting.storage.db import TakingTurns, create_engine
from reporting.storage.models import AlertLog, Identity, OutboxKind, OutboxMessage, Role

CHANNEL = "fake"
EVENING = timedelta(hours=12)  # 08:00 + 12 h = 20:00 on the first collection day


class RecordingTransport:
    """A channel that records each delivery, or raises the next planned fault instead."""

    channel = CHANNEL

    def __init__(self) -> None:
        self.sent: list[Delivery] = []
        self.faults: deque[Exception] = deque()
        self.hanging: set[str] = set()

    async def deliver(self, delivery: Delivery) -> None:
        """Records the delivery, unless a fault is planned for this call."""
        if delivery.chat_id in self.hanging:  # a call that never comes back
            await asyncio.Event().wait()
        if self.faults:
            raise self.faults.popleft()
        self.sent.append(delivery)

    def texts(self, chat: str | None = None) -> list[str]:
        """Returns the texts delivered (to one chat, when given), in order."""
        return [d.text for d in self.sent if chat is None or d.chat_id == chat]


@pytest.fixture
def transport() -> RecordingTransport:
    """A fresh recording channel."""
    return RecordingTransport()


@pytest.fixture
def sender(
    engine: AsyncEngine, loaded: Campaign, clock: SimulatedClock, transport: RecordingTransport
) -> OutboxSender:
    """The sender of the fake channel, its clock at 20:00 on the first collection day."""
    clock.advance(EVENING)
    return OutboxSender(transport, TakingTurns(engine), clock, loaded, per_chat_gap=0)


async def queue(
    factory: async_sessionmaker[AsyncSession],
    clock: SimulatedClock,
    chat: str,
    *texts: str,
    alert: bool = False,
    expires: datetime | None = None,
) -> None:
    """Writes messages for a chat to the outbox, as a reply (or an alert) would be."""
    now = clock.now()
    async with factory() as session:
        alert_id = None
        if alert:
            user = await _person(session, now)
            claim = AlertLog(
                key=f"k{chat}{texts}", kind="digest", user_id=user, text="", created_at=now
            )
            session.add(claim)
            await session.flush()
            alert_id = claim.id
        enqueue(
            session,
            [Reply(t) for t in texts],
            channel=CHANNEL,
            chat_id=chat,
            user_id=None,
            now=now,
            expires_at=expires or now + timedelta(days=1),
            alert_id=alert_id,
        )
        await session.commit()


async def _person(session: AsyncSession, now: datetime) -> int:
    """Returns the id of a registered district user (the alerts' recipient)."""
    found = await session.scalar(select(Identity.user_id).where(Identity.channel == CHANNEL))
    if found is not None:
        return found
    [invite] = await create_invites(session, Role.DISTRICT, [], 1, now, 14)
    user = await redeem_invite(
        session,
        invite.code,
        channel=CHANNEL,
        external_id="staff",
        chat_id="staff",
        display_name="Cán bộ huyện",
        now=now,
    )
    return user.id


async def rows(factory: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    """Returns every outbox row, oldest first."""
    async with factory() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_chats_messages_go_in_the_order_they_were_written(
    sender, transport, session_factory, clock
) -> None:
    await queue(session_factory, clock, "1", "một", "hai")
    await queue(session_factory, clock, "2", "khác")
    await queue(session_factory, clock, "1", "ba")
    assert await sender.deliver_due() == 4
    assert transport.texts("1") == ["một", "hai", "ba"]
    assert {(r.state, r.attempts, r.sent_at) for r in await rows(session_factory)} == {
        ("sent", 1, clock.now())
    }


async def test_choices_and_their_mark_reach_the_channel(
    sender, transport, session_factory, clock
) -> None:
    async with session_factory() as session:
        choices = (Choice("Gửi", "send"), Choice("Sửa", "edit"), Choice("Hủy", "cancel"))
        reply = Reply("📋 Kiểm tra lại", choices, "ab12:review:", 3)
        enqueue(
            session,
            [reply],
            channel=CHANNEL,
            chat_id="1",
            user_id=None,
            now=clock.now(),
            expires_at=clock.now() + timedelta(days=1),
        )
        await session.commit()
    await sender.deliver_due()
    [delivery] = transport.sent
    assert (delivery.choices, delivery.token, delivery.columns) == (choices, "ab12:review:", 3)


async def test_a_failing_message_holds_back_the_rest_of_its_chat_only(
    sender, transport, session_factory, clock
) -> None:
    await queue(session_factory, clock, "1", "một", "hai")
    await queue(session_factory, clock, "2", "khác")
    transport.faults.append(RetryLater("Bad Gateway"))
    await sender.deliver_due()
    assert transport.texts() == ["khác"]
    first, second, _ = await rows(session_factory)
    assert (first.state, first.attempts, first.reason) == ("pending", 1, "Bad Gateway")
    assert first.next_attempt_at == clock.now() + timedelta(seconds=1)
    assert (second.state, second.attempts) == ("pending", 0)

    clock.advance(timedelta(seconds=1))
    await sender.deliver_due()
    assert transport.texts("1") == ["một", "hai"]


async def test_a_send_that_never_returns_is_given_up_and_tried_again_later(
    engine, loaded, transport, session_factory, clock
) -> None:
    # Under chaos a send once hung for good (inside the HTTP client's rate limiter), and the
    # run waiting for it held up every chat until the bot was restarted.
    clock.advance(EVENING)
    deadlines = dict.fromkeys(OutboxKind, 0.2)
    sender = OutboxSender(transport, TakingTurns(engine), clock, loaded, 0, deadlines)
    await queue(session_factory, clock, "1", "một", "hai")
    await queue(session_factory, clock, "2", "khác")
    transport.hanging.add("1")
    async with asyncio.timeout(5):
        assert await sender.deliver_due() == 1
    first, second, other = await rows(session_factory)
    assert (first.state, first.attempts, first.reason) == ("pending", 1, "no answer within 0.2 s")
    assert (second.state, other.state) == ("pending", "sent")

    transport.hanging.clear()
    clock.advance(timedelta(seconds=1))
    assert await sender.deliver_due() == 2
    assert transport.texts("1") == ["một", "hai"]


async def test_backoff_doubles_up_to_a_minute_and_goes_on_until_the_deadline(
    sender, transport, session_factory, clock
) -> None:
    deadline = clock.now() + timedelta(minutes=10)
    await queue(session_factory, clock, "1", "một", expires=deadline)
    waits = []
    while clock.now() < deadline:
        transport.faults.append(RetryLater("timed out"))
        before = clock.now()
        await sender.deliver_due()
        [row] = await rows(session_factory)
        if row.state != "pending":
            break
        waits.append((row.next_attempt_at - before).total_seconds())
        clock.set(row.next_attempt_at)
    assert waits[:8] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert len(waits) == 15  # ten minutes: 63 s of doubling, then nine waits of a minute
    await sender.deliver_due()  # the deadline has come
    [row] = await rows(session_factory)
    assert row.state == "expired"
    assert transport.sent == []


async def test_a_flood_wait_pauses_the_whole_channel(
    sender, transport, session_factory, clock
) -> None:
    await queue(session_factory, clock, "1", "một")
    transport.faults.append(RetryLater("Flood control exceeded", after=5))
    await sender.deliver_due()
    await queue(session_factory, clock, "2", "hai")  # another chat, written during the wait
    clock.advance(timedelta(seconds=4))
    await sender.deliver_due()
    assert transport.sent == []
    clock.advance(timedelta(seconds=1))
    await sender.deliver_due()
    assert sorted(transport.texts()) == ["hai", "một"]


async def test_a_refused_message_is_failed_with_the_reason_and_the_chat_goes_on(
    sender, transport, session_factory, clock
) -> None:
    await queue(session_factory, clock, "1", "quá dài", "tiếp")
    transport.faults.append(Refused("Message is too long"))
    await sender.deliver_due()
    refused, after = await rows(session_factory)
    assert (refused.state, refused.reason) == ("failed", "Message is too long")
    assert after.state == "sent"


async def test_a_block_ends_the_chats_messages_and_marks_the_account(
    sender, transport, session_factory, clock
) -> None:
    await queue(session_factory, clock, "staff", "một", "hai", alert=True)
    transport.faults.append(Blocked("bot was blocked by the user"))
    await sender.deliver_due()
    assert [(r.state, r.reason) for r in await rows(session_factory)] == [
        ("blocked", "blocked the bot"),
        ("blocked", "blocked the bot"),
    ]
    async with session_factory() as session:
        identity = await session.scalar(select(Identity).where(Identity.chat_id == "staff"))
    assert identity is not None
    assert identity.blocked_at == clock.now()


async def test_quiet_hours_hold_alerts_but_not_replies(
    sender, transport, session_factory, clock
) -> None:
    clock.advance(timedelta(hours=2))  # 22:00
    await queue(session_factory, clock, "staff", "📊 Tổng hợp", alert=True)
    await queue(session_factory, clock, "1", "✅ Đã lưu")
    await sender.deliver_due()
    assert transport.texts() == ["✅ Đã lưu"]
    clock.advance(timedelta(hours=9))  # 07:00
    await sender.deliver_due()
    assert transport.texts() == ["✅ Đã lưu", "📊 Tổng hợp"]


async def test_a_reply_does_not_wait_behind_a_broadcast(
    sender, transport, session_factory, clock
) -> None:
    for chat in range(100):
        await queue(session_factory, clock, f"leader-{chat}", "🔔 Nhắc việc", alert=True)
    await queue(session_factory, clock, "1", "✅ Đã lưu")
    assert await sender.deliver_due() == 101
    assert transport.texts()[0] == "✅ Đã lưu"


async def test_an_expired_message_is_never_sent(sender, transport, session_factory, clock) -> None:
    await queue(session_factory, clock, "1", "🔔 Nhắc việc", expires=clock.now())
    assert await sender.deliver_due() == 0
    assert transport.sent == []
    [row] = await rows(session_factory)
    assert (row.state, row.attempts) == ("expired", 0)


async def test_endings_that_arrive_together_are_stored_in_one_transaction(
    sender, transport, session_factory, clock, engine: AsyncEngine
) -> None:
    for chat in range(16):
        await queue(session_factory, clock, f"leader-{chat}", "🔔 Nhắc việc", alert=True)
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(engine.sync_engine, "commit", committed)
    try:
        assert await sender.deliver_due() == 16
    finally:
        event.remove(engine.sync_engine, "commit", committed)
    assert len(commits) < 16 / 2  # 16 endings, written side by side
    assert {r.state for r in await rows(session_factory)} == {"sent"}


async def test_a_run_waits_for_every_chat_even_when_storing_one_ending_fails(
    sender, transport, session_factory, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await queue(session_factory, clock, "fast", "nhanh")
    await queue(session_factory, clock, "slow", "chậm")
    released = asyncio.Event()
    record_deliver = transport.deliver

    async def deliver(delivery: Delivery) -> None:
        if delivery.chat_id == "slow":
            await released.wait()
        await record_deliver(delivery)

    write = Recorder._write

    async def failing_write(self: Recorder, outcomes: Sequence[Outcome]) -> None:
        if any(outcome.chat_id == "fast" for outcome in outcomes):
            raise RuntimeError("database is locked")
        await write(self, outcomes)

    monkeypatch.setattr(transport, "deliver", deliver)
    monkeypatch.setattr(Recorder, "_write", failing_write)
    run = asyncio.ensure_future(sender.deliver_due())
    for _ in range(50):
        await asyncio.sleep(0.01)
    assert transport.texts() == ["nhanh"]
    assert not run.done()  # the slow chat is still being written to
    released.set()
    with pytest.raises(RuntimeError, match="database is locked"):
        await run
    assert transport.texts() == ["nhanh", "chậm"]
    states = {r.chat_id: r.state for r in await rows(session_factory)}
    assert states == {"fast": "pending", "slow": "sent"}  # fast goes again: at least once


async def test_rows_waiting_to_retry_never_crowd_out_the_ones_that_are_due(
    sender, transport, session_factory, clock
) -> None:
    for chat in range(210):  # more waiting chats than a run reads
        await queue(session_factory, clock, f"a{chat:03}", "đang chờ")
    transport.faults.extend(RetryLater("Bad Gateway") for _ in range(210))
    await sender.deliver_due()
    assert transport.faults == deque()  # each was tried once and now waits a second
    await queue(session_factory, clock, "z-late", "✅ Đã lưu")  # sorts after all of them
    await sender.deliver_due()
    assert transport.texts() == ["✅ Đã lưu"]


async def test_replies_written_during_a_chats_alerts_go_before_its_next_alert(
    sender, transport, session_factory, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await queue(session_factory, clock, "staff", "🚨 1", "🚨 2", "🚨 3", alert=True)
    record_deliver = transport.deliver

    async def deliver(delivery: Delivery) -> None:
        await record_deliver(delivery)
        if delivery.text == "🚨 1":  # the person answers while their alerts go out
            await queue(session_factory, clock, "staff", "✅ Đã lưu")

    monkeypatch.setattr(transport, "deliver", deliver)
    await sender.deliver_due()
    assert transport.texts() == ["🚨 1", "✅ Đã lưu", "🚨 2", "🚨 3"]


async def test_a_block_ends_waiting_alerts_but_a_later_reply_is_still_tried(
    sender, transport, session_factory, clock
) -> None:
    await queue(session_factory, clock, "staff", "📊 Tổng hợp", "🚨 Cảnh báo", alert=True)
    transport.faults.append(Blocked("bot was blocked by the user"))
    await sender.deliver_due()
    assert [(r.text, r.state) for r in await rows(session_factory)] == [
        ("📊 Tổng hợp", "blocked"),
        ("🚨 Cảnh báo", "blocked"),
    ]
    await queue(session_factory, clock, "staff", "✅ Đã lưu")  # they wrote again: unblocked
    await sender.deliver_due()
    assert transport.texts() == ["✅ Đã lưu"]


# --- several processes (PostgreSQL) -----------------------------------------------------------


class SlowTransport(RecordingTransport):
    """A channel that takes a moment per message, recording into a list shared by senders."""

    def __init__(self, sent: list[Delivery]) -> None:
        super().__init__()
        self.sent = sent

    async def deliver(self, delivery: Delivery) -> None:
        """Waits a little (so that the senders' runs overlap), then records the delivery."""
        await asyncio.sleep(0.002)
        self.sent.append(delivery)


@pytest.mark.postgres_only("claims matter only with several processes")
async def test_three_processes_send_every_row_once_and_each_chat_in_order(
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    loaded: Campaign,
    clock: SimulatedClock,
) -> None:
    clock.advance(EVENING)
    sent: list[Delivery] = []
    engines = [create_engine(database_url) for _ in range(3)]
    senders = [
        OutboxSender(SlowTransport(sent), TakingTurns(e), clock, loaded, per_chat_gap=0)
        for e in engines
    ]
    chats = [f"chat-{n}" for n in range(24)]
    try:
        for wave in range(4):  # rows keep coming while the senders run
            for chat in chats:
                texts = [f"{chat}/{wave}/{i}" for i in range(3)]
                await queue(session_factory, clock, chat, *texts)
            await asyncio.gather(*(sender.deliver_due() for sender in senders))
        await asyncio.gather(*(sender.deliver_due() for sender in senders))
    finally:
        for e in engines:
            await e.dispose()
    texts = [d.text for d in sent]
    assert len(texts) == len(set(texts)) == 24 * 4 * 3  # none twice, none left
    for chat in chats:
        mine = [t for t in texts if t.startswith(f"{chat}/")]
        assert mine == [f"{chat}/{wave}/{i}" for wave in range(4) for i in range(3)]
    async with session_factory() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert {row.state for row in rows} == {"sent"}
    assert {row.claimed_by for row in rows} == {None}  # every claim ended with its row


@pytest.mark.postgres_only("claims matter only with several processes")
async def test_rows_claimed_by_a_process_that_died_are_sent_once_its_claim_runs_out(
    sender: OutboxSender,
    transport: RecordingTransport,
    session_factory: async_sessionmaker[AsyncSession],
    clock: SimulatedClock,
) -> None:
    await queue(session_factory, clock, "42", "first", "second")
    async with session_factory() as session:  # a process claimed the chat's rows, then died
        await session.execute(
            update(OutboxMessage).values(
                claimed_by="gone:1:dead", claimed_until=clock.now() + CLAIM_LEASE
            )
        )
        await session.commit()
    await queue(session_factory, clock, "42", "third")  # written after: waits its turn
    assert await sender.deliver_due() == 0
    clock.advance(CLAIM_LEASE - timedelta(seconds=1))
    assert await sender.deliver_due() == 0
    clock.advance(timedelta(seconds=2))
    assert await sender.deliver_due() == 3
    assert transport.texts("42") == ["first", "second", "third"]


@pytest.mark.postgres_only("claims matter only with several processes")
async def test_a_restarted_bot_takes_back_the_claims_of_this_machines_stopped_processes_at_once(
    sender: OutboxSender,
    transport: RecordingTransport,
    session_factory: async_sessionmaker[AsyncSession],
    clock: SimulatedClock,
) -> None:
    space = sender.claimant.split(":")[0]  # this host and process-id namespace
    stopped = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await stopped.wait()
    claimants = {
        "41": f"{space}:{stopped.pid}:0a0a0a0a:0001",  # a process of this machine, killed
        "42": f"{space}:{os.getpid()}:0b0b0b0b:0001",  # this process id, an earlier run
        "43": f"{space}:{os.getppid()}:0c0c0c0c:0001",  # a process of this machine, running
        "44": f"elsewhere~1:{stopped.pid}:0d0d0d0d:0001",  # another machine's
    }
    for chat, claimant in claimants.items():
        await queue(session_factory, clock, chat, f"to {chat}")
        async with session_factory() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.chat_id == chat)
                .values(claimed_by=claimant, claimed_until=clock.now() + CLAIM_LEASE)
            )
            await session.commit()

    assert await sender.deliver_due() == 2
    assert transport.texts("41") == ["to 41"]
    assert transport.texts("42") == ["to 42"]
    assert transport.texts("43") == transport.texts("44") == []  # they wait for their lease


@pytest.mark.postgres_only("claims matter only with several processes")
async def test_a_sender_on_a_host_with_a_long_name_and_a_large_process_id_still_claims(
    monkeypatch: pytest.MonkeyPatch,
    transport: RecordingTransport,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    clock: SimulatedClock,
    loaded: Campaign,
) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "ip-10-0-0-1." + "x" * 241)  # 253
    monkeypatch.setattr(outbox_claims, "_SPACE", outbox_claims.process_space())
    monkeypatch.setattr(os, "getpid", lambda: 4_194_303)  # the largest Linux allows
    sender = OutboxSender(transport, TakingTurns(engine), clock, loaded, per_chat_gap=0)
    await queue(session_factory, clock, "42", "xin chào")

    assert await sender.deliver_due() == 1  # its claim fitted the column
    assert transport.texts("42") == ["xin chào"]
