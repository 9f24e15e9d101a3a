"""Answers for officials (SPEC §3.3): `/status`, `/status <commune>`, `/missing`, and `/mine`."""

from __future__ import annotations

import math

import pytest

from reporting.storage.models import Role

DINH_BIEN = {
    "Xóm Nà Mỏ": 60,
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
LIMITS = {"telegram": 4096, "zalo": 2000}  # characters in a message; in-process has no limit
HEADING = "📊 Tình hình lúc 16:00 ngày 28/01/2024 (ngày thu phiếu 2/8)"
BAO_LINH_BLOCK = (
    "⚠️ Bảo Linh\n"
    "Hộ tham gia: 10/979 hộ (1,02 %) ⚠️ — cần thêm 676 hộ để đạt 70 %\n"
    "Câu thấp nhất: câu 1 (Quy hoạch) 50,00 % ⚠️ — câu 1 cần thêm 15 phiếu hài lòng để đạt 80 %\n"
    "Bình quân câu 1–9: 50,00 % ⚠️ · Câu 10: 50,00 % ⚠️\n"
    "  bình quân câu 1–9 cần thêm 40 phiếu hài lòng để đạt 90 %\n"
    "  câu 10 cần thêm 90 phiếu hài lòng để đạt 95 %\n"
    "Số xóm đã báo cáo hôm nay: 1/12 · chưa xác nhận"
)
DINH_BIEN_BLOCK = (
    "🟢 Định Biên\n"
    "Hộ tham gia: 662/997 hộ (66,40 %) 🟢 — cần thêm 36 hộ để đạt 70 %\n"
    "Câu thấp nhất: câu 1 (Quy hoạch) 100,00 % ✅\n"
    "Bình quân câu 1–9: 100,00 % ✅ · Câu 10: 100,00 % ✅\n"
    "Số xóm đã báo cáo hôm nay: 11/12 · chưa xác nhận"
)


def whole(chat, parts) -> str:
    """Returns an answer as one text, checking it came in parts under the channel's limit."""
    limit = LIMITS.get(chat.channel)
    assert parts
    if limit is None:
        assert len(parts) == 1, "the in-process channel shows a row whole"
    assert all(len(part.text) <= (limit or len(part.text)) for part in parts)
    return "\n".join(part.text for part in parts)


@pytest.fixture
async def reported(chat):
    """Today: Định Biên's hamlets but Nà Mỏ at 70 %, all satisfied; Bảo Linh's Bản Lanh 10/5."""
    bot = chat
    for hamlet, households in DINH_BIEN.items():
        if hamlet != "Xóm Nà Mỏ":
            forms = math.ceil(households * 0.7)
            await bot.store(f"Định Biên/{hamlet}", forms, forms)
    await bot.store("Bảo Linh/Xóm Bản Lanh", 10, 5)
    return bot


async def test_official_status_shows_assigned_communes_worst_first(reported) -> None:
    bot = reported
    official = await bot.register(Role.OFFICIAL, "Định Biên", "Bảo Linh")
    for command in ("/status", "/tinhhinh"):
        [answer] = await bot.say(official, command)
        assert answer.text == f"{HEADING}\n\n{BAO_LINH_BLOCK}\n\n{DINH_BIEN_BLOCK}"
        assert "Định Hóa" not in answer.text
        assert "Bảo Cường" not in answer.text


async def test_district_status_puts_the_district_first_and_splits_under_the_limit(
    reported,
) -> None:
    bot = reported
    staff = await bot.register(Role.DISTRICT)
    parts = await bot.say(staff, "/status")
    whole_text = whole(bot, parts)
    if bot.channel in LIMITS:
        assert len(parts) >= 2
    first = parts[0].text.split("\n\n")
    assert first[0] == HEADING
    assert first[1].startswith("⚠️ Định Hóa\nHộ tham gia: 672/25.978 hộ (2,59 %) ⚠️")
    assert first[1].endswith("Số xóm đã báo cáo hôm nay: 12/303")
    lines = whole_text.splitlines()
    titles = [line for n, line in enumerate(lines[:-1]) if lines[n + 1].startswith("Hộ tham gia")]
    communes = [title.split(" ", 1)[1] for title in titles[1:]]
    assert len(communes) == 22  # every surveyed commune, once; Chợ Chu (thị trấn) is not
    assert len(set(communes)) == 22
    assert "Chợ Chu" not in whole_text
    assert communes[-1] == "Định Biên"  # the only one on track: the best comes last
    assert "\n".join(BAO_LINH_BLOCK.splitlines()[1:]) in whole_text


async def test_status_of_a_commune_typed_without_diacritics_in_detail(reported) -> None:
    bot = reported
    official = await bot.register(Role.OFFICIAL, "Định Biên", "Bảo Linh")
    parts = await bot.say(official, "/status dinh bien")
    answer = whole(bot, parts)
    lines = answer.splitlines()
    assert lines[:6] == [HEADING, *DINH_BIEN_BLOCK.splitlines()]
    assert lines[6:8] == ["", "Từng câu hỏi (số phiếu hài lòng, tỷ lệ):"]
    assert lines[8] == "Câu 1 (Quy hoạch): 662 · 100,00 % ✅"
    assert lines[17] == (
        "Câu 10 (Hài lòng chung / đề nghị công nhận huyện đạt chuẩn nông thôn mới): "
        "662 · 100,00 % ✅"
    )
    assert lines[18:20] == ["", "Các xóm (số phiếu thu/số hộ):"]
    hamlets = lines[20:]
    assert len(hamlets) == 12
    assert hamlets[0] == "✖️ Xóm Nà Mỏ: 0/60 (0,00 %) — hôm nay chưa báo cáo"
    assert "✔️ Xóm Bản Trang: 100/142 (70,42 %)" in hamlets
    same = whole(bot, await bot.say(official, "/tinhhinh ĐỊNH   BIÊN"))
    assert same == answer
    chair = await bot.register(Role.COMMUNE, "Bảo Linh")
    detail = whole(bot, await bot.say(chair, "/status bao linh"))
    assert "Câu 4 (Điện): 5 · 50,00 % ⚠️ — câu 4 cần thêm 15 phiếu hài lòng để đạt 80 %" in (detail)
    assert "✔️ Xóm Bản Lanh: 10/64 (15,63 %)" in detail


async def test_status_outside_the_assignment_is_refused(reported) -> None:
    bot = reported
    official = await bot.register(Role.OFFICIAL, "Định Biên", "Bảo Linh")
    [refused] = await bot.say(official, "/status bao cuong")
    assert refused.text == "Bảo Cường không thuộc các xã bạn phụ trách."
    [refused] = await bot.say(official, "/missing Bảo Cường")
    assert refused.text == "Bảo Cường không thuộc các xã bạn phụ trách."
    [unknown] = await bot.say(official, "/status Hà Nội")
    assert unknown.text == "Không tìm thấy xã «Hà Nội»."
    chair = await bot.register(Role.COMMUNE, "Định Biên")
    [refused] = await bot.say(chair, "/status bao linh")
    assert refused.text == "Bảo Linh không thuộc các xã bạn phụ trách."
    [own] = await bot.say(chair, "/status")
    assert own.text == f"{HEADING}\n\n{DINH_BIEN_BLOCK}"


async def test_missing_lists_hamlets_without_todays_tally(reported) -> None:
    bot = reported
    official = await bot.register(Role.OFFICIAL, "Định Biên", "Bảo Linh")
    [missing] = await bot.say(official, "/missing")
    heading, bao_linh, dinh_bien = missing.text.splitlines()
    assert heading == "📭 Các xóm chưa báo cáo ngày 28/01/2024:"
    assert bao_linh.startswith("Bảo Linh (11/12 xóm): Xóm Bản Cọ, Xóm Bản Vèn, ")
    assert "Xóm Bản Lanh" not in bao_linh
    assert dinh_bien == "Định Biên (1/12 xóm): Xóm Nà Mỏ"
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    await bot.say(leader, "/report 40 40 40 40 40 40 40 40 40 40 40")
    [missing] = await bot.say(official, "/chuabaocao dinh bien")
    assert missing.text.splitlines() == [
        "📭 Các xóm chưa báo cáo ngày 28/01/2024:",
        "Định Biên: tất cả 12 xóm đã báo cáo ✅",
    ]
    # yesterday's tallies do not count for today
    bot.clock.set(bot.now.replace(day=29))
    [missing] = await bot.say(official, "/missing dinh bien")
    assert missing.text.splitlines()[1].startswith("Định Biên (12/12 xóm): ")


async def test_mine_tells_the_leader_whether_today_is_reported(chat) -> None:
    bot = chat
    await bot.store(bot.hamlet, 20, 18, day=bot.today.replace(day=27))
    leader = await bot.register(Role.HAMLET, bot.hamlet)
    [mine] = await bot.say(leader, "/xomtoi")
    assert mine.text == (
        "🏠 Xóm Nà Mỏ (xã Định Biên)\n"
        "Cộng dồn: 20/60 hộ đã góp ý (33,33 %).\n"
        "Câu thấp nhất: câu 1 (Quy hoạch) 90,00 %.\n"
        "Hôm nay (28/01): chưa báo cáo. Gõ /report để gửi."
    )
