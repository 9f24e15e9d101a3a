"""Loading the assignment table: its people become users without a chat account, a re-import
updates them, and a file with any bad row is refused whole with every problem by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from reporting.assignments import (
    AssignmentChanges,
    assigned_people,
    import_assignments,
    responsible_officials,
)
from reporting.campaign import Campaign
from reporting.clock import SimulatedClock
from reporting.imports.assignment_file import AssignmentFileError, parse_assignments
from reporting.people import create_user_invite, redeem_invite
from reporting.storage.models import Role, User
from reporting.units import communes, find_commune

Sessions = async_sessionmaker[AsyncSession]

TABLE = """STT,Họ và tên,Chức vụ,Vai trò,Xã phụ trách,Ghi chú
1,Nguyễn Văn An,Phó Chủ tịch UBND huyện,lãnh đạo phụ trách,"Định Biên; Bảo Linh",
2,Nguyễn Văn An,Phó Chủ tịch UBND huyện,Lãnh đạo phụ trách,Phượng Tiến,cùng người
3,Hoàng Thị Bích,Chủ tịch UBND xã,cán bộ xã,Bảo Linh,
4,Lê Văn Cường,Chủ tịch UBMTTQ huyện,district,Toàn huyện,
"""


def write(tmp_path: Path, content: str, name: str = "phan-cong.csv") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


async def load(session_factory: Sessions, path: Path, clock: SimulatedClock) -> AssignmentChanges:
    async with session_factory() as session:
        people = parse_assignments(path, await communes(session))
        return await import_assignments(session, people, clock.now())


async def table_users(session_factory: Sessions) -> dict[str, User]:
    async with session_factory() as session:
        query = select(User).options(selectinload(User.identities)).order_by(User.id)
        return {user.name: user for user in await session.scalars(query)}


def unit_names(user: User) -> set[str]:
    return {unit.name for unit in user.units}


async def test_good_table_makes_users_without_chat_accounts(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, tmp_path: Path
) -> None:
    changes = await load(session_factory, write(tmp_path, TABLE), clock)
    assert [user.name for user in changes.added] == [
        "Nguyễn Văn An",
        "Hoàng Thị Bích",
        "Lê Văn Cường",
    ]
    assert (changes.updated, changes.unchanged, changes.absent) == ([], 0, [])
    users = await table_users(session_factory)
    an, bich, cuong = users["Nguyễn Văn An"], users["Hoàng Thị Bích"], users["Lê Văn Cường"]
    assert (an.role, an.position) == (Role.OFFICIAL, "Phó Chủ tịch UBND huyện")
    assert unit_names(an) == {"Định Biên", "Bảo Linh", "Phượng Tiến"}
    assert (bich.role, unit_names(bich)) == (Role.COMMUNE, {"Bảo Linh"})
    assert (cuong.role, unit_names(cuong), cuong.position) == (
        Role.DISTRICT,
        set(),
        "Chủ tịch UBMTTQ huyện",
    )
    assert all(user.identities == [] and user.revoked_at is None for user in users.values())


async def test_english_headers_in_a_workbook(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Assignment table, Định Hóa district"])  # a title above the header
    sheet.append(["person", "position", "role", "communes"])
    sheet.append(["Trần Văn Dũng", "Ủy viên BTV Huyện ủy", "official", "Kim Phượng, Quy Kỳ"])
    path = tmp_path / "assignments.xlsx"
    book.save(path)
    changes = await load(session_factory, path, clock)
    [dung] = changes.added
    users = await table_users(session_factory)
    assert unit_names(users[dung.name]) == {"Kim Phượng", "Quy Kỳ"}


async def test_reimport_updates_by_name_and_position_and_lists_the_absent(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, tmp_path: Path
) -> None:
    await load(session_factory, write(tmp_path, TABLE), clock)
    before = await table_users(session_factory)
    again = """họ tên,chức vụ,vai trò,xã
Nguyễn Văn An,Phó Chủ tịch UBND huyện,official,Định Biên; Bảo Cường
HOÀNG THỊ BÍCH,chủ tịch ubnd xã,commune,Bảo Linh
Đinh Thị Hoa,Chủ tịch UBND xã,commune,Định Biên
"""
    changes = await load(session_factory, write(tmp_path, again, "lan-2.csv"), clock)
    assert [user.name for user in changes.added] == ["Đinh Thị Hoa"]
    assert [user.name for user in changes.updated] == ["Nguyễn Văn An", "HOÀNG THỊ BÍCH"]
    assert [user.name for user in changes.absent] == ["Lê Văn Cường"]
    after = await table_users(session_factory)
    an = after["Nguyễn Văn An"]
    assert an.id == before["Nguyễn Văn An"].id
    assert unit_names(an) == {"Định Biên", "Bảo Cường"}
    assert after["HOÀNG THỊ BÍCH"].id == before["Hoàng Thị Bích"].id  # spelling follows the file
    assert after["Lê Văn Cường"].revoked_at is None  # kept: a file never disables anyone
    changes = await load(session_factory, write(tmp_path, again, "lan-3.csv"), clock)
    assert (changes.added, changes.updated, changes.unchanged) == ([], [], 3)


async def test_every_bad_row_is_listed_by_line_and_nothing_is_stored(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, tmp_path: Path
) -> None:
    bad = """họ tên,chức vụ,vai trò,xã
