"""The bundled campaigns beside Định Hóa's (SPEC §2.4, issue 14): a commune campaign of 19
questions and the "advanced" district campaign, each played as its users would, on Telegram
over HTTP and on Zalo (the in-process client): one-line and guided tallies, a tally file,
`/status` with what each commune still needs, and the exports and charts.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from backends import Database
from openpyxl import load_workbook

from bot.alerts import check_alerts
from reporting.campaign import Campaign
from reporting.campaign_store import store_campaign
from reporting.exports.json_csv import summary_csv, summary_json
from reporting.imports.roster_file import parse_roster
from reporting.imports.roster_store import import_roster
from reporting.imports.tally_file import parse_tally_file
from reporting.imports.tally_store import import_tallies
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Role
from reporting.summaries import summarize
from tests.e2e.conftest import E2E, InProcess, in_process, running_bot

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DATA = resources.files("reporting").joinpath("data")
NINETEEN = "campaign_xa_19_cau.toml"
ADVANCED = "campaign_nang_cao.toml"
VILLAGE = "Bắc Sơn/Thôn Đồng Tâm"  # 86 households
ON_DAY_TWO = {
    NINETEEN: datetime(2025, 3, 12, 16, 0, tzinfo=ZONE),
    ADVANCED: datetime(2024, 1, 28, 16, 0, tzinfo=ZONE),
}
ROSTER = {NINETEEN: "roster_xa_minh_hoa.csv", ADVANCED: "dinh_hoa_roster.csv"}


async def _load(database: Database, name: str) -> Campaign:
    """Loads a bundled campaign and its roster, as `tallybot init` and `roster import` do."""
    source = DATA.joinpath(name).read_text(encoding="utf-8")
    rows = parse_roster(Path(str(DATA.joinpath(ROSTER[name]))))
    engine = create_engine(database.url)
    try:
        async with sessions(engine)() as session:
            campaign = await store_campaign(session, source, name, ON_DAY_TWO[name])
            await session.commit()
            await import_roster(session, rows, campaign.district, ON_DAY_TWO[name])
    finally:
        await engine.dispose()
    return campaign


async def _playing(database: Database, name: str, channel: str) -> AsyncIterator[InProcess | E2E]:
    await _load(database, name)
    if channel == "telegram":
        async with running_bot(database, ON_DAY_TWO[name]) as bot:
            yield bot
        return
    async with in_process(database, ON_DAY_TWO[name], channel) as chat:
        yield chat


def _received(bot, person) -> list[str]:
    """Returns the texts of everything the bot sent the person, replies and alerts alike."""
    inbox = bot.inbox(person) if isinstance(bot, InProcess) else person.inbox
    return [message.text for message in inbox]


async def _alerts_at(bot, hour: int, minute: int = 0) -> None:
    """Runs the alert check of that minute of day two, as the timer would, and delivers."""
    bot.clock.set(ON_DAY_TWO[NINETEEN].replace(hour=hour, minute=minute))
    await check_alerts(bot.core, scheduled_too=True)
    await bot.core.deliver_now()


@pytest.fixture(params=["zalo", "telegram"])
async def nineteen(request: pytest.FixtureRequest, database: Database) -> AsyncIterator[object]:
    """The 19-question commune campaign of Xã Minh Hòa, on Zalo and on Telegram."""
    async for bot in _playing(database, NINETEEN, request.param):
        yield bot


@pytest.fixture(params=["zalo", "telegram"])
async def advanced(request: pytest.FixtureRequest, database: Database) -> AsyncIterator[object]:
    """The advanced district campaign on the Định Hóa sample, on Zalo and on Telegram."""
    async for bot in _playing(database, ADVANCED, request.param):
        yield bot


def _document(bot, reply) -> bytes:
    """Returns a file's bytes: sent as a document on Telegram, a link on Zalo."""
    if bot.channel == "zalo":
        return bot.download(reply.text.splitlines()[-1])
    assert reply.data is not None
    return reply.data


async def test_a_village_leader_reports_nineteen_answers_in_one_line(nineteen) -> None:
    bot = nineteen
    leader = await bot.register(Role.HAMLET, VILLAGE, name="Ma Văn Tâm")
    answers = " ".join(["30"] * 18 + ["29"])

    [short] = await bot.say(leader, "/baocao 30 " + " ".join(["30"] * 10))
    assert short.text.startswith("Báo cáo một dòng cần 20 hoặc 21 số (vừa có 11 số):\n")
    assert "/baocao PHIẾU_THU C1 … C19 — ví dụ: /baocao 45 44 43" in short.text
    assert await bot.tallies(VILLAGE) == []

    [saved] = await bot.say(leader, f"/baocao 30 {answers}")
    assert saved.text == (
        "✅ Đã lưu báo cáo ngày 12/03/2025 của Thôn Đồng Tâm.\n"
        "Cộng dồn: 30/86 hộ đã góp ý (34,88 %).\n"
        "Câu thấp nhất: câu 1 (Quy hoạch) 100,00 %."
    )
    [tally] = await bot.tallies(VILLAGE)
    assert list(tally.satisfied) == [30] * 18 + [29]


