"""The chart and export benchmark: one image of each chart, the province's XLSX workbook and the
posting PDF, each against a baseline measured in the same run."""

from __future__ import annotations

import asyncio
import io
import struct
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from openpyxl import Workbook

from benchmarks.common import Case, Timing, machine, measure, profile, write_section
from benchmarks.summary import Scale, build_province
from reporting.campaign_store import current_campaign
from reporting.charts import (
    daily_collected,
    render_heatmap,
    render_pace,
    render_participation,
    render_questions,
)
from reporting.charts.canvas import DPI
from reporting.charts.data import paginate
from reporting.exports.posting import posting_pdf
from reporting.exports.workbook import measure_columns, sheet_rows, workbook_bytes
from reporting.storage.db import create_engine, sessions
from reporting.storage.schema import upgrade
from reporting.summaries import CampaignSummary, summarize

QUICK_RUNS = 7  # the charts and the one-page PDF
SLOW_RUNS = 4  # the workbooks and the 22-page PDF: several seconds a round together
WARMUP = 1
PROFILE_RUNS = 1  # cProfile triples the time: one run shows where it goes
POSTED = 22  # communes in the larger PDF: a whole district's posting sheets, as the demo writes
DISTRICT_PDF = f"pdf-{POSTED}"
CHART_TARGET_MS = 300.0
XLSX_TARGET_MS = 2000.0
CHARTS = ("participation", "questions", "pace", "heatmap")


@dataclass(frozen=True, slots=True)
class Measured:
    """The figures of one run: the scale, what was measured, and the cases' timings."""

    scale: Scale
    summary: CampaignSummary
    sizes: dict[str, tuple[int, int]]
    cells: int
    timings: dict[str, Timing]


def main() -> None:
    """Builds the province, measures charts and exports, prints the figures and records them."""
    with tempfile.TemporaryDirectory(prefix="tallybot-bench-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'province.db'}"
        upgrade(url)  # Alembic's env.py runs its own event loop: migrate before ours starts
        summary, daily, scale = asyncio.run(_province(url))
    measured, hot_spots = asyncio.run(_measure(summary, daily, scale))
    report = render(measured)
    print("## charts benchmark\n")
    print(report)
    for name, spots in hot_spots.items():
        print(f"\n{name} over target; cProfile, {PROFILE_RUNS} run:\n{spots}")
    write_section("charts", report)


async def _province(url: str) -> tuple[CampaignSummary, dict[date, int], Scale]:
    """Returns the full summary at the end of collection, the daily forms and the scale."""
    engine = create_engine(url)
    try:
        factory = sessions(engine)
        scale = await build_province(factory)
        async with factory() as session:
            campaign = await current_campaign(session)
            as_of = campaign.end_of_day(campaign.collection_days[-1])
            summary = await summarize(session, campaign, as_of)
            daily = await daily_collected(session, None, campaign.local_date(as_of))
    finally:
        await engine.dispose()
    if len(summary.communes) != scale.surveyed:
        raise AssertionError(f"summary has {len(summary.communes)} communes, not {scale.surveyed}")
    return summary, daily, scale


async def _measure(
    summary: CampaignSummary, daily: dict[date, int], scale: Scale
) -> tuple[Measured, dict[str, str]]:
    """Times every case; profiles the charts and the workbook that miss their targets."""
    renders = _renders(summary, daily)
    sizes = {name: png_size(renders[name]()) for name in CHARTS}
    cells = _cell_shapes(summary)
    quick = {name: _case(renders[name]) for name in (*CHARTS, "pdf-1")}
    quick |= {f"blank-{name}": _case(_blank_png(*sizes[name])) for name in CHARTS}
    slow = {name: _case(renders[name]) for name in ("xlsx", DISTRICT_PDF)}
    slow["plain-xlsx"] = _case(_plain_workbook(cells))
    timings = await measure(quick, QUICK_RUNS, WARMUP) | await measure(slow, SLOW_RUNS, WARMUP)
    missed = [name for name in (*CHARTS, "xlsx") if timings[name].p50_ms >= _target(name)]
    hot_spots = {name: await profile(_case(renders[name]), PROFILE_RUNS) for name in missed}
    total = sum(rows * width for rows, width in cells)
    return Measured(scale, summary, sizes, total, timings), hot_spots


def _renders(summary: CampaignSummary, daily: dict[date, int]) -> dict[str, Callable[[], bytes]]:
    """Returns how to make each measured thing: one image of each chart, the exports."""
    posted = [commune.unit_id for commune in summary.communes[:POSTED]]
    return {
        "participation": lambda: render_participation(summary, pages={1})[0],
        "questions": lambda: render_questions(summary),
        "pace": lambda: render_pace(summary, daily),
        "heatmap": lambda: render_heatmap(summary, pages={1})[0],
        "xlsx": lambda: workbook_bytes(summary),
        "pdf-1": lambda: posting_pdf(summary, posted[:1]),
        DISTRICT_PDF: lambda: posting_pdf(summary, posted),
    }


def _case(make: Callable[[], object]) -> Case:
    """Returns a benchmark case (a coroutine function) that makes the thing once."""

    async def run() -> object:
        return make()

    return run


def png_size(png: bytes) -> tuple[int, int]:
    """Returns a PNG's (width, height) from its IHDR header."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _blank_png(width: int, height: int) -> Callable[[], bytes]:
    """Returns a maker of the baseline: an empty figure of that size saved as PNG."""

    def make() -> bytes:
        figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    return make


def _cell_shapes(summary: CampaignSummary) -> list[tuple[int, int]]:
    """Returns each sheet's (rows, columns) of header and data cells, as the workbook has them."""
    columns = len(measure_columns(summary))
    return [
        (2 + len(sheet.rows) + (sheet.total is not None), 1 + len(sheet.name_headers) + columns)
        for sheet in sheet_rows(summary)
    ]


def _plain_workbook(shapes: list[tuple[int, int]]) -> Callable[[], bytes]:
    """Returns a maker of the baseline: as many plain number cells, no styles, saved as XLSX."""

    def make() -> bytes:
        book = Workbook()
        for index, (rows, columns) in enumerate(shapes):
            sheet = book.active if index == 0 else book.create_sheet()
            for row in range(rows):
                sheet.append([row + column / 100 for column in range(columns)])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    return make


def _target(name: str) -> float:
    return XLSX_TARGET_MS if name == "xlsx" else CHART_TARGET_MS


# --- the figures ----------------------------------------------------------------------------


def render(measured: Measured) -> str:
    """Returns the Markdown figures: the machine, the scale, the table and the targets."""
    scale, t = measured.scale, measured.timings
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}; {_versions()}.",
        "",
        f"Scale: {scale.communes} communes ({scale.surveyed} surveyed), "
        f"{scale.surveyed_hamlets:,} surveyed hamlets, {scale.days} days of tallies. "
        f"Median (p50) and p90 of {QUICK_RUNS} runs of each chart and of the one-page PDF, "
        f"{SLOW_RUNS} of the workbooks and the {POSTED}-page PDF, after {WARMUP} warm-up round, "
        "taking turns.",
        "",
        "| measured | p50 | p90 | baseline p50 | p50 ÷ baseline |",
        "|---|---:|---:|---:|---:|",
        *(_row(_label(name, measured), t[name], t.get(_baseline(name))) for name in _order()),
        "",
        f"Baselines: for a chart, an empty `Figure` of the same pixel size saved as PNG; for the "
        f"workbook, {measured.cells:,} plain number cells in sheets of the same shapes, no "
        "styles; the PDFs have none.",
        "",
        *_verdicts(t),
    ]
    return "\n".join(lines)


