"""The tables. The schema itself comes only from Alembic migrations; a test checks they agree."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from reporting.roles import Role as Role  # the models' users name it from here too

# Rules of a day's figures (SPEC §2.3) that hold on one row; the running totals, sums of
# such days, keep them too. The tally service checks them first and says what is wrong.
# satisfied answers are a JSON array, one count per question, as many as the campaign asks
SATISFIED_RULE = "json_array_length(satisfied) >= 2"
INVALID_RULE = "invalid >= 0 AND invalid <= collected"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware timestamp stored in UTC; SQLite hands back naive values, so they are re-marked."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuses naive timestamps and stores aware ones in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Returns the stored timestamp as an aware UTC datetime."""
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint names that migrations can refer to."""

    metadata = MetaData(naming_convention=NAMING)


class Level(StrEnum):
    """The three levels of units."""

    DISTRICT = "district"
    COMMUNE = "commune"
    HAMLET = "hamlet"


class Unit(Base):
    """A district, commune or hamlet; hamlets carry their households."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("parent_id", "name_key", name="uq_units_parent_name"),
        CheckConstraint("households >= 0", name="households_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    households: Mapped[int] = mapped_column(Integer, default=0)
    surveyed: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class User(Base):
    """A person; one active role, bound to units through user_units, reached on many channels."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    invite_code: Mapped[str | None] = mapped_column(String(32))
    # The position (chức vụ) the assignment table gives them (0010); None for users who came
    # in by an invite code only.
    position: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    # in id order (the roster's), whichever way they are loaded
    units: Mapped[list[Unit]] = relationship(
        secondary="user_units", lazy="selectin", order_by="Unit.id"
    )
    identities: Mapped[list[Identity]] = relationship(back_populates="user", lazy="raise")


class UserUnit(Base):
    """Which units a user's role is bound to."""

    __tablename__ = "user_units"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)


class Identity(Base):
    """One chat account of a user on one channel (telegram, zalo, …)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_identities_account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(200))
    blocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # when the person last wrote from this account: their alerts go to the latest one
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship(back_populates="identities")


class Invite(Base):
    """A single-use, expiring code that fixes the role and units of whoever redeems it.

    With `user_id`, it adds the chat account that redeems it to that existing user instead;
    `role` and `unit_ids` then record what the user had when the code was made.
    """

    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CampaignRecord(Base):
    """Each campaign file loaded by `init`, kept as its text (the newest row is in force)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    district: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Tally(Base):
    """The current figures of one hamlet on one day; earlier figures live in tally_revisions."""

    __tablename__ = "tallies"
    __table_args__ = (
        UniqueConstraint("hamlet_id", "day", name="uq_tallies_hamlet_day"),
        CheckConstraint("collected >= 0", name="collected_range"),
        CheckConstraint(INVALID_RULE, name="invalid_range"),
        CheckConstraint(SATISFIED_RULE, name="satisfied_shape"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hamlet_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    day: Mapped[date] = mapped_column(Date, index=True)
    collected: Mapped[int] = mapped_column(Integer)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[list[int]] = mapped_column(JSON)  # question 1's count first
    note: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TallyRevision(Base):
    """One change of a tally: who, when, through which channel, old → new, and why."""

    __tablename__ = "tally_revisions"
    __table_args__ = (UniqueConstraint("tally_id", "revision", name="uq_tally_revisions_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tally_id: Mapped[int] = mapped_column(ForeignKey("tallies.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(16))
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(200))


class Confirmation(Base):
    """A commune's figures confirmed (locked) in aggregation; unlocking stamps, never deletes.

    At most one confirmation of a commune is open (not unlocked) at a time.
    """

    __tablename__ = "confirmations"
    __table_args__ = (
        Index(
            "uq_confirmations_open",
            "commune_id",
            unique=True,
            postgresql_where=text("unlocked_at IS NULL"),
            sqlite_where=text("unlocked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unlocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    unlocked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Dialog(Base):
    """A half-finished conversation (a draft tally, a confirmation), kept across restarts."""

    __tablename__ = "dialogs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    day: Mapped[date] = mapped_column(Date)
    token: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProcessedUpdate(Base):
    """An update already handled, so that one delivered twice is processed once."""

    __tablename__ = "processed_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ChatLimit(Base):
    """How often a chat account without an active user wrote, or typed a wrong invite code,
    in its current window: one row per account and limit, counted in the database so that
    every bot process sees the same count.
    """

    __tablename__ = "chat_limits"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime())
    count: Mapped[int] = mapped_column(Integer)


class HamletTotal(Base):
    """A hamlet's running sums over all its tallies, kept in step by the tally service.

    Summaries "as of now" read these 3,000 rows instead of summing every tally, which keeps
    /status fast at province scale; summaries of an earlier day still sum the tallies.
    """

    __tablename__ = "hamlet_totals"
    __table_args__ = (
        CheckConstraint("collected >= 0", name="collected_range"),
        CheckConstraint(INVALID_RULE, name="invalid_range"),
        CheckConstraint(SATISFIED_RULE, name="satisfied_shape"),
    )

    hamlet_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    collected: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[list[int]] = mapped_column(JSON)  # question 1's sum first


class VerdictState(Base):
    """The last verdict seen for each unit and measure, so a change is alerted once."""

    __tablename__ = "verdict_states"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(32), primary_key=True)
    verdict: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # How many times the verdict changed (0009): a verdict alert is keyed by its change.
    changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AlertLog(Base):
    """Every alert meant for someone: the claim that makes it once per (key, person).

    (key, user_id) is unique: an alert is claimed here, and its messages are written to the
    outbox in the same transaction, so a restart or a second evaluation never sends it twice.
    Whether each message arrived is the outbox's to say.
    """

    __tablename__ = "alert_log"
    __table_args__ = (UniqueConstraint("key", "user_id", name="uq_alert_log_key_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Media(Base):
    """The bytes of a photo or document the bot sends, stored once with the message."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OutboxState(StrEnum):
    """Where a message to send stands."""

    PENDING = "pending"  # to be sent (again) from next_attempt_at
    SENT = "sent"
    FAILED = "failed"  # the channel refused it for good, or its attachment is gone
    EXPIRED = "expired"  # its deadline passed before it could be sent
    BLOCKED = "blocked"  # the person blocked the bot


class OutboxKind(StrEnum):
    """What a message carries."""

    TEXT = "text"
    PHOTO = "photo"
    DOCUMENT = "document"


class OutboxMessage(Base):
    """One message the bot means to send, written in the transaction of what it reports.

    Senders, one per channel, deliver a chat's pending rows in id order and record how each
    ended; a row is never deleted.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "channel", "state", "chat_id", "id"),
        CheckConstraint(
            "state IN ('pending', 'sent', 'failed', 'expired', 'blocked')", name="state"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert_log.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    token: Mapped[str] = mapped_column(String(64), default="")
    columns: Mapped[int] = mapped_column(Integer, default=2)
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    not_before: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.PENDING)
    reason: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Of a message the channel takes in several calls, the calls already made: a retry
    # sends only the rest.
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    # On PostgreSQL, the sender process delivering the row's chat, and until when (0009);
    # cleared when the row's ending is stored. One process on SQLite never claims.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())

    media: Mapped[Media | None] = relationship(lazy="raise")

    @property
    def is_alert(self) -> bool:
        """Says whether the row is an alert (waits out quiet hours) rather than a reply."""
        return self.alert_id is not None