async def test_the_guided_tally_asks_all_nineteen_questions(nineteen) -> None:
    bot = nineteen
    leader = await bot.register(Role.HAMLET, VILLAGE, name="Ma Văn Tâm")
    await bot.say(leader, "/baocao")
    await bot.say(leader, "20")
    [first] = await bot.say(leader, "0")
    assert first.text.startswith("Câu 1/19 — Quy hoạch: bao nhiêu phiếu hài lòng? (từ 0 đến 20)")
    for number in range(1, 19):
        [asked] = await bot.say(leader, str(20 - number % 3))
        assert asked.text.startswith(f"Câu {number + 1}/19 — ")
    assert "Hài lòng chung về kết quả xây dựng nông thôn mới của xã" in asked.text
    await bot.say(leader, "18")
    [summary] = await bot.say(leader, "Bỏ qua")
    assert "Câu 19 (Hài lòng chung về kết quả xây dựng nông thôn mới của xã): 18 hài lòng" in (
        summary.text
    )
    await bot.say(leader, "Gửi")
    [tally] = await bot.tallies(VILLAGE)
    assert list(tally.satisfied) == [20 - number % 3 for number in range(1, 19)] + [18]


async def test_status_and_exports_follow_the_nineteen_questions(nineteen, tmp_path: Path) -> None:
    bot = nineteen
    # criterion 18 at 71,43 %, question 19 at 85,71 %
    await bot.store(VILLAGE, 70, [70] * 17 + [50, 60], day=ON_DAY_TWO[NINETEEN].date())
    staff = await bot.register(Role.DISTRICT, name="Chủ tịch MTTQ xã")

    [status] = await bot.say(staff, "/status Bắc Sơn")
    assert "Câu thấp nhất: câu 18 (Hệ thống chính trị, quốc phòng, an ninh và tiếp cận" in (
        status.text
    )
    assert "Bình quân câu 1–18: 98,41 % ✅ · Câu 19: 85,71 % ⚠️" in status.text
    assert "câu 19 cần thêm" in status.text
    assert "Câu 19 (Hài lòng chung về kết quả xây dựng nông thôn mới của xã): 60" in status.text

    [workbook] = await bot.say(staff, "/xuatfile")
    book = load_workbook(io.BytesIO(_document(bot, workbook)), read_only=True)
    sheet = book.worksheets[0]
    headers = [cell for row in sheet.iter_rows(max_row=5, values_only=True) for cell in row]
    assert "Câu 19. Hài lòng chung về kết quả xây dựng nông thôn mới của xã" in headers
    assert "Bình quân câu 1–18" in headers

    async with bot.reading() as session:  # what `tallybot export --format json|csv` writes
        summary = await summarize(session, bot.campaign, bot.clock.now())
    district = json.loads(json.dumps(summary_json(summary)))["district"]
    csv_header = summary_csv(summary).splitlines()[0].split(",")
    assert csv_header[8:27] == [f"q{n}" for n in range(1, 20)]
    assert csv_header[-5:] == [
        "verdict_participation",
        "verdict_question_min",
        "verdict_average",
        "verdict_overall",
        "confirmed",
    ]
    assert list(district["satisfied"]) == [str(n) for n in range(1, 20)]
    assert district["satisfied"]["18"] == 50
    assert set(district["verdicts"]) == {"participation", "question_min", "average", "overall"}

    charts = await bot.say(staff, "/bieudo Bắc Sơn")
    assert [reply.kind for reply in charts] == ["photo", "photo"]
    # the district's: participation, questions, pace, and the heat map's 20 columns in two
    district = await bot.say(staff, "/bieudo")
    assert [reply.kind for reply in district] == ["photo"] * 5


