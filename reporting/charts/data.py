"""What the charts show, computed from summaries apart from any drawing: bars, cells, pages.

Every value is an exact 0..1 `Fraction` (None where there is nothing to judge yet), held to a
0..1 threshold, so a bar is "met" by the same exact comparison as the verdicts of SPEC §2.4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar, overload

from reporting.campaign import Campaign
from reporting.i18n import text
from reporting.measures import question_threshold
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.wording import form_words

PER_PAGE = 30  # communes per image: 30 bars or heat-map rows stay legible on a phone

_Item = TypeVar("_Item")


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar or cell: a label, a 0..1 value (None: no data) and the 0..1 threshold it faces
    (None: a question the campaign holds to no threshold)."""

    label: str
    value: Fraction | None
    threshold: Fraction | None
    highlight: bool = False

    @property
    def met(self) -> bool | None:
        """Returns whether the value reaches its threshold (None without a value); a bar
        without a threshold counts as met."""
        if self.value is None:
            return None
        return self.threshold is None or self.value >= self.threshold


@dataclass(frozen=True, slots=True)
class HeatRow:
    """One commune's row of the heat map: its name and one cell per question."""

    name: str
    cells: tuple[Bar, ...]


@overload
def share(percent: Fraction) -> Fraction: ...
@overload
def share(percent: Fraction | None) -> Fraction | None: ...
def share(percent: Fraction | None) -> Fraction | None:
    """Returns a percent threshold (70) as a 0..1 share (7/10), None for none."""
    return None if percent is None else percent / 100


def participation_bars(summary: CampaignSummary) -> list[Bar]:
    """Returns one bar per surveyed commune, lowest participation first, the lowest highlighted.

    Communes without households (no participation at all) come last; ties keep name order.
    When every commune stands at the same figure, none is highlighted: none is the worst.
    """
    threshold = share(summary.campaign.thresholds.participation)
    communes = sorted(
        summary.communes,
        key=lambda c: (c.measures.participation is None, c.measures.participation or 0),
    )
    values = [c.measures.participation for c in communes if c.measures.participation is not None]
    lowest = min(values, default=None)
    stands_out = lowest is not None and any(value != lowest for value in values)
    return [
        Bar(
            label=commune.name,
            value=commune.measures.participation,
            threshold=threshold,
            highlight=stands_out and commune.measures.participation == lowest,
        )
        for commune in communes
    ]


def question_bars(unit: UnitSummary, campaign: Campaign, lang: str = "vi") -> list[Bar]:
    """Returns bars for every question, then the average, each with its own threshold."""
    thresholds = campaign.thresholds
    m = unit.measures
    bars = [
        Bar(
            label=text("chart.question_tick", lang, question=question),
            value=m.rates[question - 1],
            threshold=share(question_threshold(question, thresholds)),
        )
        for question in thresholds.form.numbers
    ]
    average = Bar(
        label=text("chart.average_tick", lang, **form_words(thresholds.form)),
        value=m.average,
        threshold=share(thresholds.average),
    )
    return [*bars, average]


def heatmap_cells(summary: CampaignSummary, lang: str = "vi") -> list[HeatRow]:
    """Returns one heat-map row per surveyed commune, in name order: its question bars."""
    return [
        HeatRow(commune.name, tuple(question_bars(commune, summary.campaign, lang)))
        for commune in summary.communes
    ]


def paginate(items: Sequence[_Item], per_page: int = PER_PAGE) -> list[list[_Item]]:
    """Splits items into the fewest pages of at most `per_page`, as even as possible.

    Always at least one page, so that an empty district still draws (an empty) chart.
    """
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, got {per_page}")
    count = max(1, -(-len(items) // per_page))
    size, extra = divmod(len(items), count)
    pages: list[list[_Item]] = []
    start = 0
    for number in range(count):
        end = start + size + (1 if number < extra else 0)
        pages.append(list(items[start:end]))
        start = end
    return pages
