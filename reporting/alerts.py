"""Which alerts are due (SPEC §2.5, §5), decided from a summary and the time: pure, no I/O.

The bot decides who receives each one and sends it; this module only says what happened,
to which unit, and how to say it in each language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction

from reporting.campaign import Campaign
from reporting.gaps import forms_gap, households_gap, plain_percent
from reporting.i18n import fmt_count, fmt_day, fmt_percent, fmt_verdict, text, verdict_mark
from reporting.measures import Measures, lowest_question, projected_participation
from reporting.summaries import CampaignSummary, UnitSummary
from reporting.thresholds import Thresholds
from reporting.verdicts import Verdict, got_worse, worst
from reporting.wording import form_words, measure_name

MORNING = time(8, 0)
VerdictMemory = Mapping[tuple[int, str], Verdict | None]
# The officials who answer for each commune, by commune id: "Name (position)" (SPEC §2.2).
Responsible = Mapping[int, Sequence[str]]
Phrase = Callable[[str], str]  # text that depends on the reader's language


class Kind(StrEnum):
    """What an alert is about."""

    REMINDER = "reminder"
    MISSING = "missing"
    DIGEST = "digest"
    VERDICT = "verdict"
    DEADLINE = "deadline"
    WRONG_CODES = "wrong_codes"  # one chat account typed wrong invite codes again and again


class Audience(StrEnum):
    """Who receives an alert; the bot turns this into users."""

    LEADERS = "leaders"  # the leaders of `hamlet_ids`
    COMMUNE = "commune"  # the commune's commune users and officials
    DISTRICT = "district"  # district staff
    DISTRICT_AND_COMMUNE = "district_and_commune"  # both of the above


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: once per `key` and person; its text is the catalog `message` with `params`."""

    kind: Kind
    key: str
    audience: Audience
    message: str
    params: Mapping[str, object | Phrase] = field(default_factory=dict)
    commune_id: int | None = None
    hamlet_ids: tuple[int, ...] = ()

    def render(self, lang: str) -> str:
        """Returns the alert's text in a language; numbers already formatted per language."""
        values = {k: v(lang) if callable(v) else v for k, v in self.params.items()}
        return text(self.message, lang, **values)


def in_quiet_hours(campaign: Campaign, now: datetime) -> bool:
    """Says whether scheduled messages must wait (by default 21:00 to 07:00)."""
    start, end = campaign.alerts.quiet
    local = now.astimezone(campaign.timezone).time()
    return (start <= local or local < end) if start > end else start <= local < end


def quiet_ends(campaign: Campaign, now: datetime) -> datetime:
    """Returns when an alert written at `now` may go out: now, or when the quiet hours end."""
    if not in_quiet_hours(campaign, now):
        return now
    local = now.astimezone(campaign.timezone)
    end = campaign.at(local.date(), campaign.alerts.quiet[1])
    return end if end > now else campaign.at(local.date() + timedelta(days=1), end.timetz())


def deadline(campaign: Campaign, kind: Kind, now: datetime) -> datetime:
    """Returns when an alert written at `now` is no longer worth sending.

    A digest is worthless once the next digest is due; a verdict change or wrong invite codes
    after a day; every other alert (a reminder, a missing list, a deadline) at the end of its day.
    """
    day = campaign.local_date(now)
    if kind is Kind.DIGEST:
        return campaign.at(day + timedelta(days=1), campaign.alerts.digest)
    if kind in (Kind.VERDICT, Kind.WRONG_CODES):
        return now + timedelta(days=1)
    return campaign.end_of_day(day)