def _order() -> list[str]:
    return [*CHARTS, "xlsx", "pdf-1", DISTRICT_PDF]


def _baseline(name: str) -> str:
    return "plain-xlsx" if name == "xlsx" else f"blank-{name}"


def _label(name: str, measured: Measured) -> str:
    communes = len(measured.summary.communes)
    first_page = f"{len(paginate(measured.summary.communes)[0])} of {communes} communes"
    width, height = measured.sizes.get(name, (0, 0))
    size = f"{width}×{height} px"
    labels = {
        "participation": f"participation chart, page 1: {first_page}, {size}",
        "questions": f"questions chart, the district, {size}",
        "pace": f"pace chart, the district, {size}",
        "heatmap": f"heat map, page 1: {first_page} × 11 columns, {size}",
        "xlsx": f"XLSX workbook: {communes} communes, "
        f"{measured.summary.district.hamlets:,} hamlets",
        "pdf-1": "posting PDF, 1 commune",
        DISTRICT_PDF: f"posting PDF, {POSTED} communes",
    }
    return labels[name]


def _row(label: str, timing: Timing, baseline: Timing | None) -> str:
    if baseline is None:
        return f"| {label} | {timing.p50_ms:.0f} ms | {timing.p90_ms:.0f} ms | — | — |"
    ratio = timing.p50_ms / baseline.p50_ms
    return (
        f"| {label} | {timing.p50_ms:.0f} ms | {timing.p90_ms:.0f} ms "
        f"| {baseline.p50_ms:.0f} ms | {ratio:.1f}× |"
    )


def _verdicts(t: Mapping[str, Timing]) -> list[str]:
    slowest = max(CHARTS, key=lambda name: t[name].p50_ms)
    chart, xlsx = t[slowest].p50_ms, t["xlsx"].p50_ms
    return [
        f"Targets: one chart p50 < {CHART_TARGET_MS:.0f} ms — {_met(chart, CHART_TARGET_MS)} "
        f"(slowest: {slowest}, {chart:.0f} ms); province XLSX p50 < "
        f"{XLSX_TARGET_MS / 1000:.0f} s — {_met(xlsx, XLSX_TARGET_MS)} ({xlsx:.0f} ms).",
    ]


def _met(value: float, target: float) -> str:
    return "met" if value < target else "**missed**"


def _versions() -> str:
    return f"matplotlib {version('matplotlib')}, openpyxl {version('openpyxl')}"


if __name__ == "__main__":
    main()