Nguyễn Văn An,Phó Chủ tịch UBND huyện,official,Định Biên; Hà Nội
Hoàng Thị Bích,Chủ tịch UBND xã,commune,Bảo Linh
Hoàng Thị Bích,Chủ tịch UBND xã,official,Bảo Cường
,Bí thư Đảng ủy xã,official,Phú Đình
Lò Văn Hải,Phó Bí thư Huyện ủy,trưởng đoàn,Điềm Mặc
Ma Văn Khánh,Chủ tịch UBND xã,commune,Sơn Phú; Bình Thành
Lê Văn Cường,Chủ tịch UBMTTQ huyện,district,Trung Hội
Đặng Văn Long,,official,Thanh Định
Mạc Văn Minh,Ủy viên BCH Huyện ủy,official,Chợ Chu
Hà Thị Nga,Ủy viên BCH Huyện ủy,official,
Tô Văn Phúc,Ủy viên BCH Huyện ủy,,Bảo Linh
"""
    with pytest.raises(AssignmentFileError) as refused:
        await load(session_factory, write(tmp_path, bad), clock)
    assert refused.value.problems == [
        "Dòng 2: không có xã «Hà Nội» trong danh sách đơn vị; xin kiểm tra tên xã "
        "(hoặc nạp danh sách trước: tallybot roster import).",
        "Dòng 4: Hoàng Thị Bích đã có ở dòng 3 với vai trò commune, dòng này lại ghi official; "
        "mỗi người chỉ có một vai trò.",
        "Dòng 5, cột «họ tên»: chưa điền họ tên.",
        "Dòng 6, cột «vai trò»: «trưởng đoàn» không phải vai trò; ghi official (lãnh đạo phụ "
        "trách), commune (cán bộ xã) hoặc district (cán bộ huyện).",
        "Dòng 7: Ma Văn Khánh là cán bộ xã (commune) nên chỉ theo dõi một xã, tệp lại ghi: "
        "Sơn Phú, Bình Thành.",
        "Dòng 8: Lê Văn Cường là cán bộ huyện (district), theo dõi toàn huyện: xin để trống "
        "cột xã.",
        "Dòng 9, cột «chức vụ»: chưa điền chức vụ.",
        "Dòng 10: xã «Chợ Chu» không tham gia khảo sát nên không phân công phụ trách được.",
        "Dòng 11: Hà Thị Nga là lãnh đạo phụ trách (official) nhưng chưa ghi xã nào.",
        "Dòng 12, cột «vai trò»: chưa điền vai trò; ghi official (lãnh đạo phụ trách), "
        "commune (cán bộ xã) hoặc district (cán bộ huyện).",
    ]
    async with session_factory() as session:
        assert await assigned_people(session) == []


async def test_a_missing_column_is_named(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, tmp_path: Path
) -> None:
    with pytest.raises(AssignmentFileError) as refused:
        await load(session_factory, write(tmp_path, "họ tên,xã\nNguyễn Văn An,Định Biên\n"), clock)
    assert refused.value.problems == [
        "Thiếu cột «chức vụ» (hoặc «position»).",
        "Thiếu cột «vai trò» (hoặc «role»).",
    ]


async def test_a_named_person_registers_with_a_code_for_their_user(
    session_factory: Sessions, loaded: Campaign, clock: SimulatedClock, tmp_path: Path
) -> None:
    changes = await load(session_factory, write(tmp_path, TABLE), clock)
    an = changes.added[0]
    async with session_factory() as session:
        invite = await create_user_invite(session, an.id, clock.now(), days=14)
        user = await redeem_invite(
            session,
            invite.code,
            channel="telegram",
            external_id="9001",
            chat_id="9001",
            display_name="An Nguyen",
            now=clock.now(),
        )
    assert (user.id, user.name, user.role) == (an.id, "Nguyễn Văn An", Role.OFFICIAL)
    async with session_factory() as session:
        people = {person.name: person for person in await assigned_people(session)}
        bao_linh = await find_commune(session, "Bảo Linh")
        responsible = await responsible_officials(session)
    assert people["Nguyễn Văn An"].has_account
    assert not people["Hoàng Thị Bích"].has_account
    assert responsible[bao_linh.id] == ("Nguyễn Văn An (Phó Chủ tịch UBND huyện)",)
