"""The JSON (SPEC §4.1, a stable interface for scripts) and CSV forms of a summary.

Questions are keyed "1".."N", as many as the campaign asks; `average` is the mean of the
averaged questions; `verdicts` holds the measures the campaign judges, no others.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from reporting.measures import Measures
from reporting.names import inert
from reporting.summaries import CampaignSummary, UnitSummary


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
    keys = _question_keys(m)
    return {
        "households": c.households,
        "collected": c.collected,
        "invalid": c.invalid,
        "valid": c.valid,
        "participation": _ratio(m.participation) or 0.0,
        "satisfied": dict(zip(keys, c.satisfied, strict=True)),
        "rates": {key: _ratio(rate) for key, rate in zip(keys, m.rates, strict=True)},
        "average": _ratio(m.average),
        "verdicts": {key: _verdict(m, key) for key in m.verdicts},
    }


def summary_csv(summary: CampaignSummary) -> str:
    """Returns one CSV row per unit (district, communes, hamlets) with the JSON's figures."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    questions = _question_keys(summary.district.measures)
    judged = summary.campaign.thresholds.judged
    writer.writerow(
        ["level", "commune", "hamlet", "households", "collected", "invalid", "valid"]
        + ["participation"]
        + [f"q{key}" for key in questions]
        + [f"rate_q{key}" for key in questions]
        + ["average"]
        + [f"verdict_{key}" for key in judged]
        + ["confirmed"]
    )
    for level, commune, unit in _units(summary):
        flat = measures_json(unit.measures)
        writer.writerow(
            [level, inert(commune), inert(unit.name) if level == "hamlet" else ""]
            + [flat[key] for key in ("households", "collected", "invalid", "valid")]
            + [flat["participation"]]
            + [flat["satisfied"][key] for key in questions]
            + [_blank(flat["rates"][key]) for key in questions]
            + [_blank(flat["average"])]
            + [_blank(flat["verdicts"][key]) for key in judged]
            + [int(unit.confirmed)]
        )
    return buffer.getvalue()


def _units(summary: CampaignSummary) -> Iterator[tuple[str, str, UnitSummary]]:
    yield "district", "", summary.district
    for commune in summary.communes:
        yield "commune", commune.name, commune
        for hamlet in commune.children:
            yield "hamlet", commune.name, hamlet


def _question_keys(m: Measures) -> list[str]:
    return [str(number) for number in m.form.numbers]


def _ratio(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _verdict(m: Measures, key: str) -> str | None:
    verdict = m.verdicts[key]
    return None if verdict is None else verdict.value


def _blank(value: object) -> object:
    return "" if value is None else value
