"""Invites, registration and users: codes fix role and units, work once, and expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reporting.campaign import Campaign
from reporting.clock import SimulatedClock
from reporting.people import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Account,
    InviteRefused,
    account,
    check_role_units,
    create_invites,
    create_user_invite,
    list_users,
    redeem_invite,
    revoke_user,
)
from reporting.storage.models import Identity, Invite, Role, Unit, User
from reporting.units import district, find_commune, find_hamlet

Sessions = async_sessionmaker[AsyncSession]


async def _units(sessions: Sessions, *paths: str) -> list[Unit]:
    async with sessions() as session:
        found = []
        for path in paths:
            if path == "district":
                root = await district(session)
                assert root is not None
                found.append(root)
            elif "/" in path:
                found.append(await find_hamlet(session, path))
            else:
                found.append(await find_commune(session, path))
        return found


async def _invite(
    sessions: Sessions, clock: SimulatedClock, role: Role, *paths: str, days: int = 14
) -> str:
    units = await _units(sessions, *paths)
    async with sessions() as session:
        invites = await create_invites(session, role, units, 1, clock.now(), days)
    return invites[0].code


async def _redeem(
    sessions: Sessions, clock: SimulatedClock, code: str, external_id: str = "1001"
) -> User:
    async with sessions() as session:
        return await redeem_invite(
            session,
            code,
            channel="telegram",
            external_id=external_id,
            chat_id=external_id,
            display_name="Nguyễn Văn An",
            now=clock.now(),
        )


ACCEPTED = [
    (Role.HAMLET, ("Bảo Cường/Xóm Trung Tâm",)),
    (Role.COMMUNE, ("Bảo Cường",)),
    (Role.OFFICIAL, ("Bảo Cường",)),
    (Role.OFFICIAL, ("Bảo Cường", "Phú Đình", "Tân Dương")),
    (Role.DISTRICT, ()),
]
REFUSED = [
    (Role.HAMLET, (), "cần đúng một xóm"),
    (Role.HAMLET, ("Bảo Cường",), "cần đúng một xóm"),
    (Role.HAMLET, ("Bảo Cường/Xóm Trung Tâm", "Phú Đình/Xóm Trung Tâm"), "cần đúng một xóm"),
    (Role.COMMUNE, (), "cần đúng một xã"),
    (Role.COMMUNE, ("Bảo Cường/Xóm Trung Tâm",), "cần đúng một xã"),
    (Role.COMMUNE, ("Bảo Cường", "Phú Đình"), "cần đúng một xã"),
    (Role.COMMUNE, ("district",), "cần đúng một xã"),
    (Role.OFFICIAL, (), "một hoặc nhiều xã"),
    (Role.OFFICIAL, ("Bảo Cường", "Bảo Cường/Xóm Trung Tâm"), "một hoặc nhiều xã"),
    (Role.DISTRICT, ("Bảo Cường",), "không cần --unit"),
]


@pytest.mark.parametrize(("role", "paths"), ACCEPTED)
async def test_invite_accepts_the_units_its_role_needs(
    session_factory: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    role: Role,
    paths: tuple[str, ...],
) -> None:
    units = await _units(session_factory, *paths)
    async with session_factory() as session:
        invites = await create_invites(session, role, units, 3, clock.now(), 14)
    async with session_factory() as session:
        stored = list(await session.scalars(select(Invite)))
    assert sorted(i.code for i in stored) == sorted(i.code for i in invites)
    assert len({i.code for i in stored}) == 3
    for invite in stored:
        assert len(invite.code) == CODE_LENGTH
        assert set(invite.code) <= set(CODE_ALPHABET)
        assert (invite.role, invite.unit_ids) == (role.value, [u.id for u in units])
        assert invite.expires_at - invite.created_at == timedelta(days=14)
        assert invite.used_at is None


@pytest.mark.parametrize(("role", "paths", "message"), REFUSED)
async def test_invite_refuses_units_that_do_not_fit_the_role(
    session_factory: Sessions,
    loaded: Campaign,
    clock: SimulatedClock,
    role: Role,
    paths: tuple[str, ...],
    message: str,
) -> None:
    units = await _units(session_factory, *paths)
    with pytest.raises(InviteRefused, match=message):
        check_role_units(role, units)
    async with session_factory() as session:
        with pytest.raises(InviteRefused, match=message):
            await create_invites(session, role, units, 1, clock.now(), 14)
        assert list(await session.scalars(select(Invite))) == []


async def test_redeem_registers_the_account_with_role_and_units(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    code = await _invite(session_factory, clock, Role.HAMLET, "Phú Đình/Xóm Trung Tâm")
    user = await _redeem(session_factory, clock, code.lower() + " ")
    assert (user.role, user.name, user.invite_code) == ("hamlet", "Nguyễn Văn An", code)
    assert [unit.name for unit in user.units] == ["Xóm Trung Tâm"]

    async with session_factory() as session:
        found = await account(session, "telegram", "1001")
        assert found.user is not None
        assert found.identity is not None
        assert found.user.id == user.id
        assert [u.parent_id for u in found.user.units] == [
            (await find_commune(session, "Phú Đình")).id
        ]
        assert (found.identity.chat_id, found.identity.display_name) == ("1001", "Nguyễn Văn An")
        invite = await session.get(Invite, code)
        assert invite is not None
        assert invite.used_by == user.id
        assert invite.used_at == clock.now()


async def test_account_of_a_stranger_is_empty(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    code = await _invite(session_factory, clock, Role.DISTRICT)
    await _redeem(session_factory, clock, code, external_id="1001")
    async with session_factory() as session:
        assert await account(session, "telegram", "2002") == Account(user=None, identity=None)
        assert (await account(session, "zalo", "1001")).user is None


async def test_a_code_works_only_once(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    code = await _invite(session_factory, clock, Role.COMMUNE, "Bảo Cường")
    await _redeem(session_factory, clock, code, external_id="1001")
    with pytest.raises(InviteRefused, match="đã được dùng"):
        await _redeem(session_factory, clock, code, external_id="2002")
    async with session_factory() as session:
        assert len(await list_users(session)) == 1
        assert (await account(session, "telegram", "2002")).user is None


async def test_an_expired_code_is_refused(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    code = await _invite(session_factory, clock, Role.DISTRICT, days=2)
    clock.advance(timedelta(days=2, seconds=1))
    with pytest.raises(InviteRefused, match="hết hạn"):
        await _redeem(session_factory, clock, code)
    async with session_factory() as session:
        assert await list_users(session) == []


async def test_a_code_is_still_good_at_its_last_moment(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    code = await _invite(session_factory, clock, Role.DISTRICT, days=2)
    clock.advance(timedelta(days=2))
    assert (await _redeem(session_factory, clock, code)).role == "district"


async def test_an_unknown_code_is_refused(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    with pytest.raises(InviteRefused, match="không đúng"):
        await _redeem(session_factory, clock, "ABCDEFGH")


async def test_a_registered_account_cannot_take_a_second_role(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    first = await _invite(session_factory, clock, Role.DISTRICT)
    second = await _invite(session_factory, clock, Role.COMMUNE, "Bảo Cường")
    await _redeem(session_factory, clock, first)
    with pytest.raises(InviteRefused, match="đã đăng ký"):
        await _redeem(session_factory, clock, second)
    async with session_factory() as session:
        invite = await session.get(Invite, second)
        assert invite is not None
        assert invite.used_at is None


async def test_revoked_user_is_kept_and_marked(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    user = await _redeem(
        session_factory, clock, await _invite(session_factory, clock, Role.DISTRICT)
    )
    clock.advance(timedelta(hours=1))
    async with session_factory() as session:
        revoked = await revoke_user(session, user.id, clock.now())
    assert revoked.revoked_at == clock.now()

    clock.advance(timedelta(hours=1))
    async with session_factory() as session:
        again = await revoke_user(session, user.id, clock.now())  # revoking twice keeps the stamp
        assert again.revoked_at == revoked.revoked_at
        everyone = await list_users(session)
        assert [(u.id, u.revoked_at is not None) for u in everyone] == [(user.id, True)]
        found = await account(session, "telegram", "1001")
        assert found.user is not None
        assert found.user.revoked_at is not None


async def test_revoked_user_may_register_again_with_a_new_code(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    old = await _redeem(
        session_factory, clock, await _invite(session_factory, clock, Role.DISTRICT)
    )
    async with session_factory() as session:
        await revoke_user(session, old.id, clock.now())
    code = await _invite(session_factory, clock, Role.COMMUNE, "Bảo Cường")
    new = await _redeem(session_factory, clock, code)

    assert new.id != old.id
    async with session_factory() as session:
        found = await account(session, "telegram", "1001")
        assert found.user is not None
        assert found.user.id == new.id
        assert found.user.revoked_at is None
        assert found.user.role == "commune"
        identities = list(await session.scalars(select(Identity)))
        assert len(identities) == 1
        assert len(await list_users(session)) == 2


async def test_revoking_an_unknown_user_is_refused(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    async with session_factory() as session:
        with pytest.raises(InviteRefused, match="Không có người dùng số 42"):
            await revoke_user(session, 42, clock.now())


# --- a second chat account for an existing user ---------------------------------------------


async def _user_invite(sessions: Sessions, clock: SimulatedClock, user_id: int) -> str:
    async with sessions() as session:
        return (await create_user_invite(session, user_id, clock.now(), 14)).code


async def test_a_user_invite_links_a_second_account_with_the_same_role_and_units(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    code = await _invite(session_factory, clock, Role.OFFICIAL, "Bảo Cường", "Phú Đình")
    first = await _redeem(session_factory, clock, code, external_id="1001")
    linking = await _user_invite(session_factory, clock, first.id)
    async with session_factory() as session:
        invite = await session.get(Invite, linking)
        assert invite is not None
        assert (invite.user_id, invite.role) == (first.id, "official")
        assert invite.unit_ids == [unit.id for unit in first.units]

    clock.advance(timedelta(hours=1))
    async with session_factory() as session:
        linked = await redeem_invite(
            session,
            linking,
            channel="zalo",
            external_id="84912345678",
            chat_id="84912345678",
            display_name="Lan Zalo",
            now=clock.now(),
        )
    assert linked.id == first.id
    assert (linked.name, linked.role) == ("Nguyễn Văn An", "official")
    assert [unit.name for unit in linked.units] == [unit.name for unit in first.units]
    async with session_factory() as session:
        assert len(await list_users(session)) == 1
        zalo = await account(session, "zalo", "84912345678")
        assert zalo.user is not None
        assert zalo.identity is not None
        assert zalo.user.id == first.id
        assert zalo.identity.last_seen_at == clock.now()
        accounts = {(i.channel, i.external_id) for i in (await list_users(session))[0].identities}
        assert accounts == {("telegram", "1001"), ("zalo", "84912345678")}
        invite = await session.get(Invite, linking)
        assert invite is not None
        assert (invite.used_by, invite.used_at) == (first.id, clock.now())


async def test_a_user_invite_from_an_account_already_registered_is_refused(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    first = await _redeem(
        session_factory, clock, await _invite(session_factory, clock, Role.DISTRICT)
    )
    linking = await _user_invite(session_factory, clock, first.id)
    with pytest.raises(InviteRefused, match="đã đăng ký"):
        await _redeem(session_factory, clock, linking, external_id="1001")
    async with session_factory() as session:
        invite = await session.get(Invite, linking)
        assert invite is not None
        assert invite.used_at is None


@pytest.mark.parametrize("revoked", [False, True], ids=["unknown", "revoked"])
async def test_a_user_invite_for_an_unknown_or_revoked_user_is_refused(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, revoked: bool
) -> None:
    user_id = 42
    if revoked:
        code = await _invite(session_factory, clock, Role.DISTRICT)
        user_id = (await _redeem(session_factory, clock, code)).id
        async with session_factory() as session:
            await revoke_user(session, user_id, clock.now())
    message = "đã bị khóa" if revoked else "Không có người dùng số 42"
    async with session_factory() as session:
        with pytest.raises(InviteRefused, match=message):
            await create_user_invite(session, user_id, clock.now(), 14)
    async with session_factory() as session:
        assert [i.user_id for i in await session.scalars(select(Invite))] == [None] * revoked


async def test_a_user_invite_stops_working_once_the_user_is_revoked(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock
) -> None:
    first = await _redeem(
        session_factory, clock, await _invite(session_factory, clock, Role.DISTRICT)
    )
    linking = await _user_invite(session_factory, clock, first.id)
    async with session_factory() as session:
        await revoke_user(session, first.id, clock.now())
    with pytest.raises(InviteRefused, match="không còn dùng được"):
        await _redeem(session_factory, clock, linking, external_id="2002")
    async with session_factory() as session:
        assert (await account(session, "telegram", "2002")).identity is None
