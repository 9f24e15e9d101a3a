"""What a channel adapter hands to the conversation, and what it gets back to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from reporting.clock import Clock
from reporting.storage.models import User
from reporting.wording import level_words


class Kind(StrEnum):
    """How a user speaks: a command, typed text, a button press, or something unreadable."""

    COMMAND = "command"
    TEXT = "text"
    BUTTON = "button"
    OTHER = "other"  # a photo, a sticker, a file: nothing the conversation can read
    EDITED = "edited"  # an earlier message changed: answers are never taken back that way


@dataclass(frozen=True, slots=True)
class Sender:
    """The chat account an input came from, and whether it wrote in a one-to-one chat.

    `private` is False for a group, supergroup or channel (on any platform): the bot answers
    there with one line and nothing else, since everyone in the chat would read its answers.
    Every adapter must say which it is.
    """

    channel: str
    external_id: str
    chat_id: str
    display_name: str
    language_code: str | None = None
    private: bool = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class Incoming:
    """One input: `/command args`, free text, or a button's value with its dialog token."""

    kind: Kind
    command: str = ""
    args: str = ""
    text: str = ""
    value: str = ""
    token: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """An answer offered to the user: a button on Telegram, a numbered line elsewhere."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to send: a PNG photo or a document."""

    name: str
    data: bytes
    is_photo: bool


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send, with the choices (buttons) it offers and the dialog they belong to."""

    text: str
    choices: tuple[Choice, ...] = ()
    token: str = ""
    columns: int = 2
    attachment: Attachment | None = None


@dataclass(frozen=True, slots=True)
class TallyStored:
    """What a dialog reports when it stored (or replaced) a hamlet's tally of one day."""

    hamlet_id: int
    day: date


@dataclass(frozen=True, slots=True)
class WrongCodes:
    """What registration reports when a chat account reached the limit of wrong invite codes."""

    account: str  # "channel:id"
    name: str
    count: int
    until: datetime  # when it may try again


Event = TallyStored | WrongCodes  # what a dialog can report happened; neutral code reacts


@dataclass(frozen=True, slots=True)
class Rehearsal:
    """A read-only command's answer, prepared in a read session before the input's turn."""

    command: str
    user_id: int
    replies: tuple[Reply, ...]


@dataclass(slots=True)
class Turn:
    """What one input is handled with: the session, the campaign, the clock, the user."""

    session: AsyncSession
    campaign: Campaign
    clock: Clock
    sender: Sender
    user: User | None = None
    replies: list[Reply] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    rehearsal: Rehearsal | None = None  # the answer prepared beforehand, if any

    @property
    def lang(self) -> str:
        """Returns the user's language (Vietnamese until they choose)."""
        return self.user.language if self.user else "vi"

    @property
    def levels(self) -> dict[str, object]:
        """Returns the campaign's level names as message parameters ("hamlet_level", …)."""
        return level_words(self.campaign.levels)

    @property
    def now(self) -> datetime:
        """Returns the current moment of the campaign clock."""
        return self.clock.now()

    def attach(self, caption: str, attachment: Attachment) -> None:
        """Queues a photo or a document with a short caption."""
        self.replies.append(Reply(caption, attachment=attachment))

    def say(
        self, text: str, choices: tuple[Choice, ...] = (), token: str = "", columns: int = 2
    ) -> None:
        """Queues a message for the user."""
        self.replies.append(Reply(text, choices, token, columns))
