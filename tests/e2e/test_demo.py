"""The main job: `tallybot demo` plays the whole campaign through the real bot (SPEC §6.3), from
the launch conference's assignment table and invite slips to the report to the province."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pypdfium2
import pytest
from docx import Document
from qr_pages import read_pages
from sqlalchemy import func, select

from bot.demo.cast import CHAT_COMMUNES, ZALO_COMMUNES, assignment_table, overseers
from bot.demo.runner import play_demo
from bot.localapi import ZaloFakeUser
from reporting.i18n import fmt_count, text
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Identity, Invite, OutboxMessage, Role, Tally, Unit, User

PNG = b"\x89PNG\r\n\x1a\n"


async def test_the_demo_plays_the_campaign_and_every_message_is_delivered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = await play_demo(tmp_path)

    printed = capsys.readouterr().out
    assert printed.startswith("Đang chơi chiến dịch qua chat: 8 ngày thu phiếu (27/01/2024–")
    assert f"kết quả sẽ ghi vào {tmp_path}/" in printed.splitlines()[0]
    day_lines = [line for line in printed.splitlines() if line.startswith("Ngày ")]
    days = demo.campaign.collection_days
    assert [line.split(":")[0] for line in day_lines] == [
        f"Ngày {number}/8 ({day:%d/%m})" for number, day in enumerate(days, start=1)
    ]
    assert all(line.endswith("tin cảnh báo tính đến nay.") for line in day_lines), day_lines
    assert printed.index(day_lines[-1]) < printed.index(demo.campaign.name + "\n")
    assert "bot khởi động lại 1 lần giữa chừng" in printed
    assert "0 tin còn chờ, 0 tin không gửi được." in printed
    for name in ("transcript.txt", "status.txt", "summary.json", "tong-hop.xlsx", "niem-yet.pdf"):
        assert (tmp_path / name).stat().st_size > 0, name
    transcript = (tmp_path / "transcript.txt").read_text(encoding="utf-8")
    assert text("chat.error") not in transcript
    assert "✅ Đã lưu báo cáo" in transcript
    events = [line for line in transcript.splitlines() if line.startswith("[20")]
    channels_shown = Counter(line[22:].split("] ")[0] + "]" for line in events)
    assert set(channels_shown) == {"[Telegram]", "[Zalo]"}, channels_shown
    zalo = [line for line in events if line[22:].startswith("[Zalo] ")]
    assert any(line.endswith(("→ bot (text): Gửi", "→ bot (text): 1")) for line in zalo)
    assert any("← bot (photo): " in line for line in zalo)
    figures = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))

    # The conference: the illustrative assignment table, then the slips everyone registers with.
    table = tmp_path / "phan-cong-minh-hoa.csv"
    assert f"họ tên chỉ để minh họa) từ {table}" in printed
    assert table.read_text(encoding="utf-8-sig").startswith("họ tên,chức vụ,vai trò,xã\n")
    people = assignment_table(overseers())
    [slips_line] = [line for line in printed.splitlines() if line.startswith("In ")]
    count = int(slips_line.split()[1])
    pages = -(-count // 6)
    assert slips_line.startswith(f"In {count} phiếu mời đăng ký có mã QR ({pages} trang A4) vào ")
    assert slips_line.split(" vào ")[1].startswith(f"{tmp_path / 'phieu-moi.pdf'};")
    slips = (tmp_path / "phieu-moi.pdf").read_bytes()
    assert len(pypdfium2.PdfDocument(slips)) == pages
    read = [r.text for page in read_pages(slips) for r in page if "t.me/" in r.text]
    printed_codes = {link.split("?start=")[1] for link in read}
    assert len(printed_codes) == count
    # The day lines follow the conference's.
    assert printed.index(slips_line) < printed.index(day_lines[0])

    # The end: the district's report, read back, holds the summary's district figures.
    [report_line] = [line for line in printed.splitlines() if "báo cáo của huyện" in line]
    report = Path(report_line.split(" vào ")[1])
    assert report.parent == tmp_path
    assert report.name == f"bao-cao-{figures['as_of']}.docx"
    document = Document(str(report))
    results = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    district, *communes = [[cell.text for cell in row.cells] for row in results.rows[1:]]
    assert district[1:4] == [
        "Toàn huyện",
        fmt_count(figures["district"]["households"]),
        fmt_count(figures["district"]["collected"]),
    ]
    by_name = {commune["name"]: commune for commune in figures["communes"]}
    assert {row[1] for row in communes} == set(by_name)
    for row in communes:
        assert row[3] == fmt_count(by_name[row[1]]["collected"]), row

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'tallybot.db'}")
    try:
        async with sessions(engine)() as session:
            states = dict(
                (
                    await session.execute(
                        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
                    )
                ).all()
            )
            collected = await session.scalar(select(func.sum(Tally.collected)))
            alerts = await session.scalar(
                select(func.count()).where(OutboxMessage.alert_id.is_not(None))
            )
            channels = dict(
                (
                    await session.execute(
                        select(Tally.channel, func.count(func.distinct(Unit.parent_id)))
                        .join(Unit, Unit.id == Tally.hamlet_id)
                        .group_by(Tally.channel)
                    )
                ).all()
            )
            zalo_hamlets = select(Tally.hamlet_id).where(Tally.channel == "zalo")
            communes_on_zalo = set(
                await session.scalars(
                    select(Unit.name).where(
                        Unit.id.in_(select(Unit.parent_id).where(Unit.id.in_(zalo_hamlets)))
                    )
                )
            )
            invites = {
                code: user_id
                for code, user_id in await session.execute(select(Invite.code, Invite.user_id))
            }
            named = dict(
                (
                    await session.execute(
                        select(User.name, func.count(Identity.id))
                        .outerjoin(Identity, Identity.user_id == User.id)
                        .where(User.position.is_not(None))
                        .group_by(User.name)
                    )
                ).all()
            )
            chat_hamlets = await session.scalar(
                select(func.count())
                .select_from(Unit)
                .where(Unit.parent_id.in_(select(Unit.id).where(Unit.name.in_(CHAT_COMMUNES))))
            )
    finally:
        await engine.dispose()
    assert set(states) == {"sent"}
    # Every code was made for a slip: one per hamlet of the chat communes and one per person
    # of the table; the people who play redeemed theirs, the others never opened the bot.
    assert printed_codes == set(invites)
    assert count == chat_hamlets + len(people)
    assert sum(user_id is not None for user_id in invites.values()) == len(people)
    assert set(named) == {name for name, *_ in people}
    assert {name for name, accounts in named.items() if accounts} == {a.name for a in overseers()}
    assert f"Bot tự gửi {alerts} tin cảnh báo" in printed
    assert states["sent"] > 1000
    assert figures["district"]["collected"] == collected

    # Leaders of two communes reported on Zalo, the rest through Telegram (and paper).
    assert communes_on_zalo == set(ZALO_COMMUNES)
    assert channels["zalo"] == len(ZALO_COMMUNES)
    assert channels["telegram"] >= 4
    # The official on Zalo read the status and got the charts as pictures Zalo fetched from
    # the bot's links.
    [official] = [
        chat
        for actor, chat in demo.chats()
        if isinstance(chat, ZaloFakeUser) and actor.role == Role.OFFICIAL
    ]
    assert any(message.text.startswith("📊") for message in official.inbox), official.inbox[0]
    photos = [message for message in official.inbox if message.kind == "photo"]
    assert len(photos) == 2
    assert all(photo.photo is not None and photo.photo.startswith(PNG) for photo in photos)
