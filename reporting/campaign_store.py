"""The campaign in force: the newest one `init` loaded into the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign, parse_campaign
from reporting.errors import Problem
from reporting.storage.models import CampaignRecord, Tally


class NoCampaign(Problem):
    """No campaign was loaded yet."""


class QuestionsChanged(Problem):
    """A campaign asking a different number of questions, loaded once tallies exist."""


async def store_campaign(session: AsyncSession, source: str, file: str, now: datetime) -> Campaign:
    """Validates a campaign's TOML text and makes it the one in force (no commit).

    Once tallies are stored, a campaign that asks a different number of questions is
    refused: the stored answers would no longer line up with its questions.
    """
    campaign = parse_campaign(source, file)
    latest = await _latest(session)
    if latest is not None and latest.source != source:
        asked = len(parse_campaign(latest.source, "campaign").questions)
        if asked != len(campaign.questions) and await session.scalar(select(exists(Tally.id))):
            raise QuestionsChanged(
                "campaign.questions_changed", file=file, asked=asked, now=len(campaign.questions)
            )
    if latest is None or latest.source != source:
        session.add(
            CampaignRecord(
                name=campaign.name, district=campaign.district, source=source, loaded_at=now
            )
        )
    return campaign


async def current_campaign(session: AsyncSession) -> Campaign:
    """Returns the campaign in force, or raises NoCampaign."""
    latest = await _latest(session)
    if latest is None:
        raise NoCampaign("db.no_campaign")
    return parse_campaign(latest.source, "campaign")


async def _latest(session: AsyncSession) -> CampaignRecord | None:
    query = select(CampaignRecord).order_by(CampaignRecord.id.desc()).limit(1)
    return await session.scalar(query)
