"""The district's draft report to the province (issue 12, item 4) from a real migrated database:
python-docx reads it back, and its table holds exactly the summary's figures."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pytest
from backends import Database
from docx import Document
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from reporting.campaign_store import current_campaign
from reporting.exports.report import report_docx, shortfalls, unit_row
from reporting.i18n import fmt_count, fmt_percent
from reporting.recommendations import Recommendation, recommendations
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Confirmation, Level, Unit
from reporting.summaries import CampaignSummary, summarize
from reporting.tallies import Entry, Figures, submit_tally

DAY = date(2024, 2, 3)
NOW = datetime(2024, 2, 3, 19, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
AFTER = date(2024, 2, 4)  # the window has closed: verdicts are final
NOTES = {0: "Đề nghị sửa đường liên xóm", 1: "Xin thêm đèn chiếu sáng", 2: "  "}

Built = tuple[CampaignSummary, Mapping[int, Sequence[Recommendation]]]


@pytest.fixture(scope="module")
def built(module_database: Database) -> Built:
    """Built once for the module on a loaded database of its own."""
    return asyncio.run(_build(module_database.url))


async def _build(url: str) -> Built:
    """Every hamlet of the 1st commune collects 80 % of its households, all satisfied; the 2nd
    collects half, and question 4 falls short; the others send nothing. The next morning."""
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            campaign = await current_campaign(session)
            await _tally(session, campaign)
            summary = await summarize(session, campaign, campaign.at(AFTER, time(9)))
            return summary, await recommendations(session, summary.day)
    finally:
        await engine.dispose()


async def _tally(session: AsyncSession, campaign: Campaign) -> None:
    query = select(Unit).where(Unit.level == Level.COMMUNE, Unit.surveyed.is_(True))
    good, short = list(await session.scalars(query.order_by(Unit.name_key)))[:2]
    for commune, share in ((good, 0.8), (short, 0.5)):
        hamlets = await session.scalars(select(Unit).where(Unit.parent_id == commune.id))
        for number, hamlet in enumerate(hamlets):
            collected = int(hamlet.households * share) + 1
            satisfied = (collected,) * 3 + (collected * 3 // 4,) + (collected,) * 6
            if commune is good:
                satisfied = (collected,) * 10
            note = NOTES.get(number) if commune is short else None
            figures = Figures(collected, 0, satisfied, note)
            await submit_tally(session, campaign, Entry(hamlet, DAY, figures, None, "t", NOW))
    session.add(Confirmation(commune_id=good.id, confirmed_at=NOW))
    await session.commit()


def _read(built: Built) -> tuple[list[str], list[list[str]]]:
    summary, notes = built
    doc = Document(io.BytesIO(report_docx(summary, notes)))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    results = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT")
    return lines, [[cell.text for cell in row.cells] for row in results.rows]


def test_the_report_opens_with_heading_title_and_signature(built: Built) -> None:
    lines, _ = _read(built)
    for expected in (
        "ỦY BAN MTTQ VIỆT NAM",
        "HUYỆN ĐỊNH HÓA",
        "Số: …/BC-MTTQ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        "Kết quả lấy ý kiến sự hài lòng của người dân về kết quả xây dựng nông thôn mới huyện "
        "Định Hóa",
        "TM. BAN THƯỜNG TRỰC",
        "CHỦ TỊCH",
        "Nơi nhận:",
    ):
        assert expected in lines
    assert lines[0].startswith("DỰ THẢO")
    assert any(line.startswith("- Ngày 26/01/2024: tổ chức hội nghị") for line in lines)
    assert any("Từ ngày 27/01/2024 đến ngày 03/02/2024" in line for line in lines)
    assert any("1/22 xã đã xác nhận số liệu" in line for line in lines)


def test_the_table_holds_the_summarys_exact_figures(built: Built) -> None:
    summary, _ = built
    _, rows = _read(built)
    header, district, *communes = rows
    assert header[4] == "Tỷ lệ tham gia (≥ 70 %)"
    assert district[1:] == ["Toàn huyện", *unit_row(summary.district, summary, "vi")]
    m, t = summary.district.measures, summary.campaign.thresholds
    assert district[2] == fmt_count(m.counts.households)
    assert district[4] == fmt_percent(m.participation, "vi", t.participation)
    assert district[6] == fmt_percent(m.average, "vi", t.average)
    assert district[7] == fmt_percent(m.rates[9], "vi", t.overall)
    assert [row[1] for row in communes] == [c.name for c in summary.communes]
    first, second = summary.communes[:2]
    assert communes[0][2:] == unit_row(first, summary, "vi")
    assert communes[0][4] == fmt_percent(first.measures.participation, "vi", t.participation)
    assert communes[0][8] == "Đạt"
    assert communes[1][5] == (
        fmt_percent(second.measures.rates[3], "vi", t.question_min) + " (câu 4)"
    )
    assert communes[1][8] == "Không đạt"
    assert communes[2][8] == "Không đạt"  # nothing collected by the window's end
    assert communes[2][5:8] == ["—", "—", "—"]  # no valid forms: no rates


def test_communes_below_a_threshold_are_listed_with_the_gap(built: Built) -> None:
    summary, _ = built
    lines, _ = _read(built)
    first, second, third = summary.communes[:3]
    assert f"- Xã {first.name}:" not in lines
    at = lines.index(f"- Xã {second.name}:")
    gaps = shortfalls(second, summary, "vi")
    assert lines[at + 1 : at + 1 + len(gaps)] == [f"+ {gap}" for gap in gaps]
    assert gaps[0].startswith("tỷ lệ hộ tham gia 5")
    assert "cần thêm" in gaps[0]
    assert any(gap.startswith("câu 4 (Điện) ") for gap in gaps)
    assert lines[lines.index(f"- Xã {third.name}:") + 1].startswith("+ tỷ lệ hộ tham gia 0,00 %")


def test_recommendations_are_grouped_by_commune(built: Built) -> None:
    summary, notes = built
    second = summary.communes[1]
    assert list(notes) == [second.unit_id]
    said = notes[second.unit_id]
    assert sorted(one.note for one in said) == sorted([NOTES[0], NOTES[1]])  # no blank one
    lines, _ = _read(built)
    part = lines.index("III. KIẾN NGHỊ CỦA NGƯỜI DÂN")
    assert lines[part + 2] == f"- Xã {second.name}:"
    assert lines[part + 3] == f"+ {said[0].hamlet} (ngày 03/02/2024): {said[0].note}"
    assert lines[part + 4] == f"+ {said[1].hamlet} (ngày 03/02/2024): {said[1].note}"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_report_and_the_pdf_holds_the_district_figures(
    built: Built, tmp_path: Path
) -> None:
    summary, notes = built
    report = tmp_path / "bao-cao.docx"
    report.write_bytes(report_docx(summary, notes))
    converted = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(report)],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert converted.returncode == 0, converted.stderr
    pdf = pdfium.PdfDocument(tmp_path / "bao-cao.pdf")
    words = " ".join(page.get_textpage().get_text_range() for page in pdf).split()
    m, t = summary.district.measures, summary.campaign.thresholds
    assert "BÁO" in words
    assert fmt_count(m.counts.households) in words
    assert fmt_percent(m.participation, "vi", t.participation).split()[0] in words
