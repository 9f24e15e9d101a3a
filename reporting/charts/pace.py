"""Cumulative participation over the collection days against the pace that reaches the target.

The chart needs per-day figures that summaries do not keep, so the caller reads them first with
`daily_collected` (one small query) and hands the result to `pace_series` / `render_pace`; the
drawing itself never touches the database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from reporting.charts.canvas import FONT, canvas, png_bytes
from reporting.charts.data import share
from reporting.charts.draw import (
    LINE,
    MET,
    SMALL_SIZE,
    WORST,
    percent_axis,
    percent_label,
    titled,
    unit_name,
)
from reporting.i18n import fmt_day, text
from reporting.storage.models import Level, Tally, Unit
from reporting.summaries import CampaignSummary, UnitSummary


@dataclass(frozen=True, slots=True)
class Pace:
    """The pace chart's series, all 0..1 shares of the unit's households.

    `actual[i]` is the cumulative participation at the end of `days[i]`, for the days elapsed
    so far; `target[i]` is the straight line that reaches the threshold on the last day;
    `needed` runs from the last actual point to the threshold on the last day, and is empty
    when the threshold is met, the window has closed or nothing is left to project.
    """

    unit: UnitSummary
    days: tuple[date, ...]
    actual: tuple[Fraction, ...]
    target: tuple[Fraction, ...]
    needed: tuple[Fraction, ...]
    threshold: Fraction


async def daily_collected(
    session: AsyncSession, commune_ids: Collection[int] | None, until_day: date
) -> dict[date, int]:
    """Returns forms collected per day up to `until_day` over the given surveyed communes' hamlets.

    `commune_ids=None` means every surveyed commune (the district, as in the summaries).
    """
    commune = aliased(Unit)
    query = (
        select(Tally.day, func.sum(Tally.collected))
        .join(Unit, Unit.id == Tally.hamlet_id)
        .join(commune, commune.id == Unit.parent_id)
        .where(
            Tally.day <= until_day,
            Unit.level == Level.HAMLET,
            commune.level == Level.COMMUNE,
            commune.surveyed.is_(True),
        )
        .group_by(Tally.day)
        .order_by(Tally.day)
    )
    if commune_ids is not None:
        query = query.where(commune.id.in_(list(commune_ids)))
    rows = (await session.execute(query)).all()
    return {day: int(total) for day, total in rows}


def pace_series(
    summary: CampaignSummary, daily: Mapping[date, int], unit: UnitSummary | None = None
) -> Pace:
    """Returns the pace chart's series for a commune or, when `unit` is None, the district.

    A day outside the collection window (a late entry the admin allowed) counts on the nearest
    window day, so that the last point equals the unit's collected forms as of the summary.
    """
    unit = unit or summary.district
    days = tuple(summary.campaign.collection_days)
    threshold = share(_participation_threshold(summary, unit))
    households = unit.measures.counts.households
    elapsed = [day for day in days if day <= summary.day]
    actual = _cumulative(elapsed, _clamped(daily, days, summary.day), households)
    target = tuple(threshold * (n + 1) / len(days) for n in range(len(days)))
    return Pace(unit, days, actual, target, _needed(actual, len(days), threshold), threshold)


def _participation_threshold(summary: CampaignSummary, unit: UnitSummary) -> Fraction:
    """Returns the participation percent a unit is held to: the district may have its own."""
    thresholds = summary.campaign.thresholds
    if unit.level == "district" and thresholds.district_participation is not None:
        return thresholds.district_participation
    return thresholds.participation


def render_pace(
    summary: CampaignSummary,
    daily: Mapping[date, int],
    lang: str = "vi",
    *,
    unit: UnitSummary | None = None,
) -> bytes:
    """Returns a PNG of cumulative participation by day against the pace that reaches 70 %.

    `daily` is forms collected per day over the unit's hamlets, as `daily_collected` reads it.
    """
    pace = pace_series(summary, daily, unit)
    figure, axes = canvas(6.0)
    ticks = [fmt_day(day, year=False) for day in pace.days]
    threshold = percent_label(pace.threshold * 100, lang)
    target = text("chart.pace_target", lang, percent=threshold)
    axes.plot(ticks, _percents(pace.target), "--", color=LINE, linewidth=2, label=target)
    if pace.needed:
        needed = text("chart.pace_needed", lang)
        shown = ticks[len(pace.actual) - 1 :]
        axes.plot(shown, _percents(pace.needed), ":", color=WORST, linewidth=3, label=needed)
    if pace.actual:
        actual = text("chart.pace_actual", lang)
        shown = ticks[: len(pace.actual)]
        axes.plot(shown, _percents(pace.actual), "o-", color=MET, linewidth=3, label=actual)
    axes.axhline(100 * float(pace.threshold), color=LINE, linewidth=1)
    axes.text(
        1.0,
        100 * float(pace.threshold) + 1,
        threshold,
        ha="right",
        va="bottom",
        size=SMALL_SIZE,
        weight="bold",
        transform=axes.get_yaxis_transform(),
    )
    axes.set_ylim(0, 100)
    axes.tick_params(axis="x", labelsize=SMALL_SIZE, labelfontfamily=FONT)
    percent_axis(axes, "y", text("chart.pace_axis", lang))
    title = text("chart.pace_title", lang, unit=unit_name(summary, pace.unit, lang))
    titled(axes, title, summary, lang)
    axes.legend(loc="upper left", fontsize=SMALL_SIZE)
    return png_bytes(figure)


def _percents(shares: tuple[Fraction, ...]) -> list[float]:
    return [100 * float(value) for value in shares]


def _clamped(daily: Mapping[date, int], days: tuple[date, ...], until: date) -> dict[date, int]:
    per_day: dict[date, int] = {}
    for day, collected in daily.items():
        if day > until:
            continue
        window_day = min(max(day, days[0]), days[-1])
        per_day[window_day] = per_day.get(window_day, 0) + collected
    return per_day


def _cumulative(
    elapsed: list[date], per_day: dict[date, int], households: int
) -> tuple[Fraction, ...]:
    if households <= 0:
        return ()
    running = 0
    points = []
    for day in elapsed:
        running += per_day.get(day, 0)
        points.append(Fraction(running, households))
    return tuple(points)


def _needed(actual: tuple[Fraction, ...], total: int, threshold: Fraction) -> tuple[Fraction, ...]:
    if not actual or len(actual) >= total or actual[-1] >= threshold:
        return ()
    start, steps = actual[-1], total - len(actual)
    return tuple(start + (threshold - start) * n / steps for n in range(steps + 1))
