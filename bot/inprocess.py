"""An in-process chat client over the pipeline: conversations without HTTP or a Bot API server.

Like Starlette's TestClient, it drives the real entry point (`bot.pipeline.converse`) with a
Core whose one channel is a `Transport` that records every delivered outbox row in the
addressee's inbox. `say` and `press` return what the outbox delivered for that one input, so a
conversation scenario reads the same here as against the real Telegram adapter.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.chat.typed import typed_input
from bot.chat.types import Attachment, Choice, Incoming, Kind, Sender
from bot.core import Core, Work
from bot.outbox import Delivery, OutboxSender
from bot.pipeline import converse
from reporting.campaign import Campaign
from reporting.campaign_store import current_campaign
from reporting.clock import Clock
from reporting.people import create_invites
from reporting.storage.db import TakingTurns, create_engine
from reporting.storage.models import Role
from reporting.units import find_unit_path

CHANNEL = "inprocess"
INVITE_DAYS = 14


@dataclass(frozen=True, slots=True)
class Shown:
    """A message the bot delivered to a person, as it was delivered."""

    text: str
    choices: tuple[Choice, ...] = ()
    token: str = ""
    attachment: Attachment | None = None

    @property
    def buttons(self) -> list[str]:
        """Returns the labels of the message's choices."""
        return [choice.label for choice in self.choices]


@dataclass(frozen=True, slots=True)
class Person:
    """Someone talking to the bot on the in-process channel (their chat is their id)."""

    user_id: int
    name: str
    language_code: str = "vi"

    @property
    def sender(self) -> Sender:
        """Returns the chat account this person writes from."""
        chat = str(self.user_id)
        return Sender(CHANNEL, chat, chat, self.name, self.language_code)


class InboxTransport:
    """The in-process channel's outbound half: every delivery lands in its chat's inbox."""

    channel = CHANNEL

    def __init__(self) -> None:
        self.inboxes: defaultdict[str, list[Shown]] = defaultdict(list)

    async def deliver(self, delivery: Delivery) -> None:
        """Records the row in its chat's inbox; this channel never refuses."""
        shown = Shown(delivery.text, delivery.choices, delivery.token, delivery.attachment)
        self.inboxes[delivery.chat_id].append(shown)


class InProcessChat:
    """The bot's whole conversation path on one database, with people to act as."""

    channel = CHANNEL

    def __init__(self, sessions: TakingTurns, campaign: Campaign, clock: Clock) -> None:
        self.sessions = sessions
        self.campaign = campaign
        self.clock = clock
        self.transport = InboxTransport()
        self.scheduled: list[Work] = []
        # Alerts are checked only when a test asks, as in the e2e harness and the demo.
        self.core = Core(clock, sessions, campaign, self.scheduled.append, alerts=False)
        sender = OutboxSender(self.transport, sessions, clock, campaign, per_chat_gap=0)
        self.core.senders[CHANNEL] = sender
        self._ids = itertools.count(70_001)
        self._deliveries = itertools.count(1)

    @classmethod
    @asynccontextmanager
    async def running(cls, database_url: str, clock: Clock) -> AsyncIterator[InProcessChat]:
        """Yields a client on a migrated, loaded database; its engine is disposed after."""
        engine = create_engine(database_url)
        try:
            sessions = TakingTurns(engine)
            async with sessions() as session:
                campaign = await current_campaign(session)
            chat = cls(sessions, campaign, clock)
            yield chat
            await chat.run_scheduled()
            await chat.core.settle()
        finally:
            await engine.dispose()

    # --- people --------------------------------------------------------------------------

    def user(self, name: str = "Người lạ", language_code: str = "vi") -> Person:
        """Returns a new person, not yet talking to the bot."""
        return Person(next(self._ids), name, language_code)

    async def invite(self, role: Role, *units: str) -> str:
        """Returns a fresh invite code for the role and units ("Xã" or "Xã/Xóm")."""
        async with self.sessions() as session:
            found = [await find_unit_path(session, path) for path in units]
            now = self.clock.now()
            [invite] = await create_invites(session, role, found, 1, now, INVITE_DAYS)
            return invite.code

    async def register(
        self, role: Role, *units: str, name: str | None = None, language_code: str = "vi"
    ) -> Person:
        """Returns a person registered through the chat with `/start CODE`."""
        code = await self.invite(role, *units)
        person = self.user(name or f"Cán bộ {role.value}", language_code)
        replies = await self.say(person, f"/start {code}")
        welcome = replies[0].text if replies else ""
        assert welcome.startswith("✅"), [reply.text for reply in replies]
        return person

    # --- talking -------------------------------------------------------------------------

    def inbox(self, person: Person) -> list[Shown]:
        """Returns everything delivered to the person, in order."""
        return self.transport.inboxes[person.sender.chat_id]

    async def say(self, person: Person, message: str) -> list[Shown]:
        """Sends a message (a command or text) as the person; returns what was delivered."""
        return await self.send(person, typed_input(message))

    async def say_all(self, person: Person, messages: Sequence[str]) -> list[Shown]:
        """Sends messages one after the other; returns the replies to the last one."""
        replies: list[Shown] = []
        for message in messages:
            replies = await self.say(person, message)
        return replies

    async def press(self, person: Person, label: str, message: Shown | None = None) -> list[Shown]:
        """Presses a choice (on `message`, else the latest showing it); returns the replies."""
        shown = message or next(
            (m for m in reversed(self.inbox(person)) if label in m.buttons), None
        )
        assert shown is not None, f"no message shows {label!r}"
        choice = next(choice for choice in shown.choices if choice.label == label)
        return await self.send(
            person, Incoming(Kind.BUTTON, value=choice.value, token=shown.token)
        )

    async def send(self, person: Person, incoming: Incoming) -> list[Shown]:
        """Hands one input to the pipeline, delivers the outbox; returns the person's replies."""
        mark = len(self.inbox(person))
        await converse(self.core, person.sender, incoming, str(next(self._deliveries)))
        await self.run_scheduled()
        await self.core.deliver_now()
        return self.inbox(person)[mark:]

    async def run_scheduled(self) -> None:
        """Runs the work the Core asked to run soon (deliveries, follow-ups), in order."""
        while self.scheduled:
            await self.core.run(self.scheduled.pop(0))
