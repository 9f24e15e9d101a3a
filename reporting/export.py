"""The JSON (SPEC §4.1, a stable interface for scripts) and CSV forms of a summary."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from reporting.measures import QUESTIONS, Measures
from reporting.names import inert
from reporting.summaries import CampaignSummary, UnitSummary

VERDICT_KEYS = ("participation", "question_min", "average_q1_q9", "q10")
QUESTION_KEYS = tuple(str(q) for q in range(1, QUESTIONS + 1))


def summary_json(summary: CampaignSummary) -> dict[str, Any]:
    """Returns the summary in exactly the JSON shape of SPEC §4.1."""
    return {
        "campaign": {"name": summary.campaign.name, "district": summary.campaign.district},
        "as_of": summary.day.isoformat(),
        "district": measures_json(summary.district.measures),
        "communes": [
            measures_json(commune.measures)
            | {
                "name": commune.name,
                "confirmed": commune.confirmed,
                "hamlets": [
                    measures_json(hamlet.measures) | {"name": hamlet.name}
                    for hamlet in commune.children
                ],
            }
            for commune in summary.communes
        ],
    }


def measures_json(m: Measures) -> dict[str, Any]:
    """Returns the M object of SPEC §4.1 for one unit's measures."""
    c = m.counts
    return {
        "households": c.households,
        "collected": c.collected,
        "invalid": c.invalid,
        "valid": c.valid,
        "participation": _ratio(m.participation) or 0.0,
        "satisfied": dict(zip(QUESTION_KEYS, c.satisfied, strict=True)),
        "rates": {key: _ratio(rate) for key, rate in zip(QUESTION_KEYS, m.rates, strict=True)},
        "average_q1_q9": _ratio(m.average_q1_q9),
        "verdicts": {key: _verdict(m, key) for key in VERDICT_KEYS},
    }


def summary_csv(summary: CampaignSummary) -> str:
    """Returns one CSV row per unit (district, communes, hamlets) with the JSON's figures."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["level", "commune", "hamlet", "households", "collected", "invalid", "valid"]
        + ["participation"]
        + [f"q{key}" for key in QUESTION_KEYS]
        + [f"rate_q{key}" for key in QUESTION_KEYS]
        + ["average_q1_q9"]
        + [f"verdict_{key}" for key in VERDICT_KEYS]
        + ["confirmed"]
    )
    for level, commune, unit in _units(summary):
        flat = measures_json(unit.measures)
        writer.writerow(
            [level, inert(commune), inert(unit.name) if level == "hamlet" else ""]
            + [flat[key] for key in ("households", "collected", "invalid", "valid")]
            + [flat["participation"]]
            + [flat["satisfied"][key] for key in QUESTION_KEYS]
            + [_blank(flat["rates"][key]) for key in QUESTION_KEYS]
            + [_blank(flat["average_q1_q9"])]
            + [_blank(flat["verdicts"][key]) for key in VERDICT_KEYS]
            + [int(unit.confirmed)]
        )
    return buffer.getvalue()


def _units(summary: CampaignSummary) -> Iterator[tuple[str, str, UnitSummary]]:
    yield "district", "", summary.district
    for commune in summary.communes:
        yield "commune", commune.name, commune
        for hamlet in commune.children:
            yield "hamlet", commune.name, hamlet


def _ratio(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _verdict(m: Measures, key: str) -> str | None:
    verdict = m.verdicts[key]
    return None if verdict is None else verdict.value


def _blank(value: object) -> object:
    return "" if value is None else value
