"""An in-process chat client over the pipeline: conversations without HTTP or a Bot API server.

Like Starlette's TestClient, it drives the real entry point (`bot.pipeline.converse`) with a
Core whose one channel is a `Transport` that records every delivered outbox row in the
addressee's inbox. `say` and `press` return what the outbox delivered for that one input, so a
conversation scenario reads the same here as against the real Telegram adapter.

`InProcessChat(..., channel="zalo")` plays the Zalo channel instead. What a person types goes in
as a Zalo text update through `bot.zalo.inbound.read_update` (string ids, no language), and
each row goes out through the real `ZaloTransport`, whose client only records the sendMessage
and sendPhoto calls it would make: a person sees what a Zalo user would see, the choices as a
numbered list under the text (`message_parts`), a chart as a picture whose caption is the
text, the workbook as a text ending in a link (`download` gives its bytes). Zalo has no buttons,
so `press` types what a Zalo user types to choose: the choice's number in a numbered list, the
label itself when a lone choice is shown as "» label". `Shown.buttons` still names the choices.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from bot.chat.turn import Attachment, Choice, Incoming, Kind, Sender
from bot.chat.typed import typed_input
from bot.core import Core, Work
from bot.outbox import Delivery, OutboxSender, Transport
from bot.pipeline import converse
from bot.web.links import media_link
from bot.zalo.client import ZaloAccount, ZaloChat, ZaloClient, ZaloMessage, ZaloUpdate
from bot.zalo.inbound import TEXT_RECEIVED, read_update
from bot.zalo.transport import ZaloTransport
from reporting.campaign import Campaign
from reporting.campaign_store import current_campaign
from reporting.clock import Clock
from reporting.people import create_invites
from reporting.storage.db import TakingTurns, create_engine
from reporting.storage.models import Role
from reporting.units import find_unit_path

CHANNEL = "inprocess"
ZALO = "zalo"
INVITE_DAYS = 14
PUBLIC_URL = "https://tallybot.invalid"  # where the Zalo flavour says its media are served
MEDIA_SECRET = "in-process"
MEDIA_LIFETIME = timedelta(minutes=10)
Inboxes = defaultdict[str, list["Shown"]]


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

    @property
    def kind(self) -> str:
        """Returns "text", "photo" or "document", as the person received it."""
        if self.attachment is None:
            return "text"
        return "photo" if self.attachment.is_photo else "document"

    @property
    def data(self) -> bytes | None:
        """Returns the bytes of the photo or document, if any."""
        return None if self.attachment is None else self.attachment.data


@dataclass(frozen=True, slots=True)
class Person:
    """Someone talking to the bot on the in-process channel (their chat is their id)."""

    user_id: int | str
    name: str
    language_code: str | None = "vi"
    channel: str = CHANNEL

    @property
    def sender(self) -> Sender:
        """Returns the chat account this person writes from."""
        chat = str(self.user_id)
        return Sender(self.channel, chat, chat, self.name, self.language_code, private=True)


class InboxTransport:
    """The in-process channel's outbound half: every delivery lands in its chat's inbox."""

    channel = CHANNEL

    def __init__(self) -> None:
        self.inboxes: Inboxes = defaultdict(list)

    async def deliver(self, delivery: Delivery) -> None:
        """Records the row in its chat's inbox; this channel never refuses."""
        shown = Shown(delivery.text, delivery.choices, delivery.token, delivery.attachment)
        self.inboxes[delivery.chat_id].append(shown)


class ZaloInbox(ZaloClient):
    """The Zalo Bot API at the network edge: each message sent lands in its chat's inbox."""

    def __init__(self, inboxes: Inboxes, media: dict[str, Attachment]) -> None:
        super().__init__("in-process")
        self.inboxes = inboxes
        self.media = media
        self._sent = itertools.count(1)

    async def call(
        self, method: str, params: dict[str, Any] | None = None, poll: float | None = None
    ) -> Any:
        """Records sendMessage and sendPhoto (the picture fetched from its address)."""
        params = params or {}
        if method == "sendMessage":
            shown = Shown(params["text"])
        elif method == "sendPhoto":
            shown = Shown(params.get("caption", ""), attachment=self.media[params["photo"]])
        else:
            raise AssertionError(f"the in-process Zalo channel makes no {method} call")
        self.inboxes[params["chat_id"]].append(shown)
        return {"message_id": str(next(self._sent)), "date": 0}


class ZaloInboxTransport:
    """The real ZaloTransport over a ZaloInbox; media are kept under the links it was given."""

    channel = ZALO

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.inboxes: Inboxes = defaultdict(list)
        self.media: dict[str, Attachment] = {}
        self.zalo = ZaloTransport(ZaloInbox(self.inboxes, self.media), self.media_url)

    async def deliver(self, delivery: Delivery) -> None:
        """Sends the row as Zalo would; its last message keeps the choices it lists."""
        await self.zalo.deliver(delivery)
        if delivery.choices:
            inbox = self.inboxes[delivery.chat_id]
            inbox[-1] = replace(inbox[-1], choices=delivery.choices)

    async def media_url(self, delivery: Delivery) -> str:
        """Returns the row's media link, as the bot's media server would serve it."""
        assert delivery.attachment is not None
        now = self.clock.now()
        link = media_link(PUBLIC_URL, delivery.row_id, MEDIA_SECRET, now, MEDIA_LIFETIME)
        self.media[link] = delivery.attachment
        return link