def wrong_codes(
    campaign: Campaign,
    account: str,
    name: str,
    count: int,
    window: timedelta,
    until: datetime,
) -> Alert:
    """Returns the alert to district staff that a chat account typed wrong codes `count` times.

    Keyed by account and day: however long someone keeps guessing, the district hears of it
    once a day.
    """
    day = campaign.local_date(until)
    local = until.astimezone(campaign.timezone)
    return Alert(
        Kind.WRONG_CODES,
        f"wrong_codes:{account}:{day.isoformat()}",
        Audience.DISTRICT,
        "alert.wrong_codes",
        {
            "account": account,
            "name": name,
            "count": count,
            "minutes": int(window.total_seconds() // 60),
            "until": f"{local:%H:%M}",
        },
    )


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


def verdict_changes(
    summary: CampaignSummary,
    previous: VerdictMemory,
    now: datetime,
    changes: Mapping[tuple[int, str], int] | None = None,
    responsible: Responsible | None = None,
) -> tuple[list[Alert], dict[tuple[int, str], Verdict | None]]:
    """Returns alerts for every verdict that got worse since `previous`, and the new memory.

    A unit seen for the first time is remembered without an alert. `changes` counts the
    changes remembered so far per unit and measure: an alert is keyed by the change it
    reports (the next one), so two evaluations that see the same change, in two processes
    at once, claim one alert, and a verdict that recovers and falls again alerts again.
    A commune's alert names the officials who answer for it (`responsible`).
    """
    alerts: list[Alert] = []
    memory: dict[tuple[int, str], Verdict | None] = {}
    for unit in (summary.district, *summary.communes):
        for measure in summary.campaign.thresholds.judged:
            new = unit.measures.verdicts[measure]
            memory[(unit.unit_id, measure)] = new
            old = previous.get((unit.unit_id, measure))
            if (unit.unit_id, measure) in previous and got_worse(old, new):
                change = (changes or {}).get((unit.unit_id, measure), 0) + 1
                names = (responsible or {}).get(unit.unit_id, ())
                alerts.append(_verdict_alert(summary, unit, measure, (old, new), change, names))
    return alerts, memory


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
            {"day": day},
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
        "percent": _percent(district.measures.participation, t.district_participation),
        "figures": _digest_figures(district.measures, t),
        "troubled": lambda lang: ", ".join(line(lang) for line in lines) or "—",
        "missing": late if summary.campaign.in_collection(summary.day) else "—",
    }
    return Alert(Kind.DIGEST, f"digest:{summary.day}", Audience.DISTRICT, "alert.digest", params)


def _digest_figures(m: Measures, t: Thresholds) -> Phrase:
    """Returns "; bình quân câu 1–9 97,10 %; câu 10 98,00 %" for the digest's first line."""
    words = form_words(t.form)

    def phrase(lang: str) -> str:
        average = fmt_percent(m.average, lang, t.average)
        parts = [text("alert.digest_average", lang, percent=average, **words)]
        if t.form.overall is not None:
            overall = fmt_percent(m.overall, lang, t.overall)
            parts.append(text("alert.digest_overall", lang, percent=overall, **words))
        return "".join(f"; {part}" for part in parts)

    return phrase


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
    for commune in waiting:
        yield Alert(
            Kind.DEADLINE,
            f"deadline:confirm:{commune.unit_id}",
            Audience.COMMUNE,
            "alert.confirm_due",
            {"commune": commune.name, "end": end},
            commune_id=commune.unit_id,
        )
    if waiting:
        names = ", ".join(commune.name for commune in waiting)
        params = {"count": len(waiting), "names": names, "end": end}
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
        "percent": _percent(commune.measures.participation, threshold),
        "projected": _percent(projected, threshold),
        "gap": _gap(lambda lang: households_gap(commune.measures, threshold, lang)),
    }
    return Alert(
        Kind.DEADLINE,
        f"deadline:collection:{commune.unit_id}",
        Audience.COMMUNE,
        "alert.collection_ending",
        params,
        commune_id=commune.unit_id,
    )


@dataclass(frozen=True, slots=True)
class _Figure:
    """A measure's value, its threshold, and what would fix it, for a verdict alert."""

    value: Phrase
    threshold: Fraction
    gap: Phrase


def _troubled(commune: UnitSummary, names: Sequence[str]) -> Phrase:
    """Returns a commune at risk as the digest lists it, with the officials answering for it."""
    mark = _mark(_worst(commune))
    if not names:
        return lambda _lang: f"{commune.name} {mark}"
    return lambda lang: text(
        "alert.digest_commune", lang, commune=commune.name, mark=mark, names="; ".join(names)
    )


