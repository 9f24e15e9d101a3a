"""Users, their roles and chat identities, and the invite codes that let them in."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from reporting.campaign import Levels
from reporting.errors import Problem
from reporting.names import NAME_LIMIT
from reporting.storage.models import Identity, Invite, Level, Role, Unit, User, UserUnit
from reporting.wording import level_words

# No 0/O, 1/I/L: codes are read aloud over the phone and typed on small keyboards.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
# Printed slips show a code in two groups ("VN9F RYAS") and people type it as they see it.
_CODE_SEPARATORS = str.maketrans("", "", " \t\r\n-")
DEFAULT_LEVELS = Levels()  # huyện / xã / xóm, for callers without a campaign at hand


def typed_code(typed: str) -> str:
    """Returns a code as stored: upper case, without the spaces or hyphens it was typed with."""
    return typed.translate(_CODE_SEPARATORS).upper()


class InviteRefused(Problem):
    """An invite that cannot be created or redeemed; the message says why."""


@dataclass(frozen=True, slots=True)
class Account:
    """Who is writing: the user (None when unknown) and their identity on this channel."""

    user: User | None
    identity: Identity | None


def check_role_units(role: Role, units: Sequence[Unit]) -> None:
    """Raises InviteRefused unless the units fit the role (SPEC §2.2)."""
    levels = {unit.level for unit in units}
    if role is Role.HAMLET and (len(units) != 1 or levels != {Level.HAMLET}):
        raise InviteRefused("invite.hamlet_needs_one_hamlet")
    if role is Role.COMMUNE and (len(units) != 1 or levels != {Level.COMMUNE}):
        raise InviteRefused("invite.commune_needs_one_commune")
    if role is Role.OFFICIAL and (not units or levels != {Level.COMMUNE}):
        raise InviteRefused("invite.official_needs_communes")
    if role is Role.DISTRICT and units:
        raise InviteRefused("invite.district_takes_no_unit")


async def create_invites(
    session: AsyncSession, role: Role, units: Sequence[Unit], count: int, now: datetime, days: int
) -> list[Invite]:
    """Creates `count` single-use codes for a role and its units, valid for `days` days."""
    check_role_units(role, units)
    invites = [
        Invite(
            code=_new_code(),
            role=role.value,
            unit_ids=[unit.id for unit in units],
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        for _ in range(count)
    ]
    session.add_all(invites)
    await session.commit()
    return invites


async def stage_invites(
    session: AsyncSession, grants: Sequence[tuple[Role, Unit]], now: datetime, days: int
) -> list[Invite]:
    """Adds one single-use code per (role, unit), valid for `days` days, to the caller's
    transaction (no commit): a district's codes are all made, or none. Checks each pair's fit."""
    invites = new_invites(grants, now, now + timedelta(days=days))
    session.add_all(invites)
    await session.flush()
    return invites


def new_invites(
    grants: Sequence[tuple[Role, Unit]], now: datetime, expires_at: datetime
) -> list[Invite]:
    """Returns one single-use code per (role, unit), valid until `expires_at`, not yet added
    to any session (the caller adds them when it commits). Checks each pair's fit."""
    for role, unit in grants:
        check_role_units(role, [unit])
    return [
        Invite(
            code=_new_code(),
            role=role.value,
            unit_ids=[unit.id],
            created_at=now,
            expires_at=expires_at,
        )
        for role, unit in grants
    ]


async def create_user_invite(
    session: AsyncSession, user_id: int, now: datetime, days: int
) -> Invite:
    """Creates a single-use code that adds a chat account to an active user; commits."""
    user = await session.get(User, user_id)
    if user is None:
        raise InviteRefused("user.unknown", user_id=user_id)
    if user.revoked_at is not None:
        raise InviteRefused("invite.user_revoked", user_id=user.id, name=user.name)
    [invite] = new_user_invites([user], now, now + timedelta(days=days))
    session.add(invite)
    await session.commit()
    return invite


def new_user_invites(users: Sequence[User], now: datetime, expires_at: datetime) -> list[Invite]:
    """Returns one single-use code per existing user, with the user's role and units, valid
    until `expires_at`, not yet added to any session: redeeming it adds the chat account to
    that user."""
    return [
        Invite(
            code=_new_code(),
            role=user.role,
            unit_ids=[unit.id for unit in user.units],
            created_at=now,
            expires_at=expires_at,
            user_id=user.id,
        )
        for user in users
    ]