class InProcessChat:
    """The bot's whole conversation path on one database, with people to act as."""

    def __init__(
        self, sessions: TakingTurns, campaign: Campaign, clock: Clock, channel: str = CHANNEL
    ) -> None:
        self.sessions = sessions
        self.campaign = campaign
        self.clock = clock
        self.channel = channel
        self.transport: InboxTransport | ZaloInboxTransport = (
            ZaloInboxTransport(clock) if channel == ZALO else InboxTransport()
        )
        self.scheduled: list[Work] = []
        # Alerts are checked only when a test asks, as in the e2e harness and the demo.
        self.core = Core(clock, sessions, campaign, self.scheduled.append, alerts=False)
        outbound: Transport = self.transport
        sender = OutboxSender(outbound, sessions, clock, campaign, per_chat_gap=0)
        self.core.senders[channel] = sender
        self._ids = itertools.count(70_001)
        self._deliveries = itertools.count(1)

    @classmethod
    @asynccontextmanager
    async def running(
        cls, database_url: str, clock: Clock, channel: str = CHANNEL
    ) -> AsyncIterator[InProcessChat]:
        """Yields a client on a migrated, loaded database; its engine is disposed after."""
        engine = create_engine(database_url)
        try:
            sessions = TakingTurns(engine)
            async with sessions() as session:
                campaign = await current_campaign(session)
            chat = cls(sessions, campaign, clock, channel)
            yield chat
            await chat.run_scheduled()
            await chat.core.settle()
        finally:
            await engine.dispose()

    # --- people --------------------------------------------------------------------------

    def user(self, name: str = "Người lạ", language_code: str = "vi") -> Person:
        """Returns a new person, not yet talking to the bot (on Zalo: a string id, no language)."""
        number = next(self._ids)
        if self.channel == ZALO:
            return Person(f"{number:020x}", name, None, ZALO)
        return Person(number, name, language_code)

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
        """Sends a message (a command or text) as the person; returns what was delivered.

        On Zalo the message comes in as Zalo's text update, read by `bot.zalo.inbound`.
        """
        if self.channel != ZALO:
            return await self.send(person, typed_input(message))
        inbound = read_update(self._zalo_update(person, message))
        assert inbound.sender == person.sender, (inbound.sender, person.sender)
        return await self.send(person, inbound.incoming, inbound.delivery_key)

    async def say_all(self, person: Person, messages: Sequence[str]) -> list[Shown]:
        """Sends messages one after the other; returns the replies to the last one."""
        replies: list[Shown] = []
        for message in messages:
            replies = await self.say(person, message)
        return replies

    async def press(self, person: Person, label: str, message: Shown | None = None) -> list[Shown]:
        """Picks a choice (on `message`, else the latest showing it); returns the replies.

        A button press, except on Zalo, which has no buttons: there the person types what the
        list shows, the choice's number, or the label of a lone choice shown as "» label".
        """
        shown = message or next(
            (m for m in reversed(self.inbox(person)) if label in m.buttons), None
        )
        assert shown is not None, f"no message shows {label!r}"
        number, choice = next(
            (number, choice)
            for number, choice in enumerate(shown.choices, start=1)
            if choice.label == label
        )
        if self.channel == ZALO:
            return await self.say(person, label if len(shown.choices) == 1 else str(number))
        return await self.send(
            person, Incoming(Kind.BUTTON, value=choice.value, token=shown.token)
        )

    async def send(
        self, person: Person, incoming: Incoming, delivery_key: str | None = None
    ) -> list[Shown]:
        """Hands one input to the pipeline, delivers the outbox; returns the person's replies."""
        mark = len(self.inbox(person))
        key = delivery_key or str(next(self._deliveries))
        await converse(self.core, person.sender, incoming, key)
        await self.run_scheduled()
        await self.core.deliver_now()
        return self.inbox(person)[mark:]

    def download(self, link: str) -> bytes:
        """Returns the bytes behind a media link the Zalo flavour sent (a chart, the workbook)."""
        assert isinstance(self.transport, ZaloInboxTransport), "only Zalo sends links"
        return self.transport.media[link].data

    def _zalo_update(self, person: Person, message: str) -> ZaloUpdate:
        """Returns the text update Zalo would deliver for the person's message."""
        account = str(person.user_id)
        written = ZaloMessage(
            message_id=f"{next(self._deliveries):020x}",
            chat=ZaloChat(account, "PRIVATE"),
            sender=ZaloAccount(account, person.name, is_bot=False),
            date=int(self.clock.now().timestamp() * 1000),
            text=message,
        )
        return ZaloUpdate(TEXT_RECEIVED, written)

    async def run_scheduled(self) -> None:
        """Runs the work the Core asked to run soon (deliveries, follow-ups), in order."""
        while self.scheduled:
            await self.core.run(self.scheduled.pop(0))
