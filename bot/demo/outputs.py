"""What the demo leaves in demo-output/: transcript, exports, charts, the status answer and the
district's report to the province."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.exports import DEFAULT_NAMES
from bot.views.status import status_overview
from reporting.charts import (
    daily_collected,
    render_heatmap,
    render_pace,
    render_participation,
    render_questions,
)
from reporting.exports.formats import render_export
from reporting.recommendations import recommendations
from reporting.summaries import CampaignSummary

Daily = dict[date, int]
STORY_COMMUNES = 3  # the worst communes also get their own charts


async def write_outputs(
    session: AsyncSession, summary: CampaignSummary, transcript: list[str], out: Path
) -> None:
    """Writes every file of the demo: text first, then the exports and charts (slower)."""
    district_daily = await daily_collected(session, None, summary.day)
    worst = sorted(summary.communes, key=lambda c: c.measures.participation or 0)
    commune_daily = {
        c.unit_id: await daily_collected(session, [c.unit_id], summary.day)
        for c in worst[:STORY_COMMUNES]
    }
    await asyncio.to_thread(_write_all, summary, transcript, district_daily, commune_daily, out)


async def write_report(session: AsyncSession, summary: CampaignSummary, out: Path) -> Path:
    """Writes the district's draft report (DOCX) as `tallybot export --format report` does,
    under the name it gives it; returns the file's path."""
    notes = await recommendations(session, summary.day)
    content = await asyncio.to_thread(render_export, summary, "report", None, notes)
    path = out / DEFAULT_NAMES["report"].format(day=summary.day)
    await asyncio.to_thread(path.write_bytes, content)
    return path


def _write_all(
    summary: CampaignSummary,
    transcript: list[str],
    district_daily: Daily,
    commune_daily: dict[int, Daily],
    out: Path,
) -> None:
    texts = {
        "transcript.txt": "\n".join(transcript) + "\n",
        "status.txt": status_overview(summary, summary.communes, "vi", with_district=True) + "\n",
    }
    for name, content in texts.items():
        (out / name).write_text(content, encoding="utf-8")
    files = {
        "summary.json": render_export(summary, "json"),
        "summary.csv": render_export(summary, "csv"),
        "tong-hop.xlsx": render_export(summary, "xlsx"),
        "niem-yet.pdf": render_export(summary, "pdf"),
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
    _write_charts(summary, district_daily, commune_daily, out / "charts")


def _write_charts(
    summary: CampaignSummary,
    district_daily: Daily,
    commune_daily: dict[int, Daily],
    folder: Path,
) -> None:
    folder.mkdir(exist_ok=True)
    images = {
        "hai-long-huyen.png": render_questions(summary),
        "tien-do-huyen.png": render_pace(summary, district_daily),
    }
    for page, png in enumerate(render_participation(summary), start=1):
        images[f"tham-gia-{page}.png"] = png
    for page, png in enumerate(render_heatmap(summary), start=1):
        images[f"bang-nhiet-{page}.png"] = png
    for commune_id, daily in commune_daily.items():
        unit = summary.commune(commune_id)
        images[f"hai-long-xa-{commune_id}.png"] = render_questions(summary, unit)
        images[f"tien-do-xa-{commune_id}.png"] = render_pace(summary, daily, unit=unit)
    for name, png in images.items():
        (folder / name).write_bytes(png)
