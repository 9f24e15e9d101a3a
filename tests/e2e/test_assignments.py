"""Who answers for which commune (issue 12): `/phancong` for district staff, and the alerts
that name a commune's responsible officials, after the admin loaded the assignment table."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.alerts import check_alerts
from reporting.assignments import import_assignments
from reporting.imports.assignment_file import parse_assignments
from reporting.people import create_user_invite
from reporting.storage.models import AlertLog, Role
from reporting.units import communes

TABLE = """họ tên,chức vụ,vai trò,xã
Nguyễn Văn An,Phó Chủ tịch UBND huyện,lãnh đạo phụ trách,Định Biên; Bảo Linh
Trần Thị Bình,Ủy viên BTV Huyện ủy,lãnh đạo phụ trách,Định Biên
Hoàng Văn Chung,Chủ tịch UBND xã,cán bộ xã,Bảo Linh
Lê Văn Cường,Chủ tịch UBMTTQ huyện,cán bộ huyện,
"""
DINH_BIEN = {
    "Xóm Tân Vàng": 65,
    "Xóm Đồng Chú": 73,
    "Xóm Thẩm Kè": 84,
    "Xóm Nà Què": 64,
    "Xóm Bản Mới": 61,
    "Xóm Đồng Đau": 112,
    "Xóm Khuôn Câm": 69,
    "Xóm Bản Trang": 142,
    "Xóm Khuổi Luông": 119,
    "Xóm Pác Nhàng": 72,
    "Xóm Đồng Ẻn": 76,
}
PHANCONG = """👥 Phân công phụ trách — 16:00 ngày 28/01/2024

👤 Nguyễn Văn An — Phó Chủ tịch UBND huyện
   Bảo Linh: ⚠️ Có nguy cơ không đạt, hộ tham gia 1,02 %
   Định Biên: 🟢 Đúng tiến độ, hộ tham gia 66,40 %

👤 Hoàng Văn Chung — Chủ tịch UBND xã
   Bảo Linh: ⚠️ Có nguy cơ không đạt, hộ tham gia 1,02 %
   ✉️ Chưa mở bot

👤 Trần Thị Bình — Ủy viên BTV Huyện ủy
   Định Biên: 🟢 Đúng tiến độ, hộ tham gia 66,40 %
   ✉️ Chưa mở bot

👤 Lê Văn Cường — Chủ tịch UBMTTQ huyện
   Theo dõi toàn huyện
   ✉️ Chưa mở bot

Chưa mở bot: 3/4 người — Trần Thị Bình, Hoàng Văn Chung, Lê Văn Cường."""


async def load_table(chat, tmp_path: Path) -> dict[str, int]:
    """Loads the table as `tallybot assignments import` does; returns user ids by name."""
    path = tmp_path / "phan-cong.csv"
    path.write_text(TABLE, encoding="utf-8")
    async with chat.reading() as session:
        people = parse_assignments(path, await communes(session))
        changes = await import_assignments(session, people, chat.clock.now())
    return {user.name: user.id for user in changes.added}


async def opens_the_bot(chat, user_id: int, name: str):
    """The person redeems the code `tallybot invite --user` made for them; returns them."""
    async with chat.reading() as session:
        invite = await create_user_invite(session, user_id, chat.clock.now(), days=14)
    person = chat.user(name)
    replies = await chat.say(person, f"/start {invite.code}")
    assert replies[0].text.startswith("✅ Đăng ký xong!"), [r.text for r in replies]
    return person


@pytest.fixture
async def assigned(chat, tmp_path: Path):
    """Định Biên on track, Bảo Linh at risk; the table loaded; Nguyễn Văn An in the bot."""
    for hamlet, households in DINH_BIEN.items():
        forms = math.ceil(households * 0.7)
        await chat.store(f"Định Biên/{hamlet}", forms, forms)
    await chat.store("Bảo Linh/Xóm Bản Lanh", 10, 5)
    ids = await load_table(chat, tmp_path)
    await opens_the_bot(chat, ids["Nguyễn Văn An"], "An Nguyen")
    return chat


async def test_district_staff_see_who_answers_for_which_commune(assigned) -> None:
    chat = assigned
    staff = await chat.register(Role.DISTRICT)
    for command in ("/phancong", "/assignments"):
        parts = await chat.say(staff, command)
        assert "\n".join(part.text for part in parts) == PHANCONG


async def test_phancong_is_refused_to_a_hamlet_leader_and_an_official(assigned) -> None:
    chat = assigned
    leader = await chat.register(Role.HAMLET, chat.hamlet)
    official = await chat.register(Role.OFFICIAL, "Định Biên")
    for person in (leader, official):
        [refused] = await chat.say(person, "/phancong")
        assert refused.text == (
            "Lệnh /phancong không dành cho vai trò của bạn. "
            "Gõ /help để xem các lệnh bạn dùng được."
        )


async def test_a_worse_verdict_names_the_communes_officials(assigned) -> None:
    chat = assigned
    staff = await chat.register(Role.DISTRICT)
    assert await check_alerts(chat.core, scheduled_too=False) == 0  # first sight: remembered
    forms = math.ceil(DINH_BIEN["Xóm Đồng Đau"] * 0.7)
    await chat.store("Định Biên/Xóm Đồng Đau", forms, [forms] * 9 + [0])  # Q10 falls
    chat.clock.set(chat.now + timedelta(minutes=1))
    assert await check_alerts(chat.core, scheduled_too=False) > 0
    user = await chat.account(staff)
    assert user is not None
    async with chat.reading() as session:
        query = select(AlertLog.text).where(AlertLog.user_id == user.id).order_by(AlertLog.id)
        texts = list(await session.scalars(query))
    assert texts == [
        "🚨 Định Hóa — câu 10: ✅ Đạt → ⚠️ Có nguy cơ không đạt. Hiện 87,50 % (ngưỡng 95 %) — "
        "câu 10 cần thêm 1.008 phiếu hài lòng để đạt 95 %.",
        "🚨 Định Biên — câu 10: ✅ Đạt → ❌ Không đạt. Hiện 88,07 % (ngưỡng 95 %) — câu 10 "
        "không thể đạt 95 % (không còn đủ hộ chưa góp ý).\n"
        "Phụ trách: Nguyễn Văn An (Phó Chủ tịch UBND huyện); Trần Thị Bình (Ủy viên BTV "
        "Huyện ủy).",
    ]
