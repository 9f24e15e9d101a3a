"""Which timed alerts are due (SPEC §2.5): reminders, missing lists, the digest and the
deadlines, decided from a summary and the time: pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from reporting.alerts import (
    Alert,
    Audience,
    Kind,
    Responsible,
    gap_phrase,
    in_quiet_hours,
    percent_phrase,
)
from reporting.campaign import Campaign
from reporting.gaps import households_gap, plain_percent
from reporting.i18n import Phrase, fmt_count, fmt_day, fmt_percent, text, verdict_mark
from reporting.measures import Measures, projected_participation
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.thresholds import Thresholds
from reporting.verdicts import Verdict, worst
from reporting.wording import form_words, level_words

MORNING = time(8, 0)


def scheduled(
    campaign: Campaign,
    summary: CampaignSummary,
    now: datetime,
    responsible: Responsible | None = None,
) -> list[Alert]:
    """Returns the timed alerts due at `now` (each keyed by its day, so sent once a day).

    The digest names the officials who answer for each commune at risk (`responsible`).
    """
    if in_quiet_hours(campaign, now):
        return []
    day, clock = summary.day, now.astimezone(campaign.timezone).time()
    due: list[Alert] = []
    if campaign.in_collection(day) and clock >= campaign.alerts.reminder:
        due += _reminders(summary)
    if campaign.in_collection(day) and clock >= campaign.alerts.missing:
        due += list(_missing_lists(summary))
    collecting = campaign.phases.collection[0] <= day <= campaign.phases.aggregation[1]
    if collecting and clock >= campaign.alerts.digest:
        due.append(_digest(summary, responsible or {}))
    if clock >= MORNING:
        due += list(_deadlines(campaign, summary))
    return due


def _reminders(summary: CampaignSummary) -> list[Alert]:
    late = tuple(h.unit_id for c in summary.communes for h in c.children if not h.reported_today)
    if not late:
        return []
    day = fmt_day(summary.day, year=False)
    return [
        Alert(
            Kind.REMINDER,
            f"reminder:{summary.day}",
            Audience.LEADERS,
            "alert.reminder",
            {"day": day, **level_words(summary.campaign.levels)},
            hamlet_ids=late,
        )
    ]


def _missing_lists(summary: CampaignSummary) -> Iterator[Alert]:
    for commune in summary.communes:
        late = [h.name for h in commune.children if not h.reported_today]
        if late:
            params = {
                "commune": commune.name,
                "count": len(late),
                "hamlets": commune.hamlets,
                "names": ", ".join(late),
                "day": fmt_day(summary.day, year=False),
                **level_words(summary.campaign.levels),
            }
            key = f"missing:{summary.day}:{commune.unit_id}"
            yield Alert(
                Kind.MISSING,
                key,
                Audience.COMMUNE,
                "alert.missing",
                params,
                commune_id=commune.unit_id,
            )


def _digest(summary: CampaignSummary, responsible: Responsible) -> Alert:
    district, t = summary.district, summary.campaign.thresholds
    troubled = [c for c in summary.communes if _worst(c) in (Verdict.AT_RISK, Verdict.NOT_MET)]
    lines = [_troubled(c, responsible.get(c.unit_id, ())) for c in troubled]
    # after collection no tally is expected, so no hamlet is "missing" today
    late = district.hamlets - district.reported_today
    params = {
        "day": fmt_day(summary.day, year=False),
        "collected": fmt_count(district.measures.counts.collected),
        "households": fmt_count(district.measures.counts.households),
        "percent": percent_phrase(district.measures.participation, t.district_participation),
        "figures": _digest_figures(district.measures, t),
        "troubled": lambda lang: ", ".join(line(lang) for line in lines) or "—",
        "missing": late if summary.campaign.in_collection(summary.day) else "—",
        **level_words(summary.campaign.levels),
    }
    return Alert(Kind.DIGEST, f"digest:{summary.day}", Audience.DISTRICT, "alert.digest", params)


def _digest_figures(m: Measures, t: Thresholds) -> Phrase:
    """Returns "; bình quân câu 1–9 97,10 %; câu 10 98,00 %" for the digest's first line."""
    words = form_words(t.form)

    def said(lang: str) -> str:
        average = fmt_percent(m.average, lang, t.average)
        parts = [text("alert.digest_average", lang, percent=average, **words)]
        if t.form.overall is not None:
            overall = fmt_percent(m.overall, lang, t.overall)
            parts.append(text("alert.digest_overall", lang, percent=overall, **words))
        return "".join(f"; {part}" for part in parts)

    return said


