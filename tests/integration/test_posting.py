"""The public-posting PDF from a real migrated database: one black-and-white A4 page per commune
with its period, counts, per-question table and signature block."""

from __future__ import annotations

import asyncio
import re
import warnings
from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from backends import Database
from matplotlib.colors import to_rgb
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign
from reporting.campaign_store import current_campaign
from reporting.exports.posting import posting_page, posting_pdf
from reporting.i18n import fmt_count, fmt_percent
from reporting.measures import question_threshold
from reporting.storage.db import create_engine, sessions
from reporting.storage.models import Confirmation, Level, Unit
from reporting.summaries import CampaignSummary, UnitSummary, summarize
from reporting.tallies import Entry, Figures, submit_tally

DAY = date(2024, 1, 29)
NOW = datetime(2024, 1, 29, 19, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
A4_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+595\.44\s+841\.68\s*\]")


@pytest.fixture(scope="module")
def summary(module_database: Database) -> CampaignSummary:
    """Built once for the module on a loaded database of its own."""
    return asyncio.run(build_summary(module_database.url))


async def build_summary(url: str) -> CampaignSummary:
    """The sample roster; one day of tallies from every hamlet of the 2nd commune, which then
    confirms; the 1st commune sends nothing. The summary as of 20:00 that day."""
    engine = create_engine(url)
    try:
        async with sessions(engine)() as session:
            campaign = await current_campaign(session)
            await _tally(session, campaign)
            return await summarize(session, campaign, campaign.at(DAY, time(20)))
    finally:
        await engine.dispose()


async def _tally(session: AsyncSession, campaign: Campaign) -> None:
    query = select(Unit).where(Unit.level == Level.COMMUNE, Unit.surveyed.is_(True))
    busy = list(await session.scalars(query.order_by(Unit.name_key)))[1]
    hamlets = await session.scalars(select(Unit).where(Unit.parent_id == busy.id))
    for number, hamlet in enumerate(hamlets):
        collected = hamlet.households * 3 // 4
        satisfied = tuple(collected - 1 - (number + q) % 3 for q in range(10))
        figures = Figures(collected, 1, satisfied)
        await submit_tally(session, campaign, Entry(hamlet, DAY, figures, None, "t", NOW))
    session.add(Confirmation(commune_id=busy.id, confirmed_at=NOW))
    await session.commit()


def page_texts(summary: CampaignSummary, commune: UnitSummary, lang: str = "vi") -> list[str]:
    """Returns every text written on the commune's posting page."""
    return [label.get_text() for label in posting_page(summary, commune, lang).axes[0].texts]


def test_each_chosen_commune_gets_one_a4_page(summary: CampaignSummary) -> None:
    chosen = [commune.unit_id for commune in summary.communes[:3]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdf = posting_pdf(summary, chosen)
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert pdf.startswith(b"%PDF")
    assert len(PAGE.findall(pdf)) == 3
    assert len(A4_BOX.findall(pdf)) == 3


def test_without_a_choice_every_surveyed_commune_is_posted(summary: CampaignSummary) -> None:
    two = replace(summary, district=replace(summary.district, children=summary.communes[:2]))
    assert len(PAGE.findall(posting_pdf(two))) == 2


def test_a_commune_outside_the_survey_or_no_commune_is_refused(summary: CampaignSummary) -> None:
    with pytest.raises(KeyError):
        posting_pdf(summary, [10_000])
    with pytest.raises(ValueError, match="no commune"):
        posting_pdf(summary, [])


def test_the_page_carries_the_period_counts_table_and_signature(summary: CampaignSummary) -> None:
    commune = summary.communes[1]
    m = commune.measures
    texts = page_texts(summary, commune)
    assert "Thời gian thu phiếu: từ ngày 27/01/2024 đến ngày 03/02/2024" in texts
    assert f"Tổng số hộ: {fmt_count(m.counts.households)} hộ" in texts
    collected = f"Số phiếu thu về: {fmt_count(m.counts.collected)} phiếu"
    assert any(line.startswith(collected) for line in texts)
    t = summary.campaign.thresholds
    for question in range(1, 11):
        assert fmt_count(m.counts.satisfied[question - 1]) in texts
        threshold = question_threshold(question, t)
        assert fmt_percent(m.rates[question - 1], threshold=threshold) in texts
    assert fmt_percent(m.average, threshold=t.average) in texts
    assert f"{commune.name}, ngày …… tháng …… năm 2024" in texts
    assert "TM. BAN THƯỜNG TRỰC ỦY BAN MTTQ XÃ" in texts
    assert not any(line.startswith("(Số liệu tạm thời") for line in texts)


def test_a_silent_unconfirmed_commune_posts_dashes_and_says_it_is_provisional(
    summary: CampaignSummary,
) -> None:
    texts = page_texts(summary, summary.communes[0])
    assert texts.count("—") == 11  # ten questions and the average
    assert "(Số liệu tạm thời: xã chưa xác nhận số liệu)" in texts


def test_the_page_is_black_on_white(summary: CampaignSummary) -> None:
    figure = posting_page(summary, summary.communes[1], "en")
    page = figure.axes[0]
    colours = {to_rgb(label.get_color()) for label in page.texts}
    colours |= {to_rgb(line.get_color()) for line in page.lines}
    colours |= {tuple(c.get_color()[0][:3]) for c in page.collections}
    assert colours == {(0.0, 0.0, 0.0)}
    assert to_rgb(figure.get_facecolor()) == (1.0, 1.0, 1.0)
