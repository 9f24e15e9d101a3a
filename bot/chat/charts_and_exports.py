"""`/chart` (PNG charts for the user's scope) and `/export` (the district's XLSX workbook, or
with `baocao` the draft DOCX report to the province).

matplotlib, openpyxl and python-docx are imported by the first `/chart` and `/export`, not when
the bot starts: a bot that is never asked for a chart never holds their memory.
"""

from __future__ import annotations

import asyncio
import ctypes
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from bot.chat.scope import commune_in_scope, scope_communes
from bot.chat.turn import Attachment, Turn
from reporting.gaps import plain_percent
from reporting.i18n import fmt_day, text
from reporting.names import fold
from reporting.recommendations import recommendations
from reporting.storage.models import Role, Unit
from reporting.summaries import CampaignSummary, UnitSummary, summarize
from reporting.wording import level_words

T = TypeVar("T")
MAX_COMMUNES = 5  # an official with many communes asks for the others by name
REPORT_WORDS = frozenset({"baocao", "bao cao", "report"})  # folded: "báo cáo" too


async def chart(turn: Turn, args: str) -> None:
    """Sends the district's charts to district staff, or each of the user's communes' charts."""
    assert turn.user is not None
    summary = await summarize(turn.session, turn.campaign, turn.now, hamlets_of=())
    if args.strip():
        await _commune_charts(turn, summary, [await commune_in_scope(turn, args)])
    elif turn.user.role == Role.DISTRICT:
        await _district_charts(turn, summary)
    else:
        communes = await scope_communes(turn)
        await _commune_charts(turn, summary, communes[:MAX_COMMUNES])
        if len(communes) > MAX_COMMUNES:
            more = len(communes) - MAX_COMMUNES
            turn.say(text("chat.chart_more", turn.lang, count=more, **turn.levels))


async def export(turn: Turn, args: str) -> None:
    """Sends district staff the aggregation workbook, or with `baocao` the draft report."""
    if fold(args) in REPORT_WORDS:
        await _report(turn)
        return
    if args.strip():
        turn.say(text("chat.export_unknown", turn.lang))
        return
    from reporting.exports.workbook import workbook_bytes

    summary = await summarize(turn.session, turn.campaign, turn.now)
    workbook = await _drawn(workbook_bytes, summary, turn.lang)
    name = f"tong-hop-{summary.day:%Y-%m-%d}.xlsx"
    turn.attach(text("chat.export_caption", turn.lang, **_when(summary)), _file(name, workbook))


async def _report(turn: Turn) -> None:
    from reporting.exports.report import report_docx

    summary = await summarize(turn.session, turn.campaign, turn.now, hamlets_of=())
    notes = await recommendations(turn.session, summary.day)
    document = await _drawn(report_docx, summary, notes, turn.lang)
    name = f"bao-cao-{summary.day:%Y-%m-%d}.docx"
    turn.attach(text("chat.report_caption", turn.lang, **_when(summary)), _file(name, document))


async def _district_charts(turn: Turn, summary: CampaignSummary) -> None:
    from reporting.charts import daily_collected

    daily = await daily_collected(turn.session, None, summary.day)
    lang = turn.lang
    participation, questions, pace, *heatmaps = await _drawn(
        _district_images, summary, daily, lang
    )
    when = _when(summary)
    turn.attach(text("chat.chart_participation", lang, **when), _png("tham-gia", participation))
    turn.attach(text("chat.chart_questions", lang, **when), _png("hai-long", questions))
    turn.attach(text("chat.chart_pace", lang, **when), _png("tien-do", pace))
    for number, heatmap in enumerate(heatmaps, start=1):
        name = "bang-nhiet" if len(heatmaps) == 1 else f"bang-nhiet-{number}"
        turn.attach(text("chat.chart_heatmap", lang, **when), _png(name, heatmap))


async def _commune_charts(turn: Turn, summary: CampaignSummary, communes: Sequence[Unit]) -> None:
    from reporting.charts import daily_collected

    lang, when = turn.lang, _when(summary)
    for commune in communes:
        unit = summary.commune(commune.id)
        daily = await daily_collected(turn.session, [commune.id], summary.day)
        questions, pace = await _drawn(_commune_images, summary, unit, daily, lang)
        caption = text("chat.chart_commune", lang, commune=commune.name, **when)
        turn.attach(caption, _png(f"hai-long-{commune.id}", questions))
        turn.attach(text("chat.chart_pace", lang, **when), _png(f"tien-do-{commune.id}", pace))


def _district_images(
    summary: CampaignSummary, daily: dict[date, int], lang: str
) -> tuple[bytes, ...]:
    """Draws the district's four charts (first pages only; the heat map's first communes in
    as many images as its questions need), off the event loop."""
    from reporting.charts import (
        heatmap_first_pages,
        render_heatmap,
        render_pace,
        render_participation,
        render_questions,
    )

    return (
        render_participation(summary, lang, pages={1})[0],
        render_questions(summary, None, lang),
        render_pace(summary, daily, lang),
        *render_heatmap(summary, lang, pages=heatmap_first_pages(summary)),
    )


def _commune_images(
    summary: CampaignSummary, unit: UnitSummary, daily: dict[date, int], lang: str
) -> tuple[bytes, bytes]:
    """Draws one commune's question and pace charts, off the event loop."""
    from reporting.charts import render_pace, render_questions

    return render_questions(summary, unit, lang), render_pace(summary, daily, lang, unit=unit)


async def _drawn(draw: Callable[..., T], *args: Any) -> T:
    """Draws (or writes a file) in a worker thread, off the event loop, then gives back to the
    system the memory it freed: glibc keeps a thread's freed blocks for its next use, and a
    province's canvases or workbook are tens of MB that may not be asked for again for hours."""
    made = await asyncio.to_thread(draw, *args)
    _trim_freed_memory()
    return made


def _trim_freed_memory() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing kept this way
        return
    libc.malloc_trim(0)


def _when(summary: CampaignSummary) -> dict[str, object]:
    local = summary.as_of.astimezone(summary.campaign.timezone)
    percent = plain_percent(summary.campaign.thresholds.participation)
    moment = {"time": f"{local:%H:%M}", "day": fmt_day(local), "percent": percent}
    return {**moment, **level_words(summary.campaign.levels)}


def _png(name: str, data: bytes) -> Attachment:
    return Attachment(f"{name}.png", data, is_photo=True)


def _file(name: str, data: bytes) -> Attachment:
    return Attachment(name, data, is_photo=False)