def _deadlines(campaign: Campaign, summary: CampaignSummary) -> Iterator[Alert]:
    day, phases = summary.day, campaign.phases
    if day == phases.collection[1] - timedelta(days=2):
        yield from _collection_ending_soon(campaign, summary)
    if day == _aggregation_day(campaign):
        yield from _confirmations_due(summary, fmt_day(phases.aggregation[1], year=False))
    if day == phases.report_due - timedelta(days=1):
        yield Alert(
            Kind.DEADLINE,
            "deadline:report",
            Audience.DISTRICT,
            "alert.report_due",
            {"due": fmt_day(phases.report_due)},
        )


def _collection_ending_soon(campaign: Campaign, summary: CampaignSummary) -> Iterator[Alert]:
    """Each commune whose pace falls short is told; district staff get one list of them."""
    behind = []
    for commune in summary.communes:
        projected = projected_participation(commune.measures.counts, summary.progress)
        if projected is not None and projected * 100 < campaign.thresholds.participation:
            behind.append(commune.name)
            yield _collection_ending(campaign, summary, commune, projected)
    if behind:
        params = {
            "count": len(behind),
            "names": ", ".join(behind),
            "end": fmt_day(campaign.phases.collection[1], year=False),
            "percent": plain_percent(campaign.thresholds.participation),
            **level_words(campaign.levels),
        }
        yield Alert(
            Kind.DEADLINE,
            "deadline:collection",
            Audience.DISTRICT,
            "alert.collection_ending_district",
            params,
        )


def _confirmations_due(summary: CampaignSummary, end: str) -> Iterator[Alert]:
    """Each unconfirmed commune is asked to confirm; district staff get one list of them."""
    waiting = [c for c in summary.communes if not c.confirmed]
    words = level_words(summary.campaign.levels)
    for commune in waiting:
        yield Alert(
            Kind.DEADLINE,
            f"deadline:confirm:{commune.unit_id}",
            Audience.COMMUNE,
            "alert.confirm_due",
            {"commune": commune.name, "end": end, **words},
            commune_id=commune.unit_id,
        )
    if waiting:
        names = ", ".join(commune.name for commune in waiting)
        params = {"count": len(waiting), "names": names, "end": end, **words}
        yield Alert(
            Kind.DEADLINE,
            "deadline:confirm",
            Audience.DISTRICT,
            "alert.confirm_due_district",
            params,
        )


def _aggregation_day(campaign: Campaign) -> date:
    """The first day after collection that belongs to aggregation (confirmations are due)."""
    return max(campaign.phases.aggregation[0], campaign.phases.collection[1] + timedelta(days=1))


def _collection_ending(
    campaign: Campaign, summary: CampaignSummary, commune: UnitSummary, projected: Fraction
) -> Alert:
    threshold = campaign.thresholds.participation
    params = {
        "commune": commune.name,
        "end": fmt_day(campaign.phases.collection[1], year=False),
        "percent": percent_phrase(commune.measures.participation, threshold),
        "projected": percent_phrase(projected, threshold),
        "gap": gap_phrase(lambda lang: households_gap(commune.measures, threshold, lang)),
    }
    return Alert(
        Kind.DEADLINE,
        f"deadline:collection:{commune.unit_id}",
        Audience.COMMUNE,
        "alert.collection_ending",
        params,
        commune_id=commune.unit_id,
    )


def _troubled(commune: UnitSummary, names: Sequence[str]) -> Phrase:
    """Returns a commune at risk as the digest lists it, with the officials answering for it."""
    mark = _mark(_worst(commune))
    if not names:
        return lambda _lang: f"{commune.name} {mark}"
    return lambda lang: text(
        "alert.digest_commune", lang, commune=commune.name, mark=mark, names="; ".join(names)
    )


def _worst(unit: UnitSummary) -> Verdict | None:
    return worst(unit.measures.verdicts.values())


def _mark(verdict: Verdict | None) -> str:
    # the digest marks only the communes in trouble
    return verdict_mark(verdict) if verdict in (Verdict.AT_RISK, Verdict.NOT_MET) else ""