async def cancel_invite(session: AsyncSession, code: str, now: datetime) -> Invite:
    """Cancels an unused code by making it expire now (the row stays, nothing is deleted).

    Whoever tries the code afterwards is told it has expired. Commits.
    """
    invite = await session.get(Invite, typed_code(code))
    if invite is None:
        raise InviteRefused("invite.cancel_unknown", code=code.strip())
    if invite.used_at is not None:
        raise InviteRefused("invite.cancel_used", code=invite.code, user_id=invite.used_by)
    if invite.expires_at <= now:
        raise InviteRefused("invite.cancel_expired", code=invite.code)
    # Conditional, like a claim: a code redeemed at this very moment is not also "cancelled".
    cancelled = await session.execute(
        update(Invite)
        .where(Invite.code == invite.code, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    invite = await _fresh(session, invite.code)
    if cancelled.rowcount != 1:  # type: ignore[attr-defined]
        if invite.used_at is not None:
            raise InviteRefused("invite.cancel_used", code=invite.code, user_id=invite.used_by)
        raise InviteRefused("invite.cancel_expired", code=invite.code)
    await session.commit()
    return invite


# Who is speaking, read for every input, built once: the account and its user in one statement,
# the user's units in a second. (Joining the units too made SQLite read every user's units for
# each input: it materialises the nested join of user_units and units before filtering.)
_ACCOUNT = (
    select(Identity)
    .where(
        Identity.channel == bindparam("channel"),
        Identity.external_id == bindparam("external_id"),
    )
    .options(joinedload(Identity.user).selectinload(User.units))
)


async def account(session: AsyncSession, channel: str, external_id: str) -> Account:
    """Returns the user behind a chat account, or an empty Account for a stranger."""
    found = await session.scalars(_ACCOUNT, {"channel": channel, "external_id": external_id})
    identity = found.unique().one_or_none()
    if identity is None:
        return Account(user=None, identity=None)
    return Account(user=identity.user, identity=identity)


async def redeem_invite(
    session: AsyncSession,
    code: str,
    *,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str,
    now: datetime,
) -> User:
    """Registers a chat account with the role and units of an unused, unexpired code; commits."""
    user = await stage_registration(
        session,
        code,
        channel=channel,
        external_id=external_id,
        chat_id=chat_id,
        display_name=display_name,
        now=now,
    )
    await session.commit()
    return user


async def stage_registration(
    session: AsyncSession,
    code: str,
    *,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str,
    now: datetime,
    levels: Levels = DEFAULT_LEVELS,
) -> User:
    """Registers a chat account as `redeem_invite` does, in the caller's transaction (no commit).

    A refusal names whom to ask for a new code by the campaign's `levels` ("cán bộ huyện").

    A code made for an existing user adds the account to that user (same role and units). The
    chat commits the registration with its welcome reply and the update's processed-once
    record, all or nothing.
    """
    # A registered account is refused before the code is even looked at: the answer must not
    # tell it which codes exist, are used or have expired.
    current = await account(session, channel, external_id)
    if current.user is not None and current.user.revoked_at is None:
        raise InviteRefused("invite.already_registered")
    words = level_words(levels)
    invite = await session.get(Invite, typed_code(code))
    if invite is None:
        raise InviteRefused("invite.unknown", **words)
    if invite.used_at is not None:
        raise InviteRefused("invite.used")
    if invite.expires_at < now:
        raise InviteRefused("invite.expired", **words)
    existing = await _user_invited(session, invite, words)  # refused before the code is used
    await claim_invite(session, invite.code, now, words)
    user = existing or await _new_user(session, invite, display_name, now)
    if current.identity is not None:
        current.identity.user_id, current.identity.chat_id = user.id, chat_id
        current.identity.blocked_at, current.identity.last_seen_at = None, now
    else:
        session.add(_identity(user.id, channel, external_id, chat_id, display_name, now))
    invite.used_at, invite.used_by = now, user.id
    await session.flush()
    await session.refresh(user, ["units", "identities"])
    return user


async def claim_invite(
    session: AsyncSession, code: str, now: datetime, words: dict[str, object]
) -> None:
    """Marks an unused, unexpired code used, in one conditional UPDATE; no commit.

    Two people may type one code at the same moment: both find it unused, but only one
    UPDATE finds `used_at` still empty (on PostgreSQL the second waits for the first to
    commit, then finds it set), so the other is told, and nothing is stored for them. A code
    the admin cancelled meanwhile is refused as expired, which is what cancelling promises.
    """
    claimed = await session.execute(
        update(Invite)
        .where(Invite.code == code, Invite.used_at.is_(None), Invite.expires_at >= now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        used = (await _fresh(session, code)).used_at is not None
        raise InviteRefused("invite.just_used" if used else "invite.expired", **words)


async def _fresh(session: AsyncSession, code: str) -> Invite:
    """Returns an invite as stored now, not as this session read it before."""
    query = select(Invite).where(Invite.code == code)
    invite = await session.scalar(query.execution_options(populate_existing=True))
    assert invite is not None  # invites are never deleted
    return invite


async def _user_invited(
    session: AsyncSession, invite: Invite, words: dict[str, object]
) -> User | None:
    """Returns the existing user an invite was made for (None: it makes a new user); refuses
    the invite when that user is gone or revoked."""
    if invite.user_id is None:
        return None
    user = await session.get(User, invite.user_id)
    if user is None or user.revoked_at is not None:
        raise InviteRefused("invite.withdrawn", **words)
    return user


async def _new_user(
    session: AsyncSession, invite: Invite, display_name: str, now: datetime
) -> User:
    """Returns a new user with the invite's role and units (flushed, so it has an id)."""
    user = User(
        name=display_name[:NAME_LIMIT], role=invite.role, created_at=now, invite_code=invite.code
    )
    session.add(user)
    await session.flush()
    session.add_all(UserUnit(user_id=user.id, unit_id=unit_id) for unit_id in invite.unit_ids)
    return user


async def list_users(session: AsyncSession) -> list[User]:
    """Returns every user, revoked ones included, oldest first."""
    query = select(User).options(selectinload(User.identities)).order_by(User.id)
    return list(await session.scalars(query))


async def revoke_user(session: AsyncSession, user_id: int, now: datetime) -> User:
    """Disables a user (kept for the audit trail, never deleted); commits."""
    user = await session.get(User, user_id)
    if user is None:
        raise InviteRefused("user.unknown", user_id=user_id)
    if user.revoked_at is None:
        user.revoked_at = now
        await session.commit()
    return user


def _identity(
    user_id: int, channel: str, external_id: str, chat_id: str, name: str, now: datetime
) -> Identity:
    return Identity(
        user_id=user_id,
        channel=channel,
        external_id=external_id,
        chat_id=chat_id,
        display_name=name[:NAME_LIMIT],
        created_at=now,
        last_seen_at=now,
    )


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