def _verdict_alert(
    summary: CampaignSummary,
    unit: UnitSummary,
    measure: str,
    verdicts: tuple[Verdict | None, Verdict | None],
    change: int,
    responsible: Sequence[str],
) -> Alert:
    old, new = verdicts
    figure = _figure_of(summary, unit, measure)
    params = {
        "unit": unit.name,
        "measure": lambda lang: measure_name(measure, summary.campaign.form, lang),
        "old": lambda lang: fmt_verdict(old, lang),
        "new": lambda lang: fmt_verdict(new, lang),
        "figure": figure.value,
        "threshold": plain_percent(figure.threshold),
        "gap": figure.gap,
        "responsible": lambda lang: (
            text("alert.responsible", lang, names="; ".join(responsible)) if responsible else ""
        ),
    }
    district = unit.level == "district"
    audience = Audience.DISTRICT if district else Audience.DISTRICT_AND_COMMUNE
    key = f"verdict:{unit.unit_id}:{measure}:{new}:{change}"
    return Alert(
        Kind.VERDICT,
        key,
        audience,
        "alert.verdict",
        params,
        commune_id=None if district else unit.unit_id,
    )


def _figure_of(summary: CampaignSummary, unit: UnitSummary, measure: str) -> _Figure:
    """Returns the figure a verdict alert reports, for a measure the campaign judges."""
    m, t = unit.measures, summary.campaign.thresholds
    threshold = getattr(t, measure)
    assert threshold is not None, f"{measure} is not judged"
    if measure == "participation":
        if unit.level == "district":
            threshold = t.district_participation or threshold
        gap = _gap(lambda lang: households_gap(m, threshold, lang))
        return _Figure(_percent(m.participation, threshold), threshold, gap)
    if measure == "average":
        gap = _gap(lambda lang: forms_gap(m, "average", threshold, lang))
        return _Figure(_percent(m.average, threshold), threshold, gap)
    if measure == "overall":
        overall = str(t.form.overall)
        gap = _gap(lambda lang: forms_gap(m, overall, threshold, lang))
        return _Figure(_percent(m.overall, threshold), threshold, gap)
    named = unit.level == "district" and bool(summary.communes)
    if named:  # the district's question_min is its worst commune's: show that commune
        unit = min(summary.communes, key=_lowest_rate)
        m = unit.measures
    lowest = lowest_question(m.counts, t.form) or t.form.average[0]
    gap = _gap(lambda lang: forms_gap(m, str(lowest), threshold, lang))
    rate = m.rates[lowest - 1]
    value = _question_figure(unit.name if named else None, lowest, rate, threshold)
    return _Figure(value, threshold, gap)


def _lowest_rate(commune: UnitSummary) -> Fraction:
    lowest = lowest_question(commune.measures.counts, commune.measures.form)
    rate = commune.measures.rates[lowest - 1] if lowest else None
    return rate if rate is not None else Fraction(2)


def _question_figure(
    commune: str | None, question: int, rate: Fraction | None, threshold: Fraction
) -> Phrase:
    def phrase(lang: str) -> str:
        percent = fmt_percent(rate, lang, threshold)
        figure = text("alert.question_figure", lang, question=question, percent=percent)
        return f"{commune}: {figure}" if commune else figure

    return phrase


def _worst(unit: UnitSummary) -> Verdict | None:
    return worst(unit.measures.verdicts.values())


def _mark(verdict: Verdict | None) -> str:
    # the digest marks only the communes in trouble
    return verdict_mark(verdict) if verdict in (Verdict.AT_RISK, Verdict.NOT_MET) else ""


def _percent(value: Fraction | None, threshold: Fraction | None) -> Phrase:
    return lambda lang: fmt_percent(value, lang, threshold)


def _gap(gap: Callable[[str], str | None]) -> Phrase:
    return lambda lang: f" — {found}" if (found := gap(lang)) else ""
