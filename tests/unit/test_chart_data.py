"""What the charts show, computed from summaries without drawing anything: exact values against
exact thresholds, the worst commune marked, even pages, and the pace over the collection days."""

from __future__ import annotations

from datetime import date, time
from fractions import Fraction

import pytest

from reporting.campaign import load_campaign
from reporting.charts.data import (
    heatmap_cells,
    paginate,
    participation_bars,
    question_bars,
)
from reporting.charts.pace import pace_series
from reporting.measures import Counts, measure, measure_district
from reporting.storage.models import Level
from reporting.summaries import CampaignSummary, UnitSummary

CAMPAIGN = load_campaign()
DAYS = CAMPAIGN.collection_days  # 27/01 .. 03/02/2024, eight days


def commune(name: str, counts: Counts, unit_id: int = 1, day: date = DAYS[3]) -> UnitSummary:
    """A commune's summary with its measures as of the end of `day`."""
    progress = CAMPAIGN.progress(CAMPAIGN.at(day, time(20)))
    return UnitSummary(
        unit_id, name, Level.COMMUNE, measure(counts, CAMPAIGN.thresholds, progress), 1, 0, False
    )


def district_of(communes: list[UnitSummary], day: date = DAYS[3]) -> CampaignSummary:
    """The summary over the given communes as of 20:00 on `day`."""
    as_of = CAMPAIGN.at(day, time(20))
    progress = CAMPAIGN.progress(as_of)
    measures = measure_district([c.measures for c in communes], CAMPAIGN.thresholds, progress)
    district = UnitSummary(
        0, "Định Hóa", Level.DISTRICT, measures, len(communes), 0, False, tuple(communes)
    )
    return CampaignSummary(CAMPAIGN, as_of, day, progress, district)


def forms(households: int, collected: int, satisfied: int, q10: int | None = None) -> Counts:
    """Counts with no invalid forms, `satisfied` on questions 1–9 and `q10` on question 10."""
    return Counts(
        households, collected, 0, (satisfied,) * 9 + (satisfied if q10 is None else q10,)
    )


def test_participation_bars_put_the_lowest_first_and_highlight_it() -> None:
    summary = district_of(
        [
            commune("An", forms(100, 80, 80), 1),
            commune("Bình", forms(100, 30, 30), 2),
            commune("Chu", forms(200, 120, 120), 3),
        ]
    )
    bars = participation_bars(summary)
    assert [bar.label for bar in bars] == ["Bình", "Chu", "An"]
    assert [bar.value for bar in bars] == [Fraction(3, 10), Fraction(3, 5), Fraction(4, 5)]
    assert [bar.highlight for bar in bars] == [True, False, False]
    assert [bar.met for bar in bars] == [False, False, True]


def test_no_commune_is_highlighted_when_all_stand_equal() -> None:
    summary = district_of([commune("An", forms(10, 0, 0), 1), commune("Bình", forms(20, 0, 0), 2)])
    assert [bar.highlight for bar in participation_bars(summary)] == [False, False]


def test_the_threshold_is_met_exactly_at_seventy_percent() -> None:
    summary = district_of(
        [commune("An", forms(10_000, 7_000, 0), 1), commune("Bình", forms(10_000, 6_999, 0), 2)]
    )
    met = {bar.label: bar.met for bar in participation_bars(summary)}
    assert met == {"An": True, "Bình": False}


def test_question_bars_hold_each_question_to_its_own_threshold() -> None:
    unit = commune("An", forms(100, 100, 80, q10=95))
    bars = question_bars(unit, CAMPAIGN)
    assert [bar.label for bar in bars] == [f"Câu {q}" for q in range(1, 11)] + ["BQ 1–9"]
    assert [bar.threshold for bar in bars] == [Fraction(4, 5)] * 9 + [
        Fraction(19, 20),
        Fraction(9, 10),
    ]
    assert [bar.value for bar in bars] == [Fraction(4, 5)] * 9 + [Fraction(19, 20), Fraction(4, 5)]
    assert [bar.met for bar in bars] == [True] * 10 + [False]


def test_question_bars_in_english_keep_the_figures() -> None:
    unit = commune("An", forms(100, 50, 40))
    english = question_bars(unit, CAMPAIGN, "en")
    assert english[0].label == "Q1"
    assert [bar.value for bar in english] == [bar.value for bar in question_bars(unit, CAMPAIGN)]


def test_a_commune_without_forms_has_no_values_to_draw() -> None:
    bars = question_bars(commune("An", forms(100, 0, 0)), CAMPAIGN)
    assert {bar.value for bar in bars} == {None}
    assert {bar.met for bar in bars} == {None}


def test_heatmap_rows_follow_the_summary_in_name_order() -> None:
    communes = [commune("An", forms(100, 40, 38), 1), commune("Bình", forms(100, 0, 0), 2)]
    rows = heatmap_cells(district_of(communes))
    assert [row.name for row in rows] == ["An", "Bình"]
    assert [cell.value for cell in rows[0].cells] == [Fraction(38, 40)] * 11
    assert [cell.value for cell in rows[1].cells] == [None] * 11


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(0, [0]), (1, [1]), (30, [30]), (31, [16, 15]), (61, [21, 20, 20]), (180, [30] * 6)],
)
def test_pages_are_as_few_and_as_even_as_possible(count: int, sizes: list[int]) -> None:
    pages = paginate(list(range(count)))
    assert [len(page) for page in pages] == sizes
    assert [item for page in pages for item in page] == list(range(count))


def test_a_page_holds_at_least_one_item() -> None:
    with pytest.raises(ValueError, match="per_page"):
        paginate([1, 2], per_page=0)


def test_pace_accumulates_the_days_elapsed_and_aims_at_the_threshold_on_the_last_day() -> None:
    unit = commune("An", forms(200, 50, 50), day=DAYS[2])
    summary = district_of([unit], day=DAYS[2])
    daily = {DAYS[0]: 20, DAYS[1]: 10, DAYS[2]: 20, DAYS[3]: 99}  # DAYS[3] lies after as-of
    pace = pace_series(summary, daily, unit)
    assert pace.days == tuple(DAYS)
    assert pace.actual == (Fraction(20, 200), Fraction(30, 200), Fraction(50, 200))
    assert pace.target[-1] == Fraction(7, 10)
    assert pace.target[0] == Fraction(7, 10) / len(DAYS)
    assert pace.needed[0] == pace.actual[-1]
    assert pace.needed[-1] == Fraction(7, 10)
    assert len(pace.needed) == len(DAYS) - 2


def test_pace_counts_late_entries_on_the_nearest_window_day() -> None:
    unit = commune("An", forms(100, 30, 30), day=DAYS[-1])
    summary = district_of([unit], day=date(2024, 2, 5))
    daily = {date(2024, 1, 20): 10, DAYS[0]: 5, date(2024, 2, 4): 15}
    pace = pace_series(summary, daily)
    assert pace.actual[0] == Fraction(15, 100)
    assert pace.actual[-1] == Fraction(30, 100) == summary.district.measures.participation
    assert pace.needed == ()


def test_pace_before_the_window_and_without_households_is_empty() -> None:
    before = district_of([commune("An", forms(100, 0, 0))], day=date(2024, 1, 26))
    assert pace_series(before, {}).actual == ()
    empty = district_of([commune("An", forms(0, 0, 0))])
    assert pace_series(empty, {}).actual == ()
