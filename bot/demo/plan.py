"""The demo's scenario: what every hamlet collects each day, with the quirks a real week has.

Deterministic (a fixed seed), so the demo tells the same story every time: most communes on
pace, one commune lagging under 70 % participation, one commune unhappy about electricity
(question 4 under 80 %), a few hamlets late each day, and one same-day correction.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reporting.tallies import Figures
from reporting.thresholds import REFERENCE_FORM, Form

SEED = 2024
LAGGING_COMMUNE = "Phú Đình"
UNHAPPY_COMMUNE = "Quy Kỳ"
UNHAPPY_QUESTION = 4
LATE_SHARE = 0.06


@dataclass(frozen=True, slots=True)
class HamletPlan:
    """A hamlet as the scenario sees it."""

    commune: str
    hamlet: str
    households: int


@dataclass(frozen=True, slots=True)
class Report:
    """One planned report: a hamlet's figures for a day (a correction replaces a mistake)."""

    plan: HamletPlan
    day: date
    figures: Figures
    mistake: Figures | None = None


def plan_reports(
    hamlets: Sequence[HamletPlan], days: Sequence[date], form: Form = REFERENCE_FORM
) -> list[Report]:
    """Returns every report of the scenario, day by day, hamlets in roster order, with the
    answers of every question of `form`."""
    rng = random.Random(SEED)
    collected_so_far = dict.fromkeys(hamlets, 0)
    reports: list[Report] = []
    for day_index, day in enumerate(days):
        for hamlet in hamlets:
            if rng.random() < LATE_SHARE and day_index < len(days) - 1:
                continue
            left = hamlet.households - collected_so_far[hamlet]
            figures = _figures(rng, hamlet, left, form)
            collected_so_far[hamlet] += figures.collected
            reports.append(Report(hamlet, day, figures))
    return _with_one_correction(reports)


def _figures(rng: random.Random, hamlet: HamletPlan, left: int, form: Form) -> Figures:
    share = (
        rng.uniform(0.04, 0.07) if hamlet.commune == LAGGING_COMMUNE else rng.uniform(0.1, 0.13)
    )
    collected = min(left, round(hamlet.households * share))
    invalid = sum(1 for _ in range(collected) if rng.random() < 0.01)
    valid = collected - invalid
    satisfied = tuple(_satisfied(rng, hamlet, question, valid, form) for question in form.numbers)
    return Figures(collected, invalid, satisfied)


def _satisfied(
    rng: random.Random, hamlet: HamletPlan, question: int, valid: int, form: Form
) -> int:
    if hamlet.commune == UNHAPPY_COMMUNE and question == UNHAPPY_QUESTION:
        likelihood = rng.uniform(0.70, 0.80)
    elif question == form.overall:
        likelihood = rng.uniform(0.95, 1.0)
    else:
        likelihood = rng.uniform(0.92, 0.995)
    return sum(1 for _ in range(valid) if rng.random() < likelihood)


def _with_one_correction(reports: list[Report]) -> list[Report]:
    """Makes the first report of the second day a typing mistake that its sender corrects."""
    days = sorted({report.day for report in reports})
    if len(days) < 2:
        return reports
    index = next(i for i, report in enumerate(reports) if report.day == days[1])
    right = reports[index].figures
    wrong = Figures(right.collected + 10, right.invalid, right.satisfied, right.note)
    reports[index] = Report(reports[index].plan, reports[index].day, right, mistake=wrong)
    return reports