async def test_village_and_cluster_people_read_thon_and_cum_never_xom(nineteen) -> None:
    bot = nineteen
    leader = await bot.register(Role.HAMLET, VILLAGE, name="Ma Văn Tâm")
    cluster = await bot.register(Role.COMMUNE, "Bắc Sơn", name="Trưởng cụm Bắc Sơn")
    staff = await bot.register(Role.DISTRICT, name="Chủ tịch MTTQ xã")
    await bot.store("Bắc Sơn/Thôn Bình Minh", 40, 40, day=ON_DAY_TWO[NINETEEN].date())

    [mine] = await bot.say(leader, "/xomtoi")
    assert mine.text.startswith("🏠 Thôn Đồng Tâm (cụm Bắc Sơn)\n")
    [helped] = await bot.say(leader, "/trogiup")
    assert "/mine (/xomtoi) — xem số liệu của thôn mình" in helped.text
    [asked] = await bot.say(leader, "/baocao")
    assert "Bước 1: Hôm nay thôn thu về bao nhiêu phiếu? (từ 0 đến 86)" in asked.text
    await bot.say(leader, "/huy")

    [status] = await bot.say(cluster, "/tinhhinh Bắc Sơn")
    assert "Số thôn đã báo cáo hôm nay: 1/3 · chưa xác nhận" in status.text
    assert "\nCác thôn (số phiếu thu/số hộ):\n" in status.text
    [late] = await bot.say(cluster, "/chuabaocao")
    assert late.text == (
        "📭 Các thôn chưa báo cáo ngày 12/03/2025:\n"
        "Bắc Sơn (2/3 thôn): Thôn Đồng Tâm, Thôn Làng Chùa"
    )
    [refused] = await bot.say(cluster, "/tinhhinh Nam Sơn")
    assert refused.text == "Nam Sơn không thuộc các cụm bạn phụ trách."
    [unknown] = await bot.say(cluster, "/tinhhinh Đông Sơn")
    assert unknown.text == "Không tìm thấy cụm «Đông Sơn»."

    await _alerts_at(bot, 17)
    assert _received(bot, leader)[-1] == (
        "🔔 Nhắc việc: hôm nay (12/03) thôn chưa gửi báo cáo. Gõ /baocao để gửi."
    )
    await _alerts_at(bot, 20)
    assert _received(bot, cluster)[-1] == (
        "📭 Bắc Sơn: 2/3 thôn chưa báo cáo ngày 12/03: Thôn Đồng Tâm, Thôn Làng Chùa."
    )
    await _alerts_at(bot, 20, 30)
    digest = _received(bot, staff)[-1]
    assert "\nCác cụm cần chú ý: " in digest
    assert digest.endswith("\nSố thôn chưa báo cáo hôm nay: 8.")

    stranger = bot.user("Người lạ")
    [asked] = await bot.say(stranger, "/start")
    assert asked.text.endswith("mã mời (8 ký tự) mà cán bộ xã đã đưa.")
    [wrong] = await bot.say(stranger, "/start AAAAAAAA")
    assert wrong.text == "Mã mời không đúng. Xin kiểm tra lại mã (8 ký tự) cán bộ xã đã gửi."

    for person in (leader, cluster, staff, stranger):
        said = _received(bot, person)
        assert not [text for text in said if "xóm" in text.lower() or "huyện" in text], said


async def test_a_tally_file_of_the_nineteen_questions_imports_whole(nineteen, tmp_path) -> None:
    bot = nineteen
    header = (
        "xã,xóm,ngày,"
        + "phiếu thu,phiếu không hợp lệ,"
        + ",".join(f"câu {n}" for n in range(1, 20))
    )
    row = "Nam Sơn,Thôn Khe Mát,12/03/2025,40,0," + ",".join(["39"] * 19)
    path = tmp_path / "tallies.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    rows = parse_tally_file(path, len(bot.campaign.questions))
    assert (
        await import_tallies(
            bot.reading, bot.campaign, rows, channel="import", now=bot.clock.now()
        )
        == 1
    )
    [tally] = await bot.tallies("Nam Sơn/Thôn Khe Mát")
    assert list(tally.satisfied) == [39] * 19


async def test_the_advanced_campaign_judges_its_own_thresholds(advanced) -> None:
    bot = advanced
    leader = await bot.register(Role.HAMLET, "Định Biên/Xóm Nà Mỏ", name="Hoàng Văn Bình")
    [saved] = await bot.say(leader, "/baocao 50 48 48 48 48 48 48 48 48 48 49")  # 96 %, 98 %
    assert saved.text.startswith("✅ Đã lưu báo cáo ngày 28/01/2024 của Xóm Nà Mỏ.\n")
    assert "Cộng dồn: 50/60 hộ đã góp ý (83,33 %)." in saved.text
    staff = await bot.register(Role.DISTRICT)

    [status] = await bot.say(staff, "/status Định Biên")
    assert "Hộ tham gia: 50/997 hộ (5,02 %) ⚠️ — cần thêm 868 hộ để đạt 92 %" in status.text
    assert "Bình quân câu 1–9: 96,00 % ✅ · Câu 10: 98,00 % ✅" in status.text
    lowest = next(line for line in status.text.splitlines() if line.startswith("Câu thấp nhất"))
    assert lowest.endswith("(Quy hoạch) 96,00 %")  # no minimum for each question: no mark

    [workbook] = await bot.say(staff, "/xuatfile")
    sheet = load_workbook(io.BytesIO(_document(bot, workbook)), read_only=True).worksheets[0]
    headers = [cell for row in sheet.iter_rows(max_row=5, values_only=True) for cell in row]
    assert "Bình quân câu 1–9 ≥ 95 %" in headers
    assert "Câu 10 ≥ 98 %" in headers
    assert not any(str(header).startswith("Mỗi câu") for header in headers if header)

    charts = await bot.say(staff, "/bieudo Định Biên")
    assert [reply.kind for reply in charts] == ["photo", "photo"]
